"""The installation's signing secret: made on first start, kept in the data folder.

There is no default secret in the source: a token signed with a published key would let
anyone be anyone. `FANGKONG_SECRET_KEY` (at least 32 characters) overrides the file, for a
set-up whose workers share no folder."""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from fangkong.core.settings import get_settings

SECRET_FILE = "secret.key"


def signing_secret() -> str:
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    return installation_secret(settings.data_dir.resolve())


@lru_cache
def installation_secret(folder: Path) -> str:
    """The folder's secret, made (readable by its owner only) if it has none. Two workers
    starting at once: the second's link fails and it reads the first's."""
    path = folder / SECRET_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".{SECRET_FILE}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            with contextlib.suppress(FileExistsError):  # another worker's came first: theirs
                os.link(draft, path)
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable secret; delete it to make a new one")
    return secret
