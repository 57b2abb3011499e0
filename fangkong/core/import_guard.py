"""One import of a file at a time: a second upload of the same file, while the first is still
being imported, is told so at once instead of queueing behind it for the database's lock (and
failing with a traceback). PostgreSQL: a transaction-level advisory lock, which the server
drops with the transaction or the connection. SQLite: an exclusive flock on a file keyed by
the database and the import, which the kernel drops with the process — a kill -9 leaves no
lock behind either way."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.errors import Conflict
from fangkong.core.i18n import _


def import_key(*parts: object, content: bytes) -> str:
    """What identifies one import: what it goes into (`parts`) and the file's bytes."""
    digest = hashlib.sha256(content)
    digest.update(repr(parts).encode())
    return digest.hexdigest()


def _already(filename: str) -> Conflict:
    return Conflict(
        _("%(file)s is already being imported; its result will show when it ends", file=filename)
    )


@contextmanager
def one_at_a_time(session: Session, key: str, *, filename: str) -> Iterator[None]:
    """Hold the import's lock for the block (on PostgreSQL, to the end of the session's
    transaction), or refuse with 409 if another import of the same file holds it."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        if not session.scalar(select(func.pg_try_advisory_xact_lock(lock_id))):
            raise _already(filename)
        yield
        return
    where = hashlib.sha256(f"{bind.engine.url}|{key}".encode()).hexdigest()[:32]
    path = Path(tempfile.gettempdir()) / f"fangkong-import-{where}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _already(filename) from None
        yield
    finally:
        os.close(fd)
