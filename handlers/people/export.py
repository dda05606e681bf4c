"""The HR admin's performance-data export in Slack: a button on the App Home ("Export performance data (last
quarter)") whose click, by an HR admin (`models.access`), is audited and queues the file for the admin's DM; the
renderer builds the CSV when it is sent (`models.exports`), so the click answers within Slack's 3 seconds
whatever the size of the organisation. Anyone else is refused, and nothing is written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View

from bot.blocks import section
from bot.delivery import RenderContext, Rendered, Skip
from bot.i18n import Translator
from bot.services import team_of, user_of
from models import access
from models.core import outbox
from models.core.audit import slack_actor
from models.core.clock import clock_of
from models.core.periods import PeriodError as ExportPeriodError
from models.core.periods import last_complete_quarter
from models.core.periods import parse_calendar_period as parse_export_period
from models.core.zones import zone_of
from models.exports import build_export, record_export, row_count, to_csv

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

ACTION = "admin_performance_export"
KIND = "people.export"


def answer(t: Translator, text: str) -> View:
    return View(type="modal", title=PlainTextObject(text=t("Performance data")[:24]),
                close=PlainTextObject(text=t("Close")), blocks=[section(text)])


def render_performance_export(ctx: RenderContext) -> Rendered:
    """The CSV, built now from the period in the row (the click was audited; a retry builds it again)."""
    viewer = access.Viewer.slack(ctx.recipient, ctx.org.hr.admins)
    if ctx.recipient is None or not viewer.is_hr_admin:
        raise Skip("the requester is no longer an HR admin")
    try:
        period = parse_export_period(str(ctx.row.payload["period"]), ctx.org.hr.timezone)
    except (KeyError, ExportPeriodError) as exc:
        raise Skip(f"no period to export: {exc}") from None
    export = build_export(ctx.session, ctx.org, ctx.row.team_id, period)
    return Rendered(
        text=ctx.t("Here is the performance data export for {period} you asked for ({count} people). The data "
                   "dictionary explains each column.", period=period.label, count=len(export.rows)),
        file=(f"candor-performance-{period.label}.csv", to_csv(export), ctx.t("Candor performance data export")),
    )


def register(app: App, services: Services) -> None:
    org = services.org

    @app.action(ACTION)
    def export_clicked(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_for(session, team_of(body), user_of(body), body)
            if person is None or not access.Viewer.slack(person, org.hr.admins).is_hr_admin:
                view = answer(t, t("Only HR admins can export performance data."))
            else:
                now = clock_of(session).now()
                period = last_complete_quarter(now.astimezone(zone_of(org.hr.timezone, "UTC")).date(),
                                               org.hr.timezone)
                # Audited when asked, in the same transaction as the outbox row that will deliver it.
                record_export(session, actor=slack_actor(person.slack_user_id), team_id=person.team_id,
                              period=period, fmt="csv", rows=row_count(session, person.team_id),
                              delivery="slack file to the requester")
                click = str(body.get("trigger_id") or now.isoformat())
                outbox.enqueue(session, team_id=person.team_id, kind=KIND,
                               key=outbox.dedupe_key(KIND, person.team_id, person.slack_user_id,
                                                     f"{period.label}-{click}"),
                               recipient=person, payload={"period": period.label})
                view = answer(t, t(":inbox_tray: The performance data for {period} is on its way to your DMs, "
                                   "as a CSV file.", period=period.label))
        services.request_client().views_open(trigger_id=body["trigger_id"], view=view)
        ack()
