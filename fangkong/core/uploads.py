"""Receiving an uploaded file: only after the route's permission check has passed (the route
takes no file parameter, so FastAPI reads no body before its dependencies), with the body
bounded by the guard (core/guard.py), and the work done off the event loop so that scans and
health checks go on while a sheet of 100,000 rows is read and written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import _
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


async def import_upload(
    request: Request,
    session: Session,
    *,
    into: tuple[object, ...],
    default_name: str,
    run: Callable[[Upload], T],
) -> T:
    """Receive the file and run its import in a worker thread, one import of the same file
    into the same place at a time (a second is told it is already being imported)."""
    upload = await receive_upload(request, session, default_name=default_name)
    key = import_key(*into, content=upload.content)

    def work() -> T:
        with one_at_a_time(session, key, filename=upload.filename):
            return run(upload)

    return await run_in_threadpool(work)
