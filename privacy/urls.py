from django.urls import re_path

from privacy import views

urlpatterns = [
    re_path(r"^export/?$", views.ExportView.as_view(), name="export"),
]
