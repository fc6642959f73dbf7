"""``jingwu plan``: run a planning scenario from the command line (``register`` adds it to the ``jingwu`` command).

    jingwu plan run --bureau 330522 --user planner --params plan.json --html plan.html --xlsx plan.xlsx

The scenario is created and run on behalf of ``--user`` (their permissions and scope
apply, and the audit trail names them), synchronously, with the steps printed as they
start. The parameters file is a JSON object of ``ScenarioParams`` fields; it may also
hold ``name``, ``as_of``, ``reform_date``, ``incidents_from``, ``incidents_to`` and
``thin_data_reason``. Without dates the plan starts from the bureau's data date (see
``services.default_dates``), never from the server's today.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import typer

plan_app = typer.Typer(
    help="Planning scenarios: run the whole plan and write its reports.", no_args_is_help=True
)


@plan_app.callback()
def _plan() -> None:
    """Planning scenarios: run the whole plan and write its reports."""


_SCENARIO_KEYS = (
    "name",
    "note",
    "as_of",
    "reform_date",
    "incidents_from",
    "incidents_to",
    "thin_data_reason",
)


def _date(value: str | None, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        typer.echo(f"Error: {what} must be a date like 2017-04-30, got {value!r}.", err=True)
        raise typer.Exit(2) from None


@plan_app.command("run")
def run(
    bureau: str = typer.Option("", help="Bureau code; needed when more than one bureau exists."),
    user: str = typer.Option(
        ..., help="The user on whose behalf the plan is made (recorded in the audit trail)."
    ),
    params: Path = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="A JSON file of parameters (and optionally the dates and name).",
    ),
    as_of: str = typer.Option(
        "",
        help="Plan from the state on this day (default: the file's as_of, else the day the bureau's records reach).",
    ),
    reform_date: str = typer.Option("", help="The new postings start on this day (default: the day after)."),
    incidents_from: str = typer.Option("", help="First day of the incidents used (default: a year before)."),
    incidents_to: str = typer.Option(
        "",
        help="Last day of the incidents used (default: the day of the state, or the bureau's last incident).",
    ),
    thin_data_reason: str = typer.Option(
        "",
        help="Why to plan from a period with no incidents, or fewer than half of the bureau's usual year "
        "(else such a plan is refused).",
    ),
    name: str = typer.Option("", help="Name of the scenario."),
    html: Path = typer.Option(None, dir_okay=False, help="Write the HTML report here."),
    xlsx: Path = typer.Option(None, dir_okay=False, help="Write the Excel workbook here."),
) -> None:
    """Create a scenario, run every step now, and write its reports."""
    from jingwu.clitools import bureau as find_bureau
    from jingwu.clitools import setup

    setup()
    import os

    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import translation

    from jingwu.accounts.models import User
    from jingwu.core.middleware import RequestContext, reset_context, set_context
    from jingwu.planning import reports, services
    from jingwu.planning.choices import ScenarioStatus

    actor = User.objects.filter(username=user).first()
    if actor is None:
        typer.echo(f"Error: no user {user!r}.", err=True)
        raise typer.Exit(1)
    b = find_bureau(bureau)
    data: dict = {}
    if params is not None:
        try:
            data = json.loads(params.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            typer.echo(f"Error: cannot read {params}: {exc}", err=True)
            raise typer.Exit(2) from exc
        if not isinstance(data, dict):
            typer.echo(f"Error: {params} must hold a JSON object.", err=True)
            raise typer.Exit(2)
    top = {k: data.pop(k) for k in _SCENARIO_KEYS if k in data}
    defaults = services.default_dates(b)  # the bureau's data, not the server's today
    day = _date(as_of or top.get("as_of"), "--as-of") or defaults["as_of"]
    inc_from = _date(incidents_from or top.get("incidents_from"), "--incidents-from")
    inc_to = _date(incidents_to or top.get("incidents_to"), "--incidents-to")
    if day == defaults["as_of"] and not (inc_from or inc_to):
        inc_from, inc_to = defaults["incidents_from"], defaults["incidents_to"]
    language = os.environ.get("JINGWU_LANGUAGE", "zh-hans")
    started = time.perf_counter()
    last = [started]

    def progress(step: str, percent: int) -> None:
        now = time.perf_counter()
        typer.echo(f"[{percent:3d}%] {step} (+{now - last[0]:.1f} s)")
        last[0] = now

    with translation.override(language):
        try:
            scenario = services.do_create_scenario(
                actor=actor,
                bureau=b,
                name=name or top.get("name") or f"plan {day.isoformat()}",
                note=top.get("note", ""),
                as_of=day,
                reform_date=_date(reform_date or top.get("reform_date"), "--reform-date"),
                incidents_from=inc_from,
                incidents_to=inc_to,
                params=data,
                thin_data_reason=thin_data_reason or top.get("thin_data_reason", ""),
            )
            typer.echo(
                f"Scenario #{scenario.pk}: {scenario.name} (state of {scenario.as_of}, reform {scenario.reform_date})"
            )
            token = set_context(RequestContext(f"cli-scenario-{scenario.pk}", "", "", "cli"))
            try:
                scenario = services.do_run_scenario(scenario, actor=actor, sync=True, progress=progress)
            finally:
                reset_context(token)
        except (PermissionDenied, ValidationError) as exc:
            msg = (
                "; ".join(exc.messages)
                if isinstance(exc, ValidationError)
                else (str(exc) or "permission denied")
            )
            typer.echo(f"Error: {msg}", err=True)
            raise typer.Exit(1) from exc
        if scenario.status != ScenarioStatus.DONE:
            typer.echo(f"Error: the run failed: {scenario.error}", err=True)
            raise typer.Exit(1)
        r = scenario.results["reassign"]
        typer.echo(
            f"Done in {time.perf_counter() - started:.1f} s: {r['moves']} moves, solver {r['status']}, "
            f"gap {r['gap']}, imbalance {r['imbalance_before']} -> {r['imbalance_after']}"
        )
        if html is not None:
            html.write_text(reports.render_html(scenario), encoding="utf-8")
            typer.echo(f"HTML report: {html}")
        if xlsx is not None:
            xlsx.write_bytes(reports.render_xlsx(scenario))
            typer.echo(f"Workbook: {xlsx}")


# After the main commands and before the other apps' (see ``jingwu.cli.app_command_lines``).
ORDER = 10


def register(app: typer.Typer) -> None:
    """Add ``plan`` to the ``jingwu`` command."""
    app.add_typer(plan_app, name="plan")
