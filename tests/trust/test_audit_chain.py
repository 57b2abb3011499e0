"""The audit log cannot be rewritten: the database refuses changes, and whoever gets past it
breaks the chain at the entry they touched, which `fangkong audit verify` names."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from fangkong.cli import app as cli
from fangkong.core.audit import record_audit, seal_audit, verify_chain
from fangkong.core.db import make_session_factory, transaction
from tests.conftest import NOW


def write_entries(engine: Engine, n: int, *, by: str = "t") -> None:
    factory = make_session_factory(engine)
    for i in range(n):
        with transaction(factory) as session:
            record_audit(session, actor=None, action="read", entity="person",
                         entity_id=f"{by}{i}", now=NOW, detail=f"entry {i}")  # fmt: skip


def seal(engine: Engine) -> int:
    with transaction(make_session_factory(engine)) as session:
        return seal_audit(session)


def check(engine: Engine) -> tuple[bool, int | None, str]:
    with transaction(make_session_factory(engine)) as session:
        found = verify_chain(session)
    return found.ok, found.broken_seq, found.why


def drop_guards(engine: Engine) -> None:
    """What someone with the database's keys could do: take the triggers away."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
            conn.execute(text("DROP TRIGGER audit_entries_no_delete"))


def test_the_database_refuses_changes_and_removals(fresh_engine: Engine) -> None:
    write_entries(fresh_engine, 3)
    assert seal(fresh_engine) == 3
    write_entries(fresh_engine, 1, by="later")  # not sealed yet
    for statement in (
        "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 2",
        "UPDATE audit_entries SET seq = 9, digest = 'x' WHERE seq = 2",  # sealed once only
        "DELETE FROM audit_entries WHERE seq = 2",
        "UPDATE audit_entries SET detail = 'x', seq = 4 WHERE seq IS NULL",  # only the seal
        "DELETE FROM audit_entries WHERE seq IS NULL",
    ):
        with pytest.raises(DBAPIError, match="append-only"), fresh_engine.begin() as conn:
            conn.execute(text(statement))
    assert check(fresh_engine) == (True, None, "")
    assert seal(fresh_engine) == 1


@pytest.mark.parametrize(
    ("tamper", "at"),
    [
        ("UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 3", 3),
        ("UPDATE audit_entries SET username = 'someone' WHERE seq = 2", 2),
        ("DELETE FROM audit_entries WHERE seq = 3", 4),
        ("DELETE FROM audit_entries WHERE seq = 5", 5),
    ],
    ids=["content", "who", "removed", "last removed"],
)
def test_a_tampered_entry_breaks_the_chain_there(
    fresh_engine: Engine, tamper: str, at: int
) -> None:
    write_entries(fresh_engine, 5)
    seal(fresh_engine)
    assert check(fresh_engine)[0]
    drop_guards(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(text(tamper))
    ok, broken, why = check(fresh_engine)
    assert not ok and broken == at, why


def test_concurrent_writers_chain_one_after_another(fresh_engine: Engine) -> None:
    threads = [
        threading.Thread(target=write_entries, args=(fresh_engine, 20), kwargs={"by": f"w{k}"})
        for k in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sealers = [threading.Thread(target=seal, args=(fresh_engine,)) for _ in range(3)]
    for t in sealers:
        t.start()
    for t in sealers:
        t.join()
    seal(fresh_engine)
    ok, broken, why = check(fresh_engine)
    assert ok, (broken, why)
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 120


def test_verify_on_the_demo(demo_cli: CliRunner, demo_copy: Path) -> None:
    intact = demo_cli.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0 and "审计链完整" in intact.output, intact.output
    import sqlite3

    with sqlite3.connect(demo_copy / "fangkong.db") as db:
        db.execute("DROP TRIGGER audit_entries_no_update")
        db.execute("DROP TRIGGER audit_entries_no_delete")
        db.execute("DELETE FROM audit_entries WHERE seq = 7")
    broken = demo_cli.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and "第 8 条" in broken.output, broken.output
