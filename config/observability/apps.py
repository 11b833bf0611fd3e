from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    """Installed only to connect the job receivers once the apps are loaded (jobs.py)."""

    name = "config.observability"
    label = "observability"

    def ready(self):
        from config.observability import jobs

        jobs.connect()
