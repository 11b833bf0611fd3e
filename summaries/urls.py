from config.routers import OptionalSlashRouter
from summaries.views import SummaryViewSet

router = OptionalSlashRouter()
router.register("summaries", SummaryViewSet, basename="summary")

urlpatterns = router.urls
