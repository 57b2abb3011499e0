"""Errors raised by services. They name the field or row at fault; app.py maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldProblem:
    loc: tuple[str | int, ...]
    msg: str

    def as_dict(self) -> dict[str, object]:
        return {"loc": list(self.loc), "msg": self.msg}


@dataclass
class FangkongError(Exception):
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class InvalidInput(FangkongError):
    """Input that breaks a rule; `problems` name each field (and row, for files) at fault."""

    problems: list[FieldProblem] = field(default_factory=list)

    @classmethod
    def at(cls, loc: tuple[str | int, ...], msg: str) -> InvalidInput:
        return cls(msg, [FieldProblem(loc, msg)])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in self.problems)


@dataclass
class NotFound(FangkongError):
    """The thing does not exist, or lies outside the user's jurisdiction (the two look alike)."""


@dataclass
class Forbidden(FangkongError):
    """The user's role does not allow the action."""


@dataclass
class Conflict(FangkongError):
    """The action clashes with the current state."""


@dataclass
class Unavailable(FangkongError):
    """The database does not answer, or is busy: try again shortly (503)."""
