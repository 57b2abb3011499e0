"""Backup and restore: the database (SQLite by its online backup API, PostgreSQL by pg_dump's
custom format) and the Parquet location data, in one .tar with a manifest saying what is in
it. A restore goes only into an empty place — a new data folder, an empty database — of the
same kind, and is checked afterwards: its audit chain verified, its tables counted.

The installation's signing secret is left out on purpose: a restored platform makes its own,
and everyone signs in again."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, make_url

from fangkong.core.db import make_engine
from fangkong.core.errors import Conflict, InvalidInput
from fangkong.core.i18n import _

FORMAT = 1
DATABASE_SQLITE = "fangkong.db"
DATABASE_PG = "database.dump"
LOCATION = "location"


@dataclass(frozen=True)
class Manifest:
    format: int
    dialect: str
    revision: str
    made_at: str
    tables: dict[str, int]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise InvalidInput.at(("database",), _("an in-memory database cannot be backed up"))
    return Path(database)


def _counts(url: str) -> tuple[str, dict[str, int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            found = {}
            for name in sorted(names):
                found[name] = int(
                    conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar() or 0
                )
            revision = ""
            if "alembic_version" in inspect(conn).get_table_names():
                revision = str(
                    conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                )
        return revision, found
    finally:
        engine.dispose()


def _dump(url: str, folder: Path) -> None:
    if url.startswith("sqlite"):
        with (
            sqlite3.connect(_sqlite_path(url)) as source,
            sqlite3.connect(folder / DATABASE_SQLITE) as copy,
        ):
            source.backup(copy)  # a consistent copy while the platform runs
        return
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
         f"--file={folder / DATABASE_PG}", f"--dbname={_libpq(url)}"],
        check=True, capture_output=True,
    )  # fmt: skip


Stage = Callable[[str], None]


def _quiet(_stage: str) -> None:
    """A caller without a progress bar (the tests, the API): the stages go untold."""


def backup(
    url: str, location: Path | None, out: Path, *, now: datetime, stage: Stage = _quiet
) -> Manifest:
    """Write the archive `out`; the manifest counts every table as backed up. `stage` is told
    each stage as it starts (a progress bar)."""
    stage(_("counting the tables"))
    revision, tables = _counts(url)
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    manifest = Manifest(FORMAT, dialect, revision, now.isoformat(timespec="seconds"), tables)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stage(_("copying the database"))
        _dump(url, folder)
        (folder / "manifest.json").write_text(json.dumps(manifest.__dict__, ensure_ascii=False))
        draft = out.with_name(out.name + ".partial")
        with tarfile.open(draft, "w") as archive:
            for path in folder.iterdir():
                archive.add(path, arcname=path.name)
            if location is not None and location.is_dir():
                stage(_("adding the location data"))
                archive.add(location, arcname=LOCATION)
        os.replace(draft, out)  # never half an archive under the name
    return manifest


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile("manifest.json")
        assert member is not None
        data = json.loads(member.read())
        return Manifest(**data)
    except (KeyError, AssertionError, ValueError, TypeError):
        raise InvalidInput.at(("archive",), _("not a Fangkong backup (no manifest)")) from None


def _require_empty(url: str) -> None:
    if url.startswith("sqlite") and not _sqlite_path(url).exists():
        return  # a new data folder
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Conflict(_("the database to restore into is not empty (%(n)s tables); restore "
                         "into a new one", n=len(tables)))  # fmt: skip


def _load(url: str, folder: Path, manifest: Manifest) -> None:
    if manifest.dialect == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / DATABASE_SQLITE, target)
        return
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
         f"--dbname={_libpq(url)}", str(folder / DATABASE_PG)],
        check=True, capture_output=True,
    )  # fmt: skip


def restore(
    archive_path: Path, url: str, location: Path | None, *, stage: Stage = _quiet
) -> Manifest:
    """Restore into an empty database of the backup's kind (and the location data into
    `location`), then check that every table holds what the manifest says it held."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    with tarfile.open(archive_path, "r") as archive:
        manifest = read_manifest(archive)
        if manifest.dialect != dialect:
            raise InvalidInput.at(("archive",), _("a %(kind)s backup restores into %(kind)s",
                                                  kind=manifest.dialect))  # fmt: skip
        _require_empty(url)
        with tempfile.TemporaryDirectory() as tmp:
            stage(_("unpacking the backup"))
            archive.extractall(tmp, filter="data")  # no paths outside, no devices, no links out
            stage(_("loading the database"))
            _load(url, Path(tmp), manifest)
            if location is not None and (Path(tmp) / LOCATION).is_dir():
                shutil.copytree(Path(tmp) / LOCATION, location, dirs_exist_ok=True)
    stage(_("checking every table"))
    _revision, tables = _counts(url)
    wrong = {t: (n, tables.get(t)) for t, n in manifest.tables.items() if tables.get(t) != n}
    if wrong:
        raise Conflict(_("restored tables differ from the backup: %(which)s", which=wrong))
    return manifest
