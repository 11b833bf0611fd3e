from django.urls import re_path

from accounts import views

urlpatterns = [
    re_path(r"^register/?$", views.RegisterView.as_view(), name="auth-register"),
    re_path(r"^login/?$", views.LoginView.as_view(), name="auth-login"),
    re_path(r"^refresh/?$", views.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^logout/?$", views.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^password/?$", views.PasswordView.as_view(), name="auth-password"),
    re_path(r"^logout-all/?$", views.LogoutAllView.as_view(), name="auth-logout-all"),
    re_path(r"^me/?$", views.MeView.as_view(), name="auth-me"),
    re_path(
        r"^devices/?$",
        views.DeviceViewSet.as_view({"get": "list", "post": "create"}),
        name="auth-devices",
    ),
    re_path(
        r"^devices/(?P<pk>[^/]+)/?$",
        views.DeviceViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="auth-device",
    ),
]
