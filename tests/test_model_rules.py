"""Bad input is refused with a message in the user's language, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.incidents.models import Incident
from jingwu.incidents.services import do_record_incident
from jingwu.org.models import Unit
from jingwu.org.services import do_create_unit, do_update_unit
from jingwu.personnel.models import Officer, Posting
from jingwu.personnel.services import do_create_officer, do_create_posting

from .conftest import DX, DY, X0, Y0, poly

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[X0, Y0], [X0 + 0.01, Y0 + 0.01], [X0 + 0.01, Y0], [X0, Y0 + 0.01], [X0, Y0]]],
}


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def test_it_refuses_a_self_crossing_boundary_in_chinese(county):
    before = (Unit.objects.count(), AuditEvent.objects.count())
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        do_create_unit(
            actor=county.planner,  # boundaries are headquarters' (FIELD_RIGHTS)
            bureau=county.bureau,
            parent=county.zone_n,
            kind="grid",
            code="BAD",
            name_zh="坏网格",
            boundary=BOWTIE,
        )
    assert "不是有效的多边形" in _messages(err.value)
    assert (Unit.objects.count(), AuditEvent.objects.count()) == before


def test_it_refuses_a_self_crossing_boundary_in_english(county):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_create_unit(
            actor=county.planner,  # boundaries are headquarters' (FIELD_RIGHTS)
            bureau=county.bureau,
            parent=county.zone_n,
            kind="grid",
            code="BAD",
            name_zh="坏网格",
            boundary=BOWTIE,
        )
    assert "not a valid polygon" in _messages(err.value)


def test_it_refuses_a_grid_that_leaves_its_zone(county):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_create_unit(
            actor=None,
            bureau=county.bureau,
            parent=county.zone_n,
            kind="grid",
            code="OUT",
            name_zh="越界网格",
            boundary=poly(X0, Y0, X0 + DX, Y0 + DY),
        )
    assert "outside its parent" in _messages(err.value)
    assert not Unit.objects.filter(code="OUT").exists()


def test_it_refuses_a_grid_overlapping_its_sibling(county):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_create_unit(
            actor=None,
            bureau=county.bureau,
            parent=county.zone_s,
            kind="grid",
            code="OVER",
            name_zh="重叠网格",
            boundary=poly(X0 + 0.001, Y0 + 0.001, X0 + 0.006, Y0 + 0.006),
        )
    assert "overlaps" in _messages(err.value)
    assert not Unit.objects.filter(code="OVER").exists()


def test_a_zone_boundary_change_that_overlaps_is_refused_and_nothing_changes(county):
    old = county.zone_s.boundary
    with pytest.raises(ValidationError):
        do_update_unit(county.zone_s, actor=None, boundary=poly(X0, Y0, X0 + DX / 2, Y0 + DY * 0.75))
    county.zone_s.refresh_from_db()
    assert county.zone_s.boundary == old


def test_a_station_needs_a_type(county):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_create_unit(
            actor=None,
            bureau=county.bureau,
            parent=county.hq,
            kind="station",
            code="S09",
            name_zh="无类型派出所",
        )
    assert "station type" in _messages(err.value)


@pytest.mark.parametrize(
    ("id_number", "zh", "en"),
    [
        ("33052219900909002X", "校验位", "check digit"),
        ("3305221990090900", "18", "18 characters"),
        ("330522199013090021", "出生日期", "birth date"),
    ],
)
def test_it_refuses_a_bad_id_number(county, id_number, zh, en):
    before = Officer.objects.count()
    for lang, expected in (("zh-hans", zh), ("en", en)):
        with translation.override(lang), pytest.raises(ValidationError) as err:
            do_create_officer(
                actor=None,
                bureau=county.bureau,
                police_number="200001",
                name="测试",
                kind="police",
                gender="F",
                birth_date=dt.date(1990, 9, 9),
                id_number=id_number,
            )
        assert expected in _messages(err.value)
    assert Officer.objects.count() == before


def test_a_valid_id_number_with_x_is_accepted_and_shown_masked(county):
    from jingwu.engine.ids import check_digit

    first17 = next(p for p in (f"3305221990010112{d}" for d in range(10)) if check_digit(p) == "X")
    o = do_create_officer(
        actor=None,
        bureau=county.bureau,
        police_number="200002",
        name="测试",
        kind="police",
        gender="M" if int(first17[16]) % 2 else "F",
        birth_date=dt.date(1990, 1, 1),
        id_number=first17 + "x",
    )
    assert o.id_number == first17 + "X"
    assert o.id_number_masked == "330522********" + first17[14:] + "*"  # the check digit is hidden too


def test_it_refuses_an_overlapping_posting_in_the_same_role(county):
    before = Posting.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_create_posting(
            actor=None,
            officer=county.off_comm,
            unit=county.grid_s2,
            role="community",
            start=dt.date(2018, 1, 1),
        )
    assert "overlap" in _messages(err.value)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        do_create_posting(
            actor=None,
            officer=county.off_comm,
            unit=county.grid_s2,
            role="community",
            start=dt.date(2018, 1, 1),
        )
    assert "重叠" in _messages(err.value)
    assert Posting.objects.count() == before


def test_a_posting_in_another_role_or_after_the_end_is_fine(county):
    from jingwu.personnel.services import do_end_posting

    current = Posting.objects.get(officer=county.off_comm, end__isnull=True)
    do_end_posting(current, actor=None, end=dt.date(2018, 12, 31))
    p = do_create_posting(
        actor=None, officer=county.off_comm, unit=county.grid_s2, role="community", start=dt.date(2019, 1, 1)
    )
    assert p.pk and Posting.objects.filter(officer=county.off_comm).count() == 2


def test_it_refuses_an_incident_outside_the_bureau(county):
    before = Incident.objects.count()
    when = dt.datetime(2018, 7, 1, 10, 0, tzinfo=dt.UTC)
    for lang, expected in (("zh-hans", "辖区范围之外"), ("en", "outside the bureau")):
        with translation.override(lang), pytest.raises(ValidationError) as err:
            do_record_incident(
                actor=None,
                bureau=county.bureau,
                category="0101",
                received_at=when,
                lon=X0 + 1.0,
                lat=Y0 + 1.0,
            )
        assert expected in _messages(err.value)
    assert Incident.objects.count() == before


def test_an_incident_gets_its_grid_zone_and_station_from_its_location(county):
    i = county.inc_west_theft
    assert (i.grid_id, i.zone_id, i.station_id) == (county.grid_s1.pk, county.zone_s.pk, county.west.pk)
    assert county.inc_east_theft.station_id == county.east.pk


def test_it_refuses_an_unknown_category_and_times_out_of_order(county):
    when = dt.datetime(2018, 7, 1, 10, 0, tzinfo=dt.UTC)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="9999",
            received_at=when,
            lon=X0 + 0.004,
            lat=Y0 + 0.004,
        )
    assert "Unknown incident category" in _messages(err.value)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="0101",
            received_at=when,
            arrived_at=when - dt.timedelta(minutes=5),
            lon=X0 + 0.004,
            lat=Y0 + 0.004,
        )
    assert "earlier" in _messages(err.value)


def test_premises_get_their_grid_and_station(county):
    assert county.prem_west.grid_id == county.grid_s1.pk
    assert county.prem_east.station_id == county.east.pk


def test_every_write_left_an_audit_event_and_the_chain_verifies(county):
    from jingwu.core.audit import verify_chain

    assert (
        AuditEvent.objects.filter(
            bureau=county.bureau, object_type="incidents.incident", action="create"
        ).count()
        == 4
    )
    assert verify_chain(county.bureau) == []


def test_a_tampered_audit_event_breaks_the_chain(county, django_db_blocker):
    from django.db import connection

    from jingwu.core.audit import verify_chain

    event = AuditEvent.objects.filter(bureau=county.bureau).order_by("seq")[3]
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), connection.cursor() as cur:
            from django.db import transaction

            with transaction.atomic():
                cur.execute("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
        return
    AuditEvent.objects.filter(pk=event.pk).update(reason="changed later")
    problems = verify_chain(county.bureau)
    assert any(f"seq {event.seq}: content altered" in p for p in problems)


def test_creating_and_posting_an_officer_is_one_transaction(county):
    """A chief may post a new officer in the station, not elsewhere; a refused posting leaves no officer."""
    from django.core.exceptions import PermissionDenied

    from jingwu.engine.ids import make_id_number

    def create(number, unit, seq):
        return do_create_officer(
            actor=county.chief,
            bureau=county.bureau,
            police_number=number,
            name="新警员",
            kind="police",
            gender="M",
            birth_date=dt.date(1996, 5, 6),
            id_number=make_id_number("990001", dt.date(1996, 5, 6), seq, False),
            posting={"unit": unit, "role": "staff", "start": dt.date(2018, 7, 1)},
        )

    o = create("300001", county.zone_s, 11)
    assert list(o.postings.values_list("unit_id", "start")) == [(county.zone_s.pk, dt.date(2018, 7, 1))]
    assert AuditEvent.objects.filter(action="create", object_type="personnel.posting").exists()
    with pytest.raises(PermissionDenied):
        create("300002", county.east, 13)
    assert not Officer.objects.filter(police_number="300002").exists()
