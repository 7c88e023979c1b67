"""Inbound ADT^A04 / ADT^A08 from the HIS: read the patient out of PID, hand her to the registration service as the
desk would, and answer with an original-mode ACK (docs/hl7.md, "ACK behaviour").

* ``AA`` — registered (A04) or updated (A08).
* ``AE`` — the message was read but its content is wrong: no PID, a missing name / ID / phone, an ID whose check
  digit is wrong (REG-REALNAME), an A08 for a patient the clinic does not know. ``ERR`` names the segment and
  field (ERR-2), the HL7 error code (ERR-3, table 0357), the rule (ERR-5) and says why in Chinese and English
  (ERR-8).
* ``AR`` — the message is refused as a whole: not HL7, an unsupported message type or event, version,
  processing ID or character set, or a sending facility that is not allowed.

Nothing in here decides anything about the patient: validation and storage are the service's
(:func:`hsgclinic.services.his_patients.register_or_update`). No input makes the handler raise.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import hl7

from hsgclinic.config import Settings
from hsgclinic.domain.messages import N_, Message
from hsgclinic.hl7.codec import (
    Header,
    MessageBuilder,
    UnreadableMessage,
    codec,
    decode,
    field,
    header,
    msh18,
    segments,
    timestamp,
)
from hsgclinic.i18n import translator
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, ServiceError
from hsgclinic.services.his_patients import HisPerson, register_or_update

log = logging.getLogger(__name__)

TRIGGERS = ("A04", "A08")
PROCESSING_IDS = ("P", "T", "D")
RESIDENT_ID_TYPES = ("NNCHN", "NI", "RI", "CN")  # PID-3.5 identifier type codes taken as a resident ID
PASSPORT_TYPES = ("PPN",)
# Where a refusal's field is, by the service's error code: (segment, field) for ERR-2.
_FIELD_OF = {"invalid_name": ("PID", 5), "invalid_id": ("PID", 3), "invalid_phone": ("PID", 13)}

HL7_ERRORS = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    103: "Table value not found",
    200: "Unsupported message type",
    201: "Unsupported event code",
    202: "Unsupported processing id",
    203: "Unsupported version id",
    204: "Unknown key identifier",
    207: "Application internal error",
}


@dataclass(frozen=True)
class Problem:
    """One ERR segment."""

    hl7_code: int
    message: Message
    segment: str = ""
    field_no: int = 0
    rule: str = ""


@dataclass(frozen=True)
class Answer:
    """The ACK to send back (bytes in the message's character set) and what it said, for the log and tests."""

    data: bytes
    code: str  # AA, AE, AR
    control_id: str  # the acknowledged MSH-10 ("" if unreadable)
    problems: tuple[Problem, ...] = ()


def _lenient_header(block: bytes) -> Header | None:
    """MSH read as Latin-1, for an ACK even when the rest of the message is unreadable."""
    first = block.replace(b"\n", b"\r").strip(b"\r\n \t\x00").split(b"\r", 1)[0]
    if not first.startswith(b"MSH") or len(first) < 8:
        return None
    try:
        return header(hl7.parse(first.decode("latin-1")))
    except Exception:  # python-hl7 raises assorted errors on a malformed MSH
        return None


class AdtHandler:
    """Turns one MLLP block into one ACK. Thread- and task-safe: it keeps no state between messages."""

    def __init__(self, ctx: ServiceContext, settings: Settings) -> None:
        self.ctx, self.settings = ctx, settings
        self.tz = ZoneInfo(settings.timezone)

    # -- the ACK ---------------------------------------------------------------------------------------------
    def _ack(self, h: Header | None, code: str, problems: tuple[Problem, ...], text: str, charset: str) -> Answer:
        zh, b = translator("zh_CN"), MessageBuilder()
        trigger = h.trigger if h else ""
        b.segment(
            "MSH",
            (self.settings.hl7_application,),
            (self.settings.hl7_facility,),
            (h.sending_application if h else "",),
            (h.sending_facility if h else "",),
            timestamp(self.ctx.now(), self.tz),
            "",
            ("ACK", trigger, "ACK"),
            f"ACK{uuid.uuid4().hex[:17].upper()}",
            ((h.processing_id if h and h.processing_id in PROCESSING_IDS else "P"),),
            ((h.version if h and h.version.startswith("2.") else "2.5.1"),),
            "",
            "",
            "",
            "",
            "",
            msh18(charset),
        )
        b.segment("MSA", code, h.control_id if h else "", text)
        for p in problems:
            location = (p.segment, "1", str(p.field_no)) if p.field_no else ((p.segment,) if p.segment else "")
            user = f"{p.rule}: " if p.rule else ""
            b.segment(
                "ERR",
                "",
                location,
                (str(p.hl7_code), HL7_ERRORS[p.hl7_code], "HL70357"),
                "E",
                (p.rule, "", "99HSGRULE") if p.rule else "",
                "",
                p.message.english(),
                f"{user}{zh.render(p.message)} / {p.message.english()}",
            )
        data = b.er7().encode(codec(charset), errors="replace")
        return Answer(data, code, h.control_id if h else "", problems)

    def _refuse(self, h: Header | None, code: str, charset: str, *problems: Problem) -> Answer:
        text = problems[0].message.english() if problems else ""
        return self._ack(h, code, problems, text, charset)

    # -- one message -----------------------------------------------------------------------------------------
    def handle(self, block: bytes) -> Answer:
        try:
            return self._handle(block)
        except Exception:  # the listener must answer every message, whatever goes wrong in here
            log.exception("HL7: could not process a message")
            problem = Problem(207, N_("The clinic could not process the message; please send it again later."))
            return self._refuse(_lenient_header(block), "AE", self.settings.hl7_charset, problem)

    def _handle(self, block: bytes) -> Answer:
        charset = self.settings.hl7_charset
        h = _lenient_header(block)
        try:
            message, used = decode(block, charset)
        except UnreadableMessage as exc:
            log.info("HL7: unreadable message: %s", exc)
            problem = Problem(
                100 if h is None else 102, N_("The message cannot be read as HL7 v2: {reason}.", reason=str(exc)), "MSH"
            )
            return self._refuse(h, "AR", charset, problem)
        charset = "GB18030" if used == "gb18030" else "UTF-8"
        h = header(message)
        refusal = self._check_header(h)
        if refusal is not None:
            return self._refuse(h, "AR", charset, refusal)
        pids = segments(message, "PID")
        if not pids:
            problem = Problem(100, N_("The message has no PID segment."), "PID")
            return self._refuse(h, "AE", charset, problem)
        person, missing = self._person(message)
        if missing:
            return self._refuse(h, "AE", charset, *missing)
        assert person is not None
        actor = Actor(Role.REGISTRAR, f"hl7:{h.sending_facility or h.sending_application}"[:100], "hl7")
        try:
            result = register_or_update(self.ctx, actor, person, update=h.trigger == "A08")
        except InvalidInput as exc:
            seg, no = _FIELD_OF.get(exc.code, ("PID", 0))
            return self._refuse(h, "AE", charset, Problem(102, exc.message, seg, no, exc.rule or ""))
        except NotFound as exc:
            return self._refuse(h, "AE", charset, Problem(204, exc.message, "PID", 3, exc.rule or ""))
        except ServiceError as exc:
            return self._refuse(h, "AE", charset, Problem(207, exc.message, "", 0, exc.rule or ""))
        text = "registered" if result.created else "updated"
        log.info(
            "HL7: %s^%s %s from %s: patient %s %s",
            h.message_type,
            h.trigger,
            h.control_id,
            h.sending_facility,
            result.patient_id,
            text,
        )
        return self._ack(h, "AA", (), text, charset)

    def _check_header(self, h: Header) -> Problem | None:
        if h.message_type != "ADT":
            return Problem(
                200,
                N_("Message type {type} is not accepted (only ADT^A04 and ADT^A08).", type=h.message_type or "—"),
                "MSH",
                9,
            )
        if h.trigger not in TRIGGERS:
            return Problem(
                201, N_("Event {event} is not accepted (only ADT^A04 and ADT^A08).", event=h.trigger or "—"), "MSH", 9
            )
        if not h.version.startswith("2."):
            return Problem(
                203, N_("HL7 version {version} is not supported (2.x only).", version=h.version or "—"), "MSH", 12
            )
        # A production clinic takes production messages only; a test or development one also training / debug ones.
        accepted = ("P",) if self.settings.environment == "production" else PROCESSING_IDS
        if h.processing_id not in accepted:
            return Problem(
                202,
                N_(
                    "Processing ID {id} is not accepted here (accepted: {accepted}).",
                    id=h.processing_id or "—",
                    accepted=", ".join(accepted),
                ),
                "MSH",
                11,
            )
        if not h.control_id:
            return Problem(101, N_("The message has no control ID (MSH-10)."), "MSH", 10)
        allowed = self.settings.hl7_facilities
        if allowed is not None and h.sending_facility not in allowed:
            return Problem(
                207,
                N_(
                    "Sending facility {facility} is not allowed to send to this clinic.",
                    facility=h.sending_facility or "—",
                ),
                "MSH",
                4,
            )
        return None

    def _person(self, message: hl7.Message) -> tuple[HisPerson | None, list[Problem]]:
        """Name (PID-5), resident ID or passport number (PID-3 by identifier type) and phone (PID-13)."""
        missing: list[Problem] = []
        family, given = field(message, "PID.F5.R1.C1").strip(), field(message, "PID.F5.R1.C2").strip()
        # Chinese names are written family name first with no space; a split name is joined back the same way.
        name = family + given if _cjk(family + given) else " ".join(x for x in (given, family) if x)
        if not name:
            missing.append(Problem(101, N_("The patient's name (PID-5) is missing."), "PID", 5, "REG-REALNAME"))
        id_number, id_kind = self._identifier(message)
        if not id_number:
            missing.append(
                Problem(
                    101,
                    N_("No resident ID or passport number in PID-3 (identifier type NNCHN or PPN)."),
                    "PID",
                    3,
                    "REG-REALNAME",
                )
            )
        phone = ""
        for key in ("PID.F13.R1.C1", "PID.F13.R1.C12", "PID.F13.R1.C7", "PID.F14.R1.C1"):
            phone = field(message, key).strip()
            if phone:
                break
        if not phone:
            missing.append(Problem(101, N_("The patient's phone number (PID-13) is missing."), "PID", 13))
        if missing:
            return None, missing
        return HisPerson(name=name, id_number=id_number, phone=phone, id_kind=id_kind), []

    def _identifier(self, message: hl7.Message) -> tuple[str, str]:
        pid = segments(message, "PID")[0]
        try:
            reps = list(pid(3))
        except IndexError:
            reps = []
        for n in range(1, len(reps) + 1):
            value = field(message, f"PID.F3.R{n}.C1").strip()
            kind = field(message, f"PID.F3.R{n}.C5").strip().upper()
            if value and kind in RESIDENT_ID_TYPES:
                return value, "resident"
            if value and kind in PASSPORT_TYPES:
                return value, "passport"
        return "", "resident"


def _cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)
