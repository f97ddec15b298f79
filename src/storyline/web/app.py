"""The web app and REST API over one store: `create_app(db)` builds it, `serve()` runs it.

Readers take a read-only SQLite connection from a small pool and read inside one
transaction, so a page is a consistent snapshot while documents are being written.
Writes (`POST /api/documents`) go through one lock and one writer connection: SQLite has
a single writer, and the lock keeps waiting writers out of SQLite's busy loop.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyline.errors import StorylineError
from storyline.store import Store
from storyline.store.db import SearchError
from storyline.version import __version__

log = logging.getLogger("storyline.web")

HERE = Path(__file__).parent

#: Sent with every response: no script but our own file, no inline script at all, no
#: plugins, no framing, no third-party requests; article text can never run script.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class ReaderPool:
    """Read-only connections to the store, handed out one per request.

    Requests wait for a connection in the event loop (`acquire` is async), never in a
    worker thread: a thread that waits while holding its place in the thread pool could
    starve the requests that hold connections of the threads they need to finish.
    """

    def __init__(self, path: str, size: int = 16) -> None:
        self.path = path
        self.size = size
        self._free: list[Store] = []
        self._slots: asyncio.Semaphore | None = None

    async def acquire(self) -> Store:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        await self._slots.acquire()
        try:
            store = self._free.pop() if self._free else Store(self.path, readonly=True)
            store.conn.execute("BEGIN")  # one snapshot for the whole request
        except BaseException:
            self._slots.release()
            raise
        return store

    def release(self, store: Store) -> None:
        try:
            store.conn.execute("ROLLBACK")
            self._free.append(store)
        except sqlite3.Error:
            store.close()
        finally:
            assert self._slots is not None
            self._slots.release()

    def close(self) -> None:
        while self._free:
            self._free.pop().close()


@dataclass
class Settings:
    """How one server runs: its store, and the token that guards writes (if any)."""

    db: str
    token: str | None = None
    max_body_bytes: int = 10 * 1024 * 1024
    writer_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Writers queue here, in the event loop, so that waiting writers hold no threads.
    write_queue: asyncio.Lock = field(default_factory=asyncio.Lock)
    shared: dict[str, Any] = field(default_factory=dict)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_token(settings: Settings, request: Request) -> None:
    """Writes need the server's token when it has one (always when not on loopback)."""
    if settings.token is None:
        return
    given = request.headers.get("authorization", "")
    if given.lower().startswith("bearer "):
        given = given[7:].strip()
    else:
        given = request.headers.get("x-storyline-token", "")
    if not given or not hmac.compare_digest(given.encode(), settings.token.encode()):
        raise HTTPException(401, "this server needs an access token for writes: send "
                                 "'Authorization: Bearer TOKEN'")


def create_app(db: str | Path, *, token: str | None = None) -> FastAPI:
    """The web app and REST API over the store at `db` (which must exist)."""
    from storyline.web import api, pages

    path = str(db)
    Store(path, create=False).close()  # fails early, with the CLI's message; migrates
    settings = Settings(db=path, token=token)
    app = FastAPI(title="Storyline", version=__version__, lifespan=_lifespan,
                  description="A provenance-tracked knowledge base of news events: "
                              "stories, events, actors, claims and their sources.",
                  # No Swagger UI: it loads its script from a CDN, which offline laptops lack.
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.readers = ReaderPool(path)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                    for e in exc.errors()]
        return _error(request, 400, "invalid request: " + "; ".join(problems))

    @app.exception_handler(SearchError)
    async def search_error(request: Request, exc: SearchError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(StorylineError)
    async def storyline_error(request: Request, exc: StorylineError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return _error(request, 500, f"internal error: {type(exc).__name__}")

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.readers.close()


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message, "status": status}, status_code=status)
    from storyline.web.pages import templates

    return templates.TemplateResponse(request, "error.html",
                                      {"status": status, "message": message},
                                      status_code=status)


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          log_level: str = "info") -> None:
    """Run the server until interrupted. Off loopback, writes need a token."""
    import uvicorn

    if token is None and not is_loopback(host):
        raise StorylineError(f"binding to {host} (not loopback) needs an access token for "
                             "writes: pass --token or set STORYLINE_TOKEN")
    uvicorn.run(create_app(db, token=token), host=host, port=port, log_level=log_level)


def new_token() -> str:
    return secrets.token_urlsafe(24)
