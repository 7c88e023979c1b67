"""Outbound HL7 v2.5.1: the outbox's ``hl7`` rows as SIU / ORU / ORM / OMI messages, sent to one MLLP peer.

:func:`build` turns a row's JSON snapshot (services/hl7_outbound.py) into ER7 text. It is a pure function of the
snapshot, the control ID (fixed per outbox row, :func:`hsgclinic.notifications.outbox.hl7_control_id`) and the
settings, so every attempt sends the same message. :class:`Hl7Sender` is the worker's channel: it sends over one
MLLP connection, waits for the ACK and checks that it acknowledges *this* control ID. ``AA`` / ``CA`` is
delivered; ``AE`` / ``AR`` (the peer read it and refused it) raises :class:`DeliveryRefused` — kept as ``failed``
with the peer's reason, not retried; anything else (no connection, no ACK, an ACK for another message) raises
and the worker tries again later, in order. Field by field: docs/hl7.md.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from hsgclinic.config import Settings
from hsgclinic.hl7.codec import MessageBuilder, UnreadableMessage, Value, codec, decode, field, msh18, segments
from hsgclinic.notifications.channels import DeliveryRefused, OutgoingMessage

VERSION = "2.5.1"
SERVICE = ("HSG", "无痛子宫输卵管造影 Painless hysterosalpingography", "99HSG")
VISIT = ("HSGVISIT", "输卵管造影门诊就诊 HSG clinic visit", "99HSG")
START, END = b"\x0b", b"\x1c\r"
MAX_ACK_BYTES = 1 << 20

_FILLER_STATUS = {"booked": "Booked", "cancelled": "Cancelled", "no_show": "Noshow", "done": "Complete"}
_SIU_REASON = {"S12": "Booked", "S13": "Rescheduled", "S15": "Cancelled", "S26": "No-show"}
_PATENCY = {
    "patent": "通畅 patent",
    "partially_patent": "通而不畅 partially patent",
    "obstructed": "阻塞 obstructed",
    "not_visualised": "未显影 not visualised",
}
_SPILL = {"free": "弥散 free", "loculated": "局限 loculated", "none": "无 none"}
_LEVEL = {"proximal": "近端 proximal", "mid": "中段 mid", "distal": "远端 distal", "none": "无 none"}


def _dtm_local(text: str, tz: ZoneInfo) -> str:
    """A naive clinic-local ISO time from the snapshot as an HL7 DTM with the clinic's offset."""
    if not text:
        return ""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz).strftime("%Y%m%d%H%M%S%z")


def _part(segment: Any, n: int) -> str:
    try:
        return str(segment(n))
    except IndexError:
        return ""


class Profile:
    """Who we are and who the peer is (MSH-3…6), the character set and the clinic's time zone."""

    def __init__(self, settings: Settings) -> None:
        self.app, self.facility = settings.hl7_application, settings.hl7_facility
        self.peer_app, self.peer_facility = settings.hl7_peer_application, settings.hl7_peer_facility
        self.charset = settings.hl7_charset
        self.tz = ZoneInfo(settings.timezone)
        self.room = (settings.site.room_zh, settings.site.room_en)
        self.processing_id = "P" if settings.environment == "production" else "T"  # MSH-11: production / training


def _msh(b: MessageBuilder, p: Profile, at: str, message_type: str, structure: str, control_id: str) -> None:
    code, trigger = message_type.split("^")
    b.segment(
        "MSH",
        (p.app,),
        (p.facility,),
        (p.peer_app,),
        (p.peer_facility,),
        at,
        "",
        (code, trigger, structure),
        control_id,
        (p.processing_id,),
        (VERSION,),
        "",
        "",
        "AL",  # MSH-15 accept acknowledgement: always (enhanced-mode receivers may answer CA first)
        "NE",  # MSH-16 application acknowledgement: the original-mode ACK is the answer
        "CHN",
        msh18(p.charset),
    )


def _pid(b: MessageBuilder, p: Profile, patient: Mapping[str, Any]) -> None:
    birth = str(patient.get("birth_date", "")).replace("-", "")
    phone = str(patient.get("phone", ""))
    b.segment(
        "PID",
        "1",
        "",
        (str(patient["record_number"]), "", "", p.facility, "MR"),
        "",
        (str(patient.get("name", "")), "", "", "", "", "", "L"),
        "",
        birth,
        str(patient.get("sex", "")) or "U",
        "",
        "",
        "",
        "",
        (phone, "PRN", "CP") if phone else "",
    )


def _pv1(b: MessageBuilder) -> None:
    b.segment("PV1", "1", "O")


def _ids(p: Profile, appt: Mapping[str, Any]) -> tuple[tuple[str, str], tuple[str, str]]:
    """(placer, filler) entity identifiers: the application form number and the accession number (the order's
    identity across reschedules); a visit is named by its registration number row."""
    if appt.get("kind") == "visit":
        ref = f"REG{int(appt['id']):09d}"
        return (ref, p.app), (ref, p.app)
    filler = str(appt.get("accession_number") or f"APPT{int(appt['id']):09d}")
    return (str(appt.get("form_number", "")), p.app), (filler, p.app)


def _siu(b: MessageBuilder, p: Profile, message_type: str, e: Mapping[str, Any]) -> None:
    appt = e["appointment"]
    trigger = message_type.split("^")[1]
    start_local = dt.datetime.fromisoformat(str(appt["start"]))
    minutes = int(appt["minutes"])
    start = _dtm_local(start_local.isoformat(), p.tz)
    end = _dtm_local((start_local + dt.timedelta(minutes=minutes)).isoformat(), p.tz)
    placer, filler = _ids(p, appt)
    status = _FILLER_STATUS.get(str(appt.get("status")), "Booked")
    if trigger == "S15":
        status = "Cancelled"
    if trigger == "S26":
        status = "Noshow"
    service = VISIT if appt.get("kind") == "visit" else SERVICE
    b.segment(
        "SCH",
        placer,
        filler,
        "",
        "",
        "",
        (trigger, _SIU_REASON[trigger], "99HSGEVT"),
        service,
        "",
        str(minutes),
        ("min",),
        ("", "", "", start, end),
        *([""] * 13),
        (status, "", "HL70278"),
    )
    b.segment("TQ1", "1", "", "", "", "", "", start, end)
    _pid(b, p, e["patient"])
    _pv1(b)
    b.segment("RGS", "1", "A" if trigger != "S13" else "U")
    b.segment("AIS", "1", "A" if trigger != "S13" else "U", service, start, "", "", str(minutes), ("min",))
    if appt.get("kind") != "visit":
        room = ("RAD", "", "", p.facility, "", "", "", "", f"{p.room[0]} {p.room[1]}")  # PL-9: where, in words
        b.segment("AIL", "1", "A", room, ("RAD", "Radiology"))
    previous = e.get("previous")
    if previous:
        b.segment("NTE", "1", "L", f"rescheduled from {_dtm_local(str(previous['start']), p.tz)}")


def _obx(
    b: MessageBuilder, n: int, kind: str, code: tuple[str, str], value: Value, status: str, at: str, units: str = ""
) -> int:
    b.segment(
        "OBX",
        str(n),
        kind,
        (code[0], code[1], "99HSG"),
        "",
        value,
        (units,) if units else "",
        "",
        "",
        "",
        "",
        status,
        "",
        "",
        at,
    )
    return n + 1


def _oru(b: MessageBuilder, p: Profile, e: Mapping[str, Any]) -> None:
    appt, proc, report = e["appointment"], e["procedure"], e["report"]
    placer, filler = _ids(p, appt)
    status = str(report["status"])
    observed = _dtm_local(str(proc.get("started_at", "")), p.tz) or _dtm_local(str(appt["start"]), p.tz)
    signed = _dtm_local(str(report["signed_at"]), p.tz)
    _pid(b, p, e["patient"])
    _pv1(b)
    b.segment("ORC", "RE", placer, filler, "", "CM")
    b.segment(
        "OBR",
        "1",
        placer,
        filler,
        SERVICE,
        "",
        "",
        observed,
        _dtm_local(str(proc.get("ended_at", "")), p.tz),
        *([""] * 13),
        signed,
        "",
        "RAD",
        status,
        *([""] * 6),
        (str(report.get("signed_by", "")),),
    )
    f = report["findings"]
    n = 1
    cavity = f.get("cavity", {})
    n = _obx(
        b, n, "ST", ("CAVITY-SHAPE", "宫腔形态 Uterine cavity shape"), str(cavity.get("shape", "")), status, signed
    )
    for key, label in (
        ("anomaly", "宫腔畸形 Cavity anomaly"),
        ("filling_defects", "充盈缺损 Filling defects"),
        ("intravasation", "造影剂逆流 Intravasation"),
    ):
        yn = "Y" if cavity.get(key) else "N"
        n = _obx(b, n, "CWE", (f"CAVITY-{key.upper()}", label), (yn, "", "HL70136"), status, signed)
    for side, zh, en in (("left", "左侧", "Left"), ("right", "右侧", "Right")):
        tube = f.get(side, {})
        patency = str(tube.get("patency", ""))
        spill = str(tube.get("spill", ""))
        level = str(tube.get("obstruction_level", ""))
        tag = side.upper()
        n = _obx(
            b,
            n,
            "CWE",
            (f"{tag}-PATENCY", f"{zh}输卵管通畅度 {en} tube patency"),
            (patency, _PATENCY.get(patency, patency), "99HSG"),
            status,
            signed,
        )
        n = _obx(
            b,
            n,
            "CWE",
            (f"{tag}-LEVEL", f"{zh}阻塞部位 {en} obstruction level"),
            (level, _LEVEL.get(level, level), "99HSG"),
            status,
            signed,
        )
        hydro = "Y" if tube.get("hydrosalpinx") else "N"
        n = _obx(
            b, n, "CWE", (f"{tag}-HYDRO", f"{zh}输卵管积水 {en} hydrosalpinx"), (hydro, "", "HL70136"), status, signed
        )
        n = _obx(
            b,
            n,
            "CWE",
            (f"{tag}-SPILL", f"{zh}盆腔弥散 {en} peritoneal spill"),
            (spill, _SPILL.get(spill, spill), "99HSG"),
            status,
            signed,
        )
    if proc.get("contrast_agent"):
        agent = f"{proc['contrast_agent']} ({proc.get('contrast_kind', '')})"
        n = _obx(b, n, "ST", ("CONTRAST", "造影剂 Contrast agent"), agent, status, signed)
    if proc.get("fluoroscopy_s"):
        n = _obx(
            b, n, "NM", ("FLUORO-TIME", "透视时间 Fluoroscopy time"), str(proc["fluoroscopy_s"]), status, signed, "s"
        )
    n = _obx(b, n, "TX", ("IMPRESSION", "印象 Impression"), str(f.get("impression", "")), status, signed)
    _obx(
        b,
        n,
        "DT",
        ("REPORT-READY", "报告领取日期 Report ready on"),
        str(report["ready_on"]).replace("-", ""),
        status,
        signed,
    )


def _order(b: MessageBuilder, p: Profile, message_type: str, e: Mapping[str, Any], at: str) -> None:
    appt = e["appointment"]
    placer, filler = _ids(p, appt)
    control = str(e["order_control"])
    start = _dtm_local(str(appt["start"]), p.tz)
    status = {"NW": "SC", "XO": "SC", "CA": "CA"}.get(control, "SC")
    _pid(b, p, e["patient"])
    _pv1(b)
    b.segment("ORC", control, placer, filler, "", status, "", "", "", at)
    if message_type == "OMI^O23":
        b.segment("TQ1", "1", "", "", "", "", "", start)
    b.segment("OBR", "1", placer, filler, SERVICE, *([""] * 31), start)
    if message_type == "OMI^O23":
        accession = str(appt.get("accession_number", ""))
        b.segment(
            "IPC",
            (accession, p.app),
            (accession, p.app),
            (str(appt.get("study_instance_uid", "")),),
            (f"{accession}-1", p.app),
            ("RF", "Radio Fluoroscopy", "DCM"),
        )


STRUCTURES = {
    "SIU^S12": "SIU_S12",
    "SIU^S13": "SIU_S12",
    "SIU^S15": "SIU_S12",
    "SIU^S26": "SIU_S12",
    "ORU^R01": "ORU_R01",
    "ORM^O01": "ORM_O01",
    "OMI^O23": "OMI_O23",
}


def build(message_type: str, event: Mapping[str, Any], control_id: str, profile: Profile) -> str:
    """The ER7 text of one outbox row (segments separated by CR)."""
    if message_type not in STRUCTURES:
        raise ValueError(f"no HL7 profile for {message_type!r}")
    b = MessageBuilder()
    at = _dtm_local(str(event["at"]), profile.tz)
    _msh(b, profile, at, message_type, STRUCTURES[message_type], control_id)
    if message_type.startswith("SIU"):
        _siu(b, profile, message_type, event)
    elif message_type == "ORU^R01":
        _oru(b, profile, event)
    else:
        _order(b, profile, message_type, event, at)
    return b.er7()


class Hl7Sender:
    """The worker's ``hl7`` channel: one MLLP connection to the configured peer, reopened after any failure."""

    def __init__(self, settings: Settings) -> None:
        if not settings.hl7_peer_host:
            raise ValueError("HSGCLINIC_HL7_PEER_HOST is not set")
        self.host, self.port = settings.hl7_peer_host, settings.hl7_peer_port
        self.timeout = settings.hl7_peer_timeout_s
        self.profile = Profile(settings)
        self.codec = codec(settings.hl7_charset)
        self.default_charset = settings.hl7_charset
        self._sock: socket.socket | None = None
        self._buffer = b""

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock, self._buffer = None, b""

    def _connection(self) -> socket.socket:
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._buffer = b""
        return self._sock

    def _read_block(self, sock: socket.socket) -> bytes:
        while END not in self._buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the peer closed the connection before acknowledging")
            self._buffer += chunk
            if len(self._buffer) > MAX_ACK_BYTES:
                raise ConnectionError("the peer's answer is too long to be an ACK")
        block, _, self._buffer = self._buffer.partition(END)
        start = block.find(START)
        if start < 0:
            raise ConnectionError("the peer's answer is not an MLLP block")
        return block[start + 1 :]

    def send(self, message: OutgoingMessage) -> str:
        payload = message.payload or {}
        text = build(str(payload["message_type"]), payload["event"], message.message_ref, self.profile)
        data = START + text.encode(self.codec) + END
        reused = self._sock is not None
        try:
            answer = self._exchange(data)
        except OSError:
            self.close()
            if not reused:
                raise
            # The kept connection may have been closed by the peer while idle: once more on a fresh one (if the
            # peer did get it, this is a copy with the same MSH-10, which it can recognise).
            try:
                answer = self._exchange(data)
            except OSError:
                self.close()
                raise
        return self._check_ack(answer, message.message_ref)

    def _exchange(self, data: bytes) -> bytes:
        sock = self._connection()
        sock.sendall(data)
        return self._read_block(sock)

    def _check_ack(self, block: bytes, control_id: str) -> str:
        try:
            ack, _ = decode(block, self.default_charset)
        except UnreadableMessage as exc:
            self.close()
            raise ConnectionError(f"unreadable answer from the peer: {exc}") from None
        code = field(ack, "MSA.F1").strip().upper()
        acked = field(ack, "MSA.F2").strip()
        if acked != control_id:
            self.close()  # out of step with the peer: start again on a fresh connection
            raise ConnectionError(f"the ACK is for message {acked!r}, not {control_id!r}")
        if code in ("AA", "CA"):
            return control_id
        reasons = [field(ack, "MSA.F3")] + [
            " ".join(x for x in (_part(e, 3), _part(e, 8)) if x) for e in segments(ack, "ERR")
        ]
        reason = "; ".join(r for r in reasons if r) or "no reason given"
        raise DeliveryRefused(f"{code}: {reason}")
