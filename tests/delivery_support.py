"""Helpers for the delivery proofs (tests/test_delivery.py, tests/test_delivery_crash.py).

- a `test.note` renderer (payload {"text": ...}) for rows that need no domain record;
- people and real kudos (through `models.kudos.give_kudos`) in bulk, with the users added to the fake;
- what Slack (the fake) received, keyed by the outbox id each message carries in its metadata;
- `DroppingProxy`: forwards to the fake but drops the connection after Slack processed a chosen call,
  the "answer lost on the way back" case in which a client-level retry posts twice.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from bot.db import Database
from bot.delivery import RenderContext, Rendered, Renderer
from bot.runtime import slack_registry
from models.core import outbox
from models.core.ports import SlackUser
from models.core.tables import OutboxMessage, Person
from models.kudos import KudosDraft, KudosRules, give_kudos
from models.kudos.tables import Kudos, KudosRecipient, KudosValue
from models.people import ensure_workspace
from tests.fake_slack import FakeSlack

NOTE = "test.note"
METADATA_EVENT = "candor_outbox"


def render_note(ctx: RenderContext) -> Rendered:
    return Rendered(text=str(ctx.row.payload.get("text") or "a note from the delivery tests"))


# What a sender renders in these tests: every feature's kinds (kudos.dm and the rest), and test.note.
RENDERERS: dict[str, Renderer] = {**slack_registry().renderers, NOTE: render_note}


def fast_backoff(attempts: int) -> timedelta:
    """Test backoff: 0.1 s, 0.2 s, 0.4 s … (production: 5 s doubling)."""
    return timedelta(seconds=min(0.1 * 2 ** max(0, attempts - 1), 2.0))


class FakeDirectory:
    """`models.core.ports.Directory` over a fixed set of ids (give_kudos asks it about unknown people)."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id

    def user(self, user_id: str) -> SlackUser | None:
        return SlackUser(id=user_id, team_id=self.team_id, name=user_id.lower(), real_name=f"Person {user_id}",
                         tz="UTC", locale="en-US")

    def users(self) -> Iterator[SlackUser]:
        return iter(())


def user_ids(n: int, prefix: str = "U1") -> list[str]:
    return [f"{prefix}{i:06d}" for i in range(n)]


def add_people(db: Database, fake: FakeSlack | None, team: str, ids: list[str]) -> dict[str, int]:
    """People rows (and fake Slack users); returns slack id -> person id."""
    with db.unit_of_work() as s:
        ensure_workspace(s, team)
        people = [Person(team_id=team, slack_user_id=uid, name=uid.lower(), real_name=f"Person {uid}", tz="UTC",
                         locale="en-US", synced_at=db.clock.now()) for uid in ids]
        s.add_all(people)
        s.flush()
        out = {p.slack_user_id: p.id for p in people}
    if fake is not None:
        for uid in ids:
            fake.add_user(uid, name=uid.lower(), tz="UTC")
    return out


def note(db: Database, team: str, *, key: str, text: str = "hello from the outbox", recipient: str | None = None,
         channel: str | None = None) -> int:
    """Enqueue one `test.note` row (to a person's DM or to a channel); returns its id."""
    with db.unit_of_work() as s:
        ensure_workspace(s, team)
        person = None
        if recipient is not None:
            person = s.scalars(select(Person).where(Person.team_id == team, Person.slack_user_id == recipient)).one()
        row = outbox.enqueue(s, team_id=team, kind=NOTE, key=key, recipient=person, channel_id=channel,
                             payload={"text": text})
        return row.id


def fan_out_kudos(db: Database, team: str, recipients: list[str], *, per_kudos: int = 10,
                  message: str = "for carrying the release over the finish line") -> int:
    """Real kudos (give_kudos) to every recipient, `per_kudos` people each, given by the previous batch's
    first person. Keeps only the kudos.dm rows: Home refreshes are idempotent views.publish calls and
    announcements are off, so the outbox holds exactly one DM per recipient. Returns the DM count."""
    rules = KudosRules(values=("teamwork",), announce="none", max_recipients=per_kudos)
    directory = FakeDirectory(team)
    givers = [f"U0GIVER{i:03d}" for i in range(len(recipients) // per_kudos + 1)]
    with db.unit_of_work() as s:
        ensure_workspace(s, team)
        for n, start in enumerate(range(0, len(recipients), per_kudos)):
            draft = KudosDraft(team_id=team, giver=givers[n], recipients=tuple(recipients[start:start + per_kudos]),
                               message=message, values=("teamwork",), source_key=f"fanout-{n}")
            give_kudos(s, draft, rules, directory)
        s.execute(delete(OutboxMessage).where(OutboxMessage.kind != "kudos.dm"))
        return len(list(s.scalars(select(OutboxMessage.id))))


def bulk_kudos_dms(db: Database, team: str, recipients: list[str], *, per_kudos: int = 10,
                   message: str = "for carrying the release over the finish line") -> int:
    """The same outbox as `fan_out_kudos` (real kudos, one kudos.dm row per recipient, the same dedupe
    keys and payload as `models.kudos`), written in bulk: thousands of rows in a second or two.
    Returns the DM count."""
    now = db.clock.now()
    with db.unit_of_work() as s:
        ensure_workspace(s, team)
        people = {p.slack_user_id: p for p in s.scalars(
            select(Person).where(Person.team_id == team, Person.slack_user_id.in_(recipients)))}
        giver = Person(team_id=team, slack_user_id="U0BULKGIVER", name="giver", tz="UTC")
        s.add(giver)
        all_kudos = []
        for n, start in enumerate(range(0, len(recipients), per_kudos)):
            chunk = recipients[start:start + per_kudos]
            all_kudos.append(Kudos(
                team_id=team, giver=giver, message=message, source_key=f"bulk-{n}", created_at=now,
                recipients=[KudosRecipient(person=people[uid], position=i) for i, uid in enumerate(chunk)],
                values=[KudosValue(value="teamwork")],
            ))
        s.add_all(all_kudos)
        s.flush()
        dms = [
            {"team_id": team, "kind": "kudos.dm", "recipient_id": link.person_id, "payload": {"kudos_id": k.id},
             "dedupe_key": outbox.dedupe_key("kudos.dm", team, link.person.slack_user_id, f"kudos-{k.id}"),
             "state": "pending", "attempts": 0, "uncertain": False, "not_before": now, "created_at": now,
             "updated_at": now}
            for k in all_kudos for link in k.recipients
        ]
        s.execute(insert(OutboxMessage), dms)
        return len(dms)


def rows(db: Database) -> list[OutboxMessage]:
    with db.unit_of_work() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def row(db: Database, row_id: int) -> OutboxMessage:
    with db.unit_of_work() as s:
        found = s.get(OutboxMessage, row_id)
        assert found is not None
        return found


def outbox_id_of(message_or_params: dict[str, Any]) -> int | None:
    meta = message_or_params.get("metadata") or {}
    if not isinstance(meta, dict) or meta.get("event_type") != METADATA_EVENT:
        return None
    value = (meta.get("event_payload") or {}).get("outbox_id")
    return int(value) if value is not None else None


def posts_per_outbox_id(fake: FakeSlack) -> Counter[int]:
    """chat.postMessage calls Slack *processed* (status 200, ok) per outbox id."""
    counts: Counter[int] = Counter()
    for call in fake.calls_to("chat.postMessage"):
        if call.status == 200 and call.response.get("ok"):
            oid = outbox_id_of(call.params)
            if oid is not None:
                counts[oid] += 1
    return counts


def messages_per_outbox_id(fake: FakeSlack, channels: list[str]) -> Counter[int]:
    """Messages stored in Slack per outbox id, over the given channels or users' DMs."""
    counts: Counter[int] = Counter()
    for channel in channels:
        for msg in fake.messages(channel):
            oid = outbox_id_of(msg)
            if oid is not None:
                counts[oid] += 1
    return counts


# --------------------------------------------------------------------------- a lossy network


class DroppingProxy:
    """An HTTP proxy in front of the fake: forwards each request and returns the answer, except for the
    next `drop` calls to `method`, whose connection it closes (RST) *after* Slack processed the call."""

    def __init__(self, target: str) -> None:
        parsed = urllib.parse.urlsplit(target)
        self.target_host, self.target_port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.drop: dict[str, int] = {}
        self.dropped: list[str] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/api/"

    def close(self) -> None:
        self._stop.set()
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            verb, path, _ = lines[0].split(" ", 2)
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            upstream = http.client.HTTPConnection(self.target_host, self.target_port, timeout=10)
            forward = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            upstream.request(verb, path, body=body, headers=forward)
            resp = upstream.getresponse()
            payload = resp.read()
            method = path.split("?")[0].rsplit("/", 1)[-1]
            if self.drop.get(method, 0) > 0:
                self.drop[method] -= 1
                self.dropped.append(method)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # closed without an answer: the client sees the connection reset
            out = [f"HTTP/1.1 {resp.status} {resp.reason}"]
            out += [f"{k}: {v}" for k, v in resp.getheaders() if k.lower() not in ("connection", "transfer-encoding")]
            out += ["Connection: close", "", ""]
            conn.sendall("\r\n".join(out).encode("latin-1") + payload)
            upstream.close()
