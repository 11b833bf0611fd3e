from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from accounts.selectors import push_pending_count, push_receipts_pending_count
        from config.metrics import state

        # Read at each scrape of the http role's metrics (config/metrics/state.py).
        state.register_gauge(
            "agente_push_pending",
            "Push messages waiting to be sent (first try, or a retry after 429/5xx).",
            push_pending_count,
        )
        state.register_gauge(
            "agente_push_receipts_pending",
            "Push messages accepted by Expo whose receipt has not been read yet.",
            push_receipts_pending_count,
        )
