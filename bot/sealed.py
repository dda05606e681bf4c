"""State that travels through the user's client, signed so that the server can trust it on its way back.

`private_metadata` of a modal comes back with the submission from the user's client: a signed request
proves it came through Slack, not that it is what we sent. Whatever the server cannot look up again (the
channel a modal was opened from, the message it is about, the check-in week it belongs to) is sealed when
the modal opens and checked when it is submitted:

    meta = sealer.seal("kudos_modal", user_id, {"channel": "C123", "permalink": None})
    data = sealer.open("kudos_modal", user_id, body["view"]["private_metadata"])  # None if forged

The data stays readable JSON with one more key, `_sig`: an HMAC-SHA256 over the purpose (the modal's
callback id), the user it was issued to and the data, with a key derived from a server secret. A sealed
value from one modal or one user is worthless in another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from typing import Any

from bot.settings import Settings

log = logging.getLogger(__name__)

SIG = "_sig"


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"candor:sealed-state:v1\0" + key).digest()

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """Keyed by the most stable server secret there is: `CANDOR_STATE_SECRET`, else the signing secret,
        the app-level token or the bot token. (Rotating it makes modals already open ask to be reopened.)"""
        for secret in (settings.state_secret, settings.slack_signing_secret,
                       settings.slack_app_token, settings.slack_bot_token):
            if secret is not None and secret.get_secret_value():
                return cls(secret.get_secret_value().encode())
        log.warning("no server secret is set: sealed modal state will not survive a restart")
        return cls(os.urandom(32))

    def derive(self, purpose: str) -> bytes:
        """A key for one purpose, derived from the server secret (e.g. "pulse-participation"): data keyed with it
        cannot be read by someone holding only the database."""
        return hmac.new(self._key, f"derive\0{purpose}".encode(), hashlib.sha256).digest()

    def _sign(self, purpose: str, user: str, data: dict[str, Any]) -> str:
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        mac = hmac.new(self._key, f"{purpose}\0{user}\0{canonical}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()

    def seal(self, purpose: str, user: str, data: dict[str, Any]) -> str:
        if SIG in data:
            raise ValueError(f"{SIG!r} is reserved")
        return json.dumps({**data, SIG: self._sign(purpose, user, data)}, ensure_ascii=False)

    def open(self, purpose: str, user: str, raw: str | None) -> dict[str, Any] | None:
        """The data, if `raw` is exactly what `seal` gave for this purpose and user; else None."""
        try:
            found = json.loads(raw or "")
        except (ValueError, TypeError):
            return None
        if not isinstance(found, dict) or not isinstance(found.get(SIG), str):
            return None
        sig = found.pop(SIG)
        if not hmac.compare_digest(sig, self._sign(purpose, user, found)):
            return None
        return found
