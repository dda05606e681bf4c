"""HTTP mode: `POST /slack/events` (signature always verified by Bolt) and `GET /healthz`.

Production: run the WSGI callable `bot.wsgi:application` under a real server, e.g.
`gunicorn --workers 2 --threads 4 --bind 0.0.0.0:3000 'bot.wsgi:application'` on PostgreSQL (one worker per
core; with SQLite one worker: README, "Workers and threads"). `candor run` serves the same WSGI app with a
small threaded server.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.runtime import Runtime, setup_logging
from bot.settings import load_settings

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MAX_BODY = 1_000_000


def create_wsgi_app(rt: Runtime) -> WsgiApp:
    slack = SlackRequestHandler(rt.app)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            try:
                body, status = rt.health(), "200 OK"
            except Exception as exc:
                log.warning("health check failed: %r", exc)
                body, status = {"ok": False, "error": type(exc).__name__}, "503 Service Unavailable"
            data = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        if path == "/slack/events":
            if method != "POST":
                start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")])
                return [b""]
            problem = _body_problem(environ.get("CONTENT_LENGTH"))
            if problem is not None:  # answered before a byte of the body is read
                start_response(problem, [("Content-Length", "0")])
                return [b""]
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]

    return application


def _body_problem(raw: object) -> str | None:
    """Why a request's Content-Length cannot be served (a status line), or None. wsgiref passes a negative or
    garbage length through, and reading "-1" bytes reads the whole stream: check 0 <= length <= MAX_BODY."""
    text = str(raw or "0").strip()
    if not text.isascii() or not text.isdigit():
        return "400 Bad Request"
    if int(text) > MAX_BODY:
        return "413 Payload Too Large"
    return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 resets connections in a burst of commands


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def serve(rt: Runtime, host: str, port: int) -> WSGIServer:
    """A threaded WSGI server for `candor run` (HTTP mode). Call `serve_forever()` on it."""
    return make_server(host, port, create_wsgi_app(rt), server_class=_ThreadingServer, handler_class=_QuietHandler)


def _production_app() -> WsgiApp:
    settings = load_settings()
    settings.require_tokens()
    setup_logging(settings.log_level)
    rt = Runtime(settings, socket_mode=False)
    rt.prepare_database()
    rt.start_background()
    return create_wsgi_app(rt)


_app: WsgiApp | None = None
_app_lock = threading.Lock()


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Entry point for a production WSGI server; builds the runtime once, on the first request (a lock
    keeps simultaneous first requests from building two runtimes)."""
    global _app
    if _app is None:
        with _app_lock:
            if _app is None:
                _app = _production_app()
    return _app(environ, start_response)
