from django.urls import re_path

from insights.views import InsightsView

urlpatterns = [re_path(r"^insights/?$", InsightsView.as_view(), name="insights")]
