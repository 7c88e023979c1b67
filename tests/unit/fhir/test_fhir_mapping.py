"""The FHIR adapter's pure parts: search parameters, paging links, scopes, slot ids, audit actions."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.datastructures import QueryParams

from hsgclinic.fhir import access, audit_events, scheduling, search
from hsgclinic.fhir.outcome import FhirError
from hsgclinic.services.context import Role


def test_date_prefixes_make_an_inclusive_day_range():
    args = search.parse(QueryParams("date=ge2026-11-21&date=lt2026-11-24"), ["date"])
    assert args.days("date") == (dt.date(2026, 11, 21), dt.date(2026, 11, 23))
    assert search.parse(QueryParams("date=2026-11-21"), ["date"]).days("date") == (dt.date(2026, 11, 21),) * 2
    assert search.parse(QueryParams("date=gt2026-11-21"), ["date"]).days("date") == (dt.date(2026, 11, 22), None)


def test_an_undeclared_parameter_is_refused_not_ignored():
    with pytest.raises(FhirError) as refused:
        search.parse(QueryParams("colour=blue"), ["date"])
    assert (refused.value.status, refused.value.issue) == (400, "not-supported")


@pytest.mark.parametrize("query", ["_count=-1", "_count=many", "_offset=x"])
def test_paging_parameters_are_whole_numbers(query):
    with pytest.raises(FhirError):
        search.parse(QueryParams(query), [])


def test_count_is_capped_and_links_page_through_the_total():
    args = search.parse(QueryParams("date=2026-11-21&_count=500&_offset=200"), ["date"])
    assert args.count == search.MAX_COUNT
    bundle = search.searchset("http://x/fhir", "Appointment", args, [], 450)
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert "_offset=400" in links["next"] and "_offset=0" in links["previous"] and "_offset=400" in links["last"]
    assert "date=2026-11-21" in links["next"]


def test_references_name_their_type():
    args = search.parse(QueryParams("patient=Patient/12"), ["patient"])
    assert args.reference("patient", "Patient") == 12
    with pytest.raises(FhirError):
        search.parse(QueryParams("patient=Practitioner/12"), ["patient"]).reference("patient", "Patient")


def test_roles_have_the_documented_scopes():
    assert access.allows(Role.REGISTRAR, "Appointment", "c")
    assert not access.allows(Role.DOCTOR, "Appointment", "c")
    assert access.allows(Role.RADIOLOGIST, "DiagnosticReport", "r")
    assert not access.allows(Role.REGISTRAR, "DiagnosticReport", "r")
    assert access.allows(Role.ADMIN, "AuditEvent", "s") and not access.allows(Role.PATIENT, "AuditEvent", "s")
    assert access.scopes(Role.PUBLIC) == ()


def test_slot_ids_round_trip():
    assert scheduling.slot_id(dt.date(2026, 11, 21), 3) == "20261121-3"
    assert scheduling.parse_slot_id("20261121-3") == (dt.date(2026, 11, 21), 3)
    assert scheduling.parse_slot_id("tomorrow-3") is None


@pytest.mark.parametrize(
    ("action", "code"),
    [("records.read", "R"), ("booking.book", "C"), ("report.sign", "U"), ("patient.erase", "D"), ("x", "E")],
)
def test_audit_actions_map_to_fhir_actions(action, code):
    assert audit_events.action_code(action) == code
