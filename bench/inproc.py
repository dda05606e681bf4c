"""Per-request cost without a server or network: the WSGI app called directly, one request at a time, for
`python -m bench.inproc [candor|bare] [sqlite|postgresql] [N]` (a tool for profiling, not part of `make bench`)."""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ack import FORMS, SECRET, TOKEN, Requests, ask_fake, current_period, fake_slack, fresh_database, uid
from bench.load import Request


def environ_for(req: Request) -> dict[str, Any]:
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
           "CONTENT_LENGTH": str(len(req.body)), "wsgi.input": io.BytesIO(req.body), "SERVER_NAME": "x",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1"}
    for k, v in req.headers.items():
        key = k.upper().replace("-", "_")
        env[key if key == "CONTENT_TYPE" else "HTTP_" + key] = v
    return env


def main(argv: list[str]) -> None:
    which = argv[0] if argv else "candor"
    kind = argv[1] if len(argv) > 1 else "sqlite"
    n = int(argv[2]) if len(argv) > 2 else 300
    with fake_slack() as (url, fake), tempfile.TemporaryDirectory() as tmp:
        os.environ.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=url,
                          CANDOR_AUTO_MIGRATE="false", CANDOR_SCHEDULER="false", CANDOR_LOG_LEVEL="WARNING")
        if which == "candor":
            os.environ["DATABASE_URL"] = fresh_database(kind, Path(tmp))
            from bot.wsgi import application
        else:
            from bench.bare_app import application
        requests = Requests(current_period())
        out: list[bytes] = []

        def call(req: Request) -> tuple[str, bytes]:
            status: list[str] = []
            body = b"".join(application(environ_for(req), lambda s, h, *a: status.append(s)))
            return status[0], body

        for i in range(FORMS):
            call(requests.open(uid(i)))
        if which == "candor":
            forms = ask_fake(fake)["forms"]
            requests.forms = {requests.triggers[t]: m for t, m in forms.items() if m and t in requests.triggers}
        else:
            requests.forms = {uid(i): "" for i in range(FORMS)}
        only = os.environ.get("BENCH_ONLY")
        for maker in (requests.kudos, requests.open, requests.submit):
            if only and maker.__name__ != only:
                continue
            reqs = [maker() for _ in range(n)]
            started, cpu = time.perf_counter(), time.process_time()
            for req in reqs:
                status, body = call(req)
                out.append(body)
            wall = (time.perf_counter() - started) / n * 1000
            print(f"{which} {kind} {maker.__name__}: {wall:.2f} ms wall, "
                  f"{(time.process_time() - cpu) / n * 1000:.2f} ms CPU per request; last {status} {body[:80]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
