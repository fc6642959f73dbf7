"""Pages of the job pattern: the jobs a user may see, one job's progress, cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.core.scope import can, can_object, restrict

from . import registry
from .models import Job
from .runner import live_progress
from .services import do_cancel_job


def jobs_for(user, action: str = "view"):
    return restrict(Job.objects.select_related("bureau", "started_by"), user, action)


def decorate(job: Job, user) -> Job:
    """The job with what its progress fragment shows: live progress, phase label, page, cancel."""
    job = live_progress(job)
    kind = registry.KINDS.get(job.kind)
    job.phase_label = str(kind.phases.get(job.phase, job.phase)) if kind and job.phase else ""
    job.target_url = kind.url(job) if kind and kind.url and job.target_id else ""
    job.may_cancel = job.is_live and can_object(user, job, "change")
    return job


@login_required
def job_list(request):
    if not can(request.user, Job, "view"):
        raise Http404
    page = Paginator(jobs_for(request.user), 50).get_page(request.GET.get("page"))
    for job in page.object_list:
        decorate(job, request.user)
    return render(request, "jobs/job_list.html", {"page": page})


@login_required
@require_GET
def job_progress(request, pk: int):
    job = decorate(get_object_or_404(jobs_for(request.user), pk=pk), request.user)
    return render(request, "jobs/_run.html", {"job": job, "poll": True})


@login_required
@require_POST
def job_cancel(request, pk: int):
    job = get_object_or_404(jobs_for(request.user, "change"), pk=pk)
    try:
        do_cancel_job(job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job was asked to stop."))
    kind = registry.KINDS.get(job.kind)
    target = kind.url(job) if kind and kind.url and job.target_id else ""
    return redirect(target or "jobs:job_list")
