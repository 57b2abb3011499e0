"""The `fangkong` command: serve, demo, migrations, and each domain's verbs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError

from fangkong.command.cli import app as command_app
from fangkong.companions.cli import app as companions_app
from fangkong.core.audit_cli import app as audit_app
from fangkong.core.cli_support import tell_database_unreachable
from fangkong.core.db import make_engine, make_session_factory, transaction
from fangkong.core.geo_cli import app as geo_app
from fangkong.core.i18n import _
from fangkong.core.migrate import upgrade
from fangkong.core.settings import get_settings
from fangkong.forecast.cli import backtest_command, forecast_command, scenario_command
from fangkong.healthcode.cli import app as healthcode_app
from fangkong.people.cli import app as people_app
from fangkong.quarantine.cli import app as quarantine_app
from fangkong.sim.cli import app as sim_app
from fangkong.surveillance.cli import app as surveillance_app
from fangkong.testing.cli import app as testing_app
from fangkong.tracing.cli import app as contacts_app
from fangkong.users.cli import app as users_app
from fangkong.zones.cli import app as zones_app

if TYPE_CHECKING:
    from fangkong.demo import DemoSummary

app = typer.Typer(help="Fangkong (防控): outbreak response command platform.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(people_app, name="people")
app.add_typer(contacts_app, name="contacts")
app.add_typer(users_app, name="users")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(testing_app, name="testing")
app.add_typer(zones_app, name="zones")
app.add_typer(command_app, name="command")
app.add_typer(surveillance_app, name="surveillance")
sim_app.command("forecast")(forecast_command)
sim_app.command("scenario")(scenario_command)
sim_app.command("backtest")(backtest_command)
app.add_typer(sim_app, name="sim")
app.add_typer(geo_app, name="geo")
app.add_typer(companions_app, name="companions")
app.add_typer(healthcode_app, name="healthcode")
app.add_typer(audit_app, name="audit")
console = Console()


def main() -> None:
    """The `fangkong` command: a database that cannot be opened is one line and a hint, never
    a traceback."""
    try:
        app()
    except OperationalError as exc:
        tell_database_unreachable(exc)
        raise SystemExit(2) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database by running the migrations."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    console.print(_("database at head: %(url)s", url=settings.resolved_database_url))


@app.command()
def serve(
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option(help="log every request (what matters is audited in the database)")
    ] = False,
) -> None:
    """Serve the platform (API, pages) on FANGKONG_HOST:FANGKONG_PORT."""
    import uvicorn

    settings = get_settings()
    url = f"[bold]http://{settings.host}:{settings.port}[/]"
    console.print(_("Fangkong on %(url)s (API docs at /docs)", url=url))
    uvicorn.run(
        "fangkong.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        # Open screens' event streams never end by themselves: on a stop they are cut after
        # this long (their EventSource reconnects to the next server), not waited for.
        timeout_graceful_shutdown=3,
    )


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve when built")
    ] = True,
) -> None:
    """Build a fresh embedded database with the March 2022 Linyi outbreak, then serve it."""
    from fangkong.core.clock import ReplaySpan
    from fangkong.core.platform_clock import start_replay
    from fangkong.demo import build_demo
    from fangkong.demo.when import OPENS_AT, REPLAY_FROM, REPLAY_TO

    settings = get_settings()
    if settings.database_url:
        raise typer.BadParameter(
            "the demo builds its own SQLite database; unset FANGKONG_DATABASE_URL"
        )
    db_file = settings.data_dir / "fangkong.db"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for stale in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        stale.unlink(missing_ok=True)
    upgrade(settings.resolved_database_url)
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    with transaction(factory) as session:
        location = settings.data_dir / "location"
        shutil.rmtree(location, ignore_errors=True)
        summary = build_demo(session, location_dir=location)
    start_replay(settings.data_dir, OPENS_AT, ReplaySpan(REPLAY_FROM, REPLAY_TO))
    _tell_demo(summary, db_file, f"http://{settings.host}:{settings.port}")
    if serve_after:
        serve()


def _tell_demo(summary: DemoSummary, db_file: Path, url: str) -> None:
    """What was built, the logins, and where to start."""
    from fangkong.demo.when import OPENS_AT

    table = Table(title=_("Demo logins"))
    for column in (_("username"), _("password"), _("role"), _("jurisdiction")):
        table.add_column(column)
    for username, password, role, county in summary.users:
        table.add_row(username, password, _(f"role_{role}"), county or _("whole city"))
    console.print(_(
        "Demo outbreak (Linyi, March 2022): %(infections)s infections, %(contacts)s contacts "
        "(%(secondary)s secondary), %(places)s places -> %(file)s",
        infections=summary.infections, contacts=summary.contacts,
        secondary=summary.secondary, places=summary.stops, file=db_file,
    ))  # fmt: skip
    console.print(table)
    console.print(_(
        "Scanner key of 运城北站 出站口 1 (shown once): %(key)s  ·  scan page %(url)s/scan (user "
        "station)  ·  a person's code and its token: %(url)s/people/<id>/code",
        key=f"[bold]{summary.scanner_key}[/]", url=url,
    ))  # fmt: skip
    console.print(_(
        "Platform time: %(moment)s (step through 6–21 March from the pages' header, or GET/PUT "
        "%(url)s/api/clock)", moment=f"[bold]{OPENS_AT:%Y-%m-%d %H:%M}[/]", url=url,
    ))  # fmt: skip
    console.print(_(
        "Open %(url)s  ·  the 48-hour board as of 7 March 20:00: %(url)s/board?as_of=2022-03-07"
        "T20:00  ·  rooms as of 9 March: %(url)s/sites?as_of=2022-03-09T20:00", url=url,
    ))  # fmt: skip
    console.print(_("The command board (every working group's tasks): %(url)s/command", url=url))


@app.command("purge-expired")
def purge_expired_command(
    retention_days: Annotated[
        int | None, typer.Option(help="default FANGKONG_RETENTION_DAYS (30)")
    ] = None,
) -> None:
    """Delete personal data whose retention has ended (run daily, e.g. from cron): samples of
    old screening rounds, then people and contacts no domain still needs."""
    from fangkong.core.cli_support import command_session
    from fangkong.core.platform_clock import platform_now
    from fangkong.retention import purge_all

    days = retention_days if retention_days is not None else get_settings().retention_days
    with command_session() as session:
        done = purge_all(session, now=platform_now(), retention_days=days)
    console.print(_(
        "deleted %(people)s people, %(contacts)s contact records, %(samples)s screening samples "
        "and %(scans)s checkpoint scans", people=done.people, contacts=done.contacts,
        samples=done.samples, scans=done.scans,
    ))  # fmt: skip


@app.command("clock")
def clock_command(
    set_to: Annotated[
        str | None, typer.Option("--set", help="step a replay's clock, e.g. '2022-03-13 12:00'")
    ] = None,
) -> None:
    """The platform's time, as the pages and every command see it; --set steps a replay's."""
    from fangkong.core.clock import ReplayClock
    from fangkong.core.platform_clock import platform_clock
    from fangkong.core.timeutil import fmt_local, parse_local_datetime

    clock = platform_clock()
    if set_to is not None:
        if not isinstance(clock, ReplayClock) or clock.path is None:
            raise typer.BadParameter(
                "only a replay's clock kept in the data folder steps", param_hint="--set"
            )
        try:
            clock.set(parse_local_datetime(set_to))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--set") from None
    kind = _("replay") if isinstance(clock, ReplayClock) else _("wall clock")
    console.print(f"{fmt_local(clock.now())} ({kind})")


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="the archive to write (.tar)")],
    location: Annotated[
        Path | None, typer.Option(help="the location data (default: the data folder's)")
    ] = None,
) -> None:
    """Back up the database and the location data into one archive, while the platform runs."""
    from fangkong.core.backup import backup
    from fangkong.core.cli_support import stage_bar
    from fangkong.core.platform_clock import platform_now

    settings = get_settings()
    where = location or settings.data_dir / "location"
    with stage_bar(console, str(out), total=3) as stage:
        made = backup(settings.resolved_database_url, where, out, now=platform_now(), stage=stage)
    rows = f"{sum(made.tables.values()):,}"
    console.print(
        _("backed up %(tables)s tables, %(rows)s rows, to %(out)s",
          tables=len(made.tables), rows=rows, out=out)
    )  # fmt: skip


@app.command("restore")
def restore_command(
    archive: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    location: Annotated[
        Path | None, typer.Option(help="where the location data goes (default: the data folder's)")
    ] = None,
) -> None:
    """Restore a backup into an empty database (FANGKONG_DATABASE_URL or a new data folder),
    then check every table against the backup's counts."""
    from fangkong.core.backup import restore
    from fangkong.core.cli_support import command_errors, stage_bar

    settings = get_settings()
    with command_errors():
        where = location or settings.data_dir / "location"
        with stage_bar(console, str(archive), total=4) as stage:
            made = restore(archive, settings.resolved_database_url, where, stage=stage)
    rows = f"{sum(made.tables.values()):,}"
    console.print(
        _("restored %(tables)s tables, %(rows)s rows, as backed up at %(at)s",
          tables=len(made.tables), rows=rows, at=made.made_at)
    )  # fmt: skip
