"""The campaigns the leader schedules and the version stamp it polls: crm.campaigns.service's
queries, named here so the scheduler has one import for them."""

from crm.campaigns.service import (
    SCHEDULABLE,
    campaigns_version,
    mark_done,
    pause_missed,
    schedulable_campaigns,
)

__all__ = ["SCHEDULABLE", "campaigns_version", "mark_done", "pause_missed", "schedulable_campaigns"]
