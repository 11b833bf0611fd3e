from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """The day plan and the weekly review (issue 24): they read tasks, goals and check-ins
    and sit beside summaries, below chat and notifications (docs/architecture.md)."""

    name = "planning"
