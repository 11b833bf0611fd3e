from config.routers import OptionalSlashRouter
from memories.views import MemoryViewSet

router = OptionalSlashRouter()
router.register("memories", MemoryViewSet, basename="memory")

urlpatterns = router.urls
