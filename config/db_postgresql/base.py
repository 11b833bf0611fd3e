"""Django's PostgreSQL backend, without a health-check round trip on connections in steady use.

With persistent connections and CONN_HEALTH_CHECKS, Django sends `SELECT 1` at the start of
every request before its first query: one round trip in three for the task list. A connection
that ran a query less than a second ago, with no error since, is as good as checked; one that
has been idle longer is checked as before. If PostgreSQL went away within that second, the
request's first query fails, Django marks the connection as errored and replaces it at the end
of the request, exactly as it does for a connection that breaks mid-request.
"""

import time

from django.db.backends.postgresql import base

# A connection used this recently (seconds) skips the health check.
RECENTLY_USED_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    _used_at = float("-inf")

    def create_cursor(self, name=None):
        self._used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.errors_occurred
            and time.monotonic() - self._used_at < RECENTLY_USED_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
