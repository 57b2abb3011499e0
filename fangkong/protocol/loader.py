"""Load and validate the versioned protocol files; a broken file is refused with its bad key."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from fangkong.protocol.models import Protocol

FILES = resources.files("fangkong.protocol") / "files"


class ProtocolError(ValueError):
    pass


def parse_protocol(text: str, *, source: str) -> Protocol:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Protocol.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ProtocolError(f"{source}: {problems}") from None


def load_protocol_file(path: Path) -> Protocol:
    protocol = parse_protocol(path.read_text(encoding="utf-8"), source=path.name)
    if protocol.id != path.stem:
        raise ProtocolError(f"{path.name}: id: {protocol.id!r} does not match the file name")
    return protocol


def available() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in FILES.iterdir() if p.name.endswith(".toml"))


@lru_cache
def get_protocol(protocol_id: str) -> Protocol:
    if protocol_id not in available():
        raise ProtocolError(f"protocol {protocol_id!r} not found; have {', '.join(available())}")
    with resources.as_file(FILES / f"{protocol_id}.toml") as path:
        return load_protocol_file(path)


def load_all() -> dict[str, Protocol]:
    """Validate every shipped protocol; called at start so a broken file stops the platform."""
    return {pid: get_protocol(pid) for pid in available()}
