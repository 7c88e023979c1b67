"""The FHIR R4 API on SQLite and PostgreSQL: what it serves validates (fhir.resources + two npm validators), the
mapping says what the records say, paging, errors as OperationOutcome in the reader's language, roles, audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import select

from e2e.fhir.fhir_checks import assert_valid
from hsgclinic.fhir.resources import RESOURCES
from hsgclinic.persistence.models import AuditEvent, Patient
from hsgclinic.services import booking
from hsgclinic.services.context import Actor

DAY = "2026-11-21"


def test_metadata_tells_what_is_served(client):
    r = client.get("/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    cs = r.json()
    assert cs["resourceType"] == "CapabilityStatement" and cs["fhirVersion"] == "4.0.1"
    served = {x["type"]: x for x in cs["rest"][0]["resource"]}
    assert set(served) == set(RESOURCES)
    assert [o["name"] for o in served["Appointment"]["operation"]] == ["find", "book"]
    assert served["Appointment"]["operation"][0]["definition"].endswith("/fhir/OperationDefinition/appointment-find")
    assert {p["name"] for p in served["Appointment"]["searchParam"]} == set(RESOURCES["Appointment"].search_params)
    assert "user/Appointment.crs" in cs["rest"][0]["security"]["description"]
    assert_valid(client.seen)


def test_every_resource_reads_and_searches_valid_fhir(client, pathway, staff_logins):
    rad, desk, admin = (staff_logins.headers(x) for x in ("radiologist", "registrar", "admin"))
    p = pathway
    reads = [
        (rad, f"Patient/{p.patient_id}"),
        (rad, f"Practitioner/{staff_logins.actors['radiologist'].user_id}"),
        (rad, f"PractitionerRole/{staff_logins.actors['radiologist'].user_id}"),
        (desk, "HealthcareService/hsg"),
        (desk, "Schedule/hsg-procedures"),
        (desk, "Slot/20261121-1"),
        (desk, f"Appointment/{p.appointment_id}"),
        (desk, f"ServiceRequest/{p.form_id}"),
        (rad, f"Procedure/{p.procedure_id}"),
        (rad, f"DiagnosticReport/{p.report_id}"),
        (rad, f"CarePlan/{p.plan_id}"),
        (rad, f"Observation/rep{p.report_id}-right"),
        (rad, "Observation/scr1-temp"),
        (admin, "AuditEvent/1"),
        (desk, "OperationDefinition/appointment-book"),
    ]
    got = {}
    for headers, path in reads:
        r = client.get(f"/fhir/{path}", headers=headers)
        assert r.status_code == 200, (path, r.text)
        got[path.split("/")[0]] = got.get(path.split("/")[0]) or r.json()
    searches = [
        (rad, f"Patient?identifier=urn:hsgclinic:record-number|HSG{p.patient_id:08d}"),
        (rad, "Practitioner"),
        (rad, "PractitionerRole"),
        (desk, "HealthcareService"),
        (desk, "Schedule"),
        (desk, f"Slot?start={DAY}&status=busy"),
        (desk, f"Appointment?date={DAY}"),
        (desk, f"ServiceRequest?patient=Patient/{p.patient_id}"),
        (rad, f"Observation?patient={p.patient_id}"),
        (rad, f"Procedure?patient={p.patient_id}"),
        (rad, f"DiagnosticReport?patient={p.patient_id}"),
        (rad, f"CarePlan?patient={p.patient_id}"),
        (admin, "AuditEvent?_count=5"),
        (desk, "OperationDefinition"),
    ]
    for headers, path in searches:
        r = client.get(f"/fhir/{path}", headers=headers)
        assert r.status_code == 200, (path, r.text)
        assert r.json()["type"] == "searchset" and r.json()["total"] >= 1, path
    assert_valid(client.seen)

    patient = got["Patient"]
    assert [i["system"] for i in patient["identifier"]] == [
        "urn:hsgclinic:record-number",
        "urn:hsgclinic:resident-id-hmac-sha256",
    ]
    assert patient["identifier"][0]["value"] == f"HSG{p.patient_id:08d}"
    assert patient["gender"] == "female"
    report = got["DiagnosticReport"]
    assert report["status"] == "amended"  # corrected after signing, then signed again
    assert report["resultsInterpreter"][0]["display"] == "赵医生"
    assert report["conclusion"] == "Right tube blocked proximally, hydrosalpinx."
    right = got["Observation"]
    values = {c["code"]["coding"][0]["code"]: c for c in right["component"]}
    assert values["tubal-patency"]["valueCodeableConcept"]["coding"][0]["code"] == "obstructed"
    assert values["peritoneal-spill"]["valueCodeableConcept"]["coding"][0]["code"] == "none"
    assert values["hydrosalpinx"]["valueBoolean"] is True
    plan = got["CarePlan"]
    codes = [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]]
    assert "CARE-ABSTAIN" in codes and "CARE-REPORT" in codes
    abstain = next(a for a in plan["activity"] if a["detail"]["code"]["coding"][0]["code"] == "CARE-ABSTAIN")
    assert abstain["detail"]["scheduledPeriod"] == {"start": DAY, "end": "2026-12-05"}
    closed = [n["during"]["start"][:10] for n in got["HealthcareService"]["notAvailable"]]
    assert "2026-10-01" in closed  # National Day break (CAL-OPEN)
    assert got["Appointment"]["status"] == "fulfilled"
    assert got["Appointment"]["start"] == "2026-11-21T08:00:00+08:00"
    assert got["Procedure"]["performedPeriod"]["start"] == "2026-11-21T08:30:00+08:00"
    assert [p["name"] for p in got["OperationDefinition"]["parameter"]] == [
        "appt-resource",
        "review-confirmed-by",
        "return",
    ]


def test_the_resident_id_never_leaves_the_server(client, clinic, pathway, staff_logins, person):
    number = person(1)["id_number"]
    r = client.get(
        "/fhir/Patient",
        params={"identifier": f"urn:hsgclinic:resident-id|{number}"},
        headers=staff_logins.headers("doctor"),
    )
    assert r.status_code == 200 and r.json()["total"] == 1
    assert number not in r.text and number[:14] not in r.text
    with clinic.ctx.read() as uow:
        trail = uow.session.execute(select(AuditEvent.detail)).scalars().all()
    assert all(number not in str(d) for d in trail)


def test_a_days_appointments_page_with_count(client, clinic, pathway, staff_logins):
    desk = staff_logins.headers("registrar")
    booking.book(clinic.ctx, staff_logins.actors["registrar"], pathway.waiting_form_id, dt.date(2026, 11, 21))
    first = client.get(f"/fhir/Appointment?date={DAY}&_count=1", headers=desk).json()
    assert first["total"] == 2 and len(first["entry"]) == 1
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    url = urlsplit(nxt)
    second = client.get(f"{url.path}?{url.query}", headers=desk).json()
    assert len(second["entry"]) == 1 and second["entry"][0]["resource"]["id"] != first["entry"][0]["resource"]["id"]
    assert not any(link["relation"] == "next" for link in second["link"])
    slots = client.get(f"/fhir/Slot?start={DAY}", headers=desk).json()
    assert [s["resource"]["status"] for s in slots["entry"]] == ["busy", "busy", "free"]  # capacity 3
    assert client.get("/fhir/Appointment?date=2026-11-22", headers=desk).json()["total"] == 0
    assert_valid(client.seen)


def test_errors_are_operation_outcomes_in_the_readers_language(client, pathway, staff_logins):
    anonymous = client.get(f"/fhir/Patient/{pathway.patient_id}", headers={"Accept-Language": "zh-CN"})
    assert anonymous.status_code == 401 and anonymous.json()["issue"][0]["code"] == "login"
    assert anonymous.json()["issue"][0]["details"]["text"] == "请先登录。"
    english = client.get(f"/fhir/Patient/{pathway.patient_id}", headers={"Accept-Language": "en"})
    assert english.json()["issue"][0]["details"]["text"] == "Please log in."
    desk = staff_logins.headers("registrar")
    forbidden = client.get(f"/fhir/DiagnosticReport/{pathway.report_id}", headers=desk)
    assert forbidden.status_code == 403 and forbidden.json()["issue"][0]["code"] == "forbidden"
    missing = client.get("/fhir/Appointment/999", headers=desk)
    assert missing.status_code == 404 and missing.json()["issue"][0]["code"] == "not-found"
    none = client.get("/fhir/Appointment?_id=999", headers=desk)
    assert none.status_code == 200 and none.json()["total"] == 0
    unknown = client.get("/fhir/Appointment?colour=blue", headers=staff_logins.headers("registrar", "zh-CN"))
    assert unknown.status_code == 400 and unknown.json()["issue"][0]["code"] == "not-supported"
    assert "colour" in unknown.json()["issue"][0]["details"]["text"]
    assert not unknown.json()["issue"][0]["details"]["text"].isascii()
    bad_date = client.get("/fhir/Appointment?date=tomorrow", headers=desk)
    assert bad_date.status_code == 400 and bad_date.json()["issue"][0]["code"] == "invalid"
    nothing = client.get("/fhir/Medication/1", headers=desk)
    assert nothing.status_code == 404 and nothing.json()["issue"][0]["code"] == "not-supported"
    xml = client.get("/fhir/metadata?_format=xml")
    assert xml.status_code == 406 and xml.json()["issue"][0]["code"] == "not-supported"
    write = client.put(f"/fhir/Patient/{pathway.patient_id}", headers=desk, json={"resourceType": "Patient"})
    assert write.status_code == 405 and write.json()["resourceType"] == "OperationOutcome"
    assert_valid(client.seen)


def test_a_patient_sees_only_her_own_records(client, clinic, pathway, staff_logins):
    from hsgclinic.persistence.models import RegistrationNumber
    from hsgclinic.services import staff

    with clinic.ctx.read() as uow:
        reg = uow.session.execute(
            select(RegistrationNumber).where(RegistrationNumber.patient_id == pathway.patient_id)
        ).scalar_one()
        p = uow.session.get(Patient, pathway.patient_id)
    login = staff.patient_login(clinic.ctx, access_code=reg.access_code, id_last4=p.id_last4, address="x")
    her = {"Authorization": f"Bearer {login.token}"}
    assert client.get(f"/fhir/DiagnosticReport/{pathway.report_id}", headers=her).status_code == 200
    assert client.get(f"/fhir/Patient/{pathway.waiting_patient_id}", headers=her).status_code == 404
    assert client.get("/fhir/Patient", headers=her).json()["total"] == 1
    assert client.get("/fhir/AuditEvent", headers=her).status_code == 403


def test_find_and_book_go_through_the_desks_booking(client, pathway, staff_logins):
    desk = staff_logins.headers("registrar")
    params = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "service-request", "valueReference": {"reference": f"ServiceRequest/{pathway.waiting_form_id}"}}
        ],
    }
    found = client.post("/fhir/Appointment/$find", json=params, headers=desk)
    assert found.status_code == 200, found.text
    starts = [e["resource"]["start"] for e in found.json()["entry"]]
    assert starts == ["2026-11-21T08:15:00+08:00", "2026-11-22T08:00:00+08:00"]  # BOOK-LEAD T+1, T+2
    proposal = found.json()["entry"][0]["resource"]
    doctor = client.post("/fhir/Appointment/$book", json=proposal, headers=staff_logins.headers("doctor"))
    assert doctor.status_code == 403
    booked = client.post(
        "/fhir/Appointment/$book",
        json={"resourceType": "Parameters", "parameter": [{"name": "appt-resource", "resource": proposal}]},
        headers=desk,
    )
    assert booked.status_code == 200, booked.text
    appt = booked.json()["entry"][0]["resource"]
    assert appt["status"] == "booked" and appt["start"] == "2026-11-21T08:15:00+08:00"
    again = client.post("/fhir/Appointment/$book", json=proposal, headers=desk)
    assert again.status_code == 409
    codes = [c["code"] for c in again.json()["issue"][0]["details"]["coding"]]
    assert codes == ["already_booked", "BOOK-OPEN"]
    wrong_day = dict(proposal, start="2026-11-25T08:00:00+08:00")
    refused = client.post("/fhir/Appointment/$book", json=wrong_day, headers=desk)
    assert refused.status_code == 409
    assert_valid(client.seen)


def test_find_says_why_when_no_date_can_be_booked(client, clinic, pathway, staff_logins):
    clinic.ctx.clock.set(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC))  # both candidate dates have passed
    from hsgclinic.services import staff

    token = staff.login(clinic.ctx, username="doctor", password="correct horse battery", address="x").token
    params = {
        "resourceType": "Parameters",
        "parameter": [{"name": "patient", "valueReference": {"reference": f"Patient/{pathway.waiting_patient_id}"}}],
    }
    answer = client.post("/fhir/Appointment/$find", json=params, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["total"] == 0
    oo = found["entry"][0]["resource"]
    assert (
        oo["resourceType"] == "OperationOutcome"
        and {"system": "urn:hsgclinic:rule", "code": "BOOK-NEXT"} in oo["issue"][0]["details"]["coding"]
    )
    assert_valid(client.seen)


def test_every_read_is_audited(client, clinic, pathway, staff_logins):
    client.get(f"/fhir/Patient/{pathway.patient_id}", headers=staff_logins.headers("doctor"))
    client.get(f"/fhir/Appointment?date={DAY}", headers=staff_logins.headers("registrar"))
    with clinic.ctx.read() as uow:
        rows = uow.session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.record_type, AuditEvent.patient_id).where(
                AuditEvent.action.like("records.%")
            )
        ).all()
    assert ("doctor", "records.read", "patient", pathway.patient_id) in rows
    assert ("registrar", "records.search", "procedure_appointment", pathway.patient_id) in rows


def test_a_date_needing_review_is_booked_only_with_the_confirming_doctor(client, clinic, pathway, staff_logins, person):
    from e2e.fhir.conftest import TODAY, good_screening
    from hsgclinic.services import registration, screening

    pid = registration.take_number(clinic.ctx, Actor.public("x"), day=TODAY, **person(7)).number.patient_id
    older = good_screening()
    older = dataclasses.replace(older, cycle=dataclasses.replace(older.cycle, age=41))  # ELIG-OVULATION: REVIEW
    v = screening.record_screening(
        clinic.ctx,
        staff_logins.actors["doctor"],
        patient_id=pid,
        screening=older,
        doctor_name="李医生",
        review_reasons={"ELIG-OVULATION": "cycle regular, LH negative"},
        issue_form=True,
    )
    form = screening.issue_application_form(clinic.ctx, staff_logins.actors["doctor"], v.screening_id).form_id
    desk = staff_logins.headers("registrar")
    found = client.get(f"/fhir/Appointment/$find?service-request=ServiceRequest/{form}", headers=desk).json()
    proposal = found["entry"][0]["resource"]
    assert "ELIG-OVULATION" in proposal["comment"]
    book = {"resourceType": "Parameters", "parameter": [{"name": "appt-resource", "resource": proposal}]}
    refused = client.post("/fhir/Appointment/$book", json=book, headers=desk)
    assert refused.status_code == 409
    assert [c["code"] for c in refused.json()["issue"][0]["details"]["coding"]] == ["review_required", "ELIG-OVULATION"]
    book["parameter"].append({"name": "review-confirmed-by", "valueString": "李医生"})
    booked = client.post("/fhir/Appointment/$book", json=book, headers=desk)
    assert booked.status_code == 200 and booked.json()["entry"][0]["resource"]["status"] == "booked"
    assert_valid(client.seen)
