"""Shared helpers of the evaluation tests (the test county's data date is 2018-06-03)."""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2018, 6, 3)  # the test county's last incident: its data date


def make_cycle(county, *, actor=None, year=2018, quarter=2, days=(5, 10, 15, 20), **kw):
    from jingwu.evaluation.services import do_create_cycle

    n, s, sc, r = (TODAY + dt.timedelta(days=d) for d in days)
    return do_create_cycle(
        actor=actor or county.political,
        bureau=county.bureau,
        year=year,
        quarter=quarter,
        nomination_deadline=n,
        self_assessment_deadline=s,
        scoring_deadline=sc,
        review_deadline=r,
        **kw,
    )
