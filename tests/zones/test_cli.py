from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fangkong.cli import app


def test_zones_commands_on_the_demo(tmp_path: Path, demo_cli: CliRunner) -> None:
    runner = demo_cli
    listed = runner.invoke(app, ["zones", "list", "--as-of", "2022-03-15 12:00"])
    assert listed.exit_code == 0 and "封控区" in listed.output
    out = tmp_path / "zones.geojson"
    assert runner.invoke(app, ["zones", "export", "--out", str(out)]).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 11
    bad = tmp_path / "bad.geojson"
    feature = {"properties": {"name": "x", "kind": "火星"}}
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = runner.invoke(app, ["zones", "import", str(bad)])
    assert result.exit_code == 1 and "未导入任何数据" in result.output
    assert runner.invoke(app, ["zones", "list", "--as-of", "yesterday"]).exit_code != 0
