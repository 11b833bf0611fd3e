from checkins.views import CheckInViewSet
from config.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("checkins", CheckInViewSet, basename="checkin")

urlpatterns = router.urls
