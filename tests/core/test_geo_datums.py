"""GCJ-02 and BD-09 against published test points (shared/domain.md §8)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.core.geo import convert, gcj02_to_wgs84, wgs84_to_gcj02

# (WGS-84 lon, lat) -> (GCJ-02 lon, lat): eviltransform's and coordtransform's test points.
PUBLISHED = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, (lat2 - lat1) * 110_574)


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED)
def test_published_points_both_ways(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = wgs84_to_gcj02(*wgs)
    assert metres(float(lon), float(lat), *gcj) < 0.001
    back_lon, back_lat = gcj02_to_wgs84(*gcj)
    assert metres(float(back_lon), float(back_lat), *wgs) < 0.5  # the protocol's bound
    assert metres(float(back_lon), float(back_lat), *wgs) < 0.001  # what the iteration gives


def test_the_inverse_holds_over_china_where_the_naive_one_does_not() -> None:
    lon, lat = np.meshgrid(np.arange(74.0, 135.0, 0.25), np.arange(18.0, 53.0, 0.25))
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    error = np.hypot((w_lon - lon) * 111_320 * np.cos(np.radians(lat)), (w_lat - lat) * 110_574)
    assert error.max() < 0.01
    naive_lon, naive_lat = wgs84_to_gcj02(g_lon, g_lat)
    naive = np.hypot(
        (2 * g_lon - naive_lon - lon) * 111_320 * np.cos(np.radians(lat)),
        (2 * g_lat - naive_lat - lat) * 110_574,
    )
    assert naive.max() > 1.0  # the one-step inverse is metres out


def test_bd09_round_trip_and_outside_china_unchanged() -> None:
    b_lon, b_lat = convert([116.404], [39.915], source="gcj02", target="bd09")
    assert (float(b_lon[0]), float(b_lat[0])) == pytest.approx(
        (116.41036949371029, 39.92133699351021)
    )
    w = convert(
        *convert([111.0], [35.03], source="wgs84", target="bd09"), source="bd09", target="wgs84"
    )
    assert metres(float(w[0][0]), float(w[1][0]), 111.0, 35.03) < 0.01
    lon, lat = convert([2.35], [48.85], source="wgs84", target="gcj02")
    assert (list(lon), list(lat)) == ([2.35], [48.85])


def test_geo_convert_command() -> None:
    done = CliRunner().invoke(
        app, ["geo", "convert", "--from", "wgs84", "--to", "gcj02", "116.404", "39.915"]
    )
    assert done.exit_code == 0 and done.output.split() == ["116.410244499", "39.916404282"]
    bad = CliRunner().invoke(app, ["geo", "convert", "--from", "mars", "--to", "gcj02", "1", "2"])
    assert bad.exit_code != 0 and "one of wgs84" in bad.output
