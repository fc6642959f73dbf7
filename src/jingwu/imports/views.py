from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingwu.core.scope import can, restrict

from . import exports
from .forms import ImportForm, MappingForm
from .mapping import FIELDS
from .models import ImportJob, ImportMapping
from .services import (
    can_import,
    create_job,
    job_report,
    jobs_for,
    mappings_for,
    reject_path,
    save_mapping,
    start_job,
)


def _may(user, model, action: str) -> None:
    """404 for a page the user has no view of at all, 403 when they see it but may not ``action``."""
    if not can(user, model, "view"):
        raise Http404
    if action != "view" and not can(user, model, action):
        raise PermissionDenied


@login_required
def job_list(request):
    _may(request.user, ImportJob, "view")
    jobs = jobs_for(request.user).order_by("-created_at", "-id")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/job_list.html",
        {"page": page, "query": "", "can_import": can_import(request.user)},
    )


@login_required
def job_new(request):
    _may(request.user, ImportJob, "add")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                job = create_job(
                    kind=d["kind"],
                    bureau=d["bureau"],
                    user=request.user,
                    upload=d["file"],
                    mapping=d["mapping"],
                    dry_run=d["dry_run"],
                    skip_invalid=d["skip_invalid"],
                    via="job",
                    language=request.LANGUAGE_CODE,
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            else:
                start_job(job)
                messages.success(request, _("The import has started; this page follows it."))
                return redirect("imports:job_detail", pk=job.pk)
    else:
        form = ImportForm(user=request.user)
    return render(request, "imports/job_new.html", {"form": form, "fields": FIELDS})


def _job(request, pk: int):
    return get_object_or_404(jobs_for(request.user), pk=pk)


def _with_progress(job, user):
    """The import with its run as the progress fragment shows it (live progress, cancel)."""
    from jingwu.jobs.views import decorate

    job.live = decorate(job.run, user) if job.run_id else None
    saving = job.live is not None and job.live.is_live and job.live.phase == "apply"
    job.applied = job.live.done if saving else None
    if saving and job.dry_run:  # a dry run tries its writes and undoes them: it saves nothing
        job.live.phase_label = _("Dry run: trying the rows")
    return job


@login_required
def job_detail(request, pk: int):
    job = _with_progress(_job(request, pk), request.user)
    return render(request, "imports/job_detail.html", {"job": job, "report": job_report(job)})


@login_required
@require_GET
def job_progress(request, pk: int):
    job = _with_progress(_job(request, pk), request.user)
    return render(request, "imports/_progress.html", {"job": job, "report": job_report(job)})


@login_required
def job_rejects(request, pk: int):
    job = _job(request, pk)
    path = reject_path(job)
    if path is None:
        raise Http404
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-rejects.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
def mapping_list(request):
    _may(request.user, ImportMapping, "view")
    return render(request, "imports/mapping_list.html", {"mappings": mappings_for(request.user)})


@login_required
def mapping_edit(request, pk: int | None = None):
    if pk:
        mapping = get_object_or_404(mappings_for(request.user), pk=pk)
        if not restrict(ImportMapping.objects.filter(pk=pk), request.user, "change").exists():
            raise PermissionDenied
    else:
        _may(request.user, ImportMapping, "add")
        mapping = None
    if request.method == "POST":
        form = MappingForm(request.POST, user=request.user)
        if form.is_valid():
            spec = form.cleaned_data["spec"]
            bureau = form.cleaned_data["bureau"]
            clash = ImportMapping.objects.filter(bureau=bureau, name=spec.name)
            if mapping is not None:
                clash = clash.exclude(pk=mapping.pk)
            if clash.exists():
                form.add_error("name", _("Another mapping of this bureau has this name."))
            else:
                try:
                    if mapping is not None and mapping.name != spec.name:
                        mapping.name = spec.name
                        mapping.save(update_fields=["name", "updated_at"])
                    saved = save_mapping(actor=request.user, bureau=bureau, data=spec.as_dict())
                except (PermissionDenied, ValidationError) as exc:
                    form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
                else:
                    messages.success(request, _("The mapping was saved."))
                    for warning in saved.warnings:
                        messages.warning(request, warning)
                    return redirect("imports:mapping_list")
    else:
        initial = {**mapping.as_dict(), "bureau": mapping.bureau_id} if mapping else {}
        form = MappingForm(initial=initial, user=request.user)
    return render(request, "imports/mapping_form.html", {"form": form, "mapping": mapping, "fields": FIELDS})


@login_required
def export(request, kind: str, fmt: str):
    return exports.export(request, kind, fmt)
