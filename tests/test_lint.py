"""A small AST lint for the rules that matter most (STYLE.md): no wall clock outside
core/clock.py; services free of web and CLI frameworks; one ranked dependency chain, on
imports and on writes (only a table's own domain writes it); another domain's personal rows
read only through that domain's services; pages that call services, not tables; and rooms a
newcomer can find (no function over 60 lines but the ones named here, with why)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "fangkong"
SOURCES = sorted(
    p for p in ROOT.rglob("*.py") if "migrations" not in p.parts and "node_modules" not in p.parts
)

# The dependency chain, lowest first. A module may import its own domain and the ones before
# it, never one after. Adding a domain is one line here. Modules at the package root (app,
# cli, models, the demo) stand above every domain.
CHAIN = (
    "core",
    "protocol",
    "users",
    "people",
    "tracing",
    "companions",
    "zones",
    "testing",
    "quarantine",
    "travel",
    "treatment",
    "healthcode",
    "surveillance",
    "command",
    "sim",
    "forecast",
    "web",
    "demo",
)
TOP = len(CHAIN)
# The one upward call the chain allows, and why.
UPWARD = {
    ("testing", "fangkong.healthcode.stale"): "a closed round outdates the stored colours of "
    "the people it missed, a change no table trigger sees (healthcode/stale.py)",
}
# Tables that hold personal data, by the domain that owns them: other domains read them
# through that domain's services (the scoped statements), never by importing the table.
PERSONAL = {
    "people": {"Person", "PersonMerge"},
    "tracing": {"Infection", "TrajectoryStop", "Contact", "ManagementOrder", "OrderPhase"},
    "quarantine": {"Stay", "Swab", "Transfer"},
    "testing": {"Sample", "Recall"},
    "travel": {"Arrival"},
    "treatment": {"Admission", "ClinicalRecord", "PcrRecord"},
    "healthcode": {"Appeal", "CodeToken", "Scan", "CodeState"},
}
FRAMEWORKS = ("fastapi", "typer", "starlette")
WRITERS = {"update", "insert", "delete", "bulk_insert"}
LONGEST = 60
# Functions allowed past LONGEST lines, and why.
LONG_FUNCTIONS: dict[str, str] = {}


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


def domain_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if len(parts) == 1:
        return "demo" if parts[0].startswith("demo") else "top"
    return parts[0]


def rank(domain: str) -> int:
    return CHAIN.index(domain) if domain in CHAIN else TOP


def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def runtime_imports(tree: ast.Module) -> Iterator[ast.ImportFrom | ast.Import]:
    """Imports that run: those under `if TYPE_CHECKING:` name types only."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
            yield node


def imported_modules(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in runtime_imports(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif node.module:
            yield node.lineno, node.module


def table_owners() -> dict[str, str]:
    """Each ORM class by the domain whose models.py declares it."""
    owners: dict[str, str] = {}
    for models in ROOT.glob("*/models.py"):
        for node in tree_of(models).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "Base" for b in node.bases
            ):
                owners[node.name] = models.parent.name
    return owners


OWNERS = table_owners()


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_no_wall_clock(path: Path) -> None:
    if path == ROOT / "core" / "clock.py":
        return
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.Attribute) and node.attr in {"now", "today", "utcnow"}:
            base = node.value
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            assert name not in {"datetime", "date"}, (
                f"{rel(path)}:{node.lineno} reads the wall clock"
            )


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if p.name in {"service.py", "models.py", "permissions.py"}],
    ids=rel,
)
def test_services_know_no_framework(path: Path) -> None:
    for line, name in imported_modules(tree_of(path)):
        assert not name.startswith(FRAMEWORKS), f"{rel(path)}:{line} imports {name}"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_imports_follow_the_chain(path: Path) -> None:
    mine = domain_of(path)
    for line, name in imported_modules(tree_of(path)):
        parts = name.split(".")
        if parts[0] != "fangkong" or len(parts) < 2:
            continue
        other = "demo" if parts[1].startswith("demo") else parts[1]
        if other in {"app", "cli", "models", "retention"}:
            other = "top"
        upward = rank(other) > rank(mine)
        assert not upward or (mine, name) in UPWARD, (
            f"{rel(path)}:{line} imports {name}: {other} stands above {mine} in CHAIN"
        )


def written_tables(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """ORM classes a module writes: update/insert/delete statements, bulk inserts and rows it
    constructs."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in WRITERS:
            for arg in node.args[:2]:
                if isinstance(arg, ast.Name) and arg.id in OWNERS:
                    yield node.lineno, arg.id
        elif name in OWNERS and isinstance(func, ast.Name):
            yield node.lineno, name


@pytest.mark.parametrize("path", [p for p in SOURCES if domain_of(p) in CHAIN], ids=rel)
def test_only_a_tables_domain_writes_it(path: Path) -> None:
    mine = domain_of(path)
    for line, table in written_tables(tree_of(path)):
        assert OWNERS[table] == mine, (
            f"{rel(path)}:{line} writes {table}, a table of {OWNERS[table]}: call its service"
        )


@pytest.mark.parametrize("path", [p for p in SOURCES if p.name != "models.py"], ids=rel)
def test_personal_rows_are_read_through_their_domain(path: Path) -> None:
    """Another domain's personal table is never imported: its service offers the scoped
    statement (people.readable_person_ids, tracing.scoped_infections, …). The web layer
    imports no table at all."""
    mine = domain_of(path)
    for node in runtime_imports(tree_of(path)):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").endswith(".models"):
            continue
        owner = (node.module or "").split(".")[1]
        names = {a.name for a in node.names}
        assert mine != "web", f"{rel(path)}:{node.lineno} pages import tables {sorted(names)}"
        foreign = names & PERSONAL.get(owner, set()) if owner != mine else set()
        assert not foreign, f"{rel(path)}:{node.lineno} reads {sorted(foreign)} of {owner} directly"


def functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_functions_fit_on_a_screen(path: Path) -> None:
    for node in functions(tree_of(path)):
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        where = f"{rel(path)}:{node.name}"
        assert length <= LONGEST or where in LONG_FUNCTIONS, (
            f"{where} is {length} lines (at most {LONGEST}; split it, or name it in "
            "LONG_FUNCTIONS with why)"
        )
