"""The fluoroscopy room's Modality Worklist (issue 9): the scheduled procedure steps a modality may query, and the
log of what the DICOM service was asked.

A worklist item is a booked, paid procedure appointment on a day the clinic is open: cancelled, refunded, stopped
and closed-day appointments never appear, nor one whose performed step the modality has already completed. One
query is one use case: the matching items are read, and the query, each patient it showed and the exchange for the
administrator's log are written, in one transaction.

Matching (what a modality asks, PS3.4 K.6.1.2): the scheduled start date (one day or a range, open ends bounded),
modality, scheduled station AE title, patient name with ``*`` / ``?`` wildcards, patient ID (the hospital record
number), accession number. An empty key matches everything. A query without a date covers today (and the next
``dicom_undated_query_days`` − 1 days); a range longer than ``dicom_max_range_days`` or more answers than
``dicom_max_answers`` is refused (the adapter answers 0xA700, out of resources).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import (
    ApplicationForm,
    AuditEvent,
    DicomExchange,
    Patient,
    Payment,
    PerformedStep,
    ProcedureAppointment,
    ProcedureRecord,
    Screening,
    StaffUser,
)
from hsgclinic.services import audit, identifiers
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import Forbidden, InvalidInput

MODALITY = "RF"
PROCEDURE_CODE = ("HSG", "99HSGCLINIC", "子宫输卵管造影 Hysterosalpingography")  # (value, scheme, meaning)
LOG_KEEP = 500  # exchanges kept for the administrator's page

# Two-character family names (复姓) common enough to matter when a name is split into family^given.
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 "  # noqa: SIM905
    "令狐 夏侯 轩辕 端木 独孤 南宫 西门 呼延 万俟 闻人 赫连 澹台".split()
)


def modality_actor(calling_ae_title: str, address: str) -> Actor:
    """The audit trail's actor for a DICOM caller."""
    return Actor(Role.MODALITY, f"dicom:{calling_ae_title}"[:100], address[:64])


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of her real name: a Chinese name splits after its (possibly compound) family name; a name
    written with spaces splits at its last space (``Anna Maria Rossi`` → ``Rossi``, ``Anna Maria``)."""
    clean = " ".join(name.split())
    if " " in clean:
        given, _, family = clean.rpartition(" ")
        return family, given
    if len(clean) >= 3 and clean[:2] in _COMPOUND_SURNAMES:
        return clean[:2], clean[2:]
    return clean[:1], clean[1:]


@dataclass(frozen=True)
class WorklistQuery:
    """What the modality asked; ``None`` = the key was absent or empty (universal match)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    dated: bool = False  # the SPS start date key had a value (else: today, bounded)
    modality: str | None = None
    station_ae_title: str | None = None
    patient_name: str | None = None  # DICOM PN pattern, e.g. 王* or 王^小红
    patient_id: str | None = None
    accession_number: str | None = None
    requested_keys: tuple[str, ...] = ()  # for the log: the keywords asked for

    def summary(self) -> dict[str, Any]:
        keys = ("modality", "station_ae_title", "patient_name", "patient_id", "accession_number")
        out: dict[str, Any] = {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
        if self.dated:
            out["date_from"] = self.date_from.isoformat() if self.date_from else ""
            out["date_to"] = self.date_to.isoformat() if self.date_to else ""
        out["keys"] = list(self.requested_keys)
        return out


@dataclass(frozen=True)
class WorklistItem:
    appointment_id: int
    patient_id: int
    record_number: str
    family_name: str
    given_name: str
    birth_date: dt.date | None
    sex: str | None  # F / M / None
    accession_number: str
    study_instance_uid: str
    requested_procedure_id: str
    sps_id: str
    start: dt.datetime  # clinic-local, naive: the booked slot
    status: str  # SCHEDULED / STARTED
    referring_physician: str
    performing_physician: str
    medical_alerts: tuple[str, ...]
    contrast_allergies: tuple[str, ...]
    pregnancy_status: int  # PS3.3 C.7.1.4: 1 not pregnant, 2 possibly, 3 definitely, 4 unknown
    last_menstrual_date: dt.date | None
    contrast_agent: str
    station_ae_title: str
    station_name: str
    modality: str = MODALITY


@dataclass(frozen=True)
class WorklistAnswer:
    items: list[WorklistItem]
    refused: str | None = None  # "too_wide" / "too_many": out of resources


def pn_pattern(pattern: str) -> re.Pattern[str]:
    """A DICOM person-name pattern as a regular expression over ``family^given`` (case-insensitive). Components
    left out match anything (``王``, ``王^*`` and ``王*`` all find 王^小红); ``*`` and ``?`` are wildcards."""
    parts = pattern.split("=")[0].split("^")
    while len(parts) > 1 and parts[-1] in ("", "*"):
        parts.pop()
    body = "\\^".join(re.escape(p).replace("\\*", ".*").replace("\\?", ".") for p in parts)
    return re.compile(f"^{body}(\\^.*)?$", re.IGNORECASE | re.DOTALL)


def _matches(value: str | None, pattern: str | None) -> bool:
    """Single-value matching with wildcards (PS3.4 C.2.2.2.4) for SH/LO/CS keys."""
    if pattern is None:
        return True
    rx = "^" + re.escape(pattern).replace("\\*", ".*").replace("\\?", ".") + "$"
    return re.match(rx, value or "", re.DOTALL) is not None


def _window(ctx: ServiceContext, q: WorklistQuery) -> tuple[dt.date, dt.date] | None:
    st = ctx.settings
    today = ctx.today()
    if not q.dated:
        return today, today + dt.timedelta(days=st.dicom_undated_query_days - 1)
    first = q.date_from
    last = q.date_to
    if first is None and last is None:
        return today, today + dt.timedelta(days=st.dicom_undated_query_days - 1)
    if first is None:  # "-YYYYMMDD": up to that day, bounded
        assert last is not None
        first = last - dt.timedelta(days=st.dicom_max_range_days - 1)
    if last is None:  # "YYYYMMDD-": from that day, bounded
        last = first + dt.timedelta(days=st.dicom_max_range_days - 1)
    if last < first:
        raise InvalidInput("bad_date_range", N_("The date range ends before it starts."))
    if (last - first).days + 1 > st.dicom_max_range_days:
        return None
    return first, last


def _alerts(inputs: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    reaction = str(inputs.get("contrast_reaction") or "none")
    if reaction == "none":
        return (), ()
    agent = str(inputs.get("contrast_reaction_agent") or "").strip()
    described = str(inputs.get("contrast_reaction_description") or "").strip()
    severity = {"mild": "轻度 mild", "moderate_severe": "中重度 moderate/severe"}.get(reaction, reaction)
    alert = f"造影剂反应史 contrast reaction: {severity}"
    alerts = [alert[:64]]
    if described:
        alerts.append(described[:64])
    return tuple(alerts), ((agent or "造影剂 contrast agent")[:64],)


def _pregnancy(hcg_today: str | None, inputs: dict[str, Any]) -> int:
    result = hcg_today or inputs.get("hcg")
    return {"negative": 1, "positive": 3}.get(str(result), 4)


def _lmp(inputs: dict[str, Any]) -> dt.date | None:
    raw = (inputs.get("cycle") or {}).get("period_start")
    try:
        return dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _identifiers(accession: str) -> tuple[str, str]:
    digits = accession.removeprefix(identifiers.ACCESSION_PREFIX)
    return f"RP{digits}", f"SPS{digits}"


def _open(ctx: ServiceContext, day: dt.date, cache: dict[dt.date, bool]) -> bool:
    if day not in cache:
        cache[day] = ctx.calendar_for(day).is_open(day)
    return cache[day]


def _items(ctx: ServiceContext, s: Session, first: dt.date, last: dt.date, q: WorklistQuery) -> list[WorklistItem]:
    st = ctx.settings
    referring = StaffUser.__table__.alias("referring")
    stmt = (
        select(
            ProcedureAppointment.id,
            ProcedureAppointment.patient_id,
            ProcedureAppointment.day,
            ProcedureAppointment.slot_time,
            ProcedureAppointment.accession_number,
            ProcedureAppointment.study_instance_uid,
            Patient.name,
            Patient.record_number,
            Patient.birth_date,
            Patient.sex,
            Screening.inputs,
            Screening.doctor_name,
            referring.c.display_name,
            ProcedureRecord.hcg_result,
        )
        .join(Patient, Patient.id == ProcedureAppointment.patient_id)
        .join(Payment, Payment.appointment_id == ProcedureAppointment.id)
        .join(ApplicationForm, ApplicationForm.id == ProcedureAppointment.application_form_id)
        .join(Screening, Screening.id == ApplicationForm.screening_id)
        .outerjoin(referring, referring.c.id == Screening.recorded_by)
        .outerjoin(ProcedureRecord, ProcedureRecord.appointment_id == ProcedureAppointment.id)
        .where(
            ProcedureAppointment.day >= first,
            ProcedureAppointment.day <= last,
            ProcedureAppointment.status == "booked",
            ProcedureAppointment.active.is_(True),
            Payment.status == "paid",
        )
        .order_by(ProcedureAppointment.day, ProcedureAppointment.slot_number)
    )
    if q.accession_number is not None and not any(c in q.accession_number for c in "*?"):
        stmt = stmt.where(ProcedureAppointment.accession_number == q.accession_number)
    if q.patient_id is not None and not any(c in q.patient_id for c in "*?"):
        stmt = stmt.where(Patient.record_number == q.patient_id)
    rows = s.execute(stmt).all()
    steps: dict[int, str] = {}
    if rows:
        ids = [r.id for r in rows]
        for appt_id, status in s.execute(
            select(PerformedStep.appointment_id, PerformedStep.status)
            .where(PerformedStep.appointment_id.in_(ids))
            .order_by(PerformedStep.id)
        ):
            steps[appt_id] = status
    name_rx = pn_pattern(q.patient_name) if q.patient_name is not None else None
    open_days: dict[dt.date, bool] = {}
    out: list[WorklistItem] = []
    for row in rows:
        appt = row  # the appointment's columns, by name
        name, record, birth, sex, inputs, doctor_name, referring_name, hcg_today = row[6:]
        if steps.get(appt.id) == "COMPLETED" or not _open(ctx, appt.day, open_days):
            continue
        family, given = split_name(name)
        if name_rx is not None and not name_rx.match(f"{family}^{given}"):
            continue
        accession = appt.accession_number or identifiers.accession_of(appt.id)
        record_number = record or identifiers.record_number_of(appt.patient_id)
        if not (
            _matches(accession, q.accession_number)
            and _matches(record_number, q.patient_id)
            and _matches(MODALITY, q.modality)
            and _matches(st.dicom_station_ae_title, q.station_ae_title)
        ):
            continue
        alerts, allergies = _alerts(inputs)
        rp_id, sps_id = _identifiers(accession)
        out.append(
            WorklistItem(
                appointment_id=appt.id,
                patient_id=appt.patient_id,
                record_number=record_number,
                family_name=family,
                given_name=given,
                birth_date=birth,
                sex=sex,
                accession_number=accession,
                study_instance_uid=appt.study_instance_uid or "",
                requested_procedure_id=rp_id,
                sps_id=sps_id,
                start=dt.datetime.combine(appt.day, appt.slot_time),
                status="STARTED" if steps.get(appt.id) == "IN PROGRESS" else "SCHEDULED",
                referring_physician=(referring_name or doctor_name or "").strip(),
                performing_physician="",
                medical_alerts=alerts,
                contrast_allergies=allergies,
                pregnancy_status=_pregnancy(hcg_today, inputs),
                last_menstrual_date=_lmp(inputs),
                contrast_agent="",
                station_ae_title=st.dicom_station_ae_title,
                station_name=st.dicom_station_name,
            )
        )
    return out


def log_exchange(
    s: Session,
    caller: Actor,
    calling_ae_title: str,
    service: str,
    request: dict[str, Any],
    answers: int,
    status: str,
    at: dt.datetime,
) -> None:
    """One line of the administrator's DICOM log (the oldest beyond :data:`LOG_KEEP` are dropped)."""
    s.execute(
        insert(DicomExchange).values(
            at=at,
            calling_ae_title=calling_ae_title[:16],
            address=caller.address[:64],
            service=service,
            request=request,
            answers=answers,
            status=status,
        )
    )
    cutoff = s.execute(
        select(DicomExchange.id).order_by(DicomExchange.id.desc()).offset(LOG_KEEP).limit(1)
    ).scalar_one_or_none()
    if cutoff is not None:
        s.execute(delete(DicomExchange).where(DicomExchange.id <= cutoff))


def find(ctx: ServiceContext, calling_ae_title: str, address: str, query: WorklistQuery) -> WorklistAnswer:
    """C-FIND on the Modality Worklist: the matching steps; the query, every patient shown and the exchange are
    recorded in the same transaction."""
    caller = modality_actor(calling_ae_title, address)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        window = _window(ctx, query)
        refused: str | None = None
        items: list[WorklistItem] = []
        if window is None:
            refused = "too_wide"
        else:
            items = _items(ctx, s, window[0], window[1], query)
            if len(items) > ctx.settings.dicom_max_answers:
                refused, items = "too_many", []
        summary = query.summary()
        if window is not None:
            summary["window"] = [window[0].isoformat(), window[1].isoformat()]
        audit.record(
            s, caller, "worklist.find", "dicom_query", "mwl", at=now, detail={**summary, "answers": len(items)}
        )
        if items:
            s.execute(
                insert(AuditEvent),
                [
                    {
                        **audit.values(
                            caller, "worklist.read", "procedure_appointment", at=now, patient_id=item.patient_id
                        ),
                        "record_id": str(item.appointment_id),
                    }
                    for item in items
                ],
            )
        log_exchange(s, caller, calling_ae_title, "C-FIND", summary, len(items), refused or "0000", now)
        uow.commit()
    return WorklistAnswer(items, refused)


def log_refused(ctx: ServiceContext, calling_ae_title: str, address: str, service: str, reason: str) -> None:
    """A refused association (unknown calling AE title or address), for the administrator's log."""
    caller = modality_actor(calling_ae_title, address)
    now = ctx.now()
    with ctx.write() as uow:
        log_exchange(uow.session, caller, calling_ae_title, service, {"reason": reason}, 0, "rejected", now)
        audit.record(uow.session, caller, "dicom.refused", "dicom_association", calling_ae_title, at=now)
        uow.commit()


def log_echo(ctx: ServiceContext, calling_ae_title: str, address: str) -> None:
    caller = modality_actor(calling_ae_title, address)
    with ctx.write() as uow:
        log_exchange(uow.session, caller, calling_ae_title, "C-ECHO", {}, 0, "0000", ctx.now())
        uow.commit()


@dataclass(frozen=True)
class ExchangeView:
    at: dt.datetime
    calling_ae_title: str
    address: str
    service: str
    request: dict[str, Any]
    answers: int
    status: str


@dataclass(frozen=True)
class ServiceOverview:
    ae_title: str
    host: str
    port: int
    allowed_ae_titles: tuple[str, ...]
    allowed_addresses: tuple[str, ...]
    station_ae_title: str
    charset: str
    undated_query_days: int
    max_range_days: int
    max_answers: int
    exchanges: list[ExchangeView] = field(default_factory=list)


def overview(ctx: ServiceContext, actor: Actor, limit: int = 50) -> ServiceOverview:
    """The administrator's page: the service's AE configuration and its last exchanges (audited read)."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("forbidden", N_("Only an administrator can see this."))
    st = ctx.settings
    with ctx.write() as uow:
        s = uow.session
        rows: Sequence[DicomExchange] = (
            s.execute(select(DicomExchange).order_by(DicomExchange.id.desc()).limit(limit)).scalars().all()
        )
        views = [
            ExchangeView(r.at, r.calling_ae_title, r.address, r.service, dict(r.request), r.answers, r.status)
            for r in rows
        ]
        audit.record(s, actor, "dicom.overview", "dicom_service", st.dicom_ae_title, at=ctx.now())
        uow.commit()
    return ServiceOverview(
        ae_title=st.dicom_ae_title,
        host=st.dicom_host,
        port=st.dicom_port,
        allowed_ae_titles=tuple(sorted(st.dicom_callers)),
        allowed_addresses=tuple((st.dicom_allowed_addresses or "").split(",")) if st.dicom_allowed_addresses else (),
        station_ae_title=st.dicom_station_ae_title,
        charset=st.dicom_charset,
        undated_query_days=st.dicom_undated_query_days,
        max_range_days=st.dicom_max_range_days,
        max_answers=st.dicom_max_answers,
        exchanges=views,
    )
