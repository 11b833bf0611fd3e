"""What an operator sees of a running process: its log lines and the errors sent to Sentry.

- `context`: the request id (and user id, job, socket) every log line of a unit of work carries;
- `logs`: the logging configuration (JSON lines in production, text on a laptop) and its
  context filter;
- `middleware`: the HTTP edge: the request id in and out, one access line per request;
- `jobs`: the request id carried into the background jobs a request queues;
- `errors`: Sentry, when SENTRY_DSN is set, without personal data.

It imports no app of the project; the apps bind their own context (accounts' authentication
the user, chat's consumer a websocket turn). deploy/README.md, "Observability", is the guide.
"""
