"""A small HTTP/1.1 load generator for the ack benchmark: keep-alive connections on asyncio streams, each
request built and signed as it is sent (so timestamps are fresh and every trigger id is new).

Two shapes of load:
- closed: `connections` clients, each sending its next request as soon as the last one answered, for
  `seconds`; the throughput is what the server sustains.
- open: requests scheduled at a fixed `rate` whatever the server does; each latency is measured from the
  moment the request was *due*, so a request queued behind a slow one counts its wait (no coordinated
  omission). `connections` caps the requests in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    kind: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Reply:
    kind: str
    status: int
    seconds: float
    body: bytes


@dataclass
class Run:
    label: str
    seconds: float
    replies: list[Reply] = field(default_factory=list)
    errors: int = 0  # connection-level failures (no HTTP answer at all)

    def latencies(self, kind: str | None = None) -> list[float]:
        return sorted(r.seconds for r in self.replies if kind is None or r.kind == kind)

    @staticmethod
    def quantile(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(q * len(values)))]


class _Connection:
    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, req: Request) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"POST {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(req.body)}"]
        head += [f"{k}: {v}" for k, v in req.headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + req.body)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _one(conn: _Connection, req: Request, started: float, run: Run) -> None:
    try:
        status, body = await conn.send(req)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        await conn.close()
        run.errors += 1
        return
    run.replies.append(Reply(req.kind, status, time.perf_counter() - started, body))


async def _closed(url: tuple[str, int, str], make: Callable[[], Request], connections: int, seconds: float,
                  run: Run) -> None:
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        conn = _Connection(*url)
        while time.perf_counter() < deadline:
            req = make()
            await _one(conn, req, time.perf_counter(), run)
        await conn.close()

    await asyncio.gather(*(client() for _ in range(connections)))


async def _open(url: tuple[str, int, str], make: Callable[[], Request], connections: int, seconds: float,
                rate: float, run: Run) -> None:
    queue: asyncio.Queue[tuple[float, Request] | None] = asyncio.Queue()

    async def client() -> None:
        conn = _Connection(*url)
        while (item := await queue.get()) is not None:
            due, req = item
            await _one(conn, req, due, run)
        await conn.close()

    workers = [asyncio.create_task(client()) for _ in range(connections)]
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, make()))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    run.seconds = max(seconds, time.perf_counter() - start)  # a server that fell behind took longer


def closed_loop(label: str, host: str, port: int, make: Callable[[], Request], *, connections: int,
                seconds: float) -> Run:
    run = Run(label, seconds)
    asyncio.run(_closed((host, port, "/slack/events"), make, connections, seconds, run))
    return run


def open_loop(label: str, host: str, port: int, make: Callable[[], Request], *, connections: int, seconds: float,
              rate: float) -> Run:
    run = Run(label, seconds)
    asyncio.run(_open((host, port, "/slack/events"), make, connections, seconds, rate, run))
    return run


def sequential(host: str, port: int, requests: list[Request]) -> list[Reply]:
    """Send requests one after another on one connection (warm-up and set-up steps)."""
    run = Run("sequential", 0)

    async def go() -> None:
        conn = _Connection(host, port, "/slack/events")
        for req in requests:
            await _one(conn, req, time.perf_counter(), run)
        await conn.close()

    asyncio.run(go())
    return run.replies
