from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from fangkong.core.geo import DATUMS, convert

app = typer.Typer(
    help="Coordinates: WGS-84, GCJ-02 (国测局) and BD-09 (百度).", no_args_is_help=True
)
console = Console()


@app.command("convert")
def convert_command(
    lon: Annotated[float, typer.Argument(help="longitude")],
    lat: Annotated[float, typer.Argument(help="latitude")],
    source: Annotated[str, typer.Option("--from", help="wgs84, gcj02 or bd09")],
    target: Annotated[str, typer.Option("--to", help="wgs84, gcj02 or bd09")],
) -> None:
    """Print the point in the other datum: LON LAT, to 1e-9 degree (about 0.1 mm)."""
    for name, datum in (("--from", source), ("--to", target)):
        if datum not in DATUMS:
            raise typer.BadParameter(f"{datum!r}: one of {', '.join(DATUMS)}", param_hint=name)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise typer.BadParameter("longitude -180..180, latitude -90..90", param_hint="LON LAT")
    out_lon, out_lat = convert([lon], [lat], source=source, target=target)
    console.print(f"{float(out_lon[0]):.9f} {float(out_lat[0]):.9f}")
