"""/kudos end to end: signed requests through the real app, the fake Slack, a real database (both)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from handlers.kudos.ids import KudosIds
from models.core.clock import ManualClock
from models.core.tables import OutboxMessage, Person
from models.kudos.tables import Kudos, KudosRecipient, KudosValue
from tests.conftest import ANA, BOB, BOT, CARA, GENERAL, GONE, KUDOS_CHANNEL, LI, make_org, start_candor
from tests.slack_requests import options_value, text_value, users_value

GOOD = "for the calm launch and the clear runbook"


def kudos_rows(candor) -> list[Kudos]:
    with candor.session() as s:
        rows = list(s.scalars(select(Kudos).order_by(Kudos.id)))
        for k in rows:  # load what the assertions read
            _ = [(r.person.slack_user_id) for r in k.recipients], [v.value for v in k.values], k.giver.slack_user_id
        return rows


def count(candor, model) -> int:
    with candor.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def ephemeral(resp) -> str:
    assert resp.status_code == 200, resp.text
    return resp.text if not resp.text.startswith("{") else json.loads(resp.text).get("text", "")


# -- the happy path ------------------------------------------------------------------------------


def test_kudos_with_two_recipients_and_a_value(candor):
    resp = candor.slack.command(
        "/kudos", f"<@{ANA}|ana> <@{LI}> for the calm launch #Customer-Focus", user=BOB, channel=GENERAL
    )
    assert ":white_check_mark: Kudos sent to <@U0ANA> and <@U0LI>." in ephemeral(resp)

    [k] = kudos_rows(candor)
    assert k.giver.slack_user_id == BOB
    assert [r.person.slack_user_id for r in k.recipients] == [ANA, LI]
    assert [v.value for v in k.values] == ["customer-focus"]
    assert k.message == "for the calm launch #Customer-Focus"
    assert k.origin_channel_id == GENERAL

    done = candor.drain()
    assert done.sent == 6 and done.dead == 0  # post + 2 DMs + 3 Home refreshes
    [post] = candor.fake.messages(KUDOS_CHANNEL)
    assert "<@U0ANA> and <@U0LI> got kudos from <@U0BOB>" in post["blocks"][0]["text"]["text"]
    assert "> for the calm launch #Customer-Focus" in post["blocks"][0]["text"]["text"]
    assert ":handshake: customer-focus" in json.dumps(post["blocks"])
    assert post["metadata"]["event_type"] == "candor_outbox"
    assert len(candor.fake.dms_to(ANA)) == 1 and len(candor.fake.dms_to(LI)) == 1
    assert "gave you kudos" in candor.fake.dms_to(ANA)[0]["text"]
    # The Home tab of every recipient (and of the giver) now shows the kudos.
    for user in (ANA, LI, BOB):
        assert "for the calm launch" in json.dumps(candor.fake.home_views[user]), user


def test_li_gets_the_dm_in_german(candor):
    candor.slack.command("/kudos", f"<@{LI}> for the calm launch of the new billing system", user=BOB)
    candor.drain()
    [dm] = candor.fake.dms_to(LI)
    assert "hat dir Kudos gegeben" in dm["text"], dm["text"]
    # The public post stays in the workspace language (English here).
    [post] = candor.fake.messages(KUDOS_CHANNEL)
    assert "got kudos from" in post["text"]


def test_announce_in_origin_channel(db_url, fake):
    app, server = start_candor(db_url, fake, make_org(announce="origin", channel=None))
    try:
        app.slack.command("/kudos", f"<@{ANA}> {GOOD}", user=BOB, channel=GENERAL)
        app.drain()
        assert len(fake.messages(GENERAL)) == 1 and fake.messages(KUDOS_CHANNEL) == []
    finally:
        server.shutdown()
        app.rt.stop()


def test_announce_none_still_dms(db_url, fake):
    app, server = start_candor(db_url, fake, make_org(announce="none", channel=None))
    try:
        app.slack.command("/kudos", f"<@{ANA}> {GOOD}", user=BOB, channel=GENERAL)
        app.drain()
        assert fake.messages(GENERAL) == [] and fake.messages(KUDOS_CHANNEL) == []
        assert len(fake.dms_to(ANA)) == 1
    finally:
        server.shutdown()
        app.rt.stop()


# -- escaping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "&lt;!channel&gt; for the calm launch, everyone look",
        "<!channel> for the calm launch, everyone look",
        "<!here|here> for the calm launch, everyone look",
        "&lt;@U0CARA&gt; pretends to be a mention in the message",
        "&lt;https://evil.example|click here&gt; for the calm launch",
    ],
)
def test_user_text_never_pings_or_masquerades(candor, typed):
    resp = candor.slack.command("/kudos", f"<@{ANA}> {typed}", user=BOB)
    assert "Kudos sent" in ephemeral(resp)
    candor.drain()
    [post] = candor.fake.messages(KUDOS_CHANNEL)
    [dm] = candor.fake.dms_to(ANA)
    for text in (post["text"], json.dumps(post["blocks"]), dm["text"], json.dumps(dm["blocks"])):
        assert "<!channel" not in text and "<!here" not in text and "<!everyone" not in text
        assert "<@U0CARA" not in text
        assert "<https://evil" not in text


def test_message_text_is_escaped_in_blocks(candor):
    candor.slack.command("/kudos", f"<@{ANA}> fixed the a &amp;&amp; b &lt; c bug in the parser", user=BOB)
    candor.drain()
    [post] = candor.fake.messages(KUDOS_CHANNEL)
    assert "fixed the a &amp;&amp; b &lt; c bug" in post["blocks"][0]["text"]["text"]
    [k] = kudos_rows(candor)
    assert k.message == "fixed the a && b < c bug in the parser"  # stored as the person wrote it


# -- rules: clear ephemeral message, nothing saved -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"<@{BOB}> {GOOD}", "can't give kudos to yourself"),
        (f"<@{BOT}> {GOOD}", "<@U0BOTUSER> is a bot or an app"),
        (f"<@{GONE}> {GOOD}", "<@U0GONE> has been deactivated"),
        (f"<@U0NOBODY> {GOOD}", "Slack doesn't know <@U0NOBODY>"),
        (GOOD, "Who is it for?"),
        (f"<@{ANA}>", "a message of at least 20 characters is required"),
        (f"<@{ANA}> thanks a lot", "at least 20 characters (you wrote 12)"),
        (f"<@{ANA}> " + "x" * 1001, "at most 1000 characters (you wrote 1001)"),
        (f"<@{ANA}> {GOOD} #speed #ownership", "Unknown value #speed. The values are: #customer-focus, #ownership"),
    ],
)
def test_rule_breaks_save_nothing(candor, text, expected):
    resp = candor.slack.command("/kudos", text, user=BOB)
    assert expected in ephemeral(resp)
    assert count(candor, Kudos) == 0
    assert count(candor, KudosRecipient) == 0
    assert count(candor, OutboxMessage) == 0


def test_too_many_recipients(db_url, fake):
    app, server = start_candor(db_url, fake, make_org(max_recipients=2))
    try:
        resp = app.slack.command("/kudos", f"<@{ANA}> <@{LI}> <@{CARA}> {GOOD}", user=BOB)
        assert "At most 2 people per kudos" in ephemeral(resp)
        assert count(app, Kudos) == 0
    finally:
        server.shutdown()
        app.rt.stop()


@pytest.mark.time_sensitive
def test_weekly_allowance_counted_in_givers_week(db_url, fake):
    """Bob (New York) may give 2 a week: the third is refused with what is left."""
    wednesday = ManualClock(datetime(2026, 11, 25, 15, tzinfo=UTC))  # not a second before a week turns over
    app, server = start_candor(db_url, fake, make_org(weekly_allowance=2), clock=wednesday)
    try:
        r1 = app.slack.command("/kudos", f"<@{ANA}> {GOOD}", user=BOB)
        assert "You can give 1 more this week." in ephemeral(r1)
        r2 = app.slack.command("/kudos", f"<@{LI}> <@{CARA}> {GOOD}", user=BOB)
        assert "have 1 left; this one would need 2" in ephemeral(r2)
        assert count(app, Kudos) == 1
        r3 = app.slack.command("/kudos", f"<@{LI}> {GOOD}", user=BOB)
        assert "You can give 0 more this week." in ephemeral(r3)
        # Move both kudos to last week in Bob's time zone: the allowance is fresh again.
        with app.rt.db.unit_of_work() as s:
            for k in s.scalars(select(Kudos)):
                k.created_at = k.created_at - timedelta(days=7)
        r4 = app.slack.command("/kudos", f"<@{CARA}> {GOOD}", user=BOB)
        assert "You can give 1 more this week." in ephemeral(r4)
    finally:
        server.shutdown()
        app.rt.stop()


@pytest.mark.time_sensitive
def test_allowance_week_starts_monday_in_givers_time_zone(session):
    from models.kudos import local_week_start

    # Sunday 2026-11-22 23:30 in New York is Monday 04:30 UTC: still last week for the giver.
    now = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    start = local_week_start(now, "America/New_York")
    assert start.isoformat() == "2026-11-16T00:00:00-05:00"
    assert local_week_start(now, "Europe/Berlin").isoformat() == "2026-11-23T00:00:00+01:00"


# -- the modal --------------------------------------------------------------------------------------


def opened_metadata(candor, user: str, *, channel: str | None = None) -> str:
    """Open the kudos modal as the user would (the shortcut, or `/kudos` alone in a channel) and return the
    private_metadata Candor gave it: what Slack sends back with the submission."""
    if channel is None:
        candor.slack.global_shortcut(KudosIds.GLOBAL_SHORTCUT, user=user)
    else:
        candor.slack.command("/kudos", "", user=user, channel=channel)
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return view["private_metadata"]


def submit_modal(candor, values, *, user: str, view_id: str | None = None, channel: str | None = None):
    return candor.slack.view_submission(KudosIds.MODAL, values, user=user, view_id=view_id,
                                        private_metadata=opened_metadata(candor, user, channel=channel))


def modal_values(recipients, message, values=()):
    return {
        KudosIds.RECIPIENTS_BLOCK: {KudosIds.RECIPIENTS_ACTION: users_value(list(recipients))},
        KudosIds.VALUES_BLOCK: {KudosIds.VALUES_ACTION: options_value(list(values))},
        KudosIds.MESSAGE_BLOCK: {KudosIds.MESSAGE_ACTION: text_value(message)},
    }


def test_empty_command_opens_the_modal(candor):
    resp = candor.slack.command("/kudos", "", user=BOB, channel=GENERAL)
    assert resp.status_code == 200 and resp.text == ""
    [call] = candor.fake.calls_to("views.open")
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == KudosIds.MODAL
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["recipients"]["element"]["type"] == "multi_users_select"
    assert [o["value"] for o in blocks["values"]["element"]["options"]] == [
        "customer-focus", "ownership", "teamwork", "candor"]
    assert blocks["message"]["element"]["min_length"] == 20
    assert json.loads(view["private_metadata"])["channel"] == GENERAL


def test_modal_submit_saves_and_confirms(candor):
    resp = submit_modal(candor, modal_values([ANA, CARA], "Cleared the release blockers overnight", ["ownership"]),
                        user=BOB, channel=GENERAL)
    body = resp.json()
    assert body["response_action"] == "update"
    assert "Kudos sent to <@U0ANA> and <@U0CARA>" in json.dumps(body["view"])
    [k] = kudos_rows(candor)
    assert [v.value for v in k.values] == ["ownership"]
    assert [r.person.slack_user_id for r in k.recipients] == [ANA, CARA]


@pytest.mark.parametrize(
    ("recipients", "message", "block", "expected"),
    [
        ([BOB], GOOD, "recipients", "can't give kudos to yourself"),
        ([GONE], GOOD, "recipients", "has been deactivated"),
        ([BOT], GOOD, "recipients", "is a bot"),
        ([ANA], "short", "message", "at least 20 characters"),
        ([ANA], None, "message", "a message of at least 20 characters is required"),
        ([], GOOD, "recipients", "Who is it for?"),
    ],
)
def test_modal_errors_are_inline_on_the_field(candor, recipients, message, block, expected):
    resp = submit_modal(candor, modal_values(recipients, message), user=BOB)
    body = resp.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block]
    assert expected in body["errors"][block]
    assert count(candor, Kudos) == 0


def test_double_submitted_modal_creates_one_kudos(candor):
    values = modal_values([ANA], GOOD)
    meta = opened_metadata(candor, BOB)
    first = candor.slack.view_submission(KudosIds.MODAL, values, user=BOB, view_id="V0DOUBLE", private_metadata=meta)
    second = candor.slack.view_submission(KudosIds.MODAL, values, user=BOB, view_id="V0DOUBLE", private_metadata=meta)
    assert first.json()["response_action"] == second.json()["response_action"] == "update"
    assert "Kudos sent to <@U0ANA>" in json.dumps(second.json()["view"])  # not an apology
    assert count(candor, Kudos) == 1
    candor.drain()
    assert len(candor.fake.dms_to(ANA)) == 1
    assert len(candor.fake.messages(KUDOS_CHANNEL)) == 1


def test_concurrent_double_submit_creates_one_kudos(candor):
    from concurrent.futures import ThreadPoolExecutor

    values = modal_values([ANA], GOOD)
    meta = opened_metadata(candor, BOB)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: candor.slack.view_submission(
            KudosIds.MODAL, values, user=BOB, view_id="V0RACE", private_metadata=meta), range(4)))
    assert all(r.status_code == 200 for r in results)
    assert all("Kudos sent to <@U0ANA>" in json.dumps(r.json()["view"]) for r in results)
    assert count(candor, Kudos) == 1


def test_global_shortcut_opens_modal(candor):
    resp = candor.slack.global_shortcut(KudosIds.GLOBAL_SHORTCUT, user=BOB)
    assert resp.status_code == 200
    assert len(candor.fake.calls_to("views.open")) == 1


def test_message_shortcut_preselects_author_and_attaches_permalink(candor):
    candor.fake.add_message(GENERAL, "the launch checklist is done", user=ANA, ts="1700000000.000100")
    resp = candor.slack.message_shortcut(KudosIds.MESSAGE_SHORTCUT, user=BOB, author=ANA, ts="1700000000.000100")
    assert resp.status_code == 200
    [call] = candor.fake.calls_to("views.open")
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    recipients = next(b for b in view["blocks"] if b.get("block_id") == "recipients")
    assert recipients["element"]["initial_users"] == [ANA]
    meta = json.loads(view["private_metadata"])
    assert meta["permalink"] and "1700000000" in meta["permalink"].replace(".", "")
    # Submitting keeps the permalink on the kudos and shows it in the post.
    candor.slack.view_submission(KudosIds.MODAL, modal_values([ANA], GOOD), user=BOB,
                                 private_metadata=view["private_metadata"])
    [k] = kudos_rows(candor)
    assert k.permalink == meta["permalink"]
    candor.drain()
    assert "view message" in json.dumps(candor.fake.messages(KUDOS_CHANNEL)[0]["blocks"])


def test_message_shortcut_on_a_bot_message_preselects_nobody(candor):
    candor.slack.message_shortcut(KudosIds.MESSAGE_SHORTCUT, user=BOB, author=None, bot=True)
    view = candor.fake.calls_to("views.open")[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    recipients = next(b for b in view["blocks"] if b.get("block_id") == "recipients")
    assert "initial_users" not in recipients["element"]


# -- App Home ---------------------------------------------------------------------------------------


def test_app_home_shows_received_given_and_values(candor):
    candor.slack.command("/kudos", f"<@{ANA}> {GOOD} #teamwork", user=BOB)
    candor.slack.command("/kudos", f"<@{ANA}> for pairing with the new hire all week #teamwork", user=LI)
    candor.slack.command("/kudos", f"<@{CARA}> for the crisp incident summary #candor", user=ANA)
    candor.drain()
    candor.fake.home_views.clear()
    resp = candor.slack.app_home_opened(ANA)
    assert resp.status_code == 200
    candor.drain_until(lambda: ANA in candor.fake.home_views)
    home = json.dumps(candor.fake.home_views[ANA], ensure_ascii=False)
    assert "Received: 2 · Given: 1" in home
    assert ":raised_hands: teamwork ×2" in home
    assert "for pairing with the new hire" in home and "crisp incident summary" in home
    assert KudosIds.HOME_BUTTON in home


def test_home_button_opens_modal(candor):
    resp = candor.slack.block_action(KudosIds.HOME_BUTTON, user=ANA)
    assert resp.status_code == 200
    assert len(candor.fake.calls_to("views.open")) == 1


def test_person_records_come_from_slack(candor):
    candor.slack.command("/kudos", f"<@{LI}> {GOOD}", user=BOB)
    with candor.session() as s:
        li = s.scalars(select(Person).where(Person.slack_user_id == LI)).one()
        assert (li.real_name, li.tz, li.locale, li.email) == ("Li Wei", "Asia/Shanghai", "de-DE", "li@example.com")


def test_kudos_values_table_holds_each_value_once(candor):
    candor.slack.command("/kudos", f"<@{ANA}> {GOOD} #teamwork #TEAMWORK #ownership", user=BOB)
    with candor.session() as s:
        assert sorted(s.scalars(select(KudosValue.value))) == ["ownership", "teamwork"]


def test_kudos_typed_in_a_dm_is_announced_in_the_kudos_channel(db_url, fake):
    app, server = start_candor(db_url, fake, make_org(announce="origin", channel=KUDOS_CHANNEL))
    try:
        app.slack.command("/kudos", f"<@{ANA}> {GOOD}", user=BOB, channel="D0BOBDM")
        app.drain()
        assert len(fake.messages(KUDOS_CHANNEL)) == 1
        with app.session() as s:
            assert {r.state for r in s.scalars(select(OutboxMessage))} == {"sent"}
    finally:
        server.shutdown()
        app.rt.stop()


@pytest.mark.time_sensitive
def test_a_time_zone_the_system_does_not_know_falls_back_to_the_default(db_url, fake):
    """A Slack tz that zoneinfo does not know broke every /kudos from that person once an allowance was set."""
    fake.add_user("U0MARS", name="mars", real_name="Mars Person", tz="Mars/Olympus_Mons")
    app, server = start_candor(db_url, fake, make_org(weekly_allowance=2))
    try:
        resp = app.slack.command("/kudos", f"<@{ANA}> {GOOD}", user="U0MARS")
        assert "Kudos sent to <@U0ANA>" in ephemeral(resp) and "You can give 1 more this week." in ephemeral(resp)
        assert count(app, Kudos) == 1
    finally:
        server.shutdown()
        app.rt.stop()


@pytest.mark.parametrize(("message", "length"), [
    ("\u200b" * 25, 0),                                     # 25 zero-width spaces
    ("Great!" + "\u200b\u200c\u200d\u2060\ufeff" * 10, 6),     # a word padded with joiners
    ("ok " + "\u3164 \u2800 \u00ad " * 8 + "!", 4),           # blank-looking letters and soft hyphens
])
def test_the_minimum_length_counts_visible_characters(candor, message, length):
    """25 zero-width spaces passed the 20-character minimum and posted an empty-looking kudos."""
    resp = candor.slack.command("/kudos", f"<@{ANA}> {message}", user=BOB)
    expected = ("a message of at least 20 characters is required" if length == 0
                else f"at least 20 characters (you wrote {length})")
    assert expected in ephemeral(resp)
    assert count(candor, Kudos) == 0
