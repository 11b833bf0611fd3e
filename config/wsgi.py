"""WSGI entry point for plain HTTP in production: granian's WSGI workers serve
`config.wsgi:application` (bin/http-server). Websockets are Daphne's (config/asgi.py)."""

import os

# Settings keep one persistent database connection per worker when they know they run under
# a WSGI server (config/settings.py, database section); set before Django reads them.
os.environ.setdefault("APP_SERVER", "wsgi")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
