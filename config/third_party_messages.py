"""Messages of third-party packages that reach clients but have no Spanish translation of
their own (simplejwt's Spanish catalog leaves these fuzzy or empty, so gettext ignores them).

Nothing imports this module at run time: it only lists the msgids so that `makemessages` keeps
them in `locale/es/LC_MESSAGES/django.po`, where LOCALE_PATHS gives them priority.
"""

from django.utils.translation import gettext_noop

SIMPLEJWT_MESSAGES = [
    gettext_noop("Token is invalid"),
    gettext_noop("Token is expired"),
    gettext_noop("No active account found for the given token."),
    gettext_noop("The user's password has been changed."),
]
