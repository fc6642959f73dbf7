"""The ``jingwu`` command: run the demo, serve, migrate, create users, import, check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import typer

app = typer.Typer(
    help="Jingwu (警务): plan, operate and measure grassroots policing for a county public security bureau.",
    no_args_is_help=True,
    add_completion=False,
)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.conf import settings

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables (safe to run again)."""
    _setup()
    _migrate(verbosity=1)


@app.command()
def demo(
    seed: int = typer.Option(2019, help="Seed of the generated county: the same seed gives the same county."),
    scale: int = typer.Option(1, min=1, help="How many counties (bureaus) to generate, for benchmarks."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the web UI after loading."),
    reset: bool = typer.Option(False, help="Delete the demo database first and generate it again."),
) -> None:
    """Load the demo county (first run only) and start the web UI and the background worker."""
    _setup()
    from django.conf import settings

    if reset:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3") and Path(str(db["NAME"])).exists():
            for suffix in ("", "-wal", "-shm"):
                Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
        else:
            typer.echo(
                "--reset only deletes the embedded SQLite database; drop a PostgreSQL database yourself."
            )
            raise typer.Exit(2)
    _migrate()
    from jingwu.demo.load import DEMO_PASSWORD, ensure_demo

    logins = ensure_demo(seed=seed, scale=scale, progress=typer.echo)
    typer.echo("")
    typer.echo("Demo log-ins (password for all: %s):" % DEMO_PASSWORD)
    for username, description in logins:
        typer.echo(f"  {username:<22} {description}")
    if serve_after:
        typer.echo("")
        _serve(host, port, worker=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Also run the background worker."),
) -> None:
    """Serve the web UI (and the background job worker) until Ctrl-C."""
    _setup()
    _serve(host, port, worker=worker)


def _serve(host: str, port: int, *, worker: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from waitress.server import create_server

    from jingwu.site.wsgi import application

    if settings.PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
    proc = None
    if worker:
        proc = subprocess.Popen([sys.executable, "-m", "django", "qcluster"], env={**os.environ})
    server = create_server(application, host=host, port=port, threads=8, ident="jingwu")
    typer.echo(f"Jingwu is running at http://{host}:{port}/  (Ctrl-C stops it)")

    def stop(*_args) -> None:
        threading.Thread(target=server.close, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        typer.echo("Jingwu stopped.")


@app.command()
def createuser(
    username: str = typer.Argument(..., help="Log-in name."),
    role: str = typer.Option(
        "", help="Role to grant, e.g. station_chief, bureau_command (see --help of 'roles')."
    ),
    unit: str = typer.Option("", help="Code of the unit the role covers (with its subtree), e.g. S05."),
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
    superuser: bool = typer.Option(False, help="A system superuser (all bureaus, the admin site)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user, optionally granting a role over a unit."""
    _setup()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from jingwu.accounts.choices import Role
    from jingwu.accounts.services import do_create_user, do_grant_membership

    try:
        with transaction.atomic():
            b = _bureau(bureau) if (role or bureau) else None
            user = do_create_user(
                actor=None, username=username, password=password, bureau=b, is_superuser=superuser
            )
            if role:
                if role not in Role.values:
                    raise ValidationError(f"unknown role {role!r}; choose one of: {', '.join(Role.values)}")
                from jingwu.org.models import Unit

                u = Unit.objects.current().filter(bureau=b, code=unit).first()
                if u is None:
                    raise ValidationError(f"no current unit with code {unit!r} in bureau {b.code}")
                do_grant_membership(actor=None, user=user, unit=u, role=role)
    except ValidationError as exc:
        typer.echo("Error: " + "; ".join(exc.messages), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Created user {username}.")


def _bureau(code: str):
    from jingwu.core.models import Bureau

    qs = Bureau.objects.all()
    if code:
        b = qs.filter(code=code).first()
        if b is None:
            typer.echo(f"Error: no bureau with code {code!r}.", err=True)
            raise typer.Exit(1)
        return b
    if qs.count() != 1:
        typer.echo("Error: several bureaus exist; name one with --bureau CODE.", err=True)
        raise typer.Exit(1)
    return qs.get()


@app.command("import")
def import_(
    kind: str = typer.Argument(..., help="What the file holds: incidents, officers, premises or units."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A CSV (UTF-8 or GBK) or XLSX file."),
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
    user: str = typer.Option(
        ..., help="The user on whose behalf the import runs (recorded in the audit trail)."
    ),
    dry_run: bool = typer.Option(False, help="Validate every row and report, but save nothing."),
) -> None:
    """Import rows from a spreadsheet, all or nothing, through the same checks as the UI."""
    _setup()
    from django.utils import translation

    from jingwu.accounts.models import User
    from jingwu.core.importing import KINDS, run_import

    if kind not in KINDS:
        typer.echo(f"Error: kind must be one of {', '.join(KINDS)}.", err=True)
        raise typer.Exit(2)
    actor = User.objects.filter(username=user).first()
    if actor is None:
        typer.echo(f"Error: no user {user!r}.", err=True)
        raise typer.Exit(1)
    b = _bureau(bureau)
    with translation.override(os.environ.get("JINGWU_LANGUAGE", "zh-hans")):
        report = run_import(kind, file, bureau=b, actor=actor, dry_run=dry_run, progress=typer.echo)
        for problem in report.problems[:200]:
            typer.echo(f"row {problem.row}, {problem.column}: {problem.value!r}: {problem.reason}", err=True)
    typer.echo(report.summary())
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def check() -> None:
    """Check the installation: settings, database, migrations, static files and the CJK font."""
    _setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from jingwu.core.checks import cjk_font_path

    call_command("check")
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    typer.echo(f"database: {connection.vendor} OK")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    typer.echo(
        "migrations: " + ("up to date" if not pending else f"{len(pending)} pending: run 'jingwu migrate'")
    )
    font = cjk_font_path()
    typer.echo(f"CJK font: {font}")
    if pending:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
