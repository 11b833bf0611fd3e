"""Writes of the planning app: day plans (`plans`) and weekly reviews (`reviews`)."""

from planning.services.plans import plan_build, plan_update

__all__ = ["plan_build", "plan_update"]
