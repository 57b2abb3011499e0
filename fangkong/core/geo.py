"""Grid cells: square cells of `cell_size_m` on the city's metric projection (pyproj), named
by their column and row, so a home, a zone and (later) a phone ping fall in the same cell."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from fangkong.core.citymap import utm_epsg
from fangkong.core.settings import get_settings

# Mainland China and its islands: a point outside is a typo or swapped coordinates.
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)


def grid_epsg() -> int:
    """The grid's projection: FANGKONG_GRID_EPSG, or the UTM zone of the city's centre."""
    configured = get_settings().grid_epsg
    return configured if configured is not None else utm_epsg()


@lru_cache(maxsize=4)
def _to_metres(epsg: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def cells_of(lon: Sequence[float] | ArrayLike, lat: Sequence[float] | ArrayLike) -> list[str]:
    """The grid cell of each WGS-84 point, e.g. "E8421N4902" (column, row)."""
    settings = get_settings()
    x, y = _to_metres(grid_epsg()).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    size = settings.cell_size_m
    cols = np.floor(np.atleast_1d(x) / size).astype(np.int64)
    rows = np.floor(np.atleast_1d(y) / size).astype(np.int64)
    return [f"E{c}N{r}" for c, r in zip(cols.tolist(), rows.tolist(), strict=True)]


def cell_ids(lon: ArrayLike, lat: ArrayLike, *, size_m: int) -> np.ndarray:
    """The grid cell of each WGS-84 point as one int64: column << 32 | row, cells of
    `size_m` on the city's projection. For bulk location data."""
    if size_m <= 0:
        raise ValueError("cell size must be positive")
    x, y = _to_metres(grid_epsg()).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    cols = np.floor(np.asarray(x) / size_m).astype(np.int64)
    rows = np.floor(np.asarray(y) / size_m).astype(np.int64)
    return np.asarray((cols << 32) | rows, dtype=np.int64)


@lru_cache(maxsize=4)
def _to_degrees(epsg: int) -> Transformer:
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def cell_name(cell_id: int) -> str:
    return f"E{cell_id >> 32}N{cell_id & 0xFFFFFFFF}"


def cell_centres(cell_ids: Sequence[int], *, size_m: int) -> list[tuple[float, float]]:
    """WGS-84 (lon, lat) of the centre of each int64 cell id."""
    cols = np.array([c >> 32 for c in cell_ids], dtype=float)
    rows = np.array([c & 0xFFFFFFFF for c in cell_ids], dtype=float)
    lon, lat = _to_degrees(grid_epsg()).transform((cols + 0.5) * size_m, (rows + 0.5) * size_m)
    return list(zip(np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist(), strict=True))


def cell_of(lon: float, lat: float) -> str:
    return cells_of([lon], [lat])[0]


def in_china(lon: float, lat: float) -> bool:
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]


# -- GCJ-02 and BD-09 (shared/domain.md §8) ---------------------------------------------------
# GCJ-02 is WGS-84 shifted by a published-by-reconstruction function on the Krasovsky
# ellipsoid; BD-09 is Baidu's further shift of GCJ-02. Outside mainland China nothing is
# shifted: we use coordtransform's box (lon 73.66-135.05, lat 3.86-53.55).
KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323
X_PI = np.pi * 3000.0 / 180.0
Datum = str  # "wgs84" | "gcj02" | "bd09"
DATUMS = ("wgs84", "gcj02", "bd09")


def _shifted(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= 73.66) & (lon <= 135.05) & (lat >= 3.86) & (lat <= 53.55)


def _dlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    out += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return np.asarray(out, dtype=float)


def _dlon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    out += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return np.asarray(out, dtype=float)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    rad = lat / 180.0 * np.pi
    magic = 1 - KRASOVSKY_EE * np.sin(rad) ** 2
    dlat = (
        _dlat(x, y)
        * 180.0
        / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * np.sqrt(magic)) * np.pi)
    )
    dlon = _dlon(x, y) * 180.0 / (KRASOVSKY_A / np.sqrt(magic) * np.cos(rad) * np.pi)
    inside = _shifted(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tolerance_deg: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    """No closed form: fixed-point iteration from the GCJ point (w ← w − (gcj(w) − target))
    until the forward transform lands within `tolerance_deg` (about 10 µm) — far under the
    0.5 m the protocol's data need; the naive one-step inverse errs by up to ~5 m."""
    target_lon, target_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = target_lon.copy(), target_lat.copy()
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        d_lon, d_lat = g_lon - target_lon, g_lat - target_lat
        w_lon, w_lat = w_lon - d_lon, w_lat - d_lat
        if np.all(np.abs(d_lon) < tolerance_deg) and np.all(np.abs(d_lat) < tolerance_deg):
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The usual closed-form inverse is off by up to a few centimetres to decimetres; a few
    fixed-point steps on the forward transform make it exact, as for GCJ-02."""
    target_lon, target_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = target_lon - 0.0065, target_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(10):
        b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
        g_lon, g_lat = g_lon - (b_lon - target_lon), g_lat - (b_lat - target_lat)
    return g_lon, g_lat


def convert(
    lon: ArrayLike, lat: ArrayLike, *, source: Datum, target: Datum
) -> tuple[np.ndarray, np.ndarray]:
    """Between WGS-84, GCJ-02 and BD-09, through GCJ-02 where needed."""
    for datum in (source, target):
        if datum not in DATUMS:
            raise ValueError(f"unknown datum {datum!r}: one of {', '.join(DATUMS)}")
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if source == target:
        return lon, lat
    if source == "bd09":
        lon, lat = bd09_to_gcj02(lon, lat)
    elif source == "wgs84":
        lon, lat = wgs84_to_gcj02(lon, lat)
    if target == "bd09":
        return gcj02_to_bd09(lon, lat)
    if target == "wgs84":
        return gcj02_to_wgs84(lon, lat)
    return lon, lat
