"""Helpers shared by the ``jingwu`` command and the apps' command lines (``<app>/cli.py``).

The apps' command lines import this module, never ``jingwu.cli``: that one finds them
and adds their commands (``jingwu.cli.register_app_commands``).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer


def setup() -> None:
    """Set Django up (the settings from the environment) and make the data directories."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.conf import settings

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # else WhiteNoise warns on start


def migrate(verbosity: int = 0) -> None:
    """Create or upgrade the database tables."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def bureau(code: str):
    """The bureau of ``code``; the only bureau when ``code`` is empty. Exits with an error
    when there is no such bureau, or several and no code."""
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
