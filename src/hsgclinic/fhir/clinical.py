"""ServiceRequest (the application form), Observation (screening, procedure dose, report findings), Procedure,
DiagnosticReport (signed reports only) and CarePlan (the dated aftercare plan) — translation only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hsgclinic.domain.findings import Finding
from hsgclinic.fhir import codes
from hsgclinic.fhir.wire import instant, tidy
from hsgclinic.i18n import Translator
from hsgclinic.services.clinical_records import (
    AftercareRecord,
    FormRecord,
    ProcedureRecordView,
    ScreeningRecord,
    SignedReportRecord,
)
from hsgclinic.services.serialize import decode_message

# the form's latest appointment → ServiceRequest.status (http://hl7.org/fhir/request-status)
FORM_STATUS = {None: "active", "booked": "active", "cancelled": "active", "done": "completed", "stopped": "revoked"}
OUTCOME_INTERPRETATION = {"PASS": ("N", "Normal"), "REVIEW": ("A", "Abnormal"), "BLOCK": ("A", "Abnormal")}
LEUKORRHEA = [
    # (input key, code, display, kind)
    ("cleanliness", "leuk-cleanliness", "Cleanliness grade (I–IV)", "grade"),
    ("wbc_per_hpf", "leuk-wbc", "White cells per high-power field", "count"),
    ("trichomonas", "leuk-trichomonas", "Trichomonas", "presence"),
    ("yeast", "leuk-yeast", "Yeast (spores/hyphae)", "presence"),
    ("clue_cells", "leuk-clue-cells", "Clue cells", "presence"),
    ("ph", "leuk-ph", "pH", "ph"),
    ("amine_test", "leuk-amine", "Amine (whiff) test", "presence"),
    ("sialidase", "leuk-sialidase", "Sialidase", "presence"),
    ("leukocyte_esterase", "leuk-esterase", "Leukocyte esterase", "presence"),
    ("h2o2", "leuk-h2o2", "H2O2 (abnormal when positive)", "presence"),
]
GRADES = {1: "I", 2: "II", 3: "III", 4: "IV"}
PATENCY = {
    "patent": "Patent",
    "partially_patent": "Partially patent",
    "obstructed": "Obstructed",
    "not_visualised": "Not visualised",
}
OBSTRUCTION = {"proximal": "Proximal", "mid": "Mid", "distal": "Distal", "none": "None"}
SPILL = {"free": "Free", "loculated": "Loculated", "none": "None"}
# CARE item → how its date reads: the last day of something (through) or the first (from)
CARE_THROUGH = {"CARE-ABSTAIN", "CARE-ANTIBIOTIC", "CARE-BLEED"}


def _ref(kind: str, id_: object) -> dict[str, str]:
    return {"reference": f"{kind}/{id_}"}


def _code(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _finding(findings: tuple[Finding, ...], rule: str) -> str | None:
    outcomes = [f.outcome.value for f in findings if f.rule == rule]
    for o in ("BLOCK", "REVIEW", "PASS"):
        if o in outcomes:
            return o
    return None


def _interpretation(findings: tuple[Finding, ...], rule: str) -> list[dict[str, Any]] | None:
    o = _finding(findings, rule)
    if o is None:
        return None
    code, display = OUTCOME_INTERPRETATION[o]
    return [{"coding": [{"system": codes.INTERPRETATION, "code": code, "display": display}], "text": f"{rule} {o}"}]


def service_request(f: FormRecord, tz: ZoneInfo) -> dict[str, Any]:
    return tidy(
        {
            "resourceType": "ServiceRequest",
            "id": str(f.id),
            "identifier": [
                {"system": codes.FORM_NUMBER, "value": f.number},
                {
                    "type": {"coding": [{"system": codes.V2_0203, "code": "ACSN", "display": "Accession ID"}]},
                    "system": codes.ACCESSION,
                    "value": f.accession_number,
                }
                if f.accession_number
                else None,
            ],
            "status": FORM_STATUS.get(f.appointment_status, "active"),
            "intent": "order",
            "category": [_code(codes.V2_0074, "RAD", "Radiology")],
            "code": {"coding": [codes.HSG], "text": codes.HSG["display"]},
            "subject": _ref("Patient", f.patient_id),
            "authoredOn": instant(f.issued_at, tz),
            "requester": {"display": f.issued_by},
            "performer": [_ref("HealthcareService", "hsg")],
            "note": [{"text": f"Leukorrhea test passed on {f.test_date.isoformat()} (BOOK-LEAD)"}],
        }
    )


def _obs(id_: str, patient_id: int, code: dict[str, Any], category: str, **rest: Any) -> dict[str, Any]:
    return tidy(
        {
            "resourceType": "Observation",
            "id": id_,
            "status": "final",
            "category": [
                {
                    "coding": [
                        {"system": codes.OBS_CATEGORY, "code": category, "display": category.replace("-", " ").title()}
                    ]
                }
            ],
            "code": code,
            "subject": _ref("Patient", patient_id),
            **rest,
        }
    )


def _value(kind: str, raw: object) -> dict[str, Any]:
    if kind == "grade":
        return {"valueCodeableConcept": {"text": GRADES.get(int(str(raw)), str(raw))}}
    if kind == "count":
        return {"valueQuantity": {"value": int(str(raw)), "unit": "/[HPF]", "system": codes.UCUM, "code": "/[HPF]"}}
    if kind == "ph":
        return {
            "valueQuantity": {"value": float(Decimal(str(raw))), "unit": "pH", "system": codes.UCUM, "code": "[pH]"}
        }
    return {"valueBoolean": bool(raw)}


def screening_observations(r: ScreeningRecord) -> list[dict[str, Any]]:
    """Temperature, the leukorrhea routine test and the LMP of one screening visit (those it recorded)."""
    out = []
    day = r.visit_date.isoformat()
    temp = r.inputs.get("temperature_c")
    if temp is not None:
        out.append(
            _obs(
                f"scr{r.id}-temp",
                r.patient_id,
                {
                    "coding": [{"system": codes.LOINC, "code": "8310-5", "display": "Body temperature"}],
                    "text": "Body temperature",
                },
                "vital-signs",
                effectiveDateTime=day,
                valueQuantity={"value": float(Decimal(str(temp))), "unit": "°C", "system": codes.UCUM, "code": "Cel"},
                interpretation=_interpretation(r.findings, "ELIG-TEMP"),
                performer=[{"display": r.doctor_name}],
            )
        )
    leuk = r.inputs.get("leukorrhea")
    if isinstance(leuk, dict):
        components = [
            {"code": _code(codes.OBSERVATION, code, display), **_value(kind, leuk[key])}
            for key, code, display, kind in LEUKORRHEA
            if leuk.get(key) is not None
        ]
        out.append(
            _obs(
                f"scr{r.id}-leuk",
                r.patient_id,
                _code(codes.OBSERVATION, "leukorrhea-routine", "Leukorrhea routine test (白带常规)"),
                "laboratory",
                effectiveDateTime=day,
                specimen={"display": "Vaginal discharge"},
                interpretation=_interpretation(r.findings, "ELIG-LEUK"),
                component=components,
            )
        )
    cycle = r.inputs.get("cycle")
    if isinstance(cycle, dict) and cycle.get("period_start"):
        out.append(
            _obs(
                f"scr{r.id}-lmp",
                r.patient_id,
                {
                    "coding": [
                        {"system": codes.LOINC, "code": "8665-2", "display": "Last menstrual period start date"}
                    ],
                    "text": "Last menstrual period start date",
                },
                "survey",
                effectiveDateTime=day,
                valueDateTime=str(cycle["period_start"]),
            )
        )
    return out


def procedure_observations(p: ProcedureRecordView, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Fluoroscopy time, contrast volume and dose of a procedure that was done (PROC, REPORT-DOSE)."""
    if p.stopped:
        return []
    when = instant(p.started_at, tz)
    values = [
        ("fluoro", "fluoroscopy-time", "Fluoroscopy time", p.fluoroscopy_s, "s", "s"),
        ("volume", "contrast-volume", "Contrast volume", p.volume_ml, "mL", "mL"),
        ("dap", "dose-area-product", "Dose area product", p.dap_gy_cm2, "Gy·cm²", "Gy.cm2"),
        ("kerma", "air-kerma", "Air kerma at the reference point", p.air_kerma_mgy, "mGy", "mGy"),
    ]
    return [
        _obs(
            f"proc{p.id}-{suffix}",
            p.patient_id,
            _code(codes.OBSERVATION, code, display),
            "procedure",
            effectiveDateTime=when,
            partOf=[_ref("Procedure", p.id)],
            valueQuantity={"value": float(value), "unit": unit, "system": codes.UCUM, "code": ucum},
        )
        for suffix, code, display, value, unit, ucum in values
        if value is not None
    ]


def procedure(p: ProcedureRecordView, tz: ZoneInfo) -> dict[str, Any]:
    kind = {"water": "water-based", "oil": "oil-based"}.get(p.contrast_kind or "", "")
    notes = []
    if p.fluoroscopy_s is not None:
        notes.append({"text": f"Fluoroscopy {p.fluoroscopy_s} s; contrast {p.volume_ml} mL"})
    return tidy(
        {
            "resourceType": "Procedure",
            "id": str(p.id),
            "basedOn": [_ref("ServiceRequest", p.application_form_id)],
            "status": "not-done" if p.stopped else "completed",
            "statusReason": {"text": "Positive urine hCG on the day (ELIG-PREG)"} if p.stopped else None,
            "category": _code(codes.V2_0074, "RAD", "Radiology"),
            "code": {"coding": [codes.HSG], "text": codes.HSG["display"]},
            "subject": _ref("Patient", p.patient_id),
            "performedPeriod": (
                {"start": instant(p.started_at, tz), "end": instant(p.ended_at, tz)} if p.started_at else None
            ),
            "performedDateTime": None if p.started_at else p.day.isoformat(),
            "recorder": _ref("Practitioner", p.recorded_by) if p.recorded_by else None,
            "performer": [{"actor": {"display": p.operator}}],
            "usedCode": [{"text": f"{p.contrast_agent} ({kind} contrast)"}] if p.contrast_agent else None,
            "note": notes,
        }
    )


def _tube(r: SignedReportRecord, side: str, tz: ZoneInfo) -> dict[str, Any]:
    tube = r.findings[side]
    return _obs(
        f"rep{r.id}-{side}",
        r.patient_id,
        _code(codes.OBSERVATION, f"{side}-tube", f"{side.title()} fallopian tube"),
        "imaging",
        effectiveDateTime=instant(r.procedure_started_at, tz) or r.day.isoformat(),
        issued=instant(r.signed_at, tz),
        bodySite={"text": f"{side.title()} fallopian tube"},
        derivedFrom=None,
        partOf=[_ref("Procedure", r.procedure_id)],
        component=[
            {
                "code": _code(codes.OBSERVATION, "tubal-patency", "Tubal patency"),
                "valueCodeableConcept": _code(codes.PATENCY, tube["patency"], PATENCY[tube["patency"]]),
            },
            {
                "code": _code(codes.OBSERVATION, "obstruction-level", "Level of obstruction"),
                "valueCodeableConcept": _code(
                    codes.OBSTRUCTION, tube["obstruction_level"], OBSTRUCTION[tube["obstruction_level"]]
                ),
            },
            {
                "code": _code(codes.OBSERVATION, "peritoneal-spill", "Peritoneal spill"),
                "valueCodeableConcept": _code(codes.SPILL, tube["spill"], SPILL[tube["spill"]]),
            },
            {
                "code": _code(codes.OBSERVATION, "hydrosalpinx", "Hydrosalpinx"),
                "valueBoolean": bool(tube["hydrosalpinx"]),
            },
        ],
    )


def _cavity(r: SignedReportRecord, tz: ZoneInfo) -> dict[str, Any]:
    c = r.findings["cavity"]
    return _obs(
        f"rep{r.id}-cavity",
        r.patient_id,
        _code(codes.OBSERVATION, "uterine-cavity", "Uterine cavity"),
        "imaging",
        effectiveDateTime=instant(r.procedure_started_at, tz) or r.day.isoformat(),
        issued=instant(r.signed_at, tz),
        bodySite={"text": "Uterine cavity"},
        partOf=[_ref("Procedure", r.procedure_id)],
        component=[
            {"code": _code(codes.OBSERVATION, "cavity-shape", "Shape"), "valueString": str(c["shape"])},
            {"code": _code(codes.OBSERVATION, "cavity-anomaly", "Anomaly"), "valueBoolean": bool(c["anomaly"])},
            {
                "code": _code(codes.OBSERVATION, "filling-defects", "Filling defects"),
                "valueBoolean": bool(c["filling_defects"]),
            },
            {
                "code": _code(codes.OBSERVATION, "intravasation", "Intravasation"),
                "valueBoolean": bool(c["intravasation"]),
            },
        ],
    )


def report_observations(r: SignedReportRecord, tz: ZoneInfo) -> list[dict[str, Any]]:
    """REPORT-FIELDS as Observations: the cavity, then the left and right tube (patency, level, spill, hydrosalpinx)."""
    return [_cavity(r, tz), _tube(r, "left", tz), _tube(r, "right", tz)]


def diagnostic_report(r: SignedReportRecord, tz: ZoneInfo) -> dict[str, Any]:
    signer = {"reference": f"Practitioner/{r.signer_id}", "display": r.signer_name} if r.signer_id else None
    return tidy(
        {
            "resourceType": "DiagnosticReport",
            "id": str(r.id),
            "meta": {"versionId": str(r.version)},
            "basedOn": [_ref("ServiceRequest", r.application_form_id)],
            "status": "amended" if r.corrected else "final",
            "category": [_code(codes.V2_0074, "RAD", "Radiology")],
            "code": _code(codes.PROCEDURE, "hsg-report", "Hysterosalpingography report"),
            "subject": _ref("Patient", r.patient_id),
            "effectiveDateTime": instant(r.procedure_started_at, tz) or r.day.isoformat(),
            "issued": instant(r.signed_at, tz),
            "performer": [_ref("HealthcareService", "hsg")],
            "resultsInterpreter": [signer or {"display": r.signer_name}],
            "result": [_ref("Observation", f"rep{r.id}-{part}") for part in ("cavity", "left", "right")],
            "conclusion": str(r.findings.get("impression", "")) or None,
        }
    )


def care_plan(plan: AftercareRecord, t: Translator, tz: ZoneInfo) -> dict[str, Any]:
    p = plan.plan
    day = str(p["procedure_date"])
    activities = []
    for item in p.get("items", []):
        when = item.get("day")
        rule = str(item["rule"])
        period = None
        if when:
            period = {"start": day, "end": when} if rule in CARE_THROUGH else {"start": when}
        activities.append(
            {
                "detail": {
                    "kind": "Task",
                    "code": {"coding": [{"system": codes.CARE, "code": rule, "display": rule}], "text": rule},
                    "status": "scheduled" if when else "not-started",
                    "scheduledPeriod": period,
                    "description": t.render(decode_message(item["message"])),
                }
            }
        )
    dates = [str(i["day"]) for i in p.get("items", []) if i.get("day")]
    return tidy(
        {
            "resourceType": "CarePlan",
            "id": str(plan.id),
            "status": "active",
            "intent": "plan",
            "title": "Aftercare after HSG" if not t.is_zh else "输卵管造影术后注意事项",
            "category": [{"text": "Aftercare"}],
            "subject": _ref("Patient", plan.patient_id),
            "period": {"start": day, "end": max(dates) if dates else day},
            "created": instant(plan.created_at, tz),
            "supportingInfo": [_ref("Procedure", plan.procedure_id)],
            "activity": activities,
        }
    )


def observation_day(value: dict[str, Any]) -> dt.date | None:
    raw = value.get("effectiveDateTime")
    return dt.date.fromisoformat(str(raw)[:10]) if raw else None
