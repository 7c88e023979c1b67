"""Real FHIR clients against a live server (uvicorn on a free port): SMART's ``fhirclient`` (PyPI) and
``fhir-kit-client`` (npm) read the CapabilityStatement, search a day's appointments page by page, read a signed
DiagnosticReport and a CarePlan, and call Appointment/$find and $book."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from fhirclient import client as smart_client
from fhirclient.models.appointment import Appointment
from fhirclient.models.careplan import CarePlan
from fhirclient.models.diagnosticreport import DiagnosticReport

from e2e.browser.live_server import serve
from e2e.fhir.conftest import BLOCKED, PATENT, good_screening
from e2e.fhir.fhir_checks import PEERS, node
from hsgclinic.domain.report import CavityFinding, ReportFindings
from hsgclinic.services import booking, payments, procedure, registration, screening, staff
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import water_contrast_procedure

TODAY = dt.date(2026, 11, 20)


@dataclasses.dataclass
class Live:
    base: str
    desk_token: str
    radiology_token: str
    report_id: int
    plan_id: int
    forms: list[int]  # not yet booked: one per client


@pytest.fixture
def live(tmp_path: Path):
    with serve(tmp_path) as (url, clinic):
        admin = Actor(Role.ADMIN, "t")
        tokens = {}
        for name, role, shown in (("desk", "registrar", "王护士"), ("rad", "radiologist", "赵医生")):
            staff.create_user(clinic.ctx, admin, username=name, display_name=shown, role=role, password="x" * 12)
            tokens[name] = staff.login(clinic.ctx, username=name, password="x" * 12, address="127.0.0.1")
        doctor = Actor(Role.DOCTOR, "dr.li")
        forms = []
        for n in range(4):
            pid = registration.take_number(
                clinic.ctx,
                Actor.public(),
                day=TODAY,
                name=synthetic_name(n),
                id_number=synthetic_resident_id(n),
                phone=synthetic_phone(n),
            ).number.patient_id
            v = screening.record_screening(
                clinic.ctx, doctor, patient_id=pid, screening=good_screening(), doctor_name="李医生", issue_form=True
            )
            forms.append(screening.issue_application_form(clinic.ctx, doctor, v.screening_id).form_id)
        desk, rad = tokens["desk"].actor, tokens["rad"].actor
        appt = booking.book(clinic.ctx, desk, forms[0], dt.date(2026, 11, 21))
        booking.book(clinic.ctx, desk, forms[3], dt.date(2026, 11, 21))  # a second one: two pages of _count=1
        payments.record_payment(clinic.ctx, desk, appt.appointment_id, "cash", Decimal("1000"))
        saved = clinic.clock.instant
        clinic.clock.set(dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.UTC))
        proc = procedure.record_procedure(
            clinic.ctx, rad, appt.appointment_id, water_contrast_procedure(clinic.clock.instant)
        )
        findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, BLOCKED, "Right tube blocked.")
        rep = procedure.write_report(clinic.ctx, rad, proc.procedure_id, findings)
        procedure.sign_report(clinic.ctx, rad, rep.report_id)
        procedure.produce_aftercare(clinic.ctx, rad, proc.procedure_id)
        clinic.clock.set(saved)
        yield Live(f"{url}/fhir", tokens["desk"].token, tokens["rad"].token, rep.report_id, 1, forms[1:3])


def test_smart_fhirclient_reads_searches_and_books(live):
    smart = smart_client.FHIRClient(settings={"app_id": "hsg-test", "api_base": live.base + "/"})
    smart.server.session.headers.update({"Authorization": f"Bearer {live.radiology_token}", "Accept-Language": "en"})
    smart.prepare()
    cs = smart.server.capabilityStatement
    assert cs.fhirVersion == "4.0.1"
    assert {r.type for r in cs.rest[0].resource} >= {"Appointment", "DiagnosticReport", "CarePlan", "Slot"}
    day = list(Appointment.where(struct={"date": "2026-11-21", "_count": "1"}).perform_resources_iter(smart.server))
    assert [a.status for a in day] == ["fulfilled", "booked"]  # followed the next link
    assert day[0].start.isostring == "2026-11-21T08:00:00+08:00"
    report = DiagnosticReport.read(str(live.report_id), smart.server)
    assert report.status == "final" and report.resultsInterpreter[0].display == "赵医生"
    assert [r.reference for r in report.result] == [
        f"Observation/rep{live.report_id}-{p}" for p in ("cavity", "left", "right")
    ]
    plan = CarePlan.read(str(live.plan_id), smart.server)
    assert {a.detail.code.coding[0].code for a in plan.activity} >= {"CARE-ABSTAIN", "CARE-ANTIBIOTIC", "CARE-REPORT"}

    smart.server.session.headers["Authorization"] = f"Bearer {live.desk_token}"
    find = {
        "resourceType": "Parameters",
        "parameter": [{"name": "service-request", "valueReference": {"reference": f"ServiceRequest/{live.forms[0]}"}}],
    }
    found = smart.server.post_json("Appointment/$find", find).json()
    proposal = Appointment(found["entry"][0]["resource"])  # fhirclient's model parses what $find proposes
    assert proposal.status == "proposed"
    booked = smart.server.post_json(
        "Appointment/$book",
        {"resourceType": "Parameters", "parameter": [{"name": "appt-resource", "resource": proposal.as_json()}]},
    ).json()
    appt = Appointment(booked["entry"][0]["resource"])
    assert appt.status == "booked" and appt.start.isostring == "2026-11-21T08:30:00+08:00"


def test_fhir_kit_client_reads_searches_and_books(live):
    args = [live.base, live.radiology_token, live.desk_token, "2026-11-21", str(live.report_id), str(live.plan_id)]
    out = subprocess.run(
        [node(), str(PEERS / "client.mjs"), *args, str(live.forms[1])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["capability"]["fhirVersion"] == "4.0.1" and "DiagnosticReport" in got["capability"]["resources"]
    assert got["appointments"]["total"] == 2 and got["appointments"]["pages"] == 2
    assert got["report"]["status"] == "final" and got["report"]["conclusion"] == "Right tube blocked."
    assert {"CARE-ABSTAIN", "CARE-REPORT"} <= set(got["plan"]["codes"])
    assert got["find"]["starts"] == ["2026-11-21T08:30:00+08:00", "2026-11-22T08:00:00+08:00"]
    assert got["book"]["status"] == "booked" and got["book"]["start"] == "2026-11-21T08:30:00+08:00"
    again = got["again"]
    assert again["status"] == 409 and again["outcome"]["resourceType"] == "OperationOutcome"
