"""The ``jingwu`` command: run the demo, serve, migrate, create users, import, check."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import typer

from jingwu import clitools

app = typer.Typer(
    help="Jingwu (警务): plan, operate and measure grassroots policing for a county public security bureau.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables (safe to run again)."""
    clitools.setup()
    clitools.migrate(verbosity=1)


@app.command()
def demo(
    seed: int = typer.Option(2019, help="Seed of the generated county: the same seed gives the same county."),
    scale: int = typer.Option(1, min=1, help="How many counties (bureaus) to generate, for benchmarks."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the web UI after loading."),
    reset: bool = typer.Option(False, help="Delete the demo database first and generate it again."),
    debug: bool = typer.Option(False, help="Serve with Django's debug pages (never on a shared network)."),
) -> None:
    """Load the demo county (first run only) and start the web UI and the background worker."""
    # The demo's log-ins are shared and printed: two-factor log-in is off unless asked for
    # (`jingwu serve` keeps it off later on the demo's database, and says so).
    os.environ.setdefault("JINGWU_OTP", "0")
    _debug_choice(debug)
    clitools.setup()
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
    clitools.migrate()
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
    debug: bool = typer.Option(
        False,
        help="Serve with Django's debug pages (they show settings and every address: never on a network).",
    ),
) -> None:
    """Serve the web UI (and the background job worker) until Ctrl-C."""
    _debug_choice(debug)
    clitools.setup()
    _demo_choices()
    _serve(host, port, worker=worker)


def _debug_choice(debug: bool) -> None:
    """DEBUG is off when serving, unless --debug (or JINGWU_DEBUG=1) asks for it."""
    if debug:
        os.environ["JINGWU_DEBUG"] = "1"
    else:
        os.environ.setdefault("JINGWU_DEBUG", "0")


def _demo_choices() -> None:
    """On the demo's database, keep the demo's choice (two-factor log-in off) and say so."""
    from django.conf import settings
    from django.db import DatabaseError

    try:
        from jingwu.demo.load import county_present, demo_bureau_code

        demo = county_present(demo_bureau_code(0))
    except DatabaseError:  # not migrated yet: no demo either
        return
    if not demo:
        return
    if "JINGWU_OTP" in os.environ or settings.PRODUCTION:
        state = "on" if settings.OTP_REQUIRED else "off"
        typer.echo(
            f"This database holds the demo county; two-factor log-in is {state} "
            + ("(production mode)." if settings.PRODUCTION else "(JINGWU_OTP).")
        )
        return
    settings.OTP_REQUIRED = False
    typer.echo(
        "This database holds the demo county: two-factor log-in stays off, as `jingwu demo` set it "
        "(JINGWU_OTP=1 turns it on)."
    )


def _proxy_options() -> dict:
    """Behind a reverse proxy (JINGWU_TRUSTED_PROXY, its address), take the client's address
    from X-Forwarded-For: the audit trail and the lock-out by address need the real one."""
    from django.conf import settings

    if not settings.TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


def _serve(host: str, port: int, *, worker: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from waitress.server import create_server

    from jingwu.site.wsgi import application

    if settings.PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
    try:  # listen first: a busy port stops here, before any worker is started
        server = create_server(
            application, host=host, port=port, threads=8, ident="jingwu", **_proxy_options()
        )
    except OSError as exc:
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        typer.echo(f"Error: cannot listen on {host}:{port}: {reason} (choose another with --port).", err=True)
        raise typer.Exit(1) from None
    proc = None
    if worker:
        proc = subprocess.Popen([sys.executable, "-m", "django", "qcluster"], env={**os.environ})
    debug = "  DEBUG is on: never on a shared network." if settings.DEBUG else ""
    typer.echo(f"Jingwu is running at http://{host}:{port}/  (Ctrl-C stops it){debug}")

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
    clitools.setup()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from jingwu.accounts.choices import Role
    from jingwu.accounts.services import do_create_user, do_grant_membership

    try:
        with transaction.atomic():
            b = clitools.bureau(bureau) if (role or bureau) else None
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


@app.command("import")
def import_(
    kind: str = typer.Argument(
        ..., help="What the file holds: incidents, officers, premises, units, petitions or callbacks."
    ),
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="A CSV/TSV (UTF-8, UTF-16 or GBK; may be gzipped), XLSX, or GeoJSON (units) file.",
    ),
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
    user: str = typer.Option(
        ..., help="The user on whose behalf the import runs (recorded in the audit trail)."
    ),
    mapping: str = typer.Option(
        "",
        help="Name of the bureau's column mapping (a bundled one, e.g. chicago-assaults, is saved first), "
        "or a mapping JSON file.",
    ),
    dry_run: bool = typer.Option(False, help="Validate every row and report, but save nothing."),
    skip_invalid: bool = typer.Option(
        False,
        help="Import the valid rows and write the bad ones to a reject file, instead of all or nothing.",
    ),
    reject_file: Path = typer.Option(
        None, dir_okay=False, help="Where to write the bad rows with their reasons (CSV, UTF-8 with BOM)."
    ),
    resume: bool = typer.Option(
        True, "--resume/--restart", help="Continue an interrupted import of the same file (default)."
    ),
) -> None:
    """Import rows from a file as a job: checked in chunks, saved all at once (resumable)."""
    clitools.setup()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import translation
    from django.utils.translation import gettext as _

    from jingwu.accounts.models import User
    from jingwu.imports import services
    from jingwu.imports.mapping import MappingError
    from jingwu.imports.reading import KINDS

    if kind not in KINDS:
        typer.echo(f"Error: kind must be one of {', '.join(KINDS)}.", err=True)
        raise typer.Exit(2)
    actor = User.objects.filter(username=user).first()
    if actor is None:
        typer.echo(f"Error: no user {user!r}.", err=True)
        raise typer.Exit(1)
    b = clitools.bureau(bureau)
    language = os.environ.get("JINGWU_LANGUAGE", "zh-hans")
    with translation.override(language):
        try:
            m = _mapping_arg(services, b, mapping, kind, actor)
            job = None
            if resume:
                job = services.find_resumable(
                    kind=kind,
                    bureau=b,
                    user=actor,
                    sha256=services.file_sha256(file),
                    mapping=m,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                )
                if job is not None:
                    typer.echo(
                        _("Resuming import job #%(job)s after row %(row)s (%(status)s).")
                        % {"job": job.pk, "row": job.last_row, "status": job.get_status_display()}
                    )
            if job is None:
                job = services.create_job(
                    kind=kind,
                    bureau=b,
                    user=actor,
                    path=file,
                    mapping=m,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    via="cli",
                    language=language,
                )
                typer.echo(
                    _("Import job #%(job)s: %(kind)s from %(file)s")
                    % {"job": job.pk, "kind": kind, "file": file.name}
                )
            try:
                job = services.process_job(job, progress=_Progress(), reject_path=reject_file)
            except KeyboardInterrupt:
                typer.echo("", err=True)
                typer.echo(
                    _("Interrupted: import job #%(job)s is queued again; run the same command to resume it.")
                    % {"job": job.pk},
                    err=True,
                )
                raise typer.Exit(130) from None
        except (MappingError, services.JobBusy, PermissionDenied, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            typer.echo(_("Error: %(message)s") % {"message": message}, err=True)
            if isinstance(exc, ValidationError) and "file" in getattr(exc, "error_dict", {}):
                typer.echo(_("(The limit is the setting JINGWU_IMPORT_MAX_MB, in megabytes.)"), err=True)
            raise typer.Exit(1) from exc
        report = services.job_report(job)
        rows = report.row_problems  # the file's own problems are in the summary
        for problem in rows[:200]:
            typer.echo(problem.describe(), err=True)
        if len(rows) > 200 or job.problems_total > len(report.problems):
            more = job.problems_total - min(len(rows), 200) - len(report.file_problems)
            typer.echo(_("… and %(n)s more problems.") % {"n": more}, err=True)
        typer.echo(report.summary())
        if job.rows_invalid:
            path = reject_file or services.reject_path(job)
            if path:
                typer.echo(_("Rejected rows with their reasons: %(path)s") % {"path": path})
    raise typer.Exit(0 if report.ok else 1)


class _Progress:
    """Progress on the terminal: a bar when interactive, else a line per 5% (for logs and scripts)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ("", -100)

    def __call__(self, job, phase: str, done: int) -> None:
        from django.utils.translation import gettext as _

        total = (job.rows_valid if phase == "apply" else job.rows_total) or 0
        pct = min(100, int(100 * done / total)) if total else 100
        if phase == "check":
            label = _("checked")
        elif job.dry_run:  # a dry run of officers, premises or units tries its writes, then undoes them
            label = _("tried (dry run, undone at the end)")
        else:
            label = _("saved")
        if self.tty:
            bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
            if self.last[0] and self.last[0] != phase:
                sys.stderr.write("\n")
            sys.stderr.write(f"\r[{bar}] {pct:3d}% {label} {done:,}/{total:,}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif phase != self.last[0] or pct - self.last[1] >= 5 or done >= total:
            typer.echo(f"{label} {done}/{total} ({pct}%)")
        else:
            return
        self.last = (phase, pct)


def _mapping_arg(services, bureau, name: str, kind: str, actor):
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() == ".json" and path.exists():
        from django.utils.translation import gettext as _

        items = [
            m for m in services.load_mapping_file(str(path)) if isinstance(m, dict) and m.get("kind") == kind
        ]
        if len(items) != 1:
            raise services.MappingError(
                _("%(path)s must hold exactly one mapping for %(kind)s.") % {"path": path, "kind": kind}
            )
        m = services.save_mapping(actor=actor, bureau=bureau, data=items[0])
        for warning in m.warnings:
            typer.echo(_("Warning: %(message)s") % {"message": warning}, err=True)
        return m
    return services.find_mapping(bureau, name, kind=kind, actor=actor)


bureau_app = typer.Typer(help="Create and list bureaus.", no_args_is_help=True)
app.add_typer(bureau_app, name="bureau")


@bureau_app.command("create")
def bureau_create(
    code: str = typer.Argument(..., help="Bureau code (administrative region code, up to 12 characters)."),
    name: str = typer.Argument(..., help="Chinese name of the bureau."),
    name_en: str = typer.Option("", help="English name."),
    region_code: str = typer.Option(
        "", help="6-digit region code (defaults to the first 6 characters of CODE)."
    ),
    boundary: Path = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="GeoJSON polygon of the bureau's area (else: the union of the stations imported later).",
    ),
    time_zone: str = typer.Option(
        "Asia/Shanghai",
        "--time-zone",
        help="The bureau's time zone (IANA name, e.g. America/Chicago): its days, hours and incident numbers.",
    ),
    id_scheme: str = typer.Option(
        "cn",
        help="Officers' identity and phone numbers: cn (mainland resident ID with check digit, "
        "11-digit phone) or other (stored as given).",
    ),
) -> None:
    """Create a bureau and its headquarters unit (then import stations, zones and grids into it)."""
    clitools.setup()
    import json

    from django.core.exceptions import ValidationError
    from django.db import transaction

    from jingwu.core.clock import validate_time_zone
    from jingwu.core.models import Bureau
    from jingwu.org.services import do_create_unit

    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        typer.echo("Error: " + "; ".join(exc.messages), err=True)
        raise typer.Exit(2) from exc
    if Bureau.objects.filter(code=code).exists():
        typer.echo(f"Error: a bureau with code {code!r} exists.", err=True)
        raise typer.Exit(1)
    from jingwu.engine.ids import SCHEMES

    if id_scheme not in SCHEMES:
        typer.echo(f"Error: --id-scheme must be one of {', '.join(SCHEMES)}.", err=True)
        raise typer.Exit(2)
    geom = None
    if boundary is not None:
        data = json.loads(boundary.read_text("utf-8-sig"))
        if data.get("type") == "FeatureCollection":
            import shapely
            from shapely.geometry import mapping, shape

            data = mapping(shapely.union_all([shape(f["geometry"]) for f in data["features"]]))
        geom = data
    try:
        with transaction.atomic():
            b = Bureau.objects.create(
                code=code,
                name_zh=name,
                name_en=name_en,
                region_code=region_code or (code[:6] if code[:6].isdigit() else ""),
                time_zone=time_zone,
                id_scheme=id_scheme,
            )
            do_create_unit(
                actor=None,
                bureau=b,
                parent=None,
                kind="headquarters",
                code="HQ",
                name_zh="局机关",
                name_en="Headquarters",
                boundary=geom,
            )
    except ValidationError as exc:
        typer.echo("Error: " + "; ".join(exc.messages), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Created bureau {code} ({name}, time zone {time_zone}) with its headquarters unit HQ.")


@bureau_app.command("set-time-zone")
def bureau_set_time_zone(
    code: str = typer.Argument(..., help="Bureau code."),
    time_zone: str = typer.Argument(..., help="IANA time zone name, e.g. Europe/London."),
) -> None:
    """Change a bureau's time zone (numbers already given keep their day)."""
    clitools.setup()
    from django.core.exceptions import ValidationError

    from jingwu.core.clock import do_set_time_zone

    b = clitools.bureau(code)
    try:
        do_set_time_zone(b, actor=None, time_zone=time_zone)
    except ValidationError as exc:
        typer.echo("Error: " + "; ".join(exc.messages), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Bureau {b.code}: time zone {time_zone}.")


@bureau_app.command("list")
def bureau_list() -> None:
    """List the bureaus."""
    clitools.setup()
    from jingwu.core.models import Bureau

    for b in Bureau.objects.order_by("code"):
        typer.echo(f"{b.code:<12} {b.time_zone:<20} {b.name_zh}  {b.name_en}")


mapping_app = typer.Typer(help="Column mappings of foreign files (saved per bureau).", no_args_is_help=True)
app.add_typer(mapping_app, name="mapping")


@mapping_app.command("load")
def mapping_load(
    source: str = typer.Argument(..., help="A mapping JSON file, or a bundled set by name (e.g. chicago)."),
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
) -> None:
    """Save the mappings of a JSON file into a bureau (replacing those of the same name)."""
    clitools.setup()
    from django.core.exceptions import ValidationError
    from django.utils import translation
    from django.utils.translation import gettext as _

    from jingwu.imports import services
    from jingwu.imports.mapping import MappingError

    b = clitools.bureau(bureau)
    try:
        with translation.override(os.environ.get("JINGWU_LANGUAGE", "zh-hans")):
            for data in services.load_mapping_file(source):
                m = services.save_mapping(actor=None, bureau=b, data=data)
                typer.echo(
                    _("Saved mapping %(name)s (%(kind)s) in bureau %(bureau)s.")
                    % {"name": m.name, "kind": m.kind, "bureau": b.code}
                )
                for warning in m.warnings:
                    typer.echo(_("Warning: %(message)s") % {"message": warning}, err=True)
    except (MappingError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        with translation.override(os.environ.get("JINGWU_LANGUAGE", "zh-hans")):
            typer.echo(_("Error: %(message)s") % {"message": message}, err=True)
        raise typer.Exit(1) from exc


@mapping_app.command("list")
def mapping_list(bureau: str = typer.Option("", help="Bureau code; all bureaus when empty.")) -> None:
    """List the saved mappings (and the bundled ones)."""
    clitools.setup()
    from jingwu.imports import services
    from jingwu.imports.models import ImportMapping

    qs = ImportMapping.objects.select_related("bureau").order_by("bureau__code", "name")
    if bureau:
        qs = qs.filter(bureau__code=bureau)
    for m in qs:
        typer.echo(f"{m.bureau.code:<12} {m.name:<28} {m.kind:<10} {m.description}")
    typer.echo("Bundled: " + ", ".join(sorted(services.bundled_mappings())))


@mapping_app.command("show")
def mapping_show(
    name: str = typer.Argument(..., help="Mapping name."),
    bureau: str = typer.Option("", help="Bureau code; a bundled mapping when empty."),
) -> None:
    """Print a mapping as JSON."""
    clitools.setup()
    import json

    from jingwu.imports import services
    from jingwu.imports.models import ImportMapping

    if bureau:
        m = ImportMapping.objects.filter(bureau__code=bureau, name=name).first()
        data = m.as_dict() if m else None
    else:
        data = services.bundled_mappings().get(name)
    if data is None:
        typer.echo(f"Error: no mapping {name!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command()
def check() -> None:
    """Check the installation: settings, database, migrations, static files and the CJK font."""
    clitools.setup()
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


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(bureau: str = typer.Option("", help="Only this bureau code.")) -> None:
    """Check every bureau's hash chain; exit 1 when an event was altered or removed."""
    clitools.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("audit_verify", bureau=bureau)
    except CommandError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from exc


app.add_typer(audit_app, name="audit")

# The apps' command lines: every ``jingwu/<package>/cli.py`` that has a ``register(app)``
# function. They are found on disk, not through Django's installed apps, because some
# commands (``knox``, ``hotspots``) run without Django or settings. They add their
# commands after the main ones, in the order of their ``ORDER`` (then of their name).
# They import ``jingwu.clitools``, never this module (an import-linter contract).
PACKAGE_DIR = Path(__file__).resolve().parent


def app_command_lines() -> list:
    """The modules of the apps' command lines, in the order their commands are added."""
    import importlib

    names = sorted(p.parent.name for p in PACKAGE_DIR.glob("*/cli.py") if p.parent.name.isidentifier())
    modules = [importlib.import_module(f"jingwu.{name}.cli") for name in names]
    modules = [m for m in modules if callable(getattr(m, "register", None))]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def register_app_commands(main: typer.Typer) -> None:
    """Add the commands of every app's command line to ``main``."""
    for module in app_command_lines():
        module.register(main)


register_app_commands(app)


if __name__ == "__main__":
    app()
