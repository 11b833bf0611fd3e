from django.urls import re_path

from config.routers import OptionalSlashRouter
from planning.views import DayPlanViewSet, WeeklyReviewViewSet

router = OptionalSlashRouter()
router.register("reviews", WeeklyReviewViewSet, basename="review")

plan_list = DayPlanViewSet.as_view({"get": "list"})
# POST builds a day's plan (only today's): a detail route with POST, which routers do not map.
plan_detail = DayPlanViewSet.as_view(
    {"get": "retrieve", "post": "build", "patch": "partial_update"}
)

urlpatterns = [
    re_path(r"^plans/?$", plan_list, name="plan-list"),
    re_path(r"^plans/(?P<day>[^/]+)/?$", plan_detail, name="plan-detail"),
    *router.urls,
]
