"""The Django admin's login form, with the failure limits of the API login.

/admin/ is public, and every attempt costs a password hash (bounded in accounts/hashers.py).
Failures are counted per client network (`admin_login_ip`: an IPv6 /64, an IPv4 address) and
per submitted email (`admin_login_email`): staff accounts are few and worth guessing from many
addresses, and their owners have the API login (limited per email and network, and exempt from
its per-email limit where they signed in lately) and `changepassword` when an attacker keeps
theirs at the limit. A successful login gives its reserved unit back.
"""

import math

from django.contrib import admin
from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from rest_framework.exceptions import Throttled

from accounts.hashers import hashing_slot
from config.client_ip import client_network
from config.throttling import FailureLimit


@never_cache
@csrf_protect
def admin_login(request, *args, **kwargs):
    if request.method != "POST":
        return admin.site.login(request, *args, **kwargs)
    email = request.POST.get("username", "")
    idents = {"admin_login_ip": client_network(request.META)}
    if email.strip():
        idents["admin_login_email"] = email.strip().lower()
    limit = FailureLimit(idents)
    try:
        limit.reserve()
    except Throttled as exc:
        return _too_many_attempts(exc.wait)
    with hashing_slot():  # before the form's first query (accounts/hashers.py)
        response = admin.site.login(request, *args, **kwargs)
    if response.status_code == 302:  # Django's LoginView redirects once the user is signed in
        limit.succeeded()
    return response


def _too_many_attempts(wait) -> HttpResponse:
    seconds = math.ceil(wait or 1)
    message = _("Too many failed sign-in attempts. Try again in %(seconds)d seconds.") % {
        "seconds": seconds
    }
    body = f"<!doctype html><title>429</title><p>{escape(message)}</p>"
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
