"""The baseline of the ack benchmark: a bare Bolt app whose listeners only acknowledge, behind the same WSGI
adapter, server and settings as Candor. Whatever Candor costs above this is Candor's own work.

    gunicorn --workers 1 --threads 8 'bench.bare_app:application'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from handlers.checkins.ids import CheckinIds

app = App(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ.get("SLACK_API_URL",
                                                                                   "https://slack.com/api/")),
    token_verification_enabled=False,
)


@app.command("/kudos")
def kudos(ack: Ack) -> None:
    ack()


@app.action(CheckinIds.OPEN.value)
def open_checkin(ack: Ack) -> None:
    ack()


@app.view(CheckinIds.MODAL.value)
def submit_checkin(ack: Ack) -> None:
    ack()


_slack = SlackRequestHandler(app)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "11")])
        return [b'{"ok":true}']
    return _slack(environ, start_response)
