"""DICOM datasets ↔ the worklist and MPPS services' values (docs/dicom-conformance.md has the attribute table).

Translation only: what a key means and which steps match is decided in services/worklist.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from hsgclinic.services.worklist import PROCEDURE_CODE, WorklistItem, WorklistQuery
from hsgclinic.services.worklist_mpps import Dose, StepStart, StepUpdate

# The character sets we answer in: the request's, when it is one of these, else the configured one.
SUPPORTED_CHARSETS = ("ISO_IR 192", "GB18030", "GBK")

PROCEDURE_DESCRIPTION = "子宫输卵管造影 HSG"  # RequestedProcedureDescription (LO ≤ 64)
SPS_DESCRIPTION = "无痛子宫输卵管造影 painless HSG"  # ScheduledProcedureStepDescription (LO ≤ 64)

_SPS_KEYS = (
    "Modality",
    "ScheduledStationAETitle",
    "ScheduledStationName",
    "ScheduledProcedureStepStartDate",
    "ScheduledProcedureStepStartTime",
    "ScheduledPerformingPhysicianName",
    "ScheduledProcedureStepDescription",
    "ScheduledProcedureStepID",
    "ScheduledProcedureStepStatus",
    "ScheduledProcedureStepLocation",
    "RequestedContrastAgent",
    "ScheduledProtocolCodeSequence",
)
_CODE_KEYS = ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")


class QueryError(ValueError):
    """The identifier cannot be read (a malformed date or range)."""


def _text(ds: Dataset, keyword: str) -> str | None:
    """A key's value as a string; ``None`` for an absent or empty key (universal match)."""
    if keyword not in ds:
        return None
    value = ds[keyword].value
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(text: str) -> dt.date:
    clean = text.strip()
    try:
        if not re.fullmatch(r"\d{8}", clean):
            raise ValueError(clean)
        return dt.date(int(clean[:4]), int(clean[4:6]), int(clean[6:]))
    except ValueError:
        raise QueryError(f"not a DICOM date: {text!r}") from None


def _date_range(text: str) -> tuple[dt.date | None, dt.date | None]:
    if "-" not in text:
        d = _date(text)
        return d, d
    first, _, last = text.partition("-")
    return (_date(first) if first.strip() else None), (_date(last) if last.strip() else None)


def query_from(identifier: Dataset) -> WorklistQuery:
    """The service's query from a C-FIND identifier (PS3.4 K.6.1.2.2 matching keys)."""
    sps = identifier.get("ScheduledProcedureStepSequence")
    item = sps[0] if sps else Dataset()
    date_text = _text(item, "ScheduledProcedureStepStartDate")
    first, last = _date_range(date_text) if date_text else (None, None)
    return WorklistQuery(
        date_from=first,
        date_to=last,
        dated=date_text is not None,
        modality=_text(item, "Modality"),
        station_ae_title=_text(item, "ScheduledStationAETitle"),
        patient_name=_text(identifier, "PatientName"),
        patient_id=_text(identifier, "PatientID"),
        accession_number=_text(identifier, "AccessionNumber"),
        requested_keys=tuple(e.keyword for e in identifier if e.keyword) or (),
    )


def answer_charset(identifier: Dataset, configured: str) -> str:
    """SpecificCharacterSet of our answer: the one asked for when we support it, else the configured one."""
    asked = identifier.get("SpecificCharacterSet")
    values = [asked] if isinstance(asked, str) else list(asked or [])
    for value in values:
        if str(value).strip() in SUPPORTED_CHARSETS:
            return str(value).strip()
    return configured


def _da(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def _code_item(requested: Dataset | None) -> Dataset:
    code = Dataset()
    full = {
        "CodeValue": PROCEDURE_CODE[0],
        "CodingSchemeDesignator": PROCEDURE_CODE[1],
        "CodeMeaning": PROCEDURE_CODE[2],
    }
    keys = [e.keyword for e in requested] if requested is not None and len(requested) else list(_CODE_KEYS)
    for k in keys:
        setattr(code, k, full.get(k, ""))
    return code


def _sps_values(item: WorklistItem) -> dict[str, Callable[[Dataset | None], Any]]:
    return {
        "Modality": lambda _: item.modality,
        "ScheduledStationAETitle": lambda _: item.station_ae_title,
        "ScheduledStationName": lambda _: item.station_name,
        "ScheduledProcedureStepStartDate": lambda _: _da(item.start.date()),
        "ScheduledProcedureStepStartTime": lambda _: item.start.strftime("%H%M%S"),
        "ScheduledPerformingPhysicianName": lambda _: item.performing_physician,
        "ScheduledProcedureStepDescription": lambda _: SPS_DESCRIPTION,
        "ScheduledProcedureStepID": lambda _: item.sps_id,
        "ScheduledProcedureStepStatus": lambda _: item.status,
        "ScheduledProcedureStepLocation": lambda _: item.station_name,
        "RequestedContrastAgent": lambda _: item.contrast_agent,
        "ScheduledProtocolCodeSequence": lambda req: Sequence([_code_item(req[0] if req else None)]),
    }


def _top_values(item: WorklistItem, issuer: str) -> dict[str, Callable[[Dataset | None], Any]]:
    return {
        "PatientName": lambda _: f"{item.family_name}^{item.given_name}" if item.given_name else item.family_name,
        "PatientID": lambda _: item.record_number,
        "IssuerOfPatientID": lambda _: issuer,
        "PatientBirthDate": lambda _: _da(item.birth_date),
        "PatientSex": lambda _: item.sex or "",
        "AccessionNumber": lambda _: item.accession_number,
        "StudyInstanceUID": lambda _: item.study_instance_uid,
        "RequestedProcedureID": lambda _: item.requested_procedure_id,
        "RequestedProcedureDescription": lambda _: PROCEDURE_DESCRIPTION,
        "RequestedProcedureCodeSequence": lambda req: Sequence([_code_item(req[0] if req else None)]),
        "ReferringPhysicianName": lambda _: item.referring_physician,
        "MedicalAlerts": lambda _: list(item.medical_alerts) or "",
        "Allergies": lambda _: list(item.contrast_allergies) or "",  # (0010,2110), formerly Contrast Allergies
        "PregnancyStatus": lambda _: item.pregnancy_status,
        "LastMenstrualDate": lambda _: _da(item.last_menstrual_date),
        "RequestedProcedurePriority": lambda _: "ROUTINE",
        "Modality": lambda _: item.modality,  # some modalities ask for it at the top level too
    }


def answer_for(identifier: Dataset, item: WorklistItem, charset: str, issuer: str) -> Dataset:
    """One C-FIND answer: exactly the keys asked for, filled from the item (an unknown key comes back empty)."""
    out = Dataset()
    out.SpecificCharacterSet = charset
    top = _top_values(item, issuer)
    for element in identifier:
        keyword = element.keyword
        if not keyword or keyword == "SpecificCharacterSet":
            continue
        if keyword == "ScheduledProcedureStepSequence":
            out.ScheduledProcedureStepSequence = Sequence([_sps_item(element.value, item)])
        elif keyword in top:
            value = top[keyword](element.value if element.VR == "SQ" else None)
            setattr(out, keyword, value)
        else:
            out.add_new(element.tag, element.VR, None)  # asked, not known here: returned empty
    return out


def _sps_item(requested: Sequence | None, item: WorklistItem) -> Dataset:
    values = _sps_values(item)
    asked = requested[0] if requested else None
    out = Dataset()
    if asked is None or len(asked) == 0:  # an empty sequence asks for all its attributes
        for keyword in _SPS_KEYS:
            setattr(out, keyword, values[keyword](None))
        return out
    for element in asked:
        keyword = element.keyword
        if keyword in values:
            setattr(out, keyword, values[keyword](element.value if element.VR == "SQ" else None))
        elif keyword:
            out.add_new(element.tag, element.VR, None)
    return out


def matches_sps_filters(identifier: Dataset) -> bool:
    """False when the identifier's SPS sequence has more than one item (only one is allowed in a query)."""
    sps = identifier.get("ScheduledProcedureStepSequence")
    return sps is None or len(sps) <= 1


# -- MPPS ------------------------------------------------------------------------------------------------------------
def _instant(date_text: str | None, time_text: str | None, tz: ZoneInfo) -> dt.datetime | None:
    """A DA + TM pair in clinic time as a UTC instant (the modality's clock is the clinic's)."""
    if not date_text:
        return None
    day = _date(date_text)
    t = dt.time(0, 0)
    if time_text:
        digits = re.sub(r"[^0-9.]", "", time_text)
        main = digits.split(".")[0]
        try:
            t = dt.time(int(main[0:2] or 0), int(main[2:4] or 0), int(main[4:6] or 0))
        except ValueError:
            raise QueryError(f"not a DICOM time: {time_text!r}") from None
    return dt.datetime.combine(day, t, tzinfo=tz).astimezone(dt.UTC)


def _decimal(ds: Dataset, keyword: str, scale: Decimal = Decimal(1)) -> Decimal | None:
    text = _text(ds, keyword)
    if text is None:
        return None
    try:
        return (Decimal(text) * scale).quantize(Decimal("0.001"))
    except (InvalidOperation, ValueError):
        raise QueryError(keyword) from None


def dose_from(ds: Dataset) -> Dose:
    """The Radiation Dose module of an MPPS (PS3.3 C.4.16): DAP comes in dGy·cm², the record keeps Gy·cm²."""
    exposures = _text(ds, "TotalNumberOfExposures")
    try:
        count = int(exposures) if exposures is not None else None
    except ValueError:
        raise QueryError("TotalNumberOfExposures") from None
    fluoro = _decimal(ds, "TotalTimeOfFluoroscopy")
    return Dose(
        fluoroscopy_s=fluoro.quantize(Decimal("0.1")) if fluoro is not None else None,
        exposures=count,
        dap_gy_cm2=_decimal(ds, "ImageAndFluoroscopyAreaDoseProduct", Decimal("0.1")),
        entrance_dose_mgy=_decimal(ds, "EntranceDoseInmGy"),
    )


def _kept(ds: Dataset) -> dict[str, Any]:
    keep = (
        "PerformedProcedureStepID",
        "PerformedStationAETitle",
        "PerformedStationName",
        "Modality",
        "PerformedProcedureStepDescription",
        "CommentsOnRadiationDose",
    )
    out: dict[str, Any] = {}
    for k in keep:
        if k in ds and ds[k].VR != "SQ":
            text = _text(ds, k)
            if text:
                out[k] = text[:200]
    return out


_CREATE_REQUIRED = (
    "ScheduledStepAttributesSequence",
    "PerformedProcedureStepID",
    "PerformedStationAETitle",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
    "PerformedProcedureStepStatus",
    "Modality",
)


def _read(invalid: list[str], keyword: str, read: Callable[[], Any]) -> Any:
    """``read()``, or None with ``keyword`` noted as invalid when its value cannot be read."""
    try:
        return read()
    except QueryError:
        invalid.append(keyword)
        return None


def step_start_from(sop_instance_uid: str, ds: Dataset, tz: ZoneInfo) -> StepStart:
    """N-CREATE's attribute list → the service's start (missing or unreadable Type 1 attributes are listed, never
    guessed: the service refuses them)."""
    missing = tuple(k for k in _CREATE_REQUIRED if k not in ds or ds[k].is_empty)
    ssa = ds.get("ScheduledStepAttributesSequence")
    ref = ssa[0] if ssa else Dataset()
    invalid: list[str] = []
    started = _read(
        invalid,
        "PerformedProcedureStepStartDate",
        lambda: _instant(
            _text(ds, "PerformedProcedureStepStartDate"), _text(ds, "PerformedProcedureStepStartTime"), tz
        ),
    )
    dose = _read(invalid, "RadiationDose", lambda: dose_from(ds)) or Dose()
    return StepStart(
        sop_instance_uid=sop_instance_uid,
        status=(_text(ds, "PerformedProcedureStepStatus") or "").upper(),
        started_at=started,
        study_instance_uid=_text(ref, "StudyInstanceUID"),
        accession_number=_text(ref, "AccessionNumber"),
        patient_id=_text(ds, "PatientID"),
        station_ae_title=_text(ds, "PerformedStationAETitle") or "",
        dose=dose,
        attributes=_kept(ds),
        missing=missing,
        invalid=tuple(invalid),
    )


def _reason(ds: Dataset) -> str | None:
    codes = ds.get("PerformedProcedureStepDiscontinuationReasonCodeSequence")
    if codes:
        c = codes[0]
        meaning, value = _text(c, "CodeMeaning"), _text(c, "CodeValue")
        return " ".join(x for x in (meaning, f"({value})" if value else None) if x) or None
    return _text(ds, "CommentsOnThePerformedProcedureStep")


def step_update_from(sop_instance_uid: str, ds: Dataset, tz: ZoneInfo) -> StepUpdate:
    """N-SET's modification list → the service's update. Attributes N-SET may not change (PS3.4 Table F.7.2-1:
    the scheduled step, patient, start, IDs) are ignored, as most SCPs do."""
    invalid: list[str] = []
    ended = _read(
        invalid,
        "PerformedProcedureStepEndDate",
        lambda: _instant(_text(ds, "PerformedProcedureStepEndDate"), _text(ds, "PerformedProcedureStepEndTime"), tz),
    )
    dose = _read(invalid, "RadiationDose", lambda: dose_from(ds)) or Dose()
    status = _text(ds, "PerformedProcedureStepStatus")
    return StepUpdate(
        sop_instance_uid=sop_instance_uid,
        status=status.upper() if status else None,
        ended_at=ended,
        dose=dose,
        discontinuation_reason=_reason(ds),
        attributes=_kept(ds),
        invalid=tuple(invalid),
    )
