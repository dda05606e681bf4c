"""A fake Slack Web API served over real HTTP, for tests.

The bot's real ``slack_sdk.WebClient`` talks to it through ``WebClient(base_url=fake.url)``;
nothing in the client is patched.  In the spirit of bolt-python's
``tests/mock_web_api_server/``, but stateful: users, channels, DMs, messages (with metadata),
views and home tabs are kept, so a test can drive the bot and then look at what Slack "saw".

Ground truth for names, required arguments, error strings and limits:
tests/slack_refs/ (a copy of shared/refs/slack: method-reference/, api-response-fieldsets/, LIMITS.md) and
shared/PITFALLS.md.  The required-argument table below is copied from method-reference/
(``tests/test_fake_slack.py`` cross-checks it when the refs are present).

Order in which a request is judged (first match answers):

1. unknown method -> ``unknown_method`` (protocol error)
2. token: none -> ``not_authed``; in ``invalid_tokens`` -> ``invalid_auth``
3. protocol checks -> missing required args (``invalid_arguments``), ``no_text``, Block Kit /
   view limits, metadata format.  All of these are also appended to ``protocol_errors``: they are
   bugs in the caller, never the platform's mood.
4. Retry-After window still open for (method, token) -- for chat.postMessage (method, token, channel) unless
   ``post_window_scope`` is "method" -> 429 again + ``retry_after_violations``
5. injected faults (``fail_next`` / ``error_next`` queue, then the seeded random rates)
6. the emulated method (state errors such as ``channel_not_found`` are *not* protocol errors)

The call is processed and recorded at once; ``latency`` only delays the HTTP answer, so a client
that times out may still have posted its message (as with real Slack).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import http.server
import json
import math
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

JSON = dict[str, Any]

# Required args per method (without "token"), from method-reference/<method>.json "args.required",
# plus what PITFALLS.md says the 2020 OpenAPI misses (users.info user, conversations.members
# channel, chat.scheduleMessage post_at) and the OpenAPI for methods not in method-reference
# (conversations.history, chat.getPermalink).
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "team.info": (),
    "users.info": ("user",),
    "users.list": (),
    "users.lookupByEmail": ("email",),
    "conversations.open": (),
    "conversations.history": ("channel",),
    "conversations.members": ("channel",),
    "chat.postMessage": ("channel",),
    "chat.postEphemeral": ("user", "channel"),
    "chat.update": ("ts", "channel"),
    "chat.getPermalink": ("channel", "message_ts"),
    "chat.scheduleMessage": ("channel", "post_at"),
    "chat.deleteScheduledMessage": ("scheduled_message_id", "channel"),
    "views.open": ("view",),
    "views.push": ("view",),
    "views.update": ("view",),
    "views.publish": ("user_id", "view"),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
}

# Methods whose method-reference lacks "json_input_supported" (Slack ignores a JSON body there;
# slack_sdk sends them form-encoded), plus the two read methods not in method-reference.
NO_JSON_METHODS = frozenset(
    {
        "users.info",
        "users.list",
        "users.lookupByEmail",
        "conversations.members",
        "conversations.history",
        "chat.getPermalink",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
)

# Params that travel as JSON strings in form-encoded bodies.
JSON_STRING_PARAMS = ("blocks", "attachments", "metadata", "view")

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
SCHEDULE_MAX_AHEAD_S = 120 * 86400
SCHEDULE_WINDOW_S = 300
SCHEDULE_WINDOW_MAX = 30

_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "JST": "Japan Standard Time",
    "IST": "India Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
}


@dataclass(frozen=True)
class Call:
    """One HTTP request the fake received (recorded after it was answered)."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int
    response: dict[str, Any]
    token: str | None = None


class ApiError(Exception):
    """Raised inside the fake to answer with an error."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: Iterable[str] = (),
        protocol: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = list(messages)
        self.protocol = protocol
        self.retry_after = retry_after


@dataclass
class _Fault:
    status: int
    error: str
    retry_after: int
    remaining: int


@dataclass
class _FaultRates:
    rate_429: float
    rate_5xx: float
    retry_after: int
    status_5xx: int
    rng: random.Random
    methods: frozenset[str] | None


@dataclass
class _Request:
    method: str
    params: JSON
    token: str
    at: float


@dataclass
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    response: JSON = field(default_factory=dict)


# --------------------------------------------------------------------------- param helpers


def _str(params: JSON, key: str) -> str:
    value = params.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flag(params: JSON, key: str) -> bool:
    value = params.get(key)
    if isinstance(value, bool):
        return value
    return _str(params, key).lower() in ("1", "true", "yes")


def _int(params: JSON, key: str, default: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(
            "invalid_arguments",
            messages=[f"[ERROR] invalid integer: {key}"],
            protocol=f"{key} is not an integer: {value!r}",
        ) from None


def _float(params: JSON, key: str, default: float) -> float:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(
            "invalid_arguments",
            messages=[f"[ERROR] invalid ts: {key}"],
            protocol=f"{key} is not a timestamp: {value!r}",
        ) from None


def _decode_json_strings(params: JSON) -> JSON:
    out = dict(params)
    for key in JSON_STRING_PARAMS:
        value = out.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):  # else left as a string; validators reject it
                out[key] = json.loads(value)
    return out


def parse_body(query: str, body: bytes, content_type: str) -> tuple[JSON, bool]:
    """Merge query-string and body params; returns (params, body_was_json)."""
    params: JSON = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    is_json = False
    if body:
        if ctype == "application/json":
            is_json = True
            try:
                loaded = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ApiError("invalid_json", protocol="body is not valid JSON") from None
            if not isinstance(loaded, dict):
                raise ApiError("invalid_json", protocol="JSON body is not an object")
            params.update(loaded)
        elif ctype in ("application/x-www-form-urlencoded", ""):
            params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        else:
            raise ApiError("invalid_form_data", protocol=f"unsupported Content-Type {ctype!r}")
    return _decode_json_strings(params), is_json


def _encode_cursor(kind: str, offset: int) -> str:
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def _decode_cursor(kind: str, cursor: str) -> int:
    if not cursor:
        return 0
    try:
        prefix, _, offset = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError("invalid_cursor") from None


def _page(items: list[Any], kind: str, cursor: str, limit: int) -> tuple[list[Any], str]:
    start = _decode_cursor(kind, cursor)
    if start > len(items):
        raise ApiError("invalid_cursor")
    if limit <= 0:
        limit = len(items) or 1
    chunk = items[start : start + limit]
    end = start + len(chunk)
    return chunk, (_encode_cursor(kind, end) if end < len(items) else "")


def _tz_info(tz: str) -> tuple[int, str]:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return 0, tz
    now = datetime.now(zone)
    offset = now.utcoffset()
    abbrev = now.tzname() or tz
    return int(offset.total_seconds()) if offset else 0, _TZ_LABELS.get(abbrev, abbrev)


# --------------------------------------------------------------------------- Block Kit checks
# One small function per limit (LIMITS.md).  Each raises ApiError(protocol=...) on violation.


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return ""


def check_blocks_format(blocks: Any, pointer: str, error: str) -> list[JSON]:
    if not isinstance(blocks, list) or not all(
        isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks
    ):
        name = "invalid_blocks_format" if error == "invalid_blocks" else error
        raise ApiError(
            name,
            messages=[f"[ERROR] must be an array of blocks [json-pointer:{pointer}]"],
            protocol=f"blocks are not a list of typed objects at {pointer}",
        )
    return blocks


def _limit_error(error: str, what: str, pointer: str) -> ApiError:
    """Slack's shape: ``response_metadata.messages == ["[ERROR] <what> [json-pointer:<pointer>]"]``."""
    return ApiError(
        error, messages=[f"[ERROR] {what} [json-pointer:{pointer}]"], protocol=f"{what} at {pointer}"
    )


def check_block_count(blocks: list[JSON], limit: int, pointer: str, error: str) -> None:
    if len(blocks) > limit:
        raise _limit_error(error, f"no more than {limit} items allowed", pointer)


def check_section_text(block: JSON, pointer: str, error: str) -> None:
    if block.get("type") == "section" and len(_text_of(block.get("text"))) > SECTION_TEXT_MAX:
        raise _limit_error(
            error, f"must be less than {SECTION_TEXT_MAX + 1} characters", f"{pointer}/text/text"
        )


def check_section_fields(block: JSON, pointer: str, error: str) -> None:
    fields = block.get("fields") if block.get("type") == "section" else None
    if not isinstance(fields, list):
        return
    if len(fields) > SECTION_FIELDS_MAX:
        raise _limit_error(error, f"no more than {SECTION_FIELDS_MAX} items allowed", f"{pointer}/fields")
    for i, item in enumerate(fields):
        if len(_text_of(item)) > SECTION_FIELD_TEXT_MAX:
            raise _limit_error(
                error,
                f"must be less than {SECTION_FIELD_TEXT_MAX + 1} characters",
                f"{pointer}/fields/{i}/text",
            )


def check_header_text(block: JSON, pointer: str, error: str) -> None:
    if block.get("type") == "header" and len(_text_of(block.get("text"))) > HEADER_TEXT_MAX:
        raise _limit_error(
            error, f"must be less than {HEADER_TEXT_MAX + 1} characters", f"{pointer}/text/text"
        )


def check_blocks(blocks: Any, *, limit: int, pointer: str, error: str) -> list[JSON]:
    checked = check_blocks_format(blocks, pointer, error)
    check_block_count(checked, limit, pointer, error)
    for i, block in enumerate(checked):
        for check in (check_section_text, check_section_fields, check_header_text):
            check(block, f"{pointer}/{i}", error)
    return checked


def check_metadata(metadata: Any) -> None:
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and metadata["event_type"]
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise ApiError(
            "invalid_metadata_format",
            protocol="metadata needs event_type (string) and event_payload (object)",
        )


def _view_error(what: str, pointer: str) -> ApiError:
    return _limit_error("invalid_arguments", what, pointer)


def check_view_type(view: JSON, expected: str) -> None:
    if view.get("type") != expected:
        raise _view_error(f"view type must be '{expected}', got {view.get('type')!r}", "/view/type")


def check_plain_text_label(view: JSON, key: str, *, required: bool) -> None:
    value = view.get(key)
    if value is None:
        if required:
            raise _view_error(f"missing required field: {key}", "/view")
        return
    if not isinstance(value, dict) or value.get("type") != "plain_text":
        raise _view_error("must be a plain_text text object", f"/view/{key}")
    if len(_text_of(value)) > VIEW_TITLE_MAX:
        raise _view_error(f"must be less than {VIEW_TITLE_MAX + 1} characters", f"/view/{key}/text")


def check_private_metadata(view: JSON) -> None:
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA_MAX:
        raise _view_error(
            f"must be less than {PRIVATE_METADATA_MAX + 1} characters", "/view/private_metadata"
        )


def check_callback_id(view: JSON) -> None:
    if len(str(view.get("callback_id") or "")) > CALLBACK_ID_MAX:
        raise _view_error(f"must be less than {CALLBACK_ID_MAX + 1} characters", "/view/callback_id")


def check_input_needs_submit(view: JSON) -> None:
    blocks = view.get("blocks") or []
    if (
        view.get("type") == "modal"
        and view.get("submit") is None
        and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    ):
        raise _view_error("submit is required when the view has input blocks", "/view/submit")


def check_view(view: Any, expected_type: str) -> JSON:
    if not isinstance(view, dict):
        raise _view_error("view must be a JSON object", "/view")
    check_view_type(view, expected_type)
    blocks = view.get("blocks", [])
    check_blocks(blocks, limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
    if expected_type == "modal":
        check_plain_text_label(view, "title", required=True)
        check_plain_text_label(view, "submit", required=False)
        check_plain_text_label(view, "close", required=False)
        check_input_needs_submit(view)
    check_private_metadata(view)
    check_callback_id(view)
    return view


def check_has_text(params: JSON) -> None:
    if not (_str(params, "text") or params.get("blocks") or params.get("attachments")):
        raise ApiError("no_text", protocol="neither text nor blocks/attachments")


# --------------------------------------------------------------------------- HTTP plumbing


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlack


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            return  # the client died mid-request (a SIGKILL test): like Slack, nothing is processed
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.fake._handle(self.path, headers, body)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout test)


def _json_reply(status: int, response: JSON, headers: dict[str, str] | None = None) -> _Reply:
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return _Reply(status, all_headers, json.dumps(response).encode(), response)


def _plain_reply(status: int, text: str) -> _Reply:
    response: JSON = {"ok": False, "error": f"http_{status}", "plain_body": text}
    return _Reply(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode(), response)


# --------------------------------------------------------------------------- the fake


class FakeSlack:
    """Stateful fake of the Slack Web API on 127.0.0.1, for ``WebClient(base_url=fake.url)``."""

    def __init__(
        self,
        *,
        team_id: str = "T111",
        team_name: str = "Candor Test",
        team_domain: str = "candor-test",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "candor",
        app_id: str = "A0APP",
        include_bot_user: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.clock = clock
        self.wall_clock = wall_clock

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        # Observable by tests (live lists/sets; mutate only between calls, or via helpers).
        self.calls: list[Call] = []
        self.protocol_errors: list[str] = []
        self.retry_after_violations: list[str] = []
        self.invalid_tokens: set[str] = set()
        self.expired_triggers: set[str] = set()
        self.home_views: dict[str, JSON] = {}
        # Socket Mode: apps.connections.open answers this WebSocket URL (tests/fake_socket_mode.py).
        self.socket_mode_url: str | None = None
        # Uploaded files by id: filename, title, content (bytes), channel (once shared), initial_comment.
        self.files: dict[str, JSON] = {}
        self.ephemerals: list[JSON] = []
        self.scheduled: list[JSON] = []
        self.latency: float = 0.0
        self.single_use_triggers: bool = True
        # What a 429 on chat.postMessage closes: the channel posted to ("channel", Slack's per-channel limit) or
        # every post with that token ("method", a workspace-wide limit). Other methods: always the method.
        self.post_window_scope: str = "channel"

        self._users: dict[str, JSON] = {}
        self._channels: dict[str, JSON] = {}
        self._messages: dict[str, list[JSON]] = {}
        self._dm_by_user: dict[str, str] = {}
        self._views: dict[str, JSON] = {}
        self._external_ids: dict[str, str] = {}
        self._home_view_ids: dict[str, str] = {}
        self._used_triggers: set[str] = set()
        self._faults: dict[str, list[_Fault]] = {}
        self._rates: _FaultRates | None = None
        self._blocked_until: dict[tuple[str, ...], tuple[float, int]] = {}
        self._stubs: dict[str, JSON] = {}
        self._seq = 0
        self._last_ts_us = 0

        self._handlers: dict[str, Callable[[_Request], JSON]] = {
            "auth.test": self._auth_test,
            "team.info": self._team_info,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.members": self._conversations_members,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.scheduleMessage": self._chat_schedule_message,
            "chat.deleteScheduledMessage": self._chat_delete_scheduled_message,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "apps.connections.open": self._apps_connections_open,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        self._validators: dict[str, tuple[Callable[[JSON], None], ...]] = {
            "chat.postMessage": (check_has_text, self._check_message_content),
            "chat.postEphemeral": (check_has_text, self._check_message_content),
            "chat.update": (check_has_text, self._check_message_content),
            "chat.scheduleMessage": (check_has_text, self._check_message_content),
            "conversations.open": (self._check_open_args,),
            "views.open": (self._check_trigger_arg, self._check_modal_arg),
            "views.push": (self._check_trigger_arg, self._check_modal_arg),
            "views.update": (self._check_view_ref_arg, self._check_update_arg),
            "views.publish": (self._check_home_arg,),
        }
        if include_bot_user:
            self.add_user(bot_user_id, name=bot_name, real_name=bot_name.title(), is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="FakeSlack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``, e.g. ``http://127.0.0.1:PORT/api/``."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ------------------------------------------------------------------ directory state

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        display_name: str | None = None,
        tz: str = "Europe/Berlin",
        tz_offset: int | None = None,
        tz_label: str | None = None,
        locale: str = "en-US",
        is_bot: bool = False,
        is_admin: bool = False,
        deleted: bool = False,
        team_id: str | None = None,
    ) -> JSON:
        """Add (or replace) a user; returns it in users.info shape (with ``locale``)."""
        name = name or user_id.lower()
        real_name = real_name if real_name is not None else name.replace(".", " ").title()
        offset, label = _tz_info(tz)
        team = team_id or self.team_id
        image = f"https://avatars.example.invalid/{user_id}_72.png"
        profile: JSON = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name if display_name is not None else name,
            "display_name_normalized": display_name if display_name is not None else name,
            "first_name": real_name.split(" ")[0],
            "last_name": " ".join(real_name.split(" ")[1:]),
            "title": "",
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": f"g{user_id.lower()}",
            "image_24": image.replace("_72", "_24"),
            "image_48": image.replace("_72", "_48"),
            "image_72": image,
            "image_192": image.replace("_72", "_192"),
            "team": team,
        }
        if is_bot:
            profile.update(
                {
                    "bot_id": self.bot_id if user_id == self.bot_user_id else f"B{user_id[1:]}",
                    "api_app_id": self.app_id,
                    "always_active": True,
                }
            )
        else:
            profile["email"] = email if email is not None else f"{name}@example.com"
        user: JSON = {
            "id": user_id,
            "team_id": team,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz_label if tz_label is not None else label,
            "tz_offset": tz_offset if tz_offset is not None else offset,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(self.wall_clock()),
            "has_2fa": False,
            "locale": locale,
        }
        with self._lock:
            self._users[user_id] = user
            return copy.deepcopy(user)

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_archived: bool = False,
        members: Iterable[str] = (),
        is_private: bool | None = None,
        bot_is_member: bool = True,
    ) -> JSON:
        """Add (or replace, keeping its messages) a channel.

        ``members`` is what conversations.members returns, verbatim.  With ``bot_is_member=False``
        posting answers ``not_in_channel`` (and conversations.history too).
        """
        channel: JSON = {
            "id": channel_id,
            "name": name or channel_id.lower(),
            "is_channel": not channel_id.startswith("G"),
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": is_private if is_private is not None else channel_id.startswith("G"),
            "is_archived": is_archived,
            "is_member": bot_is_member,
            "created": int(self.wall_clock()),
            "members": list(members),
        }
        with self._lock:
            self._channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
            return copy.deepcopy(channel)

    def add_message(self, channel: str, text: str, *, user: str, ts: str | None = None, **extra: Any) -> JSON:
        """Seed a message (e.g. from a human) into a known channel; returns it."""
        with self._lock:
            if channel in self._users and channel not in self._channels:
                channel, _ = self._open_dm(channel)
            if channel not in self._channels:
                raise KeyError(f"unknown channel {channel!r}: call add_channel() first")
            cid = channel
            message: JSON = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts or self._next_ts(),
                "team": self.team_id,
                **extra,
            }
            self._messages.setdefault(cid, []).append(message)
            return copy.deepcopy(message)

    def dm_channel_id(self, user_id: str) -> str | None:
        """The D… id conversations.open gave (or would keep giving) for this user, if opened."""
        with self._lock:
            return self._dm_by_user.get(user_id)

    def messages(self, channel: str) -> list[JSON]:
        """Messages stored in a channel, oldest first (a user id means that user's DM)."""
        with self._lock:
            cid = self._resolve_channel_id(channel)
            return copy.deepcopy(self._messages.get(cid, []))

    def dms_to(self, user_id: str) -> list[JSON]:
        """Messages the bot posted into its DM with ``user_id`` (by D… id or by user id)."""
        with self._lock:
            cid = self._dm_by_user.get(user_id)
            return copy.deepcopy(self._messages.get(cid, [])) if cid else []

    def view(self, view_id: str) -> JSON | None:
        with self._lock:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def stub(self, method: str, response: JSON | None = None) -> None:
        """Answer a method this fake does not emulate with ``{"ok": true, **response}``."""
        with self._lock:
            self._stubs[method] = dict(response or {})

    # ------------------------------------------------------------------ calls

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` were recorded; returns them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(
                        f"expected >= {count} call(s) to {method} within {timeout}s, "
                        f"got {len(found)}; all calls seen: {seen}"
                    )
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str = "ratelimited",
        count: int = 1,
    ) -> None:
        """Answer the next ``count`` calls to ``method`` with HTTP ``status``.

        429: header ``Retry-After: retry_after`` and body ``{"ok": false, "error": error}``.
        Other statuses: a plain-text body ``"<status> <phrase>"`` (``error`` unused).
        """
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(status, error, retry_after, count))

    def error_next(self, method: str, error: str, count: int = 1) -> None:
        """Answer the next ``count`` calls to ``method`` with HTTP 200 ``{"ok": false, "error": error}``."""
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(200, error, 0, count))

    def set_fault_rates(
        self,
        rate_429: float = 0.0,
        rate_5xx: float = 0.0,
        retry_after: int = 1,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        status_5xx: int = 500,
    ) -> None:
        """Seeded random faults for ``methods`` (None = all); zero rates switch it off."""
        with self._lock:
            if rate_429 <= 0 and rate_5xx <= 0:
                self._rates = None
                return
            self._rates = _FaultRates(
                rate_429,
                rate_5xx,
                retry_after,
                status_5xx,
                random.Random(seed),
                frozenset(methods) if methods is not None else None,
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._rates = None
            self._blocked_until.clear()

    # ------------------------------------------------------------------ request handling

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        at = self.clock()
        parsed = urllib.parse.urlsplit(path)
        with self._cond:
            method = parsed.path[len("/api/") :] if parsed.path.startswith("/api/") else ""
            params: JSON = {}
            token: str | None = None
            if parsed.path.startswith("/upload/"):  # step 2 of files.upload_v2: the bytes themselves
                file_id = parsed.path[len("/upload/") :]
                pending = self.files.get(file_id)
                if pending is None:
                    self.protocol_errors.append(f"upload to an unknown file id {file_id}")
                    return _plain_reply(404, "404 Not Found")
                pending["content"] = body
                return _plain_reply(200, f"OK - {len(body)}")
            if not method:
                reply = _plain_reply(404, "404 Not Found")
                self.protocol_errors.append(f"request outside /api/: {parsed.path}")
            else:
                try:
                    params, is_json = parse_body(parsed.query, body, headers.get("content-type", ""))
                    token = self._token(headers, params)
                    if is_json and method in NO_JSON_METHODS:
                        self.protocol_errors.append(f"{method}: Slack ignores a JSON body for this method")
                        params = dict(urllib.parse.parse_qsl(parsed.query))
                    reply = self._dispatch(method, params, token, at)
                except ApiError as exc:
                    reply = self._error_reply(method, exc)
            self.calls.append(Call(method, params, dict(headers), at, reply.status, reply.response, token))
            self._cond.notify_all()
        if self.latency > 0:
            self._stopping.wait(self.latency)
        return reply

    @staticmethod
    def _token(headers: dict[str, str], params: JSON) -> str | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and auth[7:].strip():
            return auth[7:].strip()
        return _str(params, "token") or None

    def _error_reply(self, method: str, exc: ApiError) -> _Reply:
        if exc.protocol:
            self.protocol_errors.append(f"{method}: {exc.error}: {exc.protocol}")
        if exc.status == 200:
            response: JSON = {"ok": False, "error": exc.error}
            if exc.messages:
                response["response_metadata"] = {"messages": exc.messages}
            return _json_reply(200, response)
        if exc.status == 429:
            return _json_reply(
                429,
                {"ok": False, "error": exc.error},
                {"Retry-After": str(exc.retry_after if exc.retry_after is not None else 1)},
            )
        return _plain_reply(exc.status, f"{exc.status} {HTTPStatus(exc.status).phrase}")

    def _dispatch(self, method: str, params: JSON, token: str | None, at: float) -> _Reply:
        handler = self._handlers.get(method)
        if handler is None and method not in self._stubs:
            raise ApiError("unknown_method", protocol=f"unknown (or not emulated) method {method}")
        if not token:
            raise ApiError("not_authed")
        if token in self.invalid_tokens:
            raise ApiError("invalid_auth")
        if handler is None:
            return _json_reply(200, {"ok": True, **copy.deepcopy(self._stubs[method])})
        self._check_required(method, params)
        for validate in self._validators.get(method, ()):
            validate(params)
        self._check_retry_after(method, token, at, params)
        self._inject_fault(method, token, params)
        response = handler(_Request(method, params, token, at))
        return _json_reply(200, {"ok": True, **response})

    def _check_required(self, method: str, params: JSON) -> None:
        missing = [a for a in REQUIRED_ARGS.get(method, ()) if params.get(a) in (None, "")]
        if missing:
            raise ApiError(
                "invalid_arguments",
                messages=[f"[ERROR] missing required field: {a}" for a in missing],
                protocol=f"missing required field(s): {', '.join(missing)}",
            )

    def _window_key(self, method: str, token: str, params: JSON) -> tuple[str, ...]:
        if method == "chat.postMessage" and self.post_window_scope == "channel":
            return (method, token, str(params.get("channel") or ""))
        return (method, token)

    def _check_retry_after(self, method: str, token: str, at: float, params: JSON) -> None:
        for key in {(method, token), self._window_key(method, token, params)}:
            self._check_window(key, method, token, at)

    def _check_window(self, key: tuple[str, ...], method: str, token: str, at: float) -> None:
        window = self._blocked_until.get(key)
        if window is None:
            return
        until, retry_after = window
        if at >= until:
            del self._blocked_until[key]
            return
        waited = retry_after - (until - at)
        self.retry_after_violations.append(
            f"{method}: called {waited:.3f}s after a 429 with Retry-After={retry_after}"
            f" (token ...{token[-4:]})"
        )
        raise ApiError("ratelimited", status=429, retry_after=max(1, math.ceil(until - at)))

    def _inject_fault(self, method: str, token: str, params: JSON) -> None:
        queue = self._faults.get(method)
        fault: _Fault | None = None
        if queue:
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
        elif self._rates is not None and (self._rates.methods is None or method in self._rates.methods):
            roll = self._rates.rng.random()
            if roll < self._rates.rate_429:
                fault = _Fault(429, "ratelimited", self._rates.retry_after, 1)
            elif roll < self._rates.rate_429 + self._rates.rate_5xx:
                fault = _Fault(self._rates.status_5xx, "", 0, 1)
        if fault is None:
            return
        if fault.status == 429:
            self._blocked_until[self._window_key(method, token, params)] = (self.clock() + fault.retry_after,
                                                                            fault.retry_after)
        raise ApiError(fault.error, status=fault.status, retry_after=fault.retry_after)

    # ------------------------------------------------------------------ validators (protocol)

    def _check_message_content(self, params: JSON) -> None:
        if params.get("blocks") is not None:
            blocks = params["blocks"]
            check_blocks(blocks, limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")
        if params.get("metadata") is not None:
            check_metadata(params["metadata"])

    def _check_open_args(self, params: JSON) -> None:
        if not (_str(params, "users") or _str(params, "channel")):
            raise ApiError("users_list_not_supplied", protocol="conversations.open needs users or channel")

    def _check_trigger_arg(self, params: JSON) -> None:
        if not (_str(params, "trigger_id") or _str(params, "interactivity_pointer")):
            raise ApiError(
                "invalid_arguments",
                messages=["[ERROR] missing required field: trigger_id"],
                protocol="missing required field(s): trigger_id",
            )

    def _check_view_ref_arg(self, params: JSON) -> None:
        if not (_str(params, "view_id") or _str(params, "external_id")):
            raise ApiError(
                "invalid_arguments",
                messages=["[ERROR] missing required field: view_id or external_id"],
                protocol="missing required field(s): view_id or external_id",
            )

    def _check_modal_arg(self, params: JSON) -> None:
        check_view(params.get("view"), "modal")

    def _check_update_arg(self, params: JSON) -> None:
        view = params.get("view")
        is_home = isinstance(view, dict) and view.get("type") == "home"
        check_view(view, "home" if is_home else "modal")

    def _check_home_arg(self, params: JSON) -> None:
        check_view(params.get("view"), "home")

    # ------------------------------------------------------------------ state helpers

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_ts(self) -> str:
        us = max(int(self.wall_clock() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _resolve_channel_id(self, channel: str) -> str:
        if channel in self._users and channel not in self._channels:
            return self._dm_by_user.get(channel, channel)
        return channel

    def _open_dm(self, user_id: str) -> tuple[str, bool]:
        existing = self._dm_by_user.get(user_id)
        if existing is not None:
            return existing, True
        cid = f"D{user_id[1:]}"
        if cid in self._channels:
            cid = f"D{self._next_seq():09d}"
        self._dm_by_user[user_id] = cid
        self._channels[cid] = {
            "id": cid,
            "created": int(self.wall_clock()),
            "is_im": True,
            "is_org_shared": False,
            "user": user_id,
            "is_archived": False,
            "is_member": True,
            "members": [self.bot_user_id, user_id],
        }
        self._messages.setdefault(cid, [])
        return cid, False

    def _known_channel(self, channel: str) -> JSON:
        found = self._channels.get(channel)
        if found is None:
            raise ApiError("channel_not_found")
        return found

    def _postable_channel(self, channel: str) -> JSON:
        """Channel for chat.* posts: a known channel, or a user id (Slack posts into the DM)."""
        if channel not in self._channels and channel in self._users:
            cid, _ = self._open_dm(channel)
            channel = cid
        found = self._known_channel(channel)
        if found.get("is_archived"):
            raise ApiError("is_archived")
        if not found.get("is_member", True):
            raise ApiError("not_in_channel")
        return found

    def _find_message(self, channel_id: str, ts: str) -> JSON:
        for message in self._messages.get(channel_id, []):
            if message.get("ts") == ts:
                return message
        raise ApiError("message_not_found")

    def _bot_message(self, params: JSON, ts: str) -> JSON:
        message: JSON = {
            "type": "message",
            "text": _str(params, "text"),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
            "blocks": copy.deepcopy(params.get("blocks") or []),
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "team_id": self.team_id,
                "deleted": False,
            },
        }
        for key in ("attachments", "thread_ts", "metadata"):
            if params.get(key):
                message[key] = copy.deepcopy(params[key])
        return message

    def _user_view(self, user: JSON, include_locale: bool) -> JSON:
        out = copy.deepcopy(user)
        if not include_locale:
            out.pop("locale", None)
        return out

    def _new_view(
        self,
        view: JSON,
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> JSON:
        view_id = view_id or f"V{self._next_seq():08d}"
        stored: JSON = {
            "team_id": self.team_id,
            "type": view.get("type"),
            "title": None,
            "submit": None,
            "close": None,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            **copy.deepcopy(view),
            "id": view_id,
            "hash": f"{int(self.wall_clock())}.{self._next_seq():08d}",
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        external_id = str(stored.get("external_id") or "")
        if external_id:
            owner = self._external_ids.get(external_id)
            if owner is not None and owner != view_id:
                raise ApiError("duplicate_external_id")
            self._external_ids[external_id] = view_id
        self._views[view_id] = stored
        return stored

    def _use_trigger(self, params: JSON) -> None:
        trigger = _str(params, "trigger_id") or _str(params, "interactivity_pointer")
        if trigger in self.expired_triggers:
            raise ApiError("expired_trigger_id")
        if self.single_use_triggers and trigger in self._used_triggers:
            raise ApiError("exchanged_trigger_id")
        self._used_triggers.add(trigger)

    # ------------------------------------------------------------------ emulated methods

    def _auth_test(self, req: _Request) -> JSON:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "is_enterprise_install": False,
        }

    def _team_info(self, req: _Request) -> JSON:
        icon = f"https://avatars.example.invalid/{self.team_id}"
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "example.com",
                "url": f"https://{self.team_domain}.slack.com/",
                "is_verified": False,
                "icon": {
                    "image_34": f"{icon}_34.png",
                    "image_44": f"{icon}_44.png",
                    "image_68": f"{icon}_68.png",
                    "image_88": f"{icon}_88.png",
                    "image_102": f"{icon}_102.png",
                    "image_132": f"{icon}_132.png",
                    "image_default": True,
                },
            }
        }

    def _users_info(self, req: _Request) -> JSON:
        user = self._users.get(_str(req.params, "user"))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": self._user_view(user, _flag(req.params, "include_locale"))}

    def _users_list(self, req: _Request) -> JSON:
        include_locale = _flag(req.params, "include_locale")
        members, next_cursor = _page(
            list(self._users.values()), "users", _str(req.params, "cursor"), _int(req.params, "limit", 0)
        )
        return {
            "members": [self._user_view(u, include_locale) for u in members],
            "cache_ts": int(self.wall_clock()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _users_lookup_by_email(self, req: _Request) -> JSON:
        email = _str(req.params, "email").lower()
        for user in self._users.values():
            if str(user["profile"].get("email", "")).lower() == email:
                return {"user": self._user_view(user, False)}
        raise ApiError("users_not_found")

    def _conversations_open(self, req: _Request) -> JSON:
        if not _str(req.params, "users"):
            channel = self._known_channel(_str(req.params, "channel"))
            return {"no_op": True, "already_open": True, "channel": {"id": channel["id"]}}
        user_ids = [u.strip() for u in _str(req.params, "users").split(",") if u.strip()]
        if len(user_ids) > 8:
            raise ApiError("too_many_users")
        for user_id in user_ids:
            user = self._users.get(user_id)
            if user is None:
                raise ApiError("user_not_found")
            if user["deleted"]:
                raise ApiError("user_disabled")
            if user["is_bot"] and len(user_ids) == 1:
                raise ApiError("cannot_dm_bot")
        if len(user_ids) > 1:
            key = ",".join(sorted(user_ids))
            cid = self._dm_by_user.get(key) or f"G{self._next_seq():09d}"
            already = key in self._dm_by_user
            if not already:
                self._dm_by_user[key] = cid
                self._channels[cid] = {
                    "id": cid,
                    "is_mpim": True,
                    "is_archived": False,
                    "is_member": True,
                    "members": [self.bot_user_id, *user_ids],
                    "created": int(self.wall_clock()),
                }
                self._messages.setdefault(cid, [])
        else:
            cid, already = self._open_dm(user_ids[0])
        out: JSON = {"channel": {"id": cid}}
        if already:
            out.update({"no_op": True, "already_open": True})
        if _flag(req.params, "return_im"):
            channel = self._channels[cid]
            out["channel"] = {
                "id": cid,
                "created": channel["created"],
                "is_im": bool(channel.get("is_im")),
                "is_org_shared": False,
                "user": channel.get("user"),
                "last_read": "0000000000.000000",
                "latest": None,
                "unread_count": 0,
                "unread_count_display": 0,
                "is_open": True,
                "priority": 0,
            }
        return out

    def _conversations_history(self, req: _Request) -> JSON:
        channel = self._known_channel(_str(req.params, "channel"))
        if not channel.get("is_member", True):
            raise ApiError("not_in_channel")
        oldest = _float(req.params, "oldest", 0.0)
        latest = _float(req.params, "latest", float("inf"))
        inclusive = _flag(req.params, "inclusive")
        with_metadata = _flag(req.params, "include_all_metadata")
        limit = _int(req.params, "limit", 100) or 100

        def wanted(m: JSON) -> bool:
            ts = float(m["ts"])
            top_level = m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            in_range = (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)
            return top_level and in_range

        newest_first = sorted(
            (m for m in self._messages.get(channel["id"], []) if wanted(m)),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )
        page, next_cursor = _page(newest_first, "history", _str(req.params, "cursor"), limit)
        messages = copy.deepcopy(page)
        if not with_metadata:
            for m in messages:
                m.pop("metadata", None)
        return {
            "messages": messages,
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_members(self, req: _Request) -> JSON:
        channel = self._known_channel(_str(req.params, "channel"))
        members, next_cursor = _page(
            list(channel.get("members", [])),
            "members",
            _str(req.params, "cursor"),
            _int(req.params, "limit", 100),
        )
        return {"members": members, "response_metadata": {"next_cursor": next_cursor}}

    def _chat_post_message(self, req: _Request) -> JSON:
        channel = self._postable_channel(_str(req.params, "channel"))
        message = self._bot_message(req.params, self._next_ts())
        if req.params.get("thread_ts") and _flag(req.params, "reply_broadcast"):
            message["subtype"] = "thread_broadcast"
        self._messages.setdefault(channel["id"], []).append(message)
        return {"channel": channel["id"], "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, req: _Request) -> JSON:
        channel = self._postable_channel(_str(req.params, "channel"))
        user_id = _str(req.params, "user")
        if user_id not in self._users:
            raise ApiError("user_not_found")
        members = channel.get("members") or []
        if members and user_id not in members:
            raise ApiError("user_not_in_channel")
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel["id"],
                "user": user_id,
                "message_ts": ts,
                "text": _str(req.params, "text"),
                "blocks": copy.deepcopy(req.params.get("blocks") or []),
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, req: _Request) -> JSON:
        channel = self._known_channel(_str(req.params, "channel"))
        if channel.get("is_archived"):
            raise ApiError("is_archived")
        message = self._find_message(channel["id"], _str(req.params, "ts"))
        if message.get("user") != self.bot_user_id:
            raise ApiError("cant_update_message")
        if "text" in req.params:
            message["text"] = _str(req.params, "text")
        for key in ("blocks", "attachments", "metadata"):
            if req.params.get(key) is not None:
                message[key] = copy.deepcopy(req.params[key])
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel["id"],
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_get_permalink(self, req: _Request) -> JSON:
        channel = self._known_channel(_str(req.params, "channel"))
        message = self._find_message(channel["id"], _str(req.params, "message_ts"))
        ts = str(message["ts"]).replace(".", "")
        return {
            "channel": channel["id"],
            "permalink": f"https://{self.team_domain}.slack.com/archives/{channel['id']}/p{ts}",
        }

    def _chat_schedule_message(self, req: _Request) -> JSON:
        channel = self._postable_channel(_str(req.params, "channel"))
        try:
            post_at = int(float(req.params["post_at"]))
        except (TypeError, ValueError):
            raise ApiError("invalid_time") from None
        now = self.wall_clock()
        if post_at <= now:
            raise ApiError("time_in_past")
        if post_at > now + SCHEDULE_MAX_AHEAD_S:
            raise ApiError("time_too_far")
        nearby = [
            s
            for s in self.scheduled
            if s["channel"] == channel["id"] and abs(s["post_at"] - post_at) < SCHEDULE_WINDOW_S
        ]
        if len(nearby) >= SCHEDULE_WINDOW_MAX:
            raise ApiError("restricted_too_many")
        message = self._bot_message(req.params, "")
        message.pop("ts")
        message["type"] = "delayed_message"
        entry: JSON = {
            "scheduled_message_id": f"Q{self._next_seq():09d}",
            "channel": channel["id"],
            "post_at": post_at,
            "message": message,
        }
        self.scheduled.append(entry)
        return {
            "channel": channel["id"],
            "scheduled_message_id": entry["scheduled_message_id"],
            "post_at": post_at,
            "message": copy.deepcopy(message),
        }

    def _chat_delete_scheduled_message(self, req: _Request) -> JSON:
        channel = self._known_channel(_str(req.params, "channel"))
        wanted = _str(req.params, "scheduled_message_id")
        for entry in self.scheduled:
            if entry["scheduled_message_id"] == wanted and entry["channel"] == channel["id"]:
                self.scheduled.remove(entry)
                return {}
        raise ApiError("invalid_scheduled_message_id")

    def _views_open(self, req: _Request) -> JSON:
        self._use_trigger(req.params)
        return {"view": copy.deepcopy(self._new_view(req.params["view"]))}

    def _views_push(self, req: _Request) -> JSON:
        self._use_trigger(req.params)
        return {"view": copy.deepcopy(self._new_view(req.params["view"]))}

    def _views_update(self, req: _Request) -> JSON:
        view_id = _str(req.params, "view_id") or self._external_ids.get(_str(req.params, "external_id"), "")
        current = self._views.get(view_id)
        if current is None:
            raise ApiError("not_found")
        wanted_hash = _str(req.params, "hash")
        if wanted_hash and wanted_hash != current["hash"]:
            raise ApiError("hash_conflict")
        new = self._new_view(
            req.params["view"],
            view_id=view_id,
            root_view_id=current["root_view_id"],
            previous_view_id=current.get("previous_view_id"),
        )
        for user_id, home_id in self._home_view_ids.items():
            if home_id == view_id:
                self.home_views[user_id] = copy.deepcopy(new)
        return {"view": copy.deepcopy(new)}

    def _views_publish(self, req: _Request) -> JSON:
        user_id = _str(req.params, "user_id")
        if user_id not in self._users:
            raise ApiError("invalid_arguments", messages=["invalid `user_id`"])
        view_id = self._home_view_ids.get(user_id)
        wanted_hash = _str(req.params, "hash")
        if wanted_hash and view_id is not None and wanted_hash != self._views[view_id]["hash"]:
            raise ApiError("hash_conflict")
        new = self._new_view(req.params["view"], view_id=view_id)
        self._home_view_ids[user_id] = new["id"]
        self.home_views[user_id] = copy.deepcopy(new)
        return {"view": copy.deepcopy(new)}

    def _apps_connections_open(self, req: _Request) -> JSON:
        if not (req.token or "").startswith("xapp-"):
            raise ApiError("not_allowed_token_type")
        if self.socket_mode_url is None:
            raise ApiError("internal_error", protocol="no Socket Mode server attached to the fake")
        return {"url": self.socket_mode_url}

    def _files_get_upload_url(self, req: _Request) -> JSON:
        try:
            length = int(req.params["length"])
        except (TypeError, ValueError):
            raise ApiError(
                "invalid_arguments", messages=["[ERROR] length must be an integer"], protocol="bad length"
            ) from None
        self._seq += 1
        file_id = f"F{self._seq:08d}"
        self.files[file_id] = {"filename": _str(req.params, "filename"), "length": length, "content": None,
                               "title": None, "channel": None, "initial_comment": None}
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, req: _Request) -> JSON:
        raw = req.params.get("files")
        entries = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments", protocol="files must be a JSON list")
        channel = _str(req.params, "channel_id")
        if channel:
            channel = self._postable_channel(channel)["id"]
        done = []
        for entry in entries:
            stored = self.files.get(str(entry.get("id")))
            if stored is None or stored["content"] is None:
                raise ApiError("file_not_found")
            if len(stored["content"]) != stored["length"]:
                raise ApiError("invalid_arguments", protocol="uploaded length differs from the announced length")
            stored.update(title=entry.get("title"), channel=channel or None,
                          initial_comment=_str(req.params, "initial_comment") or None)
            done.append({"id": entry["id"], "title": entry.get("title"), "name": stored["filename"]})
        return {"files": done}
