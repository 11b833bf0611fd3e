"""URL map. Every app contributes its own `urls.py`; all API routes live under /api/v1/."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.admin_login import admin_login
from chat.urls import nudge_urlpatterns
from config import health, views

api_v1 = [
    re_path(r"^auth/", include("accounts.urls")),
    re_path(r"^", include("tasks.urls")),
    re_path(r"^", include("goals.urls")),
    re_path(r"^", include("checkins.urls")),
    re_path(r"^", include("summaries.urls")),
    re_path(r"^", include("memories.urls")),
    re_path(r"^", include("insights.urls")),
    re_path(r"^", include("planning.urls")),  # plans and weekly reviews (issue 24)
    re_path(r"^chat/", include("chat.urls")),
    re_path(r"^", include(nudge_urlpatterns)),  # POST /nudges/{id}/answer (issue 24)
    re_path(r"^", include("privacy.urls")),  # GET /export (issue 23)
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
]

urlpatterns = [
    re_path(r"^health/?$", health.health, name="health"),
    re_path(r"^health/ready/?$", health.ready, name="health-ready"),
    re_path(r"^api/v1/", include(api_v1)),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Before the admin's own URLs: its login form with failure limits (accounts/admin_login.py).
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    re_path(r"^api/", views.api_not_found),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.server_failure"
