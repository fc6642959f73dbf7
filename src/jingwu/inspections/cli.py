"""``jingwu inspections sweep``: bring the due table up to date (``register`` adds it to ``jingwu``).

    jingwu inspections sweep --bureau 330522
    jingwu inspections sweep --bureau 330522 --all

Recomputes the due-table rows (:mod:`jingwu.inspections.duetable`) of every active
premises of the bureau whose data date, stamp or premises changed, and drops the rows of
premises no longer active. Run it after an import (which moves the data date) or nightly;
the due list recomputes what is stale when read, so the sweep only saves that wait.
"""

from __future__ import annotations

import json
import time

import typer

from jingwu import clitools

inspections_app = typer.Typer(help="Inspections of key premises.", no_args_is_help=True)


@inspections_app.callback()
def _inspections() -> None:
    """Inspections of key premises."""


@inspections_app.command("sweep")
def sweep(
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
    everything: bool = typer.Option(
        False, "--all", help="Recompute fresh rows too (after visits were loaded in bulk)."
    ),
) -> None:
    """Bring the bureau's due table up to date and print what was done (JSON)."""
    clitools.setup()
    from jingwu.core.clock import data_date

    from .duetable import sweep as do_sweep

    b = clitools.bureau(bureau)
    t0 = time.perf_counter()
    done = do_sweep(b, everything=everything)
    done.update(bureau=b.code, as_of=data_date(b).isoformat(), seconds=round(time.perf_counter() - t0, 2))
    typer.echo(json.dumps(done))


def register(app: typer.Typer) -> None:
    """Add ``inspections`` to the ``jingwu`` command."""
    app.add_typer(inspections_app, name="inspections")
