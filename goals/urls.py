from config.routers import OptionalSlashRouter
from goals.views import GoalViewSet

router = OptionalSlashRouter()
router.register("goals", GoalViewSet, basename="goal")

urlpatterns = router.urls
