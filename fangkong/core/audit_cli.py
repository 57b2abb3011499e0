"""`fangkong audit verify`: walk the audit chain and name the first entry that breaks it."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from fangkong.core.audit import seal_audit, sealed_count, verify_chain
from fangkong.core.cli_support import command_session
from fangkong.core.i18n import _

app = typer.Typer(help="The audit log.", no_args_is_help=True)
console = Console()


@app.command("verify")
def verify() -> None:
    """Seal what is not sealed yet, then check every entry's digest and place in the chain;
    exit 1 at the first broken one."""
    with command_session() as session:
        seal_audit(session)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with command_session() as session, Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(_("checking the audit chain"), total=sealed_count(session))
        found = verify_chain(session, progress=lambda n: bar.update(task, completed=n))
    if found.ok:
        console.print(_("audit chain intact: %(n)s entries", n=f"{found.checked:,}"))
        return
    console.print(
        "[red]"
        + _("audit chain broken at entry %(seq)s (id %(id)s): %(why)s; %(n)s entries before it "
            "are intact", seq=found.broken_seq, id=found.broken_id if found.broken_id is not None
            else "—", why=found.why, n=f"{found.checked:,}")
        + "[/]"
    )  # fmt: skip
    raise typer.Exit(1)
