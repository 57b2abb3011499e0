from __future__ import annotations

from fangkong.core.geo import cell_of, cells_of


def test_cells_are_800_metres_on_utm_49n() -> None:
    # 111°E is the central meridian of UTM zone 49: easting exactly 500,000 m, column 625.
    assert cell_of(111.0, 35.03).startswith("E625N")
    # About 860 m east (0.0095° of longitude at 35°N) is the next column, same row.
    here, east = cells_of([111.0001, 111.0095], [35.03, 35.03])
    assert here[:4] == "E625" and east[:4] == "E626" and here[4:] == east[4:]
    # Northing at 35°N on the central meridian: 0.9996 × the 3,874,945 m meridian arc =
    # 3,873,395 m, row 4841 (3,872,800 to 3,873,600).
    assert cell_of(111.0, 35.0) == "E625N4841"
