"""The README's main command builds the demo as the fixtures' `demo_data` does: `fangkong demo`
(here without serving) prints the outbreak's summary and the logins, and sets the platform's
clock to the demo's moment."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.core.clock import ReplayClock
from fangkong.core.platform_clock import platform_clock
from fangkong.core.settings import Settings, get_settings


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
    assert "感染者 5 人，接触者 61 人（次密接 14 人），活动地点 9 处" in out
    for login in ("linyi-demo-2022", "hotel-demo-2022", "lab-demo-2022", "station-demo-2022"):
        assert login in out
    assert (tmp_path / "fangkong.db").stat().st_size > 0
    # The server and every command then run at the demo's moment, steppable 6-21 March.
    assert "平台时间：2022-03-08 20:00" in out
    clock = platform_clock(Settings(data_dir=tmp_path))
    assert isinstance(clock, ReplayClock) and clock.span is not None
    assert clock.now() == datetime(2022, 3, 8, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (clock.span.start.day, clock.span.end.day) == (6, 21)
