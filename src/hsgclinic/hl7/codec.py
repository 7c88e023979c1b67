"""HL7 v2 on the wire: character sets (MSH-18), escaping, building messages and reading them (python-hl7).

Messages are built from python-hl7's containers (``Message`` / ``Segment`` / ``Field`` / ``Repetition`` /
``Component``) and read with :func:`hl7.parse`. python-hl7's own ``escape`` turns every non-ASCII character into
a ``\\X..\\`` hex escape, which would mangle Chinese names; :func:`escape` escapes only the separators
(HL7 v2 chapter 2.7) and leaves the text to the character set named in MSH-18.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import hl7

SEPARATORS = "\r|~^&"
ENCODING_CHARACTERS = "^~\\&"

# HL7 table 0211 names ↔ Python codecs. Only these two are spoken; ASCII is a subset of both.
CHARSETS = {"UTF-8": ("UNICODE UTF-8", "utf-8"), "GB18030": ("GB 18030-2000", "gb18030")}
_BY_MSH18 = {
    "UNICODE UTF-8": "utf-8",
    "UTF-8": "utf-8",
    "UNICODE": "utf-8",
    "ASCII": "utf-8",
    "GB 18030-2000": "gb18030",
    "GB18030": "gb18030",
    "GB 18030": "gb18030",
}

# A field value: text, components (``("王", "小红")`` → ``王^小红``) or repetitions of components.
Value = str | tuple[str, ...] | list[tuple[str, ...]]


class UnreadableMessage(Exception):
    """The bytes are not an HL7 v2 message we can read (no MSH, an unknown character set, undecodable text)."""


def msh18(charset: str) -> str:
    """The MSH-18 value for a setting value (``UTF-8`` / ``GB18030``)."""
    return CHARSETS[charset][0]


def codec(charset: str) -> str:
    return CHARSETS[charset][1]


def escape(text: str) -> str:
    """Escape the separators and the escape character (\\F\\ \\S\\ \\R\\ \\T\\ \\E\\); CR and LF become spaces."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\E\\")
        elif ch == "|":
            out.append("\\F\\")
        elif ch == "^":
            out.append("\\S\\")
        elif ch == "~":
            out.append("\\R\\")
        elif ch == "&":
            out.append("\\T\\")
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


class MessageBuilder:
    """Builds one message segment by segment with python-hl7's containers; ``str()`` is the ER7 text."""

    def __init__(self) -> None:
        self.message = hl7.Message(separators=SEPARATORS, sequence=[])

    def _field(self, value: Value) -> hl7.Field:
        m = self.message
        if isinstance(value, str):
            return m.create_field([escape(value)])
        reps = [value] if isinstance(value, tuple) else value
        return m.create_field([m.create_repetition([m.create_component([escape(c)]) for c in rep]) for rep in reps])

    def segment(self, name: str, *fields: Value) -> MessageBuilder:
        seg = [self.message.create_field([name])]
        if name == "MSH":  # MSH-1 is the field separator itself, MSH-2 the encoding characters (not escaped)
            seg += [self.message.create_field(["|"]), self.message.create_field([ENCODING_CHARACTERS])]
        seg += [self._field(v) for v in fields]
        self.message.append(self.message.create_segment(seg))
        return self

    def er7(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Header:
    """What a receiver needs from MSH, read leniently (for the ACK, even of a message it then refuses)."""

    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    message_type: str  # e.g. ADT
    trigger: str  # e.g. A04
    control_id: str
    processing_id: str
    version: str
    charset: str  # MSH-18 as sent ("" when absent)


def _text(message: hl7.Message, key: str) -> str:
    try:
        return str(message.unescape(str(message[key])))
    except (KeyError, IndexError):
        return ""


def field(message: hl7.Message, key: str) -> str:
    """One value by python-hl7 accessor (``PID.F5.R1.C1``), unescaped; "" when absent."""
    return _text(message, key)


def header(message: hl7.Message) -> Header:
    return Header(
        sending_application=_text(message, "MSH.F3.R1.C1"),
        sending_facility=_text(message, "MSH.F4.R1.C1"),
        receiving_application=_text(message, "MSH.F5.R1.C1"),
        receiving_facility=_text(message, "MSH.F6.R1.C1"),
        message_type=_text(message, "MSH.F9.R1.C1"),
        trigger=_text(message, "MSH.F9.R1.C2"),
        control_id=_text(message, "MSH.F10"),
        processing_id=_text(message, "MSH.F11.R1.C1"),
        version=_text(message, "MSH.F12.R1.C1"),
        charset=_text(message, "MSH.F18.R1.C1"),
    )


def decode(block: bytes, default_charset: str) -> tuple[hl7.Message, str]:
    """Parse one MLLP block: the charset is MSH-18's (else ``default_charset``); returns (message, Python codec).

    MSH up to MSH-18 is ASCII in both character sets, so it is read first as Latin-1 to learn the charset."""
    raw = block.replace(b"\r\n", b"\r").replace(b"\n", b"\r").strip(b"\r\n \t\x00")
    if not raw.startswith(b"MSH") or len(raw) < 8:
        raise UnreadableMessage("the message does not start with an MSH segment")
    try:
        first = hl7.parse(raw.split(b"\r", 1)[0].decode("latin-1"))
        declared = _text(first, "MSH.F18.R1.C1").strip().upper()
    except Exception as exc:  # python-hl7 raises assorted errors on a malformed MSH
        raise UnreadableMessage(f"the MSH segment cannot be read: {exc}") from None
    if declared and declared not in _BY_MSH18:
        raise UnreadableMessage(f"character set {declared!r} (MSH-18) is not supported")
    name = _BY_MSH18[declared] if declared else codec(default_charset)
    try:
        text = raw.decode(name)
    except UnicodeDecodeError as exc:
        raise UnreadableMessage(f"the text is not valid {name}: {exc.reason} at byte {exc.start}") from None
    try:
        return hl7.parse(text), name
    except Exception as exc:
        raise UnreadableMessage(f"the message cannot be parsed: {exc}") from None


def timestamp(instant: dt.datetime, tz: dt.tzinfo) -> str:
    """An HL7 DTM with its UTC offset in clinic time: ``20261121080000+0800``."""
    return instant.astimezone(tz).strftime("%Y%m%d%H%M%S%z")


def segments(message: hl7.Message, name: str) -> Sequence[hl7.Segment]:
    try:
        return list(message.segments(name))
    except KeyError:
        return []
