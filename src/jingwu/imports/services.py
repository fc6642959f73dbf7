"""Import jobs: create, check in chunks, apply in one transaction, report, audit.

See docs/import-export.md for the design. In short:

- ``create_job`` records who imports what file with which mapping;
- ``start_job`` starts its run, a job of the job pattern (``jingwu.jobs``, kind
  ``import``: at most two at once, limits, cancel, resume after a dead worker), which
  the background worker picks up; ``process_job`` runs it in this process through the
  same runner (command line, tests), and ``run_import`` does both for a file;
- the run (``run_import_job``): phase 1 checks the file chunk by chunk into
  ``ImportRow`` staging rows, committing each chunk with the job's counts; phase 2
  writes the valid rows, the job's final state and the ``import`` audit event in ONE
  transaction. A run killed in phase 1 resumes after its last committed chunk; one
  killed in phase 2 has written nothing and applies again; a cancelled or failed run
  ends the import as such (``import_run_ended``) with nothing of the bureau's changed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import reset_queries, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from jingwu.core import audit
from jingwu.core.middleware import RequestContext, current_context, reset_context, set_context
from jingwu.core.scope import can, current_memberships, restrict
from jingwu.imports.reading import (
    FORMULA_START,
    PLAIN_NUMBER,
    Problem,
    Report,
    Source,
    TableError,
    open_source,
    size_error,
)

from .db import copy_insert
from .kinds import HANDLERS, Checked, Context, Row, StagedRow, _batch
from .mapping import KEY_FIELDS, Binding, MappingError, MappingSpec, compile_expr, norm
from .models import ACTIVE_STATUSES, PROBLEM_CAP, ImportJob, ImportMapping, ImportRow, JobStatus, RowStatus

log = logging.getLogger(__name__)

CHUNK = 2000
CHUNK_CHARS = 8_000_000  # a chunk of long rows is cut earlier: memory stays flat whatever the file

ProgressFn = Callable[[ImportJob, str, int], None]  # (job, phase "check"/"apply"/"done", rows done)


class JobBusy(Exception):
    """Another live process is running this job."""


def model_for(kind: str):
    return HANDLERS[kind].model()


# ---------------------------------------------------------------------------
# Who may import and see jobs
# ---------------------------------------------------------------------------


def can_import(user, kind: str | None = None) -> bool:
    kinds = [kind] if kind else list(HANDLERS)
    return any(can(user, model_for(k), "add") for k in kinds)


def importable_kinds(user) -> list[str]:
    return [k for k in HANDLERS if can(user, model_for(k), "add")]


def jobs_for(user):
    """Jobs the user may see (the scoping layer: their own, and all of the bureaus they audit)."""
    return restrict(ImportJob.objects.select_related("user", "mapping", "bureau", "run"), user)


def import_bureaus(user, kind: str | None = None) -> list:
    """Bureaus where the user may import (``kind``, or anything)."""
    from jingwu.core.models import Bureau

    if user.is_superuser:
        return list(Bureau.objects.all())
    from jingwu.core.permissions import allowed

    labels = [model_for(k)._meta.label_lower for k in ([kind] if kind else HANDLERS)]
    ids = {
        m.bureau_id
        for m in current_memberships(user)
        if any(allowed(m.role, label, "add")[0] for label in labels)
    }
    return list(Bureau.objects.filter(pk__in=ids))


def mappings_for(user):
    """The saved mappings of the bureaus where the user may import (the scoping layer)."""
    return restrict(ImportMapping.objects.all(), user).order_by("kind", "name")


# ---------------------------------------------------------------------------
# Mappings
# ---------------------------------------------------------------------------

BUNDLED = Path(__file__).resolve().parent / "mappings"


def bundled_mappings() -> dict[str, dict]:
    """The mappings shipped in ``mappings/*.json`` by name."""
    import json

    out: dict[str, dict] = {}
    for path in sorted(BUNDLED.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        for m in data.get("mappings", []):
            out[m["name"]] = {**m, "_file": path.name}
    return out


def load_mapping_file(source: str) -> list[dict]:
    """Mappings from a JSON file path, or a bundled file by its stem (``chicago``)."""
    import json

    path = Path(source)
    if not path.exists():
        path = BUNDLED / f"{source}.json"
    if not path.exists():
        raise MappingError(
            _("No mapping file %(name)s (bundled: %(bundled)s).")
            % {"name": source, "bundled": ", ".join(sorted(p.stem for p in BUNDLED.glob("*.json")))}
        )
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except (UnicodeError, ValueError) as exc:
        raise MappingError(
            _("The mapping file %(name)s is not valid JSON: %(error)s") % {"name": source, "error": exc}
        ) from exc
    items = data.get("mappings", [data]) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise MappingError(_("The mapping file %(name)s holds no mappings.") % {"name": source})
    return [dict(m) if isinstance(m, dict) else m for m in items]


def _keys_of(kind: str, data: dict) -> dict[str, object]:
    """What decides that a row is already imported, as a mapping says it: its key fields' expressions."""
    columns = data.get("columns") or {}
    out: dict[str, object] = {f: columns.get(f) for f in KEY_FIELDS.get(kind, ())}
    if kind == "incidents" and data.get("source_system"):
        out["source_system"] = {"const": data["source_system"]}
    return out


def _key_warnings(existing: ImportMapping | None, spec: MappingSpec) -> list[str]:
    """A warning when a mapping that has imported rows changes how it recognises them (before saving)."""
    if existing is None or existing.kind != spec.kind:
        return []
    before, after = _keys_of(existing.kind, existing.as_dict()), _keys_of(spec.kind, spec.as_dict())
    changed = [f for f in after if before.get(f) != after.get(f)]
    if not changed:
        return []
    used = ImportJob.objects.filter(mapping=existing, dry_run=False, created__gt=0).count()
    if not used:
        return []

    def show(v) -> str:
        return "–" if v in (None, "") else json.dumps(v, ensure_ascii=False)

    return [
        ngettext(
            "The key of mapping %(name)s changed (%(changes)s): the rows its %(n)s earlier import wrote "
            "will not be recognised as already present, so importing the same files again would add them "
            "a second time.",
            "The key of mapping %(name)s changed (%(changes)s): the rows its %(n)s earlier imports wrote "
            "will not be recognised as already present, so importing the same files again would add them "
            "a second time.",
            used,
        )
        % {
            "name": existing.name,
            "changes": "; ".join(f"{f}: {show(before.get(f))} → {show(after.get(f))}" for f in changed),
            "n": used,
        }
    ]


def save_mapping(*, actor, bureau, data: dict) -> ImportMapping:
    """Create or update a bureau's mapping from a dict (checked first).

    The mapping returned has ``warnings``: a list of messages for the user, such as a
    change of the columns that decide "already imported" in a mapping that has imported
    rows.
    """
    spec = MappingSpec.from_dict(data)
    if actor is not None and not getattr(actor, "is_superuser", False):
        from jingwu.core.services import authorize

        authorize(actor, model_for(spec.kind), "add", bureau=bureau)
    with transaction.atomic():
        existing = ImportMapping.objects.filter(bureau=bureau, name=spec.name).first()
        before = existing.as_dict() if existing else None
        warnings = _key_warnings(existing, spec)
        m = existing or ImportMapping(
            bureau=bureau, name=spec.name, created_by=actor if actor and actor.pk else None
        )
        for key, value in spec.as_dict().items():
            if key != "name":
                setattr(m, key, value)
        m.timezone = spec.timezone or bureau.time_zone
        m.full_clean(exclude=["bureau", "created_by"])
        m.save()
        audit.record(
            "update" if existing else "create",
            actor=actor,
            bureau=bureau,
            obj=m,
            before=before,
            after=m.as_dict(),
        )
    m.warnings = warnings
    return m


def find_mapping(bureau, name: str, kind: str | None = None, actor=None) -> ImportMapping:
    """A bureau's mapping by name; a bundled mapping of that name is saved to the bureau first."""
    m = ImportMapping.objects.filter(bureau=bureau, name=name).first()
    if m is None:
        bundled = bundled_mappings().get(name)
        if bundled is None:
            raise MappingError(
                _("No mapping %(name)s in bureau %(bureau)s, and none bundled.")
                % {"name": name, "bureau": bureau.code}
            )
        m = save_mapping(actor=actor, bureau=bureau, data={k: v for k, v in bundled.items() if k != "_file"})
    if kind and m.kind != kind:
        raise MappingError(
            _("The mapping %(name)s is for %(kind)s, not %(wanted)s.")
            % {"name": name, "kind": m.kind, "wanted": kind}
        )
    return m


# ---------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _snapshot(kind: str, mapping) -> tuple[ImportMapping | None, dict | None]:
    if mapping is None:
        return None, None
    if isinstance(mapping, ImportMapping):
        spec = MappingSpec.from_dict(mapping.as_dict())
        obj = mapping
    elif isinstance(mapping, MappingSpec):
        spec, obj = mapping, None
    else:
        spec, obj = MappingSpec.from_dict(mapping), None
    if spec.kind != kind:
        raise MappingError(
            _("The mapping %(name)s is for %(kind)s, not %(wanted)s.")
            % {"name": spec.name, "kind": spec.kind, "wanted": kind}
        )
    return obj, spec.as_dict()


def create_job(
    *,
    kind: str,
    bureau,
    user,
    path: Path | None = None,
    upload=None,
    mapping=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    via: str = "cli",
    language: str | None = None,
) -> ImportJob:
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("Unknown kind of import.")})
    if user is not None and not getattr(user, "is_superuser", False):
        from jingwu.core.services import authorize

        authorize(user, model_for(kind), "add", bureau=bureau)
    obj, snapshot = _snapshot(kind, mapping)
    job = ImportJob(
        bureau=bureau,
        user=user if user is not None and user.pk else None,
        kind=kind,
        mapping=obj,
        mapping_snapshot=snapshot,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        via=via,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        ip=(current_context().ip if current_context() else "")[:45],
    )
    too_large = size_error(upload.size if upload is not None else Path(path).stat().st_size if path else 0)
    if too_large:
        raise ValidationError({"file": too_large})
    if upload is not None:
        job.file_name = Path(upload.name).name[:255]
        h = hashlib.sha256()
        for block in upload.chunks():
            h.update(block)
        job.sha256 = h.hexdigest()
        upload.seek(0)
        job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.file_name}", upload, save=False)
    elif path is not None:
        path = Path(path).resolve()
        job.source_path = str(path)
        job.file_name = path.name[:255]
        job.sha256 = file_sha256(path)
    else:
        raise ValueError("a job needs a path or an upload")
    job.save()
    return job


def find_resumable(*, kind, bureau, user, sha256, mapping, dry_run, skip_invalid) -> ImportJob | None:
    """An unfinished job for the same file, mapping and options (killed or interrupted)."""
    _obj, snapshot = _snapshot(kind, mapping)
    for job in ImportJob.objects.filter(
        bureau=bureau,
        kind=kind,
        sha256=sha256,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        status__in=ACTIVE_STATUSES,
        user=user if user is not None and user.pk else None,
    ).order_by("-id"):
        if job.mapping_snapshot == snapshot:
            return job
    return None


def job_path(job: ImportJob) -> Path:
    if job.file:
        return Path(job.file.path)
    return Path(job.source_path)


def _run_of(job: ImportJob):
    return job.run if job.run_id else None


def start_job(job: ImportJob, *, hand_out: bool = True):
    """Start a run of the import (the job kind ``import``) for its user; return the run.

    The worker gets it when the transaction commits (``hand_out=False`` leaves it queued
    for ``run_now``). A run already live is returned as it is.
    """
    from jingwu.jobs.services import do_start_job

    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("run", "bureau", "user")
            .get(pk=job.pk)
        )
        run = _run_of(job)
        if run is not None and run.is_live:
            return run
        run = do_start_job(
            "import",
            actor=job.user,
            bureau=job.bureau,
            target=job,
            language=job.language,
            hand_out=hand_out,
        )
        ImportJob.objects.filter(pk=job.pk).update(run=run)
    return run


def cancel_job(job: ImportJob, *, actor) -> None:
    """Stop an import under way, for who may see it and import its kind (its user).

    It stops at its next chunk; nothing of the bureau's data is changed (a running apply
    is rolled back), and the import ends as cancelled.
    """
    from jingwu.jobs.services import do_cancel_job

    if not jobs_for(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("You cannot see this import."))
    if not can_import(actor, job.kind):
        raise PermissionDenied(_("You may not import rows of this kind."))
    job = ImportJob.objects.select_related("run").get(pk=job.pk)
    run = _run_of(job)
    if run is None or not run.is_live:
        raise ValidationError(_("This import is not running."))
    do_cancel_job(run, actor=actor, reason="import cancelled")


def process_job(
    job: ImportJob, *, progress: ProgressFn | None = None, reject_path: Path | None = None
) -> ImportJob:
    """Run or resume an import in this process (command line, tests) to its end: its run
    goes through the job runner like the worker's (limits, cancel, audit).

    An import whose run ended without ending the import (its worker was stopped hard)
    gets a new run that resumes it. ``progress(job, phase, rows)`` is called as chunks
    are checked (``check``) and saved (``apply``). Raises ``JobBusy`` when the import
    is running in another live process.
    """
    from jingwu.jobs.models import JobState
    from jingwu.jobs.services import run_now

    job.refresh_from_db()
    if job.status not in ACTIVE_STATUSES:
        return job
    run = start_job(job, hand_out=False)

    def listen(ctx) -> None:
        if ctx.target is not None:
            state = ctx.snapshot()
            progress(ctx.target, state["phase"], state["done"])

    run = run_now(run, progress=listen if progress else None)
    job.refresh_from_db()
    if run.state == JobState.RUNNING and job.status in ACTIVE_STATUSES:
        raise JobBusy(run.worker)
    if run.state == JobState.QUEUED and job.status in ACTIVE_STATUSES:
        raise JobBusy(_("the imports that may run at once are running; this one waits in the queue"))
    if job.status in (JobStatus.DONE, JobStatus.REJECTED) and job.rows_invalid and reject_path is not None:
        path = write_reject_file(job) if not job.reject_file else Path(settings.MEDIA_ROOT) / job.reject_file
        if path is not None and path.exists():
            shutil.copyfile(path, reject_path)
    return job


def run_import_job(run, ctx) -> None:
    """The ``import`` job kind's work: check (resuming after the last committed chunk), then apply."""
    job = ImportJob.objects.select_related("bureau", "user").filter(pk=run.target_id).first()
    if job is None or job.status not in ACTIVE_STATUSES:
        return
    if job.run_id != run.pk:
        ImportJob.objects.filter(pk=job.pk).update(run=run)
        job.run_id = run.pk
    ctx.target = job
    outer = current_context()
    token = set_context(
        RequestContext(
            request_id=outer.request_id if outer else f"import-{job.pk}",
            ip=job.ip or (outer.ip if outer else ""),
            user_agent=outer.user_agent if outer else "",
            via=job.via,
        )
    )
    try:
        # the bureau's clock: a mapping without a time zone reads its times, and the
        # incident numbers count its days
        with translation.override(job.language), timezone.override(job.bureau.tz):
            _run(job, ctx)
    finally:
        reset_context(token)


def import_run_ended(run) -> None:
    """The ``import`` job kind's ending (in the job's ending transaction).

    A run that failed or was cancelled before the import ended ends it so (nothing of the
    bureau's data was changed); the staged valid rows are dropped (the bad ones stay for
    the reject file), and the reject file is written.
    """
    from jingwu.jobs.models import JobState

    job = ImportJob.objects.select_related("bureau", "user").filter(pk=run.target_id).first()
    if job is None:
        return
    if job.status in ACTIVE_STATUSES:
        if run.state == JobState.CANCELLED:
            _finish(job, JobStatus.CANCELLED, atomic=False)
        else:
            error = run.error or _("The import stopped before its end.")
            _finish(job, JobStatus.FAILED, error=error, atomic=False)
    try:
        with transaction.atomic():
            _tidy(job)
    except Exception:  # tidying is a courtesy: never keep a job from ending for it
        log.exception("import job %s: could not drop its staged rows", job.pk)
    if job.status in (JobStatus.DONE, JobStatus.REJECTED) and job.rows_invalid:
        try:
            write_reject_file(job)
        except OSError:
            log.exception("import job %s: could not write its reject file", job.pk)


def _tidy(job: ImportJob) -> None:
    """The staged valid rows have served; the bad ones stay for the reject file."""
    ImportRow.objects.filter(job=job, status=RowStatus.OK).delete()
    handler = HANDLERS[job.kind]
    if getattr(handler, "typed", False):
        handler.drop(job)


def _spec(job: ImportJob) -> MappingSpec:
    if job.mapping_snapshot:
        return MappingSpec.from_dict(job.mapping_snapshot, kind=job.kind)
    return MappingSpec.default_for(job.kind)


def _run(job: ImportJob, ctx) -> None:
    """Run or resume ``job`` in its run (``ctx``: the job runner's context)."""
    run_ctx = ctx
    handler = HANDLERS[job.kind]
    try:
        spec = _spec(job)
        source = without_reject_columns(open_source(job_path(job)), spec)
        binding = Binding(spec, source.header)
        if job.status == JobStatus.QUEUED:
            job.status = JobStatus.CHECKING
            job.started = timezone.now()
            job.rows_total = source.total
            job.source_info = _nonul(source.info())
            job.save(update_fields=["status", "started", "rows_total", "source_info", "updated_at"])
        if not source.total:  # one clear line, not a "no column" line per field the mapping reads
            if any(str(h).strip() for h in source.header):
                empty = _("The file has a header row but no rows under it: there is nothing to import.")
            else:
                empty = _("The file is empty.")
            _finish(job, JobStatus.REJECTED, problems=[[0, "", "", empty]])
            return
        missing = binding.missing_columns()
        if missing:
            _finish(
                job,
                JobStatus.REJECTED,
                problems=[
                    [
                        1,
                        binding.original.get(c, c),
                        "",
                        _("The file has no column %(column)s, which the mapping reads.") % {"column": c},
                    ]
                    for c in missing
                ],
            )
            return
        ctx = Context(job, binding)
        handler.precheck(ctx)
        if job.status == JobStatus.CHECKING:
            _check_phase(job, ctx, source, handler, run_ctx)
        if job.status == JobStatus.APPLYING:
            _apply_phase(job, ctx, handler, run_ctx)
    except (TableError, MappingError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(job, JobStatus.REJECTED, problems=[[0, "", "", message]])
    # anything else (a bug, the database, a cancel, a limit) ends the run: the runner keeps
    # the error on the run, and ``import_run_ended`` ends the import with it


def _rows(job: ImportJob, source: Source, binding: Binding, needs_hash: bool) -> Iterator[Row]:
    """The file's rows after the job's last checked row (hashes count the earlier rows too)."""
    seen: dict[bytes, int] = {}
    start = 0 if needs_hash else job.last_row
    for row_no, values in source.rows(start_after=start):
        extra = {"_row": str(row_no)}
        if needs_hash:
            h = hashlib.blake2b(digest_size=12)
            h.update("\x1f".join(str(v) for v in values).encode("utf-8", "surrogatepass"))
            digest = h.digest()
            n = seen.get(digest, 0) + 1
            seen[digest] = n
            extra["_hash"] = digest.hex() + (f"-{n}" if n > 1 else "")
            if row_no <= job.last_row:
                continue
        yield Row(row_no, None, values, binding=binding, extra=extra)


def _size(values: list) -> int:
    """About how many characters a row holds (a chunk is cut by rows and by size)."""
    try:
        return len(values) + sum(map(len, values))
    except TypeError:  # a GeoJSON geometry (dict or None)
        return len(values) + sum(len(v) for v in values if isinstance(v, str))


def _checked(job: ImportJob, run_ctx) -> None:
    """Say how many rows are checked (and stop here, after a committed chunk, when asked)."""
    run_ctx.progress(job.rows_done, job.rows_total, phase="check")


def _check_phase(job: ImportJob, ctx: Context, source: Source, handler, run_ctx) -> None:
    needs_hash = ctx.spec.uses_hash()
    chunk: list[Row] = []
    size = 0
    _checked(job, run_ctx)
    for row in _rows(job, source, ctx.binding, needs_hash):
        chunk.append(row)
        size += _size(row.raw)
        if len(chunk) >= CHUNK or size >= CHUNK_CHARS:
            _stage(job, ctx, handler, chunk)
            chunk = []
            size = 0
            _checked(job, run_ctx)
    if chunk:
        _stage(job, ctx, handler, chunk)
        _checked(job, run_ctx)
    if job.rows_invalid and not job.skip_invalid:
        _finish(job, JobStatus.REJECTED)
    elif job.dry_run and handler.bulk:
        job.created = handler.count_new(ctx) if getattr(handler, "typed", False) else job.rows_valid
        job.unchanged += job.rows_valid - job.created
        _finish(job, JobStatus.DONE)
    else:
        job.status = JobStatus.APPLYING
        job.save(update_fields=["status", "updated_at"])


def _stage(job: ImportJob, ctx: Context, handler, chunk: list[Row]) -> None:
    reset_queries()  # with DEBUG on, the query log would otherwise grow with the file
    checked = handler.check(ctx, chunk)
    typed: list[tuple] | None = None
    if isinstance(checked, Checked):  # valid rows come typed, for the handler's own staging
        staged, typed = checked.staged, checked.typed
    else:
        staged = checked
    ok = [s for s in staged if s.status == "ok"]
    doomed = job.rows_invalid > 0 and not job.skip_invalid
    # the same key earlier in this job or in this chunk: a duplicate row
    keys = [s.key for s in ok if s.key]
    seen = set()
    step = _batch()
    for i in range(0, len(keys), step):
        seen.update(
            ImportRow.objects.filter(job=job, key__in=keys[i : i + step])
            .exclude(key="")
            .values_list("key", flat=True)
        )
    for s in ok:
        if s.key and s.key in seen:
            s.status = "duplicate"
        elif s.key:
            seen.add(s.key)
    rows: list[tuple] = []  # (row_no, key, status, data, problems)
    problems = []
    counts = {"ok": len(typed or ()), "invalid": 0, "same": 0}
    for s in staged:
        if s.status == "ok":
            counts["ok"] += 1
            if not doomed:
                rows.append((s.row_no, s.key[:200], RowStatus.OK, s.data, None))
        elif s.status == "invalid":
            counts["invalid"] += 1
            plist = [_bounded(c, v, m) for c, v, m in _nonul(s.problems)]
            raw = _nonul([_jsonable(v) for v in (s.raw or [])])
            rows.append((s.row_no, "", RowStatus.INVALID, {"raw": raw}, plist))
            for column, value, reason in plist:
                problems.append([s.row_no, column, value, reason])
        elif s.status in ("present", "duplicate", "merged"):
            counts["same"] += 1
    updates = ctx.cache.pop("updates", {})
    near = [] if doomed else ctx.cache.pop("near_duplicates", [])
    with transaction.atomic():
        copied = copy_insert(
            ImportRow,
            ["job_id", "row_no", "key", "status", "data", "problems"],
            (
                (job.pk, n, _nonul(k), st, _dump(d), None if p is None else _dump(p))
                for n, k, st, d, p in rows
            ),
        )
        if not copied:
            ImportRow.objects.bulk_create(
                [
                    ImportRow(job=job, row_no=n, key=k, status=st, data=d, problems=p)
                    for n, k, st, d, p in rows
                ],
                batch_size=500,
            )
        for pk, data in updates.items():
            ImportRow.objects.filter(pk=pk).update(data=data)
        if typed is not None:
            handler.stage(ctx, [] if doomed else typed)
        job.rows_done += len(chunk)
        job.last_row = chunk[-1].row_no
        job.rows_valid += counts["ok"]
        job.rows_invalid += counts["invalid"]
        job.unchanged += counts["same"]
        _add_problems(job, problems)
        if near:
            job.near_duplicates_total += len(near)
            room = PROBLEM_CAP - len(job.near_duplicates)
            if room > 0:
                job.near_duplicates = job.near_duplicates + near[:room]
        job.save(
            update_fields=[
                "near_duplicates",
                "near_duplicates_total",
                "rows_done",
                "last_row",
                "rows_valid",
                "rows_invalid",
                "unchanged",
                "problems",
                "problems_total",
                "updated_at",
            ]
        )


def _nonul(obj):
    """PostgreSQL's jsonb cannot hold U+0000: show it as U+FFFD (the replacement character)."""
    if isinstance(obj, str):
        return obj.replace("\x00", "\ufffd") if "\x00" in obj else obj
    if isinstance(obj, list | tuple):
        return [_nonul(v) for v in obj]
    if isinstance(obj, dict):
        return {_nonul(k): _nonul(v) for k, v in obj.items()}
    return obj


def _dump(obj) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    return json.dumps(_nonul(obj), ensure_ascii=False) if "\\u0000" in text else text


def _jsonable(v):
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False)
    return str(v)


# Stored report sizes: a problem's column, value and reason are cut to these lengths, and a
# job keeps PROBLEM_CAP problems (the count of all of them too), so that a job row stays
# small whatever the file.
MAX_COLUMN_TEXT = 200
MAX_VALUE_TEXT = 200
MAX_REASON_TEXT = 500
MAX_ERROR_TEXT = 4000


def _cut(text, limit: int):
    if isinstance(text, str) and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _bounded(column, value, reason) -> list:
    return [_cut(column, MAX_COLUMN_TEXT), _cut(value, MAX_VALUE_TEXT), _cut(reason, MAX_REASON_TEXT)]


def _add_problems(job: ImportJob, problems: list) -> None:
    job.problems_total += len(problems)
    room = PROBLEM_CAP - len(job.problems)
    if room > 0:
        job.problems = job.problems + [[r, *_bounded(c, v, m)] for r, c, v, m in _nonul(problems[:room])]


class _Rollback(Exception):
    def __init__(self, result):
        self.result = result


def _ok_chunks(job: ImportJob) -> Iterator[list[StagedRow]]:
    """The job's valid staged rows in row order, a chunk at a time (keyset paging)."""
    last = 0
    while True:
        chunk = [
            StagedRow(row_no, data)
            for row_no, data in ImportRow.objects.filter(job=job, status=RowStatus.OK, row_no__gt=last)
            .order_by("row_no")
            .values_list("row_no", "data")[:CHUNK]
        ]
        if not chunk:
            return
        yield chunk
        last = chunk[-1].row_no


def _apply_phase(job: ImportJob, ctx: Context, handler, run_ctx) -> None:
    done = 0

    def applied(n: int) -> None:
        # the apply is one transaction, invisible to others until it commits: the run's
        # progress says how far it is (the job runner writes it on its own connection)
        nonlocal done
        done += n
        reset_queries()
        run_ctx.progress(done, job.rows_valid, phase="apply")

    ctx.apply_progress = applied
    run_ctx.progress(0, job.rows_valid, phase="apply")
    try:
        with transaction.atomic():
            created, unchanged, problems = handler.apply(ctx, _ok_chunks(job))
            if problems and not job.skip_invalid:
                raise _Rollback((created, unchanged, problems))
            if job.dry_run:
                raise _Rollback((created, unchanged, problems))
            handler.finish(ctx)
            _mark_invalid(job, problems)
            job.created = created
            job.unchanged += unchanged
            _finish(
                job,
                JobStatus.DONE,
                atomic=False,
                created_ids=ctx.cache.get("created_ids"),
                truncated=ctx.cache.get("created_ids_truncated", False),
            )
    except _Rollback as rb:
        created, unchanged, problems = rb.result
        _mark_invalid(job, problems)
        job.created = created
        job.unchanged += unchanged
        rejected = bool(problems) and not job.skip_invalid
        _finish(job, JobStatus.REJECTED if rejected else JobStatus.DONE)


def _mark_invalid(job: ImportJob, problems: dict[int, list]) -> None:
    if not problems:
        return
    flat = []
    for row_no, plist in sorted(problems.items()):
        plist = [_bounded(c, v, m) for c, v, m in _nonul(plist)]
        ImportRow.objects.filter(job=job, row_no=row_no).update(status=RowStatus.INVALID, problems=plist)
        flat.extend([row_no, c, v, m] for c, v, m in plist)
    job.rows_invalid += len(problems)
    job.rows_valid -= len(problems)
    _add_problems(job, flat)


def _finish(
    job: ImportJob,
    status: str,
    *,
    problems: list | None = None,
    error: str = "",
    atomic=True,
    created_ids: list | None = None,
    truncated: bool = False,
) -> None:
    def write():
        if problems:
            _add_problems(job, problems)
        job.status = status
        job.error = _cut(error, MAX_ERROR_TEXT)
        job.finished = timezone.now()
        job.save()
        audit.record(
            "import",
            actor=job.user,
            bureau=job.bureau,
            obj=job,
            object_repr=f"{job.kind}: {job.file_name}",
            after={
                "job": job.pk,
                "kind": job.kind,
                "file": job.file_name,
                "sha256": job.sha256,
                "mapping": (job.mapping_snapshot or {}).get("name", ""),
                "status": job.status,
                "dry_run": job.dry_run,
                "skip_invalid": job.skip_invalid,
                "rows": job.rows_done,
                "created": job.created,
                "unchanged": job.unchanged,
                "rejected": job.rows_invalid,
                "problems": job.problems_total,
                "near_duplicates": job.near_duplicates_total,
                "error": error[:500],
                # the rows written in bulk, as runs of ids [first, last] (bulk kinds)
                **({"created_ids": created_ids} if created_ids is not None else {}),
                **({"created_ids_truncated": True} if truncated else {}),
            },
        )

    if atomic:
        with transaction.atomic():
            write()
    else:
        write()


# ---------------------------------------------------------------------------
# Reports and reject files
# ---------------------------------------------------------------------------


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe.

    Only a value that could be a formula: one that starts with ``=``, ``+``, ``-``, ``@``,
    a tab or a carriage return and is not a plain number (``-1.36``, a longitude west
    of Greenwich, is data, and must import again as a number). The importer reads the
    apostrophe back off (``jingwu.imports.reading.unguard``).
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


REJECT_ROW = gettext_noop("Row")
REJECT_PROBLEMS = gettext_noop("Problems")


def _in_every_language(msgid: str) -> set[str]:
    names = {norm(msgid)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(norm(_(msgid)))
    return names


def without_reject_columns(source: Source, spec: MappingSpec) -> Source:
    """A reject file of ours imported again: its "Row" (first) and "Problems" (last) columns left out.

    So that the rows read as they did in the original file (the same ``_hash``, hence
    the same external id), whether or not the user deleted those columns. A column the
    mapping reads is kept, whatever its name.
    """
    header = [norm(h) for h in source.header]
    if len(header) < 2:
        return source
    read = {c for e in spec.columns.values() for c in compile_expr(e).columns} if not spec.default else set()
    drop = set()
    if header[0] in _in_every_language(REJECT_ROW) and header[0] not in read:
        drop.add(0)
    if header[-1] in _in_every_language(REJECT_PROBLEMS) and header[-1] not in read:
        drop.add(len(header) - 1)
    return source.without(drop) if drop else source


def reject_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "rejects"


def write_reject_file(job: ImportJob) -> Path | None:
    """The job's bad rows as CSV (UTF-8 with BOM), their values and the reasons."""
    if not ImportRow.objects.filter(job=job, status=RowStatus.INVALID).exists():
        return None
    folder = reject_dir() / str(job.bureau_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"job-{job.pk}-rejects.csv"
    header = list((job.source_info or {}).get("header") or [])
    with translation.override(job.language), open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([_(REJECT_ROW), *[neutralise(h) for h in header], _(REJECT_PROBLEMS)])
        qs = ImportRow.objects.filter(job=job, status=RowStatus.INVALID).order_by("row_no")
        for r in qs.iterator(chunk_size=CHUNK):
            raw = list(r.data.get("raw") or [])
            raw += [""] * (len(header) - len(raw))
            reasons = "; ".join(f"{c}: {m}" if c else m for c, _v, m in (r.problems or []))
            w.writerow(
                [
                    r.row_no,
                    *[neutralise("" if v is None else v) for v in raw[: max(len(header), len(raw))]],
                    neutralise(reasons),
                ]
            )
    rel = path.relative_to(Path(settings.MEDIA_ROOT))
    ImportJob.objects.filter(pk=job.pk).update(reject_file=str(rel))
    job.reject_file = str(rel)
    return path


def reject_path(job: ImportJob) -> Path | None:
    if job.reject_file:
        path = Path(settings.MEDIA_ROOT) / job.reject_file
        if path.exists():
            return path
    return write_reject_file(job)


def job_report(job: ImportJob) -> Report:
    problems = [Problem(int(r), str(c), "" if v is None else str(v), str(m)) for r, c, v, m in job.problems]
    report = Report(
        kind=job.kind,
        rows=job.rows_done,
        created=job.created,
        unchanged=job.unchanged,
        dry_run=job.dry_run,
        problems=problems,
        bad_rows=job.rows_invalid,
        skip_invalid=job.skip_invalid,
        # a cancelled import is reported as one refused: nothing was imported
        status=JobStatus.REJECTED if job.status == JobStatus.CANCELLED else job.status,
        job_id=job.pk,
        reject_file=job.reject_file,
        near_duplicates=[(int(r), m) for r, m in job.near_duplicates],
        near_duplicates_total=job.near_duplicates_total,
    )
    if job.status == JobStatus.FAILED and not problems:
        report.problems.append(Problem(0, "", "", job.error or _("The import failed.")))
    elif job.status == JobStatus.CANCELLED:
        report.problems.append(Problem(0, "", "", _("The import was cancelled.")))
    return report


def run_import(
    kind: str,
    path: Path,
    *,
    bureau,
    actor,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    mapping=None,
    skip_invalid: bool = False,
    reject_file: Path | None = None,
    via: str = "cli",
) -> Report:
    """Import a file now, in this process, as a job; return the report."""
    try:
        job = create_job(
            kind=kind,
            bureau=bureau,
            user=actor,
            path=path,
            mapping=mapping,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            via=via,
        )
    except PermissionDenied as exc:
        return Report(kind=kind, problems=[Problem(0, "", "", str(exc))], status="rejected")

    def echo(j: ImportJob, phase: str, n: int) -> None:
        if progress and phase == "check":
            progress(_("%(n)d rows checked…") % {"n": n})

    process_job(job, progress=echo if progress else None, reject_path=reject_file)
    return job_report(job)
