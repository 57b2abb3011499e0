"""Receiving an uploaded file and importing it: only after the route's permission check has
passed (the route takes no file parameter, so FastAPI reads no body before its dependencies),
with the body bounded by the guard (core/guard.py), and the work done in a process of its own
so that scans and health checks go on while a sheet of 50,000 rows is read and written.

A thread is not enough: parsing a sheet, validating 50,000 rows and writing them hold the
interpreter's lock for up to half a second at a time (a CSV read, one pydantic validation of
the whole list, one executemany), and every request of the server waits meanwhile. The import
process has its own interpreter and its own connection; it opens the import's transaction
and its lock itself, and its errors come back as the same errors."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from fangkong.core.db import make_engine, make_session_factory, transaction
from fangkong.core.errors import Conflict, InvalidInput, Unavailable
from fangkong.core.i18n import _, current_lang, in_language
from fangkong.core.import_guard import import_key, one_at_a_time

T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def upload_body(description: str) -> dict[str, Any]:
    """The OpenAPI of a route that takes one file in the form field `file`."""
    schema = {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": description}},
    }
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def receive_upload(request: Request, session: Session, *, default_name: str) -> Upload:
    """The file in the form field `file`. The session's transaction ends first: permission
    was checked in it, and on SQLite it holds the write lock, which a slow sender must not."""
    session.commit()
    try:
        form = await request.form(max_files=1, max_fields=8, max_part_size=64 * 1024)
    except MultiPartException as exc:
        why = exc.message
        raise InvalidInput.at(("file",), _("not a readable upload (%(why)s)", why=why)) from None
    try:
        item = form.get("file")
        if not isinstance(item, UploadFile):
            raise InvalidInput.at(("file",), _("no file in the form field 'file'"))
        return Upload(item.filename or default_name, await item.read())
    finally:
        await form.close()


@dataclass(frozen=True)
class FileJob(Generic[T]):
    """An import to run: a service taking (session, *, filename, content, **arguments), one at
    a time for the same file into the same place, in the asker's language. Picklable: the
    service is a module's function and the arguments plain values."""

    service: Callable[..., T]
    upload: Upload
    key: str
    lang: str
    arguments: dict[str, Any] = field(default_factory=dict)

    def run(self, session: Session) -> T:
        with (
            in_language(self.lang),
            one_at_a_time(session, self.key, filename=self.upload.filename),
        ):
            return self.service(
                session, filename=self.upload.filename, content=self.upload.content,
                **self.arguments,
            )  # fmt: skip


_FACTORIES: dict[str, sessionmaker[Session]] = {}


def run_in_child(url: str, job: FileJob[T]) -> T:
    """In the import process: the job in a transaction of its own. Database errors come back
    as ours (the driver's do not cross between processes)."""
    factory = _FACTORIES.get(url)
    if factory is None:
        factory = _FACTORIES[url] = make_session_factory(make_engine(url))
    try:
        with transaction(factory) as session:
            return job.run(session)
    except IntegrityError:
        raise Conflict(_("a conflicting change was made at the same moment; try again")) from None
    except DBAPIError as exc:
        why = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise Unavailable(
            _("the database does not answer or is busy; try again in a moment") + f" ({why})"
        ) from None


def _background() -> None:
    """An import is background work: the scans and pages of the server come first for the
    processor (nice 10)."""
    os.nice(10)


def import_pool(state: Any) -> ProcessPoolExecutor:
    """The server process's import process, started on the first import (spawned: the
    server's threads are not forked into it)."""
    pool: ProcessPoolExecutor | None = getattr(state, "import_pool", None)
    if pool is None:
        pool = state.import_pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_background
        )
    return pool


async def import_upload(
    request: Request,
    session: Session,
    *,
    into: tuple[object, ...],
    default_name: str,
    service: Callable[..., T],
    **arguments: Any,
) -> T:
    """Receive the file and import it with `service`. On a database of its own URL the import
    runs in the import process; a session bound to a connection (a test's transaction) runs
    it in a thread on that session."""
    upload = await receive_upload(request, session, default_name=default_name)
    job = FileJob(service, upload, import_key(*into, content=upload.content),
                  current_lang.get(), arguments)  # fmt: skip
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return await run_in_threadpool(job.run, session)
    url = bind.url.render_as_string(hide_password=False)
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(import_pool(request.app.state), run_in_child, url, job)
    except BrokenProcessPool:
        # The import process died (killed, out of memory): its transaction died with it. The
        # next import starts a new one.
        request.app.state.import_pool = None
        raise Unavailable(
            _("the import stopped before it finished; nothing was written; send the file again")
        ) from None
