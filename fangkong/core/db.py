"""Database engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")

# Constraint names that SQLite and PostgreSQL share, so migrations name the same things.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql+psycopg"):
        # psycopg prepares a statement after five runs; PostgreSQL's generic plan for a
        # 1,000-value IN list on a freshly filled table is a sequential scan (40x slower
        # imports, measured by bench/import_contacts.py). Plan each statement afresh.
        kwargs.setdefault("connect_args", {}).setdefault("prepare_threshold", None)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        # pysqlite opens transactions lazily and mishandles SAVEPOINT; take that over so
        # transactions, savepoints and rollbacks mean on SQLite what they mean on PostgreSQL.
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        # IMMEDIATE: a transaction takes the write lock up front and waits for it (busy
        # timeout), instead of failing "database is locked" when two readers both try to
        # write. SQLite has one writer at a time anyway; PostgreSQL is for many.
        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The boundary of a unit of work: commit once on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_answers(factory: sessionmaker[Session]) -> bool:
    """Whether the database answers a trivial query now. On a DBAPI connection of its own,
    outside any transaction: on SQLite it must not queue behind a writer's lock."""
    bind = factory.kw.get("bind")
    try:
        if isinstance(bind, Engine):
            raw = bind.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("SELECT 1")
                cursor.close()
            finally:
                raw.close()
        else:
            with factory() as session:
                session.connection().exec_driver_sql("SELECT 1")
        return True
    except Exception:  # the driver's own errors too (a raw connection is not wrapped): down
        return False


def default_session_factory() -> sessionmaker[Session]:
    """Sessions on the configured database (FANGKONG_DATABASE_URL, else the embedded SQLite)."""
    from fangkong.core.settings import get_settings

    return make_session_factory(make_engine(get_settings().resolved_database_url))


# Keeps `IN (...)` lists under every driver's limit on bound parameters (PostgreSQL: 65,535).
IN_CHUNK = 1000


def in_chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """The values in lists of at most `size`, for `column.in_(chunk)` queries."""
    ordered = list(dict.fromkeys(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def bulk_insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one executemany on the session's connection: SQLAlchemy Core, not
    the ORM's unit of work, since a line list of 100,000 rows must not build 100,000 objects.
    Rows are dicts of column values; column types (UTCDateTime …) still apply."""
    if rows:
        table = model.__table__
        session.execute(table.insert(), rows)  # type: ignore[attr-defined]
