"""Callbacks to reporters (警情回访): the service's rules, who records and who sees them, the
incident page's form, the callback list and its export."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.clock import latest_day
from jingwu.core.models import AuditEvent
from jingwu.core.scope import restrict
from jingwu.incidents.models import Callback
from jingwu.incidents.services import do_record_callback

BJ = dt.timezone(dt.timedelta(hours=8))
# the test county's incidents are received on 2018-06-01 to 06-03 (Beijing time)
CALL = dt.datetime(2018, 6, 2, 10, 0, tzinfo=BJ)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _call(incident, actor, result="satisfied", when=CALL, **kw):
    return do_record_callback(incident, actor=actor, result=result, called_at=when, **kw)


def _refusal(fn) -> dict:
    with translation.override("en"), pytest.raises(ValidationError) as e:
        fn()
    return {k: " ".join(v) for k, v in e.value.message_dict.items()}


def test_the_community_officer_records_a_callback_with_an_audit_event(county):
    before = AuditEvent.objects.filter(object_type="incidents.callback").count()
    row = _call(county.inc_west_theft, county.community, "basically", note="  出警快  ")
    assert row.bureau_id == county.bureau.pk and row.called_by == county.community
    assert row.officer == county.off_comm  # the user's officer record called
    assert row.note == "出警快" and row.completed
    ev = AuditEvent.objects.filter(object_type="incidents.callback").order_by("-id").first()
    assert AuditEvent.objects.filter(object_type="incidents.callback").count() == before + 1
    assert ev.action == "create" and ev.after["result"] == "basically"
    assert ev.after["incident"] == county.inc_west_theft.number
    assert ev.unit_path == county.inc_west_theft.grid.path


def test_unreachable_attempts_repeat_until_one_call_completes_then_nothing_more(county):
    inc = county.inc_west_theft
    _call(inc, county.chief, "unreachable")
    _call(inc, county.chief, "unreachable", when=CALL + dt.timedelta(hours=3))
    _call(inc, county.chief, "unsatisfied", when=CALL + dt.timedelta(hours=5), note="too slow")
    for result in ("satisfied", "unreachable"):
        errors = _refusal(lambda r=result: _call(inc, county.chief, r, when=CALL + dt.timedelta(hours=6)))
        assert "already called back (Unsatisfied, 2018-06-02)" in errors["result"]
    assert list(Callback.objects.filter(incident=inc).values_list("result", flat=True).order_by("id")) == [
        "unreachable",
        "unreachable",
        "unsatisfied",
    ]


def test_a_call_before_the_incident_or_after_the_latest_day_is_refused(county):
    inc = county.inc_west_theft  # received 2018-06-01 09:30
    errors = _refusal(lambda: _call(inc, county.chief, when=dt.datetime(2018, 6, 1, 9, 0, tzinfo=BJ)))
    assert "before the incident was received (2018-06-01 09:30)" in errors["called_at"]
    last = latest_day(county.bureau)
    after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 5), tzinfo=BJ)
    errors = _refusal(lambda: _call(inc, county.chief, when=after))
    assert f"cannot be dated after {last.isoformat()}" in errors["called_at"]
    # the latest day itself is fine
    _call(inc, county.chief, when=dt.datetime.combine(last, dt.time(23, 55), tzinfo=BJ))
    assert Callback.objects.filter(incident=inc).count() == 1


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"result": "happy"}, "result", "Choose the result"),
        ({"result": "unsatisfied"}, "note", "not satisfied"),
        ({"result": "unreachable", "complaint": True}, "complaint", "reporter was reached"),
        ({"note": "x" * 301}, "note", "300 characters"),
        ({"when": None}, "called_at", "time of the call"),
    ],
)
def test_bad_callbacks_are_refused_and_nothing_is_saved(county, kw, field, words):
    errors = _refusal(lambda: _call(county.inc_west_theft, county.chief, **kw))
    assert words in errors[field]
    assert not Callback.objects.exists()


def test_an_unreachable_attempt_dated_before_the_completed_call_is_recorded_after_it(county):
    """A register imported newest first records the attempts that preceded the call after it."""
    inc = county.inc_west_dispute
    _call(inc, county.chief, "satisfied", when=CALL + dt.timedelta(hours=5))
    _call(inc, county.chief, "unreachable", when=CALL)  # earlier: its history
    errors = _refusal(lambda: _call(inc, county.chief, "unreachable", when=CALL + dt.timedelta(hours=6)))
    assert "already called back (Satisfied, 2018-06-02)" in errors["result"]  # later: refused
    assert sorted(Callback.objects.filter(incident=inc).values_list("result", flat=True)) == [
        "satisfied",
        "unreachable",
    ]


# who may record a callback of the west station's theft in grid S1 (zone S)
ADDERS = {"command": True, "chief": True, "zone_lead": True, "community": True}


@pytest.mark.parametrize(
    "persona", ["command", "planner", "center", "prevention", "chief", "zone_lead", "community", "auditor"]
)
def test_who_records_a_callback_in_the_incident_s_area(county, persona):
    user = getattr(county, persona)
    if ADDERS.get(persona):
        _call(county.inc_west_theft, user)
        assert Callback.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            _call(county.inc_west_theft, user)


def test_nobody_records_outside_their_area_and_the_outsider_nowhere(county, outsider):
    with pytest.raises(PermissionDenied):  # zone N is not the community officer's grid
        _call(county.inc_west_dispute, county.community)
    with pytest.raises(PermissionDenied):
        _call(county.inc_east_theft, county.chief)
    with pytest.raises(PermissionDenied):
        _call(county.inc_west_theft, outsider)
    assert not Callback.objects.exists()


def test_callbacks_are_seen_by_those_who_see_the_incident(county, outsider):
    west = _call(county.inc_west_theft, None)  # a theft: criminal
    dispute = _call(county.inc_west_dispute, None)
    east = _call(county.inc_east_traffic, None, when=dt.datetime(2018, 6, 3, 18, 0, tzinfo=BJ))
    seen = {
        "command": {west, dispute, east},
        "planner": {west, dispute, east},
        "auditor": {west, dispute, east},
        "center": {west},  # criminal incidents only
        "chief": {west, dispute},
        "zone_lead": {west},
        "community": {west},
        "prevention": set(),
        "political": set(),
    }
    for persona, rows in seen.items():
        assert set(restrict(Callback, getattr(county, persona))) == rows, persona
    assert not restrict(Callback, outsider).exists()


def test_the_incident_page_records_a_callback_and_keeps_the_input_when_refused(client, county):
    url = reverse("incidents:incident_detail", args=[county.inc_west_theft.pk])
    post = reverse("incidents:callback_record", args=[county.inc_west_theft.pk])
    client.force_login(county.community)
    r = client.get(url)
    assert r.status_code == 200 and r.context["may_call"]
    assert 'id="jw-callback-form"' in r.content.decode()
    # refused: the form comes back with the note typed and the message
    r = client.post(post, {"called_at": "2018-06-02T10:00", "result": "unsatisfied", "note": ""})
    assert r.status_code == 400
    assert "Say why the reporter is not satisfied." in r.content.decode()
    r = client.post(post, {"called_at": "2018-06-01T08:00", "result": "satisfied", "note": "好"})
    assert r.status_code == 400 and ">好</textarea>" in r.content.decode()
    assert "before the incident was received" in r.content.decode()
    assert not Callback.objects.exists()
    r = client.post(post, {"called_at": "2018-06-02T10:00", "result": "satisfied", "complaint": ""})
    assert r.status_code == 302 and r["Location"] == url
    row = Callback.objects.get()
    assert row.called_at == CALL and row.result == "satisfied" and not row.complaint
    # one completed callback: the page lists it and offers no form any more
    r = client.get(url)
    assert not r.context["may_call"] and [c.pk for c in r.context["callbacks"]] == [row.pk]
    assert 'id="jw-callback-form"' not in r.content.decode()


def test_readers_get_no_form_and_cannot_post(client, county, outsider):
    post = reverse("incidents:callback_record", args=[county.inc_west_theft.pk])
    client.force_login(county.auditor)
    r = client.get(reverse("incidents:incident_detail", args=[county.inc_west_theft.pk]))
    assert r.status_code == 200 and not r.context["may_call"]
    assert client.post(post, {"called_at": "2018-06-02T10:00", "result": "satisfied"}).status_code == 403
    client.force_login(outsider)
    assert client.post(post, {"called_at": "2018-06-02T10:00", "result": "satisfied"}).status_code == 404
    assert client.get(post).status_code in (404, 405)
    assert not Callback.objects.exists()


def _some_callbacks(county):
    _call(county.inc_west_theft, None, "satisfied")
    _call(county.inc_west_dispute, None, "unreachable")
    _call(
        county.inc_west_dispute,
        None,
        "unsatisfied",
        when=CALL + dt.timedelta(days=1),
        note="慢",
        complaint=True,
    )
    _call(county.inc_east_traffic, None, "basically", when=dt.datetime(2018, 6, 3, 18, 0, tzinfo=BJ))


def test_the_callback_list_filters_and_gives_the_satisfaction_of_its_rows(client, county):
    _some_callbacks(county)
    client.force_login(county.command)
    url = reverse("incidents:callback_list")
    r = client.get(url)
    assert r.status_code == 200
    assert r.context["agg"] == {"n": 4, "completed": 3, "satisfied": 2, "complaints": 1}
    assert r.context["share"] == 66.7
    r = client.get(url, {"unit": county.west.pk})
    assert r.context["agg"]["n"] == 3 and r.context["share"] == 50.0
    r = client.get(url, {"unit": county.grid_s1.pk})  # a grid: its own rows
    assert r.context["agg"]["n"] == 1 and r.context["share"] == 100.0
    r = client.get(url, {"result": "unreachable"})
    assert r.context["agg"]["n"] == 1 and r.context["share"] is None
    assert "no data" in r.content.decode() and "0.0%" not in r.content.decode()
    r = client.get(url, {"called_from": "2018-06-03", "called_to": "2018-06-03"})
    assert r.context["agg"]["n"] == 2  # the second call of the dispute and the traffic accident
    r = client.get(url, {"complaint": "true"})
    assert r.context["agg"]["n"] == 1


def _callbacks_by_officers(county):
    """The west station's theft called by the community officer, its dispute by the grid
    auxiliary (twice: unreachable, then reached), the east station's accident by its chief."""
    _call(county.inc_west_theft, None, "satisfied", officer=county.off_comm)
    _call(county.inc_west_dispute, None, "unreachable", officer=county.off_aux)
    _call(
        county.inc_west_dispute, None, "basically", when=CALL + dt.timedelta(days=1), officer=county.off_aux
    )
    _call(
        county.inc_east_traffic, None, "satisfied", when=CALL + dt.timedelta(days=1), officer=county.off_east
    )


# the officers each persona may choose (those of the callbacks it sees), and the rows of each
OFFICER_CHOICES = {
    "command": {"off_comm": 1, "off_aux": 2, "off_east": 1},
    "chief": {"off_comm": 1, "off_aux": 2},
    "zone_lead": {"off_comm": 1},  # the dispute lies in zone N
    "community": {"off_comm": 1},
    "center": {"off_comm": 1},  # the theft only: criminal
}


@pytest.mark.parametrize("persona", sorted(OFFICER_CHOICES))
def test_the_callback_list_filters_by_the_officer_who_called(client, county, persona):
    _callbacks_by_officers(county)
    client.force_login(getattr(county, persona))
    url = reverse("incidents:callback_list")
    r = client.get(url)
    choices = {o.pk for o in r.context["filter"].form.fields["officer"].queryset}
    expected = OFFICER_CHOICES[persona]
    assert choices == {getattr(county, name).pk for name in expected}
    for name, rows in expected.items():
        officer = getattr(county, name)
        r = client.get(url, {"officer": officer.pk})
        assert r.status_code == 200 and r.context["agg"]["n"] == rows
        assert {c.officer_id for c in r.context["page"]} == {officer.pk}
        export = client.get(reverse("imports:export", args=["callbacks", "csv"]), {"officer": officer.pk})
        lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
        assert [line[9:11] for line in lines[1:]] == [[officer.police_number, officer.name]] * rows
    # an officer whose calls the persona does not see: nothing, and the form says why
    hidden = {"off_comm", "off_aux", "off_east"} - set(expected)
    for name in hidden:
        r = client.get(url, {"officer": getattr(county, name).pk})
        assert r.status_code == 200 and r.context["agg"]["n"] == 0
        assert "This officer made none of the callbacks you see" in r.content.decode()


def test_the_outsider_can_choose_no_officer_of_the_county(client, county, outsider):
    _callbacks_by_officers(county)
    client.force_login(outsider)
    url = reverse("incidents:callback_list")
    r = client.get(url)
    assert not r.context["filter"].form.fields["officer"].queryset.exists()
    r = client.get(url, {"officer": county.off_aux.pk})
    assert r.status_code == 200 and r.context["agg"]["n"] == 0
    r = client.get(reverse("imports:export", args=["callbacks", "csv"]), {"officer": county.off_aux.pk})
    assert r["X-Export-Rows"] == "0"


@pytest.mark.parametrize(
    ("persona", "status", "rows"),
    [
        ("command", 200, 4),
        ("auditor", 200, 4),
        ("chief", 200, 3),
        ("zone_lead", 200, 1),
        ("community", 200, 1),
        ("center", 200, 1),  # the theft only
        ("prevention", 404, 0),
        ("political", 404, 0),
        ("sysadmin", 404, 0),
    ],
)
def test_the_callback_list_shows_each_persona_their_area(client, county, persona, status, rows):
    _some_callbacks(county)
    client.force_login(getattr(county, persona))
    r = client.get(reverse("incidents:callback_list"))
    assert r.status_code == status
    if status == 200:
        assert r.context["agg"]["n"] == rows


def test_the_outsider_sees_no_callback_of_the_county(client, county, outsider):
    _some_callbacks(county)
    client.force_login(outsider)
    r = client.get(reverse("incidents:callback_list"))
    assert r.status_code == 200 and r.context["agg"]["n"] == 0
    r = client.get(reverse("imports:export", args=["callbacks", "csv"]))
    assert r.status_code == 200 and r["X-Export-Rows"] == "0"


def test_the_export_is_the_list_as_filtered(client, county):
    _some_callbacks(county)
    client.force_login(county.chief)
    r = client.get(reverse("imports:export", args=["callbacks", "csv"]), {"result": "unsatisfied"})
    assert r.status_code == 200 and r["X-Export-Rows"] == "1"
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Called", "Incident number"]
    assert rows[1][1] == county.inc_west_dispute.number and rows[1][7] == "Unsatisfied"
    assert rows[0][9:] == ["Officer's police number", "Called by (officer)", "Note"]
    assert rows[1][8] == "yes" and rows[1][9:] == ["", "", "慢"]  # recorded by nobody: no officer
    ev = AuditEvent.objects.filter(action="export").order_by("-id").first()
    assert ev.object_type == "incidents.callback" and ev.after["rows"] == 1
    r = client.get(reverse("imports:export", args=["callbacks", "xlsx"]))
    assert r.status_code == 200 and r["X-Export-Rows"] == "3"


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("community", True), ("center", True), ("planner", True), ("prevention", False), ("political", False)],
)
def test_the_incident_list_links_to_the_callbacks_for_those_who_see_them(client, county, persona, shown):
    client.force_login(getattr(county, persona))
    r = client.get(reverse("incidents:incident_list"))
    assert r.status_code == 200 and r.context["sees_callbacks"] is shown
    assert (reverse("incidents:callback_list") in r.content.decode()) is shown


def test_a_second_completed_callback_racing_the_first_is_refused_by_the_constraint(county, monkeypatch):
    """Two people recording at once both pass the check; the database's constraint refuses
    the second, which the service turns into a message (nothing else is written)."""
    from django.db.models import QuerySet

    _call(county.inc_west_theft, county.chief, "satisfied")
    real = QuerySet.first

    def blind(qs):  # the second writer's check ran before the first one's row existed
        return None if qs.model is Callback else real(qs)

    monkeypatch.setattr(QuerySet, "first", blind)
    errors = _refusal(lambda: _call(county.inc_west_theft, county.zone_lead, "unsatisfied", note="x"))
    assert "just called back by someone else" in errors["result"]
    assert Callback.objects.filter(incident=county.inc_west_theft).count() == 1


# --- the API (/api/v1/incident-callbacks/) ------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "count"),
    [("command", 4), ("planner", 4), ("auditor", 4), ("center", 1), ("chief", 3), ("zone_lead", 1)]
    + [("community", 1), ("prevention", 0), ("political", 0), ("sysadmin", 0)],
)
def test_the_api_lists_each_persona_the_callbacks_of_its_incidents(client, county, persona, count):
    _some_callbacks(county)
    client.force_login(getattr(county, persona))
    r = client.get(reverse("api:incident-callback-list"))
    assert r.status_code == 200 and r.json()["count"] == count
    seen = {row["id"] for row in r.json()["results"]}
    assert seen == set(restrict(Callback, getattr(county, persona)).values_list("pk", flat=True))


def test_recording_a_callback_through_the_api(client, county, outsider):
    from rest_framework.test import APIClient

    api = APIClient()
    url = reverse("api:incident-callback-list")
    body = {
        "incident": county.inc_west_theft.pk,
        "called_at": "2018-06-02T10:00:00+08:00",
        "result": "basically",
    }
    api.force_login(county.auditor)  # reads, never records
    assert api.post(url, body, format="json").status_code == 403
    api.force_login(county.chief)
    east = {**body, "incident": county.inc_east_theft.pk}  # the other station's: unseen
    assert api.post(url, east, format="json").status_code == 404
    api.force_login(outsider)
    assert api.post(url, body, format="json").status_code == 404
    api.force_login(county.community)
    early = {**body, "called_at": "2018-06-01T09:00:00+08:00"}
    r = api.post(url, early, format="json")  # in Chinese by default
    assert r.status_code == 400 and "回访时间早于警情接报时间（2018-06-01 09:30）" in r.json()["called_at"][0]
    assert not Callback.objects.exists()
    r = api.post(url, body, format="json")
    assert r.status_code == 201, r.content
    row = Callback.objects.get()
    assert r.json()["id"] == row.pk and r.json()["incident_number"] == county.inc_west_theft.number
    assert row.called_by == county.community and row.result == "basically"
    assert AuditEvent.objects.filter(object_type="incidents.callback", action="create").count() == 1
    r = api.post(url, body, format="json")  # one completed callback per incident
    assert r.status_code == 400 and not Callback.objects.exclude(pk=row.pk).exists()
    # read back, and 404 for the outsider
    api.force_login(county.zone_lead)
    assert api.get(reverse("api:incident-callback-detail", args=[row.pk])).status_code == 200
    api.force_login(outsider)
    assert api.get(reverse("api:incident-callback-detail", args=[row.pk])).status_code == 404


def test_the_api_filters_the_callbacks_by_officer_within_the_caller_s_own(client, county, outsider):
    _callbacks_by_officers(county)
    url = reverse("api:incident-callback-list")
    client.force_login(county.chief)
    r = client.get(url, {"officer": county.off_aux.pk})
    assert r.status_code == 200 and r.json()["count"] == 2
    assert {row["incident"] for row in r.json()["results"]} == {county.inc_west_dispute.pk}
    assert {row["officer"] for row in r.json()["results"]} == {county.off_aux.pk}
    r = client.get(url, {"officer": county.off_east.pk})  # the other station's calls: not a choice
    assert r.status_code == 400 and "officer" in r.json()
    client.force_login(outsider)
    r = client.get(url, {"officer": county.off_aux.pk})
    assert r.status_code == 400 and "officer" in r.json()
