"""``jingwu leads``: read the bureau's incidents, cases and petitions for leads (``register``
adds it to the ``jingwu`` command).

    jingwu leads extract --bureau 330522 --user center

The run is made on behalf of ``--user`` (their permissions apply, and the audit trail names
them), in this process, with its progress printed; Ctrl-C leaves it queued, and it resumes
after the last chunk it committed.
"""

from __future__ import annotations

import json

import typer

leads_app = typer.Typer(help="Leads: entities named in records, and clusters.", no_args_is_help=True)


@leads_app.callback()
def _leads() -> None:
    """Leads: entities named in records, and clusters."""


@leads_app.command("extract")
def extract(
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
    user: str = typer.Option(..., help="The user on whose behalf the records are read (in the audit trail)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's figures as JSON."),
) -> None:
    """Read every incident, case and petition of the bureau and find the clusters."""
    from jingwu import clitools

    clitools.setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied, ValidationError

    from jingwu.leads.services import do_start_extraction

    b = clitools.bureau(bureau)
    actor = get_user_model().objects.filter(username=user).first()
    if actor is None:
        typer.echo(f"Error: no user {user!r}.", err=True)
        raise typer.Exit(1)

    def show(ctx) -> None:
        s = ctx.snapshot()
        if not as_json:
            typer.echo(f"\r{s['phase']} {s['percent']:3d}%", nl=False)

    try:
        run = do_start_extraction(b, actor=actor, sync=True, progress=show)
    except (ValidationError, PermissionDenied) as exc:
        typer.echo(f"Error: {' '.join(getattr(exc, 'messages', [str(exc)]))}", err=True)
        raise typer.Exit(1) from None
    figures = {
        "status": run.status,
        "records": run.records,
        "mentions": run.mentions,
        "clusters": run.clusters,
    }
    if as_json:
        typer.echo(json.dumps(figures))
    else:
        typer.echo("")
        typer.echo(
            f"{run.records} records read, {run.mentions} mentions, {run.clusters} clusters ({run.status})."
        )
    if run.status != "done":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``leads`` to the ``jingwu`` command."""
    app.add_typer(leads_app, name="leads")
