"""The README's main command builds the demo as the fixtures' `demo_data` does: `fangkong demo`
(here without serving) prints the outbreak's summary and the logins."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.core.settings import get_settings


def test_fangkong_demo_builds_the_outbreak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANGKONG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FANGKONG_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--no-serve"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    out = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "5 infections, 61 contacts (14 secondary), 9 places" in out
    for login in ("linyi-demo-2022", "hotel-demo-2022", "lab-demo-2022", "station-demo-2022"):
        assert login in out
    assert (tmp_path / "fangkong.db").stat().st_size > 0
