"""The kinds of long work: how each runs, how many may run at once, and its limits.

An app registers its kind once, in its ``AppConfig.ready()``::

    from jingwu.jobs.registry import JobKind, register

    register(JobKind(
        name="import",
        label=_("Import"),
        run=run_import_job,          # (job, ctx) -> None; ctx.progress(...) as it goes
        on_ended=mark_import_ended,  # (job) -> None; the domain row learns how it ended
        cap=2, time_limit=2 * 3600, memory_limit=2048,
    ))

Limits and caps can be changed per installation without code: ``JINGWU_JOB_LIMITS``
(``import=7200:3072,planning=3600:4096``: seconds and MB) and ``JINGWU_JOB_CAPS``
(``import=2,planning=1``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

#: Defaults when a kind says nothing: an hour and 2 GB; one at a time; three attempts.
DEFAULT_TIME_LIMIT = 3600
DEFAULT_MEMORY_LIMIT = 2048
DEFAULT_CAP = 1
DEFAULT_ATTEMPTS = 3


@dataclass(frozen=True)
class JobKind:
    """How a kind of long work runs.

    - ``run(job, ctx)`` does the work. It calls ``ctx.progress(...)`` as it goes (which
      also raises ``JobCancelled`` or ``JobLimitExceeded`` when the job must stop), and
      must be safe to call again on the same job after a crash: resume from what is
      committed, or start over when nothing partial was committed.
    - ``on_ended(job)``, in the transaction that ends the job, lets the domain row
      learn how the run ended (failed, cancelled) when ``run`` could not say so itself.
    - ``cap``: at most this many jobs of the kind run at once (across workers);
      ``time_limit`` (s) and ``memory_limit`` (MB of the worker's resident memory) stop
      a job that runs away; ``max_attempts``: a job whose worker died is retried this
      many times in all.
    - ``phases``: the labels of the phase codes ``run`` reports (for the progress bar);
      ``url(job)``: the page of the job's target (the import, the scenario), if any.
    """

    name: str
    label: Any
    run: Callable
    on_ended: Callable | None = None
    cap: int = DEFAULT_CAP
    time_limit: int = DEFAULT_TIME_LIMIT
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    max_attempts: int = DEFAULT_ATTEMPTS
    phases: dict = field(default_factory=dict)
    url: Callable | None = None

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 40:
            raise ValueError("a job kind needs a name of 1 to 40 characters")
        if self.cap < 1 or self.time_limit < 1 or self.memory_limit < 16 or self.max_attempts < 1:
            raise ValueError(f"job kind {self.name}: cap, limits and attempts must be positive")


KINDS: dict[str, JobKind] = {}


def _env_pairs(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in os.environ.get(name, "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def _configured(kind: JobKind) -> JobKind:
    """The kind with the installation's limits and cap (environment) applied."""
    changes: dict[str, int] = {}
    limits = _env_pairs("JINGWU_JOB_LIMITS").get(kind.name)
    if limits:
        seconds, _sep, mb = limits.partition(":")
        try:
            if seconds:
                changes["time_limit"] = int(seconds)
            if mb:
                changes["memory_limit"] = int(mb)
        except ValueError as exc:
            raise ValueError(f"JINGWU_JOB_LIMITS: {kind.name}={limits} is not seconds:MB") from exc
    cap = _env_pairs("JINGWU_JOB_CAPS").get(kind.name)
    if cap:
        try:
            changes["cap"] = int(cap)
        except ValueError as exc:
            raise ValueError(f"JINGWU_JOB_CAPS: {kind.name}={cap} is not a number") from exc
    return replace(kind, **changes) if changes else kind


def register(kind: JobKind) -> JobKind:
    """Declare a kind of long work (an app's ``ready()``); registering it again replaces it."""
    kind = _configured(kind)
    KINDS[kind.name] = kind
    return kind


def get(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind {name!r} (registered: {', '.join(sorted(KINDS))})") from None
