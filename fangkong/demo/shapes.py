"""Where the demo's zones lie: a made-up but plausible outline for each sealed compound,
village and street of 6 March, and the controlled area around each place the index case spent
an evening, placed around 临猗县's seat at 猗氏镇. Every outline is measured in metres around a
centre, so the map shows each at its real size."""

from __future__ import annotations

import math
from typing import Any

from shapely.geometry import Point, Polygon, mapping

# Degrees per metre at 35.1°N.
LAT_PER_M = 1 / 111_000
LON_PER_M = 1 / (111_000 * math.cos(math.radians(35.14)))


def _outline(lon: float, lat: float, width_m: float, height_m: float, *, sides: int) -> Polygon:
    """A compound (4 sides) or a village (more sides, a little irregular) around a centre."""
    if sides == 4:
        dx, dy = width_m / 2 * LON_PER_M, height_m / 2 * LAT_PER_M
        return Polygon([(lon - dx, lat - dy), (lon + dx, lat - dy), (lon + dx, lat + dy),
                        (lon - dx, lat + dy)])  # fmt: skip
    points = []
    for k in range(sides):
        angle = 2 * math.pi * k / sides
        bulge = 1 + 0.12 * math.sin(3 * angle + lon)  # fixed per place: no randomness
        points.append((lon + math.cos(angle) * width_m / 2 * bulge * LON_PER_M,
                       lat + math.sin(angle) * height_m / 2 * bulge * LAT_PER_M))  # fmt: skip
    return Polygon(points)


def _around(lon: float, lat: float, radius_m: float) -> Polygon:
    """The controlled area around a place: a circle in metres, as a polygon of 48 sides."""
    circle = Point(0, 0).buffer(radius_m, quad_segs=12)
    return Polygon([(lon + x * LON_PER_M, lat + y * LAT_PER_M) for x, y in circle.exterior.coords])


# By the zone's name (fangkong.demo.march06.SEALED and CONTROLLED).
SHAPES: dict[str, Polygon] = {
    "猗氏镇某小区": _outline(110.7760, 35.1468, 360, 280, sides=4),
    "猗氏镇某村": _outline(110.7960, 35.1610, 760, 540, sides=9),
    "临晋镇某村": _outline(110.5650, 35.1720, 720, 520, sides=9),
    "猗氏镇某路沿街": _outline(110.7712, 35.1402, 900, 90, sides=4),
    "某镇某村": _outline(110.6900, 35.0950, 680, 500, sides=9),
    "猗氏镇某小区5号楼": _outline(110.7808, 35.1488, 90, 40, sides=4),
    "猗氏镇西街片区": _outline(110.7630, 35.1452, 620, 420, sides=4),
    "猗氏镇东关村": _outline(110.7905, 35.1440, 820, 600, sides=10),
    "临猗县某超市周边": _around(110.7745, 35.1395, 550),
    "临猗县某饭店周边": _around(110.7700, 35.1478, 450),
}


def shape_of(name: str) -> dict[str, Any]:
    return dict(mapping(SHAPES[name]))
