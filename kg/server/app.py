"""The ASGI application of `kg serve`, and how uvicorn runs it.

Routes: `/sparql` (kg.server.sparql), `/healthz` and its Fuseki-style alias `/$/ping`, and every other
path as linked data (kg.server.linked_data), including `/` and `/.well-known/void` (the dataset's VoID).
Middleware, outermost first: the access log, CORS (any origin; the result headers are exposed to
scripts), then the request limits (kg.server.ops). The query worker pool starts with the app and stops
with it; uvicorn's graceful shutdown lets running requests finish first (up to the query time limit).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kg.iris import Minter
from kg.namespaces import DEFAULT_BASE
from kg.query import DEFAULT_STORE
from kg.query_pool import QueryPool
from kg.server.linked_data import Document, LinkedData
from kg.server.ops import AccessLog, Limits, guarded_protocol
from kg.server.sparql import SparqlEndpoint
from kg.server.store_view import StoreView
from kg.store import resolve_store
from kg.void import SPARQL_PATH, VOID_PATH, service_description, void_lead, void_triples

SERVER_TIMEOUT_MESSAGE = (
    "query stopped after {elapsed:.1f} s: it ran past this server's {timeout:g} s time limit "
    "(narrow the query, or run it locally: kg query --timeout)"
)

EXPOSED_HEADERS: Final = ("X-Result-Truncated", "X-Result-Rows", "Retry-After", "Server-Timing", "Content-Location")
LOG_CONFIG: Final = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kg.server.ops.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "kg.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
"""uvicorn's own messages (start, stop, errors) as JSON lines too, like the access log."""

log = logging.getLogger("kg.server")


@dataclass(frozen=True, slots=True)
class Settings:
    """What `kg serve` serves and its limits (the CLI options, with the same defaults)."""

    store: Path = DEFAULT_STORE
    base: str = DEFAULT_BASE
    timeout: float = 10.0
    """Seconds a query may run in its worker before it is killed (answered 503)."""
    max_rows: int = 10_000
    """Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer; more is cut and flagged as truncated."""
    workers: int = 2
    """Query worker processes: queries that run at once."""
    queue_wait: float = 2.0
    """Seconds a query waits for a free worker before the answer is 429."""
    max_body: int = 1024 * 1024
    """Largest request body, in bytes (413 beyond)."""
    client_timeout: float = 10.0
    """Seconds a client has to send a request's head, and again its body (408 or closed beyond)."""
    send_timeout: float = 30.0
    """Seconds a client may stall reading a response before the connection is closed."""
    max_connections: int = 200
    """Connections and requests at once; uvicorn answers 503 beyond."""

    def check(self) -> None:
        """ValueError for a malformed base or limit, FileNotFoundError when there is no store yet."""
        Minter(self.base)
        numbers = (self.timeout, self.max_rows, self.workers, self.max_body, self.client_timeout, self.send_timeout)
        if min(numbers) <= 0 or self.queue_wait < 0:
            raise ValueError("time limits, row and body caps and the worker count must be positive")
        resolve_store(self.store)


def create_app(settings: Settings) -> Starlette:
    """The application; the query workers start when it starts (its lifespan), not here."""
    settings.check()
    view = StoreView(settings.store, settings.base)
    pool = QueryPool(
        settings.workers, timeout=settings.timeout, wait=settings.queue_wait, timeout_message=SERVER_TIMEOUT_MESSAGE
    )
    base = settings.base
    void = Document(base + VOID_PATH, lambda: void_triples(view.stats(), base), void_lead(base), VOID_PATH)
    documents = {
        "": void,
        VOID_PATH: void,
        SPARQL_PATH: Document(
            base + SPARQL_PATH,
            lambda: service_description(base, view.stats(), timeout=settings.timeout, max_rows=settings.max_rows),
            (base + SPARQL_PATH,),
        ),
    }
    linked = LinkedData(view, base, documents)
    sparql = SparqlEndpoint(pool, view, linked, settings.max_rows)

    def resource(request: Request) -> Response:  # sync: Starlette runs it on a thread
        return linked.respond(request, request.path_params["path"])

    def health(request: Request) -> Response:
        stats = pool.stats()
        try:
            version: str | None = view.version().name
        except FileNotFoundError:
            version = None
        ready = version is not None and stats.size - stats.starting > 0  # some worker is up, idle or busy
        body = {"status": "ok" if ready else "unavailable", "store": version, "workers": asdict(stats)}
        return JSONResponse(body, 200 if ready else 503, headers={"Cache-Control": "no-store"})

    @asynccontextmanager
    async def lifespan(app: Starlette):
        pool.start()
        log.info(f"serving {settings.store} ({view.version().name}) for base {base}, {settings.workers} workers")
        # the VoID counts take one pass over the default graph: start it now, not on the first request
        threading.Thread(target=view.stats, name="kg-void-counts", daemon=True).start()
        try:
            yield
        finally:
            pool.close()
            log.info("query workers stopped")

    middleware = [
        Middleware(AccessLog),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=list(EXPOSED_HEADERS),
            max_age=86400,
        ),
        Middleware(
            Limits,
            max_body=settings.max_body,
            client_timeout=settings.client_timeout,
            send_timeout=settings.send_timeout,
        ),
    ]
    routes = [
        Route("/sparql", sparql.handle, methods=["GET", "POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/$/ping", health, methods=["GET"]),
        Route("/{path:path}", resource, methods=["GET"]),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


class _Server(uvicorn.Server):
    """uvicorn's server, except that an orderly stop on SIGINT/SIGTERM is a normal exit (status 0).

    uvicorn re-raises the signal after its graceful shutdown, which ends the process with the signal's
    status (or a KeyboardInterrupt traceback on Ctrl-C); `kg serve` has already cleaned up by then.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until SIGINT/SIGTERM, then finish running requests, stop the workers and return."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(settings.client_timeout),
        lifespan="on",
        access_log=False,  # ours is AccessLog: one JSON line with the status, duration and size
        log_config=LOG_CONFIG,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=math.ceil(settings.timeout + settings.queue_wait) + 5,
        limit_concurrency=settings.max_connections,
        h11_max_incomplete_event_size=256 * 1024,  # a GET may carry a query up to the 64 KiB cap, encoded
        server_header=False,
    )
    _Server(config).run()
