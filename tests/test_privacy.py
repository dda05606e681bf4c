"""Export and erasure of one person's data, on SQLite and PostgreSQL.

The world: Zelda (the person exported or erased) has a manager (Boss) and a report (Rep); she gave a kudos,
received one, is mentioned in someone else's; outbox rows and Slack events name her; the audit log too.
Her identifiers are distinctive strings so a plain substring scan of the whole database is meaningful.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, func, inspect, select
from sqlalchemy.orm import Session

from bot.db import Database
from models.checkins.tables import Checkin, CheckinReply
from models.core import audit
from models.core.personal_data import REDACTED, REMOVED_ABOUT_TEXT, REMOVED_TEXT, Erasure, PersonalData
from models.core.ports import SlackUser
from models.core.tables import Alert, AuditEntry, InboundEvent, OutboxMessage, Person
from models.kudos import KudosDraft, KudosRules, give_kudos
from models.kudos.tables import Kudos, KudosRecipient, KudosValue
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from models.people import ensure_workspace, person_by_slack_id, upsert_person
from models.privacy import (
    ERASED_PREFIX,
    SCHEMA_VERSION,
    AlreadyErased,
    PrivacyError,
    UnknownPerson,
    erase_person,
    export_person,
    register_personal_data,
    registered,
    registry_problems,
    unregister_personal_data,
    was_erased,
)

TEAM = "T0PRIV"
ZELDA = "U0ZELDA9"
ZELDA_TERMS = ("U0ZELDA9", "zelda.q", "Zelda Quintero", "ZeldaQ", "zelda.q@example.com", "+1 555 0100")
RULES = KudosRules(values=("teamwork", "ownership", "candor"), announce="channel", channel="C0KUDOS")

USERS = {
    u.id: u
    for u in (
        SlackUser(
            id=ZELDA,
            name="zelda.q",
            real_name="Zelda Quintero",
            display_name="ZeldaQ",
            email="zelda.q@example.com",
            tz="Europe/Madrid",
            locale="es-ES",
        ),
        SlackUser(id="U0BOSS", name="boss", real_name="Bea Boss", email="boss@example.com", tz="UTC"),
        SlackUser(id="U0REP", name="rep", real_name="Ray Report", email="rep@example.com"),
        SlackUser(id="U0BO", name="bo", real_name="Bo Builder", email="bo@example.com"),
        SlackUser(id="U0CY", name="cy", real_name="Cy Coder", email="cy@example.com"),
    )
}


class Directory:
    def user(self, user_id: str) -> SlackUser | None:
        return USERS.get(user_id)

    def users(self) -> Iterator[SlackUser]:
        return iter(USERS.values())


def _give(session: Session, giver: str, recipients: tuple[str, ...], message: str, *values: str) -> Kudos:
    draft = KudosDraft(
        team_id=TEAM, giver=giver, recipients=recipients, message=message, values=values, source_key=f"k-{message[:20]}"
    )
    return give_kudos(session, draft, RULES, Directory()).kudos


def build_world(session: Session) -> None:
    ensure_workspace(session, TEAM, "Privacy Inc")
    people = {uid: upsert_person(session, TEAM, u) for uid, u in USERS.items()}
    zelda, boss, rep = people[ZELDA], people["U0BOSS"], people["U0REP"]
    zelda.manager_id = boss.id
    rep.manager_id = zelda.id
    zelda.title, zelda.department, zelda.start_date = "Staff Engineer", "Platform", date(2021, 3, 1)
    zelda.dm_channel_id = "D0ZELDA"
    session.flush()

    _give(session, ZELDA, ("U0BO",), "Bo shipped the billing fix over the weekend", "teamwork")
    _give(
        session,
        "U0BO",
        (ZELDA, "U0CY"),
        "Zelda Quintero and Cy rescued the launch <@U0ZELDA9>",
        "ownership",
        "teamwork",
    )
    _give(session, "U0CY", ("U0BO",), "Bo paired with <@U0ZELDA9|zelda.q> and ZeldaQ on the migration", "candor")
    _give(session, "U0BOSS", ("U0REP",), "Ray wrote the clearest design doc this year", "candor")
    _give(session, "U0REP", ("U0BO", "U0CY"), "Bo and Cy unblocked the release train", "teamwork")

    # One of the messages to Zelda was delivered; another failed with her email in the error.
    dm = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == zelda.id, OutboxMessage.kind == "kudos.dm")
    ).one()
    dm.state, dm.sent_ts, dm.channel_id = "sent", "1700000000.000100", "D0ZELDA"
    session.add(
        OutboxMessage(
            team_id=TEAM,
            kind="digest",
            dedupe_key=f"digest:{TEAM}:U0BOSS:w1",
            recipient_id=boss.id,
            payload={"text": "Team update: ZeldaQ is out on Friday"},
            state="dead",
            last_error="users_not_found: zelda.q@example.com",
        )
    )

    def event(event_id: str, ev: dict[str, Any]) -> InboundEvent:
        return InboundEvent(
            event_id=event_id,
            team_id=TEAM,
            event_type=ev["type"],
            state="done",
            payload={"token": "verif-token", "team_id": TEAM, "event_id": event_id, "event": ev},
        )

    session.add_all(
        [
            event("Ev0HOME", {"type": "app_home_opened", "user": ZELDA, "tab": "home"}),
            event(
                "Ev0CHANGE",
                {
                    "type": "user_change",
                    "user": {
                        "id": ZELDA,
                        "name": "zelda.q",
                        "real_name": "Zelda Quintero",
                        "profile": {"display_name": "ZeldaQ", "email": "zelda.q@example.com", "phone": "+1 555 0100"},
                    },
                },
            ),
            event(
                "Ev0MENTION", {"type": "message", "user": "U0BO", "text": "thanks <@U0ZELDA9>, Zelda Quintero rocks"}
            ),
            event("Ev0OTHER", {"type": "app_home_opened", "user": "U0CY", "tab": "home"}),
        ]
    )
    audit.record(session, actor="cli:ops", action="person.hr_admin", team_id=TEAM, subject=ZELDA, details={"on": True})
    session.flush()


@pytest.fixture
def world(session: Session) -> Session:
    build_world(session)
    return session


@pytest.fixture
def registry() -> Iterator[None]:
    """Restore the registry after a test that changes it."""
    saved = registered()
    yield
    for entry in registered():
        unregister_personal_data(entry.key)
    for entry in saved:
        register_personal_data(entry)


# -- export --------------------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person(world: Session):
    out = export_person(world, TEAM, ZELDA)
    json.dumps(out)  # serialisable as is
    assert out["schema_version"] == SCHEMA_VERSION
    exported_at = datetime.fromisoformat(out["exported_at"].replace("Z", "+00:00"))
    assert exported_at.utcoffset() == UTC.utcoffset(None)
    assert out["slack_user_id"] == ZELDA and out["team_id"] == TEAM
    assert out["profile"]["email"] == "zelda.q@example.com" and out["profile"]["real_name"] == "Zelda Quintero"
    assert out["org"]["manager"]["slack_user_id"] == "U0BOSS"
    assert [r["slack_user_id"] for r in out["org"]["reports"]] == ["U0REP"]
    assert out["org"]["title"] == "Staff Engineer" and out["org"]["start_date"] == "2021-03-01"

    kudos = out["data"]["kudos"]
    assert [k["message"] for k in kudos["given"]] == ["Bo shipped the billing fix over the weekend"]
    assert kudos["given"][0]["values"] == ["teamwork"]
    assert [r["slack_user_id"] for r in kudos["given"][0]["recipients"]] == ["U0BO"]
    assert len(kudos["received"]) == 1
    received = kudos["received"][0]
    assert received["giver"]["slack_user_id"] == "U0BO" and received["values"] == ["ownership", "teamwork"]
    assert received["message"].startswith("Zelda Quintero and Cy")

    zelda_id = person_by_slack_id(world, TEAM, ZELDA).id
    outbox = out["data"]["outbox"]
    assert outbox and all(row["recipient_id"] == zelda_id for row in outbox)
    assert {row["kind"] for row in outbox} == {"kudos.dm", "home.publish"}

    events = out["data"]["inbound_events"]
    assert {e["event_id"] for e in events} == {"Ev0HOME", "Ev0CHANGE"}  # her own events, not mentions
    assert "verif-token" not in json.dumps(events)  # the envelope (app token) is not exported

    assert [a["action"] for a in out["data"]["audit_log"]] == ["person.hr_admin"]
    logged = world.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.export")).one()
    assert logged.subject == ZELDA and logged.actor == f"slack:{ZELDA}"


def test_export_includes_registered_sections(world: Session, registry: None):
    register_personal_data(
        PersonalData(
            table="kudos_values",
            name="checkins-stand-in",
            on_erase="keep",
            exporter=lambda session, person: {"answers": [f"answer of {person.slack_user_id}"]},
        )
    )
    out = export_person(world, TEAM, ZELDA, actor="cli:hr")
    assert out["data"]["checkins-stand-in"] == {"answers": [f"answer of {ZELDA}"]}
    assert world.scalars(select(AuditEntry.actor).where(AuditEntry.action == "privacy.export")).one() == "cli:hr"


# -- erasure -------------------------------------------------------------------------------------------


def _text_leftovers(session: Session, terms: tuple[str, ...]) -> list[str]:
    """Every place outside the audit log where any term occurs, found by reflecting the live database.

    Reflection (not the models) so tables added later by migrations are scanned too. Every string value
    and every JSON document is searched, case-insensitively.
    """
    reflected = MetaData()
    reflected.reflect(bind=session.connection())
    needles = [t.lower() for t in terms]
    found = []
    for table in reflected.sorted_tables:
        if table.name in ("audit_log", "alembic_version"):
            continue
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, dict | list):
                    text = json.dumps(value, ensure_ascii=False)
                elif isinstance(value, str):
                    text = value
                else:
                    continue
                for needle in needles:
                    if needle in text.lower():
                        found.append(f"{table.name}.{column}: {needle!r} in {text!r}")
    return found


def _aggregates(session: Session) -> dict[str, Any]:
    per_value = session.execute(
        select(KudosRecipient.person_id, KudosValue.value, func.count())
        .join(KudosValue, KudosValue.kudos_id == KudosRecipient.kudos_id)
        .group_by(KudosRecipient.person_id, KudosValue.value)
    ).all()
    given = session.execute(select(Kudos.giver_id, func.count()).group_by(Kudos.giver_id)).all()
    received = session.execute(select(KudosRecipient.person_id, func.count()).group_by(KudosRecipient.person_id)).all()
    return {
        "per_value": Counter({(p, v): n for p, v, n in per_value}),
        "given": {g: n for g, n in given},
        "received": {r: n for r, n in received},
        "kudos": session.scalar(select(func.count()).select_from(Kudos)),
    }


def test_erasure_leaves_no_trace_outside_the_audit_log(db: Database):
    with db.unit_of_work() as s:
        build_world(s)
    with db.unit_of_work() as s:
        assert _text_leftovers(s, ZELDA_TERMS)  # the scan does find her before
        before = _aggregates(s)
    with db.unit_of_work() as s:
        erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    with db.unit_of_work() as s:
        assert _text_leftovers(s, ZELDA_TERMS) == []
        assert _aggregates(s) == before
        # The audit log is the one place that still names her.
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
        assert entry.subject == ZELDA and entry.actor == "cli:dpo"
        assert not any(t.lower() in json.dumps(entry.details).lower() for t in ZELDA_TERMS)


def test_erasure_details(world: Session):
    s = world
    zelda = person_by_slack_id(s, TEAM, ZELDA)
    assert zelda is not None
    zid = zelda.id
    given_id = s.scalars(select(Kudos.id).where(Kudos.giver_id == zid)).one()
    mention_id = s.scalars(select(Kudos.id).where(Kudos.message.like("Bo paired%"))).one()

    report = erase_person(s, TEAM, ZELDA, actor="cli:dpo")

    row = s.get(Person, zid)
    assert row is not None and report.person_id == zid
    assert row.slack_user_id.startswith(ERASED_PREFIX) and len(row.slack_user_id) <= 32
    assert (row.name, row.real_name, row.display_name) == ("", "", "")
    assert row.email is row.tz is row.locale is row.dm_channel_id is row.title is row.department is None
    assert row.start_date is None and row.manager_id is None and not row.is_hr_admin
    assert row.is_deleted and row.erased_at is not None and not row.active
    assert s.scalars(select(Person.manager_id).where(Person.slack_user_id == "U0REP")).one() is None
    assert report.manager_cleared and report.reports_unlinked == ["U0REP"]

    # Kudos she gave: kept, her words replaced. Kudos she received: kept, linked to the anonymised row.
    assert s.get(Kudos, given_id).message == REMOVED_TEXT
    received = s.scalars(
        select(Kudos).join(KudosRecipient, KudosRecipient.kudos_id == Kudos.id).where(KudosRecipient.person_id == zid)
    ).one()
    assert received.message == f"{REDACTED} and Cy rescued the launch <@{row.slack_user_id}>"
    # Someone else's kudos that mentioned her: redacted, the rest of the message kept.
    assert s.get(Kudos, mention_id).message == (
        f"Bo paired with <@{row.slack_user_id}|{REDACTED}> and {REDACTED} on the migration"
    )

    # Outbox: nothing undelivered left for her, payloads emptied.
    to_her = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == zid)).all()
    assert to_her and all(m.payload == {} for m in to_her)
    assert {m.state for m in to_her} == {"sent", "skipped"}
    assert report.outbox_skipped == len(to_her) - 1

    # Slack events: hers deleted, the mention redacted, others untouched.
    events = {e.event_id: e for e in s.scalars(select(InboundEvent))}
    assert set(events) == {"Ev0MENTION", "Ev0OTHER"}
    assert events["Ev0MENTION"].payload["event"]["text"] == f"thanks <@{row.slack_user_id}>, {REDACTED} rocks"  # type: ignore[index]
    assert report.deleted == {"inbound_events": 2}
    assert report.replaced == {"kudos": 1, "outbox": len(to_her)}

    assert was_erased(s, TEAM, ZELDA)
    assert not was_erased(s, TEAM, "U0BO")


def test_erasing_twice_or_an_unknown_person_is_a_clear_error(world: Session):
    with pytest.raises(UnknownPerson, match="no person U0NOBODY in workspace T0PRIV"):
        erase_person(world, TEAM, "U0NOBODY", actor="cli:dpo")
    with pytest.raises(UnknownPerson):
        export_person(world, TEAM, "U0NOBODY")
    with pytest.raises(UnknownPerson):  # right id, wrong workspace
        erase_person(world, "T0ELSEWHERE", ZELDA, actor="cli:dpo")
    erase_person(world, TEAM, ZELDA, actor="cli:dpo")
    with pytest.raises(AlreadyErased, match="already erased on 20"):
        erase_person(world, TEAM, ZELDA, actor="cli:dpo")
    with pytest.raises(AlreadyErased):
        export_person(world, TEAM, ZELDA)
    assert world.scalar(select(func.count()).where(AuditEntry.action == "privacy.erase")) == 1


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the live database."""
    reflected = MetaData()
    reflected.reflect(bind=session.connection())
    out = {}
    for table in reflected.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        out[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
    return out


def test_a_failure_part_way_changes_nothing(db: Database, registry: None):
    with db.unit_of_work() as s:
        build_world(s)
        before = _snapshot(s)

    reached = []

    def explode(ctx: Erasure) -> None:
        # By now earlier steps have run: her kudos message is already replaced in this transaction.
        given = ctx.session.scalars(select(Kudos.message).where(Kudos.giver_id == ctx.person.id)).one()
        reached.append(given)
        raise RuntimeError("disk full")

    register_personal_data(PersonalData(table="kudos_values", name="explodes", on_erase="anonymise", eraser=explode))
    with pytest.raises(RuntimeError, match="disk full"), db.unit_of_work() as s:
        erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    assert reached == [REMOVED_TEXT]

    with db.unit_of_work() as s:
        assert _snapshot(s) == before
        assert person_by_slack_id(s, TEAM, ZELDA) is not None
        assert not was_erased(s, TEAM, ZELDA)


# -- the registry ----------------------------------------------------------------------------------------


def test_every_table_is_registered():
    """A table added to the models must say how it holds personal data (or that it holds none)."""
    assert registry_problems() == []


def test_erasure_refuses_while_a_table_linking_to_people_is_unregistered(world: Session, registry: None):
    unregister_personal_data("kudos_recipients")
    assert any("kudos_recipients" in p for p in registry_problems())
    with pytest.raises(PrivacyError, match="kudos_recipients"):
        erase_person(world, TEAM, ZELDA, actor="cli:dpo")
    register_personal_data(PersonalData(table="kudos_recipients", on_erase="keep"))
    assert any("kudos_recipients.person_id" in p for p in registry_problems())


def test_registering_checks_table_and_columns(registry: None):
    with pytest.raises(ValueError, match="unknown table"):
        register_personal_data(PersonalData(table="no_such_table"))
    with pytest.raises(ValueError, match=r"kudos\.author_id"):
        register_personal_data(PersonalData(table="kudos", name="x", person_columns=("author_id",)))


def test_a_registered_delete_table_loses_the_persons_rows(db: Database, registry: None):
    """A future table registered with on_erase='delete' (stood in for by outbox) loses the linked rows."""
    register_personal_data(
        PersonalData(table="outbox", person_columns=("recipient_id",), text_columns=("payload",), on_erase="delete")
    )
    with db.unit_of_work() as s:
        build_world(s)
        zid = person_by_slack_id(s, TEAM, ZELDA).id
        others = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient_id != zid))
        report = erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    count = select(func.count()).select_from(OutboxMessage)
    with db.unit_of_work() as s:
        assert s.scalar(count.where(OutboxMessage.recipient_id == zid)) == 0
        assert s.scalar(count.where(OutboxMessage.recipient_id != zid)) == others
        assert report.deleted["outbox"] >= 2


def test_scan_sees_the_live_schema(db: Database):
    """Sanity check of the scan helper: it reflects the real database on both dialects."""
    with db.unit_of_work() as s:
        names = set(inspect(s.connection()).get_table_names())
        assert {"people", "kudos", "outbox", "inbound_events", "audit_log"} <= names
        assert _text_leftovers(s, ("anything",)) == []


def test_erased_at_is_utc(world: Session):
    report = erase_person(world, TEAM, ZELDA, actor="cli:dpo")
    assert report.erased_at.tzinfo is not None and report.erased_at.utcoffset() == UTC.utcoffset(None)


# -- check-ins and 1:1s ----------------------------------------------------------------------------------


def build_feature_world(session: Session) -> dict[str, int]:
    """On top of `build_world`: Zelda is the report in one 1:1 (with Boss) and the manager in another (Rep)."""
    z, boss, rep = (person_by_slack_id(session, TEAM, uid) for uid in (ZELDA, "U0BOSS", "U0REP"))
    assert z is not None and boss is not None and rep is not None
    monday, when = date(2026, 1, 5), datetime(2026, 11, 17, 10, tzinfo=UTC)
    up = OneOnOnePair(team_id=TEAM, manager_id=boss.id, report_id=z.id, anchor_week=monday)
    down = OneOnOnePair(team_id=TEAM, manager_id=z.id, report_id=rep.id, anchor_week=monday)
    session.add_all([up, down])
    session.flush()
    mine = Checkin(
        team_id=TEAM,
        person_id=z.id,
        manager_id=boss.id,
        period="2026-W47",
        answers={"win": "Zelda Quintero shipped the importer"},
        questions=[{"id": "win", "text": "Your win this week?"}],
        mood=4,
    )
    reps = Checkin(
        team_id=TEAM,
        person_id=rep.id,
        manager_id=z.id,
        period="2026-W47",
        answers={"blocker": "waiting on ZeldaQ for the review"},
        mood=3,
    )
    session.add_all([mine, reps])
    session.flush()
    rows: dict[str, Any] = {
        "reply_to_her": CheckinReply(checkin_id=mine.id, author_id=boss.id, text="Great work, Zelda Quintero"),
        "reply_by_her": CheckinReply(checkin_id=reps.id, author_id=z.id, text="I will review it today"),
        "notes_about_her": OneOnOneMeeting(
            pair_id=up.id,
            period="2026-W47",
            scheduled_at=when,
            notes="She wants to lead platform",
            notes_author_id=boss.id,
        ),
        "notes_by_rep": OneOnOneMeeting(
            pair_id=down.id,
            period="2026-W47",
            scheduled_at=when,
            notes="Asked zelda.q about a raise",
            notes_author_id=rep.id,
        ),
        "notes_by_her": OneOnOneMeeting(
            pair_id=down.id, period="2026-W48", scheduled_at=when, notes="My notes on Ray", notes_author_id=z.id
        ),
        "point_about_her": TalkingPoint(pair_id=up.id, author_id=boss.id, text="Her promotion case"),
        "point_by_rep": TalkingPoint(pair_id=down.id, author_id=rep.id, text="Conference budget"),
        "point_by_her": TalkingPoint(pair_id=down.id, author_id=z.id, text="Ray's growth plan"),
        "action_about_her": ActionItem(pair_id=up.id, owner_id=boss.id, text="Draft Zelda Quintero's promo packet"),
        "action_she_owns": ActionItem(pair_id=down.id, owner_id=z.id, text="Approve Ray's training"),
        "alert_about_her": Alert(
            team_id=TEAM, kind="missed", subject=f"person:{z.id}", period="W47", person_id=z.id, details={"n": 2}
        ),
        "alert_her_pair": Alert(team_id=TEAM, kind="no_1on1", subject=f"pair:{up.id}", period="W47", pair_id=up.id),
        "alert_about_rep": Alert(
            team_id=TEAM,
            kind="missed",
            subject=f"person:{rep.id}",
            period="W47",
            person_id=rep.id,
            details={"manager": "ZeldaQ"},
        ),
    }
    session.add_all(rows.values())
    session.flush()
    ids = {key: row.id for key, row in rows.items()}
    return {**ids, "up": up.id, "down": down.id, "mine": mine.id, "reps": reps.id}


def test_export_includes_checkins_and_one_on_ones(world: Session):
    build_feature_world(world)
    out = export_person(world, TEAM, ZELDA)
    text = json.dumps(out)
    checkins = out["data"]["checkins"]
    assert [c["answers"] for c in checkins["own"]] == [{"win": "Zelda Quintero shipped the importer"}]
    assert [r["text"] for r in checkins["own"][0]["replies"]] == ["Great work, Zelda Quintero"]
    assert [r["text"] for r in checkins["replies_written"]] == ["I will review it today"]
    assert [row["details"] for row in out["data"]["alerts"]] == [{"n": 2}]
    # The 1:1 tables are registered by their feature module, whatever shape its sections take.
    assert out["data"]["one_on_one_pairs"]
    assert "My notes on Ray" in text and "Ray's growth plan" in text


def test_erasure_covers_checkins_and_one_on_ones(db: Database):
    with db.unit_of_work() as s:
        build_world(s)
        ids = build_feature_world(s)
    with db.unit_of_work() as s:
        checkins_before = s.scalar(select(func.count()).select_from(Checkin))
        report = erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    with db.unit_of_work() as s:
        assert _text_leftovers(s, ZELDA_TERMS) == []
        # Check-ins: hers emptied but counted; her name redacted from her report's answer.
        assert s.scalar(select(func.count()).select_from(Checkin)) == checkins_before
        assert s.get(Checkin, ids["mine"]).answers == {}
        assert s.get(Checkin, ids["reps"]).answers == {"blocker": f"waiting on {REDACTED} for the review"}
        assert s.get(CheckinReply, ids["reply_to_her"]).text == REMOVED_ABOUT_TEXT
        assert s.get(CheckinReply, ids["reply_by_her"]).text == REMOVED_TEXT
        # Alerts about her or her pairs are gone; an alert about her report stays, without her name.
        assert s.get(Alert, ids["alert_about_her"]) is None and s.get(Alert, ids["alert_her_pair"]) is None
        assert s.get(Alert, ids["alert_about_rep"]).details == {"manager": REDACTED}
        # 1:1s (registered by models/one_on_ones.py): what she wrote is replaced, the pairs stay.
        assert s.get(OneOnOneMeeting, ids["notes_by_her"]).notes == REMOVED_TEXT
        assert s.get(TalkingPoint, ids["point_by_her"]).text == REMOVED_TEXT
        assert s.get(TalkingPoint, ids["point_by_rep"]).text == "Conference budget"
        assert s.scalar(select(func.count()).select_from(OneOnOnePair)) == 2
    assert report.deleted["alerts"] == 2
