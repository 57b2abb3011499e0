from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fangkong.core.cli_support import command_session, moment_of
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.timeutil import fmt_local
from fangkong.users.service import acting_as
from fangkong.zones import service

app = typer.Typer(help="Sealed, controlled and precaution zones.", no_args_is_help=True)
console = Console()
UserOption = Annotated[str, typer.Option("--user", help="act as this user")]


@app.command("list")
def list_command(
    as_of: Annotated[str | None, typer.Option(help="e.g. 2022-03-20 12:00, city time")] = None,
    user: UserOption = "admin",
) -> None:
    """Zones as of a moment, with what each still needs to be lifted."""
    moment = moment_of(as_of)
    with command_session() as session:
        zones = service.list_zones(session, actor=acting_as(session, user), as_of=moment)
    table = Table(title=_("Zones as of %(moment)s", moment=fmt_local(moment)))
    for column in ("#", _("zone_name"), _("kind"), _("status"), _("eligible_from"),
                   _("still_needed")):  # fmt: skip
        table.add_column(column)
    for z in zones:
        verdict = z.verdict
        table.add_row(
            str(z.id),
            z.name,
            _(z.kind),
            _(z.status),
            fmt_local(verdict.eligible_from) if verdict else "",
            "; ".join(verdict.unmet) if verdict else "",
        )
    console.print(table)


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", dir_okay=False)],
    as_of: Annotated[str | None, typer.Option(help="city time")] = None,
    user: UserOption = "admin",
) -> None:
    """Every zone as GeoJSON."""
    with command_session() as session:
        data = service.export_geojson(
            session, actor=acting_as(session, user), as_of=moment_of(as_of)
        )
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(_("wrote %(count)s zones to %(file)s", count=len(data["features"]), file=out))


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    user: UserOption = "admin",
) -> None:
    """Zones from a GeoJSON FeatureCollection: all features or none."""
    with command_session(_("%(file)s: nothing imported", file=file.name)) as session:
        result = service.import_geojson(
            session,
            actor=acting_as(session, user),
            content=file.read_bytes(),
            now=platform_now(),
        )
    console.print(_("%(created)s zones drawn, %(existing)s already there",
                    created=result.created, existing=result.existing))  # fmt: skip
