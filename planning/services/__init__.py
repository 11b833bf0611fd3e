"""Writes of the planning app: day plans (`plans`) and weekly reviews (`reviews`)."""

from planning.services.plans import plan_build, plan_update
from planning.services.reviews import due_reviews, review_generate

__all__ = ["due_reviews", "plan_build", "plan_update", "review_generate"]
