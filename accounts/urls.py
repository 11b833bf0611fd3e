from django.urls import re_path

from accounts import email_views, views

urlpatterns = [
    re_path(r"^register/?$", views.RegisterView.as_view(), name="auth-register"),
    re_path(r"^login/?$", views.LoginView.as_view(), name="auth-login"),
    re_path(r"^refresh/?$", views.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^logout/?$", views.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^password/?$", views.PasswordView.as_view(), name="auth-password"),
    # -- password reset and email verification (accounts/email_views.py) --
    re_path(r"^password/reset/?$", email_views.PasswordResetView.as_view(), name="auth-reset"),
    re_path(
        r"^password/reset/confirm/?$",
        email_views.PasswordResetConfirmView.as_view(),
        name="auth-reset-confirm",
    ),
    re_path(r"^email/verify/?$", email_views.EmailVerifyView.as_view(), name="auth-email-verify"),
    re_path(
        r"^email/verify/resend/?$",
        email_views.EmailVerifyResendView.as_view(),
        name="auth-email-verify-resend",
    ),
    # -- end of password reset and email verification --
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
