"""The request id carried into background jobs (`django.tasks`), so that a request's lines in
the http role and its jobs' lines in the worker share one id.

Queued: every job row django-tasks-db stores passes through `stamp_job` (a `pre_save` of
`DBTaskResult`, the one place every queued job is written, whichever code called
`enqueue()`): the current request id goes into the row's `args_kwargs` next to `args` and
`kwargs`, which the backend ignores. A job queued outside any request (the scheduler's, a
`manage.py` command's) gets a new id there, so it and the jobs it queues in turn still share
one. Run: `job_started` binds that id and the job's own id (`job_id`) for every line until
`job_finished`. With the immediate backend (development, tests) a job runs inside `enqueue()`,
so it keeps the context it was queued in and only adds its `job_id`.
"""

from contextvars import ContextVar, Token

from config.observability import context

REQUEST_ID_KEY = "request_id"

_job_token: ContextVar[Token | None] = ContextVar("job_log_context", default=None)


def stamp_job(sender, instance, raw=False, **kwargs) -> None:
    """pre_save of django_tasks_db's DBTaskResult: the request id, on the row being queued."""
    if raw or not instance._state.adding or not isinstance(instance.args_kwargs, dict):
        return
    if REQUEST_ID_KEY not in instance.args_kwargs:
        request_id = context.request_id() or context.new_request_id()
        instance.args_kwargs = {**instance.args_kwargs, REQUEST_ID_KEY: request_id}


def job_started(sender, task_result, **kwargs) -> None:
    _end_job()  # a job whose end was never announced (it could not be imported)
    db_result = getattr(task_result, "db_result", None)  # django-tasks-db's rows only
    if db_result is None:
        fields = dict(context.current())
    else:
        stored = db_result.args_kwargs if isinstance(db_result.args_kwargs, dict) else {}
        fields = {"request_id": context.safe_request_id(stored.get(REQUEST_ID_KEY))}
    fields["job_id"] = task_result.id
    _job_token.set(context.start(**fields))


def job_finished(sender, task_result, **kwargs) -> None:
    _end_job()


def _end_job() -> None:
    token = _job_token.get()
    if token is not None:
        _job_token.set(None)
        try:
            context.reset(token)
        except ValueError:  # bound in another context: end the job's fields here all the same
            context.start()


def connect() -> None:
    """Connect the receivers (apps.py). Django's own "Task … state=RUNNING" line is moved
    after `job_started`, so that it carries the job's ids too; its "finished" line already
    comes before `job_finished`."""
    from django.db.models.signals import pre_save
    from django.tasks import signals
    from django_tasks_db.models import DBTaskResult

    pre_save.connect(stamp_job, sender=DBTaskResult, dispatch_uid="observability.stamp_job")
    signals.task_started.disconnect(signals.log_task_started)
    signals.task_started.connect(job_started, dispatch_uid="observability.job_started")
    signals.task_started.connect(signals.log_task_started)
    signals.task_finished.connect(job_finished, dispatch_uid="observability.job_finished")
