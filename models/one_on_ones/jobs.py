"""The 1:1 jobs: pairs follow the org chart; alerts for pairs with no 1:1 in weeks."""

from __future__ import annotations

from models.core.features import Daily, Every, Job, JobContext
from models.one_on_ones.alerts import alerts_no_meeting
from models.one_on_ones.pairs import sync_pairs


def sync_pairs_job(ctx: JobContext) -> str:
    """Make 1:1 pairs follow the org chart (hourly, and after org changes)."""
    with ctx.unit_of_work() as session:
        report = sync_pairs(session, ctx.team_id(), ctx.org, now=ctx.clock.now())
    return str(report)


def alerts_job(ctx: JobContext) -> str:
    """Record no-1:1-in-N-weeks alerts for the HR digest; one nudge to the manager per alert (daily)."""
    with ctx.unit_of_work() as session:
        made = alerts_no_meeting(session, ctx.team_id(), ctx.org, now=ctx.clock.now())
    return f"{len(made)} new no-1:1 alerts"


JOBS = (
    Job("one_on_one_pairs", "Make 1:1 pairs follow the org chart (new relations get a pair, ended ones are closed)",
        Every(hours=1), sync_pairs_job),
    Job("one_on_one_alerts", "Record pairs with no 1:1 held in N weeks for the HR digest; nudge the manager once",
        Daily(6, 10), alerts_job),
)
