"""Grid cells: square cells of `cell_size_m` on the city's metric projection (pyproj), named
by their column and row, so a home, a zone and (later) a phone ping fall in the same cell."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from fangkong.core.settings import get_settings

# Mainland China and its islands: a point outside is a typo or swapped coordinates.
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)


@lru_cache(maxsize=4)
def _to_metres(epsg: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def cells_of(lon: Sequence[float] | ArrayLike, lat: Sequence[float] | ArrayLike) -> list[str]:
    """The grid cell of each WGS-84 point, e.g. "E8421N4902" (column, row)."""
    settings = get_settings()
    x, y = _to_metres(settings.grid_epsg).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    size = settings.cell_size_m
    cols = np.floor(np.atleast_1d(x) / size).astype(np.int64)
    rows = np.floor(np.atleast_1d(y) / size).astype(np.int64)
    return [f"E{c}N{r}" for c, r in zip(cols.tolist(), rows.tolist(), strict=True)]


def cell_of(lon: float, lat: float) -> str:
    return cells_of([lon], [lat])[0]


def in_china(lon: float, lat: float) -> bool:
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]
