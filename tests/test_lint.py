"""A small AST lint for the rules that matter most (STYLE.md): the code reads no wall clock
outside core/clock.py, services stay free of web and CLI frameworks, and domains import
down the chain people -> tracing, never back up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "fangkong"
SOURCES = sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)
# Lower layers may not import the higher ones listed for them.
FORBIDDEN_IMPORTS = {
    "core": ("fangkong.people", "fangkong.tracing", "fangkong.web", "fangkong.app", "fangkong.cli"),
    "protocol": ("fangkong.people", "fangkong.tracing", "fangkong.users", "fangkong.web"),
    "people": ("fangkong.tracing", "fangkong.web", "fangkong.app"),
    "users": ("fangkong.people", "fangkong.tracing", "fangkong.web"),
    "tracing": ("fangkong.web", "fangkong.app", "fangkong.quarantine", "fangkong.sim"),
    "quarantine": ("fangkong.web", "fangkong.app", "fangkong.sim"),
    "testing": ("fangkong.web", "fangkong.app", "fangkong.quarantine", "fangkong.sim"),
    "zones": ("fangkong.web", "fangkong.app", "fangkong.quarantine", "fangkong.sim"),
    "sim": ("fangkong.web", "fangkong.app"),
    "travel": ("fangkong.web", "fangkong.app", "fangkong.sim", "fangkong.healthcode"),
    "healthcode": ("fangkong.web", "fangkong.app", "fangkong.sim"),
}
FRAMEWORKS = ("fastapi", "typer", "starlette")


def imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_no_wall_clock(path: Path) -> None:
    if path == ROOT / "core" / "clock.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"now", "today", "utcnow"}:
            base = node.value
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            assert name not in {"datetime", "date"}, (
                f"{rel(path)}:{node.lineno} reads the wall clock"
            )


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in SOURCES
        if p.name in {"service.py", "models.py", "kpi.py", "chains.py", "linelists.py"}
    ],
    ids=rel,
)
def test_services_know_no_framework(path: Path) -> None:
    for name in imports(ast.parse(path.read_text(encoding="utf-8"))):
        assert not name.startswith(FRAMEWORKS), f"{rel(path)} imports {name}"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_imports_point_down(path: Path) -> None:
    domain = path.relative_to(ROOT).parts[0]
    forbidden = FORBIDDEN_IMPORTS.get(domain, ())
    if domain == "core" and path.name == "deps.py":
        forbidden = tuple(f for f in forbidden if f != "fangkong.users")
    for name in imports(ast.parse(path.read_text(encoding="utf-8"))):
        assert not name.startswith(forbidden), f"{rel(path)} imports {name} (upward)"


PERSON_QUERY = ("select(Person", ".join(Person", "select(contact_person", ".join(contact_person")


@pytest.mark.parametrize("path", [p for p in SOURCES if "people" not in p.parts], ids=rel)
def test_person_queries_are_scoped(path: Path) -> None:
    """A query over people outside the people domain goes through `in_jurisdiction`, or says
    in an `# unscoped:` comment why it may not (a system job, masked output)."""
    source = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        body = ast.get_source_segment(source, node) or ""
        if any(q in body for q in PERSON_QUERY):
            assert "in_jurisdiction(" in body or "# unscoped:" in body, (
                f"{rel(path)}:{node.lineno} {node.name} queries people without in_jurisdiction"
            )
