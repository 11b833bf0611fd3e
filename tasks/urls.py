from config.routers import OptionalSlashRouter
from tasks.views import CategoryViewSet, TaskViewSet

router = OptionalSlashRouter()
# List-level actions (tasks/current, tasks/report) are routed before tasks/{id}, so they are
# never read as a task id.
router.register("tasks", TaskViewSet, basename="task")
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
