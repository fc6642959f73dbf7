"""Deadlines produce reminders for the people who must act (the daily sweep), on the
bureau's data date; the early-support check runs as a background job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent
from jingwu.evaluation import services as sv
from jingwu.evaluation.models import Reminder, SupportFlag
from jingwu.evaluation.reminders import do_remind, in_window, open_reminders
from jingwu.evaluation.tasks import sweep_bureau
from jingwu.jobs.models import Job
from jingwu.jobs.services import run_now

from .helpers import TODAY, advance, open_cycle, scores_for

D = dt.date


@pytest.mark.parametrize(
    "on, due, reminded",
    [
        (D(2018, 6, 10), D(2018, 6, 13), True),  # three days ahead
        (D(2018, 6, 9), D(2018, 6, 13), False),  # four
        (D(2018, 6, 13), D(2018, 6, 13), True),  # the last day
        (D(2018, 6, 14), D(2018, 6, 13), False),  # past: the step has closed
    ],
)
def test_the_reminder_window(on, due, reminded):
    assert in_window(on, due) is reminded


def _open(county):
    """Rows (recipient, kind, unit, pending, due) of the county's open reminders."""
    return sorted(
        (r.recipient.username.split("-", 1)[1], r.kind, r.unit.code, r.pending, r.due)
        for r in Reminder.objects.filter(bureau=county.bureau, done_on__isnull=True).select_related(
            "recipient", "unit"
        )
    )


def test_deadlines_remind_who_must_act_on_the_data_date(client, county):
    # deadlines: self-assessment 06-13, unit scoring 06-18, review 06-23 (data date 06-03)
    cycle = open_cycle(county)
    comm = sv.do_nominate(cycle, actor=county.political, officer=county.off_comm, unit=county.west)
    sv.do_nominate(cycle, actor=county.political, officer=county.off_east, unit=county.east)
    assert do_remind(county.bureau) == {"raised": 0, "updated": 0, "closed": 0}  # 10 days ahead

    advance(county, D(2018, 6, 11))
    assert do_remind(county.bureau)["raised"] == 1
    hq = county.hq.code
    west, east = county.west.code, county.east.code
    assert west < east  # the rows below are sorted
    assert _open(county) == [("community", "self", west, 1, D(2018, 6, 13))]
    # idempotent: the same day again raises and changes nothing
    events = AuditEvent.objects.filter(object_type="evaluation.reminder").count()
    assert do_remind(county.bureau) == {"raised": 0, "updated": 0, "closed": 0}
    assert AuditEvent.objects.filter(object_type="evaluation.reminder").count() == events == 1
    # visible on the officer's home page, and nobody else's
    client.force_login(county.community)
    page = client.get(reverse("home")).content.decode()
    assert 'id="jw-evaluation-home"' in page and 'data-reminder="self"' in page
    client.force_login(county.chief)
    assert 'id="jw-evaluation-home"' not in client.get(reverse("home")).content.decode()

    sv.do_self_assess(comm, actor=county.community, text="本季度走访群众百余户。")
    assert do_remind(county.bureau)["closed"] == 1
    assert _open(county) == []

    advance(county, D(2018, 6, 16))
    do_remind(county.bureau)
    # the west chief for the west file; the political department for the east one (the
    # test county has no east chief account: someone must still be told)
    assert _open(county) == [
        ("chief", "score", west, 1, D(2018, 6, 18)),
        ("political", "score", east, 1, D(2018, 6, 18)),
    ]
    sv.do_score(comm, actor=county.chief, scores=scores_for(cycle, 9))
    assert do_remind(county.bureau)["closed"] == 1
    assert _open(county) == [("political", "score", east, 1, D(2018, 6, 18))]

    advance(county, D(2018, 6, 21))  # scoring closed; one scored file waits for review
    assert do_remind(county.bureau) == {"raised": 1, "updated": 0, "closed": 1}
    assert _open(county) == [("political", "review", hq, 1, D(2018, 6, 23))]
    assert [r.kind for r in open_reminders(county.political)] == ["review"]
    assert list(open_reminders(county.chief)) == []
    # every reminder raised or closed is in the audit trail
    assert AuditEvent.objects.filter(object_type="evaluation.reminder", action="create").count() == 4
    assert AuditEvent.objects.filter(object_type="evaluation.reminder", action="update").count() == 3


def test_unanswered_objections_are_reminded_until_answered(county):
    cycle = open_cycle(county)
    n = sv.do_nominate(cycle, actor=county.political, officer=county.off_comm, unit=county.west)
    advance(county, cycle.self_assessment_deadline + dt.timedelta(days=1))
    sv.do_score(n, actor=county.political, scores=scores_for(cycle, 9))
    sv.do_review(n, actor=county.political, decision="endorsed")
    sv.do_decide(n, actor=county.political, decision="approved")
    cycle = sv.do_start_notice(cycle, actor=county.political)
    do_remind(county.bureau)
    assert _open(county) == []
    o = sv.do_object(n, actor=county.zone_lead, text="该同志本季度有一次执勤迟到。")
    do_remind(county.bureau)
    assert _open(county) == [("political", "objection", county.hq.code, 1, cycle.notice_end)]
    sv.do_answer_objection(o, actor=county.political, answer="经核实，已按规定处理。")
    assert do_remind(county.bureau)["closed"] == 1


def test_the_outsider_gets_no_reminder_of_the_county(client, county, other_county):
    cycle = open_cycle(county)
    sv.do_nominate(cycle, actor=county.political, officer=county.off_comm, unit=county.west)
    advance(county, D(2018, 6, 16))
    do_remind(county.bureau)
    assert Reminder.objects.filter(bureau=county.bureau).exists()
    for user in (other_county.chief, other_county.political):
        assert list(open_reminders(user)) == []
        client.force_login(user)
        assert 'id="jw-evaluation-home"' not in client.get(reverse("home")).content.decode()


def _complaints(county, officer):
    for days in (10, 40):
        sv.do_record_conduct(
            actor=county.political,
            officer=officer,
            kind="complaint",
            day=TODAY - dt.timedelta(days=days),
            title="群众投诉执法态度",
        )


def test_the_sweep_starts_the_support_check_as_a_job_once(county):
    open_cycle(county)
    _complaints(county, county.off_comm)
    first = sweep_bureau(county.bureau, hand_out=False)
    job = Job.objects.get(pk=first["support_job"])
    assert job.kind == "evaluation.support" and job.state == "queued" and job.started_by is None
    # again while it waits, and right after it ran: no second job
    assert "support_job" not in sweep_bureau(county.bureau, hand_out=False)
    job = run_now(job)
    assert job.state == "done" and job.percent == 100
    assert SupportFlag.objects.filter(officer=county.off_comm, is_open=True).count() == 1
    assert "support_job" not in sweep_bureau(county.bureau, hand_out=False)
    assert Job.objects.filter(kind="evaluation.support").count() == 1
    # run again (a resumed job): the officer with an open flag gets no second one
    again = sv.do_start_support_check(county.bureau, actor=county.political, hand_out=False)
    run_now(again)
    assert SupportFlag.objects.filter(officer=county.off_comm).count() == 1


@pytest.mark.parametrize("persona, status", [("political", 302), ("chief", 403), ("auditor", 403)])
def test_the_support_page_starts_the_job(client, county, persona, status):
    _complaints(county, county.off_comm)
    client.force_login(getattr(county, persona))
    r = client.post(reverse("evaluation:support"), {"action": "check"})
    assert r.status_code == status
    jobs = Job.objects.filter(kind="evaluation.support", bureau=county.bureau)
    assert jobs.count() == (1 if status == 302 else 0)
    if status == 302:
        assert not SupportFlag.objects.exists()  # not synchronous: the job raises the flags
        client.post(reverse("evaluation:support"), {"action": "check"})
        assert jobs.count() == 1  # one check queued at a time
        run_now(jobs.get())
        page = client.get(reverse("evaluation:support")).content.decode()
        assert 'id="support-job"' in page and 'data-job-state="done"' in page
        assert SupportFlag.objects.filter(officer=county.off_comm).count() == 1


def test_the_outsider_cannot_start_the_county_check(client, county, other_county):
    client.force_login(other_county.political)
    client.post(reverse("evaluation:support"), {"action": "check"})
    # their own bureau's check, never the county's
    assert not Job.objects.filter(kind="evaluation.support", bureau=county.bureau).exists()
    assert Job.objects.filter(kind="evaluation.support", bureau=other_county.bureau).count() == 1


def test_the_sweep_is_scheduled_daily_and_covers_the_bureaus_that_evaluate(county, other_county):
    from django_q.models import Schedule

    from jingwu.evaluation.tasks import sweep

    s = Schedule.objects.get(name="jingwu-evaluation-sweep")
    assert (s.func, s.schedule_type, s.repeats) == ("jingwu.evaluation.tasks.sweep", Schedule.DAILY, -1)
    open_cycle(county)
    done = sweep()
    assert set(done) == {county.bureau.pk}  # the other county runs no evaluation
    assert Job.objects.filter(kind="evaluation.support", bureau=county.bureau, state="queued").count() == 1
