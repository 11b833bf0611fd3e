"""The mails the accounts app sends: rendered in the person's language, plain text and HTML.

Only the jobs in accounts/tasks.py call these (never a request): the worker sends, so a slow
or unreachable SMTP server never holds a request, and a request that asks for a mail does the
same work whether or not one goes out. The backend is settings.EMAIL_BACKEND (EMAIL_URL:
SMTP with TLS in production, the console in development).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from accounts.tokens import email_verification_tokens, password_reset_tokens, uid_for


def _send(*, user: User, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "name": user.name or user.email, **context}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        text = render_to_string(f"accounts/email/{template}.txt", context)
        html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()


def password_reset_link(user: User) -> str:
    return settings.PASSWORD_RESET_URL.format(
        uid=uid_for(user), token=password_reset_tokens.make_token(user)
    )


def email_verify_link(user: User) -> str:
    return settings.EMAIL_VERIFY_URL.format(
        uid=uid_for(user), token=email_verification_tokens.make_token(user)
    )


def password_reset_send(*, user: User) -> None:
    _send(
        user=user,
        template="password_reset",
        context={
            "link": password_reset_link(user),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )


def email_verify_send(*, user: User) -> None:
    _send(
        user=user,
        template="email_verify",
        context={
            "link": email_verify_link(user),
            "days": settings.EMAIL_VERIFY_TIMEOUT // 86400,
        },
    )
