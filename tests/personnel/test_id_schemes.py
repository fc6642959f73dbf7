"""Bureaus outside mainland China: identity and phone numbers follow the bureau's scheme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jingwu.engine.ids import id_number_problem, mask_id_number, mask_phone, phone_problem
from jingwu.personnel.services import do_create_officer, do_create_posting, do_update_officer

PASSPORT = "533380006"  # the format of a British passport number
PHONE = "+44 20 7946 0958"


@pytest.mark.parametrize(
    "value,scheme,problem",
    [
        ("E12345678", "other", None),
        ("AB-123/45.6", "other", None),
        ("X 1234 567", "other", None),
        ("123", "other", "other_length"),
        ("A" * 33, "other", "other_length"),
        ("<script>", "other", "other_format"),
        ("-1234", "other", "other_format"),
        ("12  34", "other", "other_format"),
        ("E12345678", "cn", "length"),
        ("33052219900101123", "cn", "length"),
    ],
)
def test_identity_numbers_per_scheme(value, scheme, problem):
    assert id_number_problem(value, scheme) == problem


@pytest.mark.parametrize(
    "value,scheme,problem",
    [
        ("13912345678", "cn", None),
        (PHONE, "cn", "cn_phone"),
        (PHONE, "other", None),
        ("(02) 9374 4000", "other", None),
        ("112", "other", "other_phone"),
        ("+44 20 7946 0958 ext 12", "other", "other_phone"),
        ("1234567890123456", "other", "other_phone"),  # 16 digits: longer than any number
        ("", "other", None),
    ],
)
def test_phones_per_scheme(value, scheme, problem):
    assert phone_problem(value, scheme) == problem


def test_masks_of_other_numbers_keep_only_their_end():
    assert mask_id_number(PASSPORT) == "******006"
    assert mask_id_number("E123") == "****"
    assert mask_phone(PHONE) == "+** ** **** 0958"


def _foreign(county):
    county.bureau.id_scheme = "other"
    county.bureau.save(update_fields=["id_scheme"])
    return county


def _register(county, **overrides):
    fields = {
        "police_number": "900001",
        "name": "Jane Doe",
        "kind": "police",
        "gender": "F",
        "birth_date": dt.date(1988, 4, 1),
        "id_number": f" {PASSPORT} ",
        "phone": PHONE,
    } | overrides
    return do_create_officer(actor=county.planner, bureau=county.bureau, **fields)


def test_a_mainland_bureau_refuses_a_passport_number(county):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        _register(county)
    assert set(err.value.message_dict) == {"id_number"}


def test_a_foreign_bureau_registers_an_officer_without_a_mainland_id(county):
    _foreign(county)
    officer = _register(county)
    assert (officer.id_number, officer.phone) == (PASSPORT, PHONE)  # as given, trimmed
    assert officer.id_number_masked == "******006"
    with translation.override("en"), pytest.raises(ValidationError) as err:
        _register(county, police_number="900002", id_number="x")
    assert err.value.message_dict == {"id_number": ["The ID number must have 4 to 32 characters."]}
    with pytest.raises(ValidationError) as err:
        _register(county, police_number="900003", id_number=PASSPORT)
    assert "id_number" in err.value.message_dict  # still one number per officer in the bureau
    with pytest.raises(ValidationError) as err:
        do_update_officer(officer, actor=county.planner, phone="12")
    assert "phone" in err.value.message_dict


def test_a_foreign_bureau_imports_and_plans_such_officers(county, tmp_path):
    from jingwu.imports.services import run_import
    from jingwu.personnel.models import Officer
    from jingwu.planning.inputs import load_state

    _foreign(county)
    path = tmp_path / "officers.csv"
    path.write_text(
        "police_number,name,kind,gender,birth_date,id_number,phone,unit,start\n"
        f"900011,Ann Lee,police,F,1991-02-03,P-7788123,{PHONE},S01,2017-05-01\n"
        "900012,Tom Smith,police,M,1985-11-30,X 1234 567,0161 496 0000,S01,2017-05-01\n",
        "utf-8",
    )
    report = run_import("officers", path, bureau=county.bureau, actor=county.planner)
    assert report.status == "done" and report.bad_rows == 0, report.problems
    imported = Officer.objects.get(bureau=county.bureau, police_number="900011")
    assert imported.id_number == "P-7788123" and imported.postings.get().unit == county.west
    registered = _register(county)
    do_create_posting(
        actor=county.planner, officer=registered, unit=county.east, role="patrol", start=dt.date(2018, 1, 1)
    )
    state = load_state(
        county.bureau,
        as_of=dt.date(2018, 6, 30),
        reform_date=dt.date(2018, 7, 1),
        incidents_from=dt.date(2018, 1, 1),
        incidents_to=dt.date(2018, 6, 30),
        user=county.planner,
    )
    planned = {o.number: o for o in state.officers}
    assert {"900012", "900001"} <= set(planned)
    assert planned["900001"].age == 30
