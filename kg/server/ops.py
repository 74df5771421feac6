"""Operations: one JSON access-log line per request, request limits, and a deadline for slow clients.

- `AccessLog` writes `{"time", "client", "method", "path", "status", "ms", "bytes", ...}` to stderr after
  every response, plus what the handler put in `request.state.log` (query kind, rows, truncation, error).
  Query strings are not logged: they hold the queries, which may be long or private.
- `Limits` answers 413 to a body over the cap (from Content-Length before reading, or while counting),
  408 to a body that takes longer than the client timeout to arrive, and stops waiting on a client that
  does not read its response within `send_timeout` (the connection is then closed). Every response
  also says `X-Content-Type-Options: nosniff`.
- `guarded_protocol` is uvicorn's h11 protocol with one more timer: a connection must deliver a complete
  request head within the client timeout, on connect and after each response. uvicorn's keep-alive timer
  is cancelled by any byte, so a client trickling a header (slowloris) would otherwise hold a connection
  forever.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from typing import IO, Any

import h11
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

_LOG_LOCK = threading.Lock()


class AccessLog:
    """ASGI middleware: a JSON line per HTTP request on `stream` (stderr by default)."""

    def __init__(self, app: ASGIApp, stream: IO[str] | None = None) -> None:
        self.app, self.stream = app, stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = {"status": 0, "bytes": 0}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except BaseException:
            seen["status"] = seen["status"] or 500
            raise
        finally:
            client = scope.get("client")
            entry: dict[str, Any] = {
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "client": client[0] if client else None,
                "method": scope["method"],
                "path": scope["path"],
                "status": seen["status"],
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "bytes": seen["bytes"],
            }
            entry.update(scope.get("state", {}).get("log", {}))
            write_log(entry, self.stream)


def write_log(entry: dict[str, Any], stream: IO[str] | None = None) -> None:
    """One JSON line, written whole (lines from concurrent requests never interleave)."""
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    out = stream or sys.stderr
    with _LOG_LOCK:
        out.write(line)
        out.flush()


class JsonFormatter(logging.Formatter):
    """uvicorn's and our own log records as JSON lines, like the access log."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _BodyTooLarge(Exception):
    pass


class _BodyTooSlow(Exception):
    pass


class Limits:
    """ASGI middleware: request body size cap and body/response deadlines (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body: int, client_timeout: float, send_timeout: float) -> None:
        self.app, self.max_body = app, max_body
        self.client_timeout, self.send_timeout = client_timeout, send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _plain(send, 413, f"request body over the {self.max_body:,}-byte limit\n")
            return
        state = {"received": 0, "body_done": False, "started": False, "deadline": None}

        async def limited_receive() -> Message:
            if state["body_done"]:
                return await receive()
            loop = asyncio.get_running_loop()
            if state["deadline"] is None:
                state["deadline"] = loop.time() + self.client_timeout
            try:
                message = await asyncio.wait_for(receive(), max(state["deadline"] - loop.time(), 0))
            except TimeoutError:
                raise _BodyTooSlow from None
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_body:
                    raise _BodyTooLarge
                state["body_done"] = not message.get("more_body", False)
            return message

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                message = {**message, "headers": [*message.get("headers", ()), _NOSNIFF]}
            await asyncio.wait_for(send(message), self.send_timeout)

        try:
            await self.app(scope, limited_receive, timed_send)
        except (_BodyTooLarge, _BodyTooSlow) as err:
            if state["started"]:
                raise
            if isinstance(err, _BodyTooLarge):
                await _plain(send, 413, f"request body over the {self.max_body:,}-byte limit\n")
            else:
                await _plain(send, 408, f"request body not received within {self.client_timeout:g} s\n")
        except TimeoutError:
            # The client stopped reading the response: end without completing it, so uvicorn closes the
            # connection (it logs one line saying the response was incomplete).
            return


_NOSNIFF = (b"x-content-type-options", b"nosniff")
"""On every response: browsers never guess a type (a text/plain error echoing a query stays text)."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        _NOSNIFF,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def guarded_protocol(client_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing connections whose request head is not complete in time."""

    class GuardedH11Protocol(H11Protocol):
        head_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self.head_timer = self.loop.call_later(client_timeout, self._head_overdue)

        def _disarm(self) -> None:
            if self.head_timer is not None:
                self.head_timer.cancel()
                self.head_timer = None

        def _head_overdue(self) -> None:
            self.head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.write(_REQUEST_TIMEOUT)
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:  # the head arrived: the app's limits take over
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return GuardedH11Protocol
