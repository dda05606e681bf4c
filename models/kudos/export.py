"""Kudos in the performance-data export: kudos each person received and gave in the period (counts only).

Two statements whatever the size of the workspace: kudos received (one per kudos naming the person, however
many others it names) and kudos given, each grouped by person in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.core.config import OrgConfig
from models.core.exports import ExportColumn, ExportSpec, ExportValue
from models.kudos.tables import Kudos, KudosRecipient

PRIVACY = "Counts only, never a message or who gave it. Kudos are public in the workspace."


def kudos_export(session: Session, org: OrgConfig, team_id: str, start: datetime, end: datetime
                 ) -> dict[int, dict[str, ExportValue]]:
    in_period = (Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end)
    found: dict[int, dict[str, ExportValue]] = {}
    for person_id, count in session.execute(
        select(KudosRecipient.person_id, func.count(func.distinct(Kudos.id)))
        .join(Kudos, Kudos.id == KudosRecipient.kudos_id).where(*in_period).group_by(KudosRecipient.person_id)
    ):
        found.setdefault(person_id, {})["kudos_received"] = int(count)
    for person_id, count in session.execute(
        select(Kudos.giver_id, func.count(Kudos.id)).where(*in_period).group_by(Kudos.giver_id)
    ):
        found.setdefault(person_id, {})["kudos_given"] = int(count)
    return found


EXPORTS = (ExportSpec("kudos", 10, (
    ExportColumn("kudos_received", "Kudos naming the person as a recipient, given in the period (a kudos to "
                 "several people counts once for each of them)", "kudos, kudos_recipients (created_at)", PRIVACY,
                 default=0),
    ExportColumn("kudos_given", "Kudos the person gave in the period", "kudos (giver_id, created_at)", PRIVACY,
                 default=0),
), kudos_export),)
