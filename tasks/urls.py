from django.urls import re_path

from config.routers import OptionalSlashRouter
from tasks.views import CategoryViewSet, TaskViewSet
from tasks.views.fast import with_fast_task_list

router = OptionalSlashRouter()
# List-level actions (tasks/current, tasks/report) are routed before tasks/{id}, so they are
# never read as a task id.
router.register("tasks", TaskViewSet, basename="task")
router.register("categories", CategoryViewSet, basename="category")

# GET /tasks in the plain case skips DRF's dispatch (tasks/views/fast.py, with_fast_task_list).
urlpatterns = [
    re_path(p.pattern.regex.pattern, with_fast_task_list(p.callback), name=p.name)
    if p.name == "task-list"
    else p
    for p in router.urls
]
