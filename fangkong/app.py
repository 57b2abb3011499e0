"""FastAPI assembly: routers, error mapping, static files and pages."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from fangkong.command.api import router as command_router
from fangkong.command.centre_api import router as centre_router
from fangkong.command.screen import ScreenCache
from fangkong.core.clock import Clock
from fangkong.core.db import database_answers, make_engine, make_session_factory
from fangkong.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from fangkong.core.events import Hub, watch_changes
from fangkong.core.guard import Guard
from fangkong.core.i18n import current_lang, gettext, lang_of_request, lookup, validation_message
from fangkong.core.platform_clock import platform_clock
from fangkong.core.secret import signing_secret
from fangkong.core.settings import get_settings
from fangkong.healthcode.api import router as healthcode_router
from fangkong.healthcode.api import scan_openapi
from fangkong.healthcode.fastpath import is_scan, serve_scan
from fangkong.maintenance import maintenance
from fangkong.people.api import router as people_router
from fangkong.protocol.api import router as protocol_router
from fangkong.protocol.loader import load_all
from fangkong.quarantine.api import router as quarantine_router
from fangkong.surveillance.api import router as surveillance_router
from fangkong.testing.api import router as testing_router
from fangkong.tracing.api import router as tracing_router
from fangkong.travel.api import router as travel_router
from fangkong.treatment.api import router as treatment_router
from fangkong.users.api import router as users_router
from fangkong.users.service import actor_for_token
from fangkong.web.clock import router as clock_router
from fangkong.web.docs import mount_docs
from fangkong.web.events import router as events_router
from fangkong.web.jobs import Jobs
from fangkong.web.pages import (
    LoginRequired,
    forbidden_page,
    login_redirect,
    missing_page,
    vendor_dir,
)
from fangkong.web.pages import router as pages_router
from fangkong.zones.api import router as zones_router

log = logging.getLogger("fangkong")
WEB = Path(__file__).parent / "web"


class FangkongApp(FastAPI):
    """FastAPI with the checkpoint scan answered ahead of its middleware (the hottest path in
    the city; see healthcode.fastpath). An error there is answered 500 by uvicorn itself."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = super().openapi()
            schema["paths"]["/api/scan"] = scan_openapi()
        return super().openapi()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # every answer in the asker's language, the scan's too
            current_lang.set(lang_of_request(scope["headers"]))
        if is_scan(scope):
            await serve_scan(self.state, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


ROUTERS = (
    users_router,
    command_router,
    centre_router,
    treatment_router,
    people_router,
    tracing_router,
    quarantine_router,
    testing_router,
    zones_router,
    travel_router,
    healthcode_router,
    surveillance_router,
    protocol_router,
)


def create_app(
    session_factory: sessionmaker[Session] | None = None, clock: Clock | None = None
) -> FastAPI:
    load_all()  # a broken protocol file stops the platform here, naming its bad key
    if session_factory is None:
        session_factory = make_session_factory(make_engine(get_settings().resolved_database_url))
    app = FangkongApp(
        title="Fangkong 防控",
        version="0.1.0",
        description="Outbreak response command platform: tracing, orders, the 48-hour KPI.",
        # Command centres sit on isolated networks: no OpenTelemetry exporters to feed, and
        # its per-request checks cost the scan path a twentieth of its time.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        docs_url=None,  # served from local assets below: no CDN
        redoc_url=None,
        lifespan=maintenance,
    )
    app.state.session_factory = session_factory
    app.state.clock = clock or platform_clock()
    app.state.actor_for_token = actor_for_token
    app.state.forecast_jobs = Jobs()  # the forecast's runs, in the background
    app.state.events = Hub()  # this process's open event streams
    app.state.screen_cache = ScreenCache()
    engine = session_factory.kw.get("bind")
    if isinstance(engine, Engine):
        watch_changes(engine)

    @app.get("/api/health", tags=["system"], responses={503: {"description": "database down"}})
    def health(request: Request) -> JSONResponse:
        """Whether this server and its database answer: 200 ok, or 503."""
        if database_answers(request.app.state.session_factory):
            return JSONResponse({"status": "ok", "database": "ok"})
        return JSONResponse({"status": "down", "database": "down"}, status_code=503)

    for router in ROUTERS:
        app.include_router(router, prefix="/api")
    app.include_router(clock_router)
    app.include_router(events_router)
    app.include_router(pages_router)
    mount_docs(app)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    vendor = vendor_dir()
    if vendor is not None:
        app.mount("/vendor", StaticFiles(directory=vendor), name="vendor")
    _answer_errors(app)
    app.add_middleware(Guard, secret=signing_secret)
    # Everything imported and built so far lives as long as the process: keep it out of the
    # cyclic collector's way (a full collection over it paused scans for tens of ms).
    gc.collect()
    gc.freeze()
    # The scan batches' database thread takes the GIL back after each round trip; at the
    # default 5 ms switch interval a busy event loop kept it waiting (p99 47 ms -> 17 ms
    # measured by bench/healthcode_lookup.py with 1 ms).
    sys.setswitchinterval(0.001)
    return app


def _problem(status: int, exc: Exception, detail: object) -> JSONResponse:
    return JSONResponse({"message": str(exc), "detail": detail}, status_code=status)


def _answer_errors(app: FastAPI) -> None:
    """Our errors as HTTP answers: a bad field 422 naming it, 404, 403, 409."""

    @app.exception_handler(InvalidInput)
    def _invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return _problem(422, exc, [p.as_dict() for p in exc.problems] or exc.message)

    @app.exception_handler(NotFound)
    def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _problem(404, exc, exc.message)

    @app.exception_handler(Forbidden)
    def _forbidden(request: Request, exc: Forbidden) -> Response:
        if not request.url.path.startswith("/api/"):  # a page: answered as one
            return forbidden_page(request, None)
        return _problem(403, exc, exc.message)

    @app.exception_handler(Conflict)
    def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return _problem(409, exc, exc.message)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return missing_page(request, None, request.url.path)  # an unknown page
        said = lookup(str(exc.detail))  # FastAPI's own words too, in the asker's language
        body = {"message": said, "detail": said if isinstance(exc.detail, str) else exc.detail}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(LoginRequired)
    def _login(_: Request, exc: LoginRequired) -> RedirectResponse:
        return login_redirect(exc)

    @app.exception_handler(OperationalError)
    def _database_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
        message = gettext("the database does not answer or is busy; try again in a moment")
        body = {"message": message, "detail": "database"}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Unavailable)
    def _unavailable(_: Request, exc: Unavailable) -> JSONResponse:
        return JSONResponse({"message": str(exc), "detail": "database"}, status_code=503,
                            headers={"Retry-After": "5"})  # fmt: skip

    @app.exception_handler(IntegrityError)
    def _raced(_: Request, exc: IntegrityError) -> JSONResponse:
        message = gettext("a conflicting change was made at the same moment; try again")
        return JSONResponse({"message": message, "detail": "conflict"}, status_code=409)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": validation_message(e), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"message": gettext("invalid request"), "detail": errors}, status_code=422
        )
