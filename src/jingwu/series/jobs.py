"""The scoring job: candidate pairs, a model learnt from the bureau's series, links saved."""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.utils import timezone

from jingwu.engine import series as engine

from . import linking
from .models import CandidateLink, LinkRun, LinkStatus, RunStatus


def run_scoring_job(job, ctx) -> None:
    from jingwu.core import audit

    run = LinkRun.objects.select_related("bureau").get(pk=job.target_id)
    LinkRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, error="")
    ctx.progress(phase="load", percent=2)
    inc, series_of = linking.load_incidents(run.bureau, run.first_day, run.last_day)
    ctx.progress(phase="candidates", percent=15)
    i, j, stats = engine.candidate_pairs(inc, max_km=linking.MAX_KM, max_days=linking.MAX_DAYS)
    ctx.progress(phase="features", percent=25)
    # The features are computed a chunk of pairs at a time whenever they are read (learning,
    # calibrating, scoring): the whole matrix is never held (docs/series.md, "Speed and memory").
    x = engine.PairFeatures(inc, i, j)
    y, groups = engine.pair_groups(series_of, i, j)
    a_ids, b_ids = inc.ids[i], inc.ids[j]
    rejected = set(
        CandidateLink.objects.filter(bureau=run.bureau, status=LinkStatus.REJECTED).values_list(
            "incident_a_id", "incident_b_id"
        )
    )
    if rejected:  # an analyst's rejection is a known unlinked pair
        rej = np.array([(int(a), int(b)) in rejected for a, b in zip(a_ids, b_ids, strict=True)])
        y[rej] = 0
    ctx.progress(phase="train", percent=45)
    try:
        model = engine.train(x, y, groups, method=run.method, seed=run.pk)
    except engine.SeriesError as exc:
        if exc.code != "too_few_links":
            raise
        _fail(run, "too_few_links", exc.detail)
        return
    ctx.progress(phase="train", percent=75)
    p = model.predict(x)
    # Pairs already in one series need no decision; the most probable others go to the board.
    todo = np.flatnonzero((y == 0) & (p >= linking.MIN_PROBABILITY))
    # highest probability first; pairs that calibration gives one probability by the
    # model's own score (the board breaks ties by the links' order of saving)
    todo = todo[engine.ranking(p[todo], model.raw(x[todo]) if len(todo) else None)]
    ctx.progress(phase="save", percent=90)
    with transaction.atomic():
        run = LinkRun.objects.select_for_update().get(pk=run.pk)
        CandidateLink.objects.filter(bureau=run.bureau, status=LinkStatus.OPEN).delete()
        decided = set(
            CandidateLink.objects.filter(bureau=run.bureau).values_list("incident_a_id", "incident_b_id")
        )
        kept = []
        for k in todo.tolist():
            pair = (int(min(a_ids[k], b_ids[k])), int(max(a_ids[k], b_ids[k])))
            if pair in decided:
                continue
            kept.append((k, pair))
            if len(kept) >= linking.MAX_OPEN_LINKS:
                break
        feats = x[np.array([k for k, _pair in kept], dtype=np.int64)]
        rows = [
            CandidateLink(
                bureau=run.bureau,
                run=run,
                incident_a_id=pair[0],
                incident_b_id=pair[1],
                probability=float(p[k]),
                features={f: round(float(v), 4) for f, v in zip(engine.FEATURES, row, strict=True)},
            )
            for (k, pair), row in zip(kept, feats, strict=True)
        ]
        CandidateLink.objects.bulk_create(rows, batch_size=500)
        run.results = {
            "incidents": stats.incidents,
            "all_pairs": stats.all_pairs,
            "pairs_in_blocks": stats.pairs_in_blocks,
            "pairs_scored": stats.pairs_scored,
            "linked_pairs": int(y.sum()),
            "calibration": model.calibration,
            "links_saved": len(rows),
        }
        run.status = RunStatus.DONE
        run.save(update_fields=["results", "status", "updated_at"])
        audit.record(
            "update",
            actor=job.started_by,
            bureau=run.bureau,
            obj=run,
            after=run.results,
            reason="links scored",
        )


def _fail(run: LinkRun, code: str, detail: str) -> None:
    LinkRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED,
        error=f"{code}: {detail}",
        results={"refused": code},
        updated_at=timezone.now(),
    )


def mark_run_ended(job) -> None:
    state = {"failed": RunStatus.FAILED, "cancelled": RunStatus.CANCELLED}.get(job.state)
    if state is None:
        return
    LinkRun.objects.filter(pk=job.target_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=state, error=job.error[:2000], updated_at=timezone.now()
    )
