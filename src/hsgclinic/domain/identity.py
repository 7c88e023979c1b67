"""REG-REALNAME: resident ID numbers (GB 11643-1999) and passports; masking for display."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from hsgclinic.domain.messages import N_, MessageError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_RESIDENT = re.compile(r"^\d{17}[\dX]$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


class IdKind(enum.StrEnum):
    RESIDENT = "resident"
    PASSPORT = "passport"


class IdentityError(MessageError):
    """Input that cannot be accepted (see :class:`MessageError`)."""


@dataclass(frozen=True)
class Identity:
    kind: IdKind
    number: str  # normalised (upper case, no spaces)
    birth_date: dt.date | None
    sex: str | None  # "F" / "M" from the resident ID's 17th digit

    @property
    def masked(self) -> str:
        return mask_id(self.number)

    @property
    def last4(self) -> str:
        return self.number[-4:]


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def mask_id(number: str) -> str:
    """All but the last 4 characters hidden."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def parse_identity(raw: str, kind: IdKind = IdKind.RESIDENT) -> Identity:
    """Validate and normalise an ID number; raises :class:`IdentityError` with a message for the person."""
    number = re.sub(r"\s+", "", raw).upper()
    if kind is IdKind.PASSPORT:
        if not _PASSPORT.match(number):
            raise IdentityError(N_("A passport number has 5–17 letters and digits."))
        return Identity(IdKind.PASSPORT, number, None, None)
    if not _RESIDENT.match(number):
        raise IdentityError(N_("A resident ID number has 18 characters: 17 digits and a final digit or X."))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(N_("The birth date inside this ID number is not a real date.")) from None
    if birth.year < 1900:
        raise IdentityError(N_("The birth date inside this ID number is not a real date."))
    if check_digit(number[:17]) != number[17]:
        raise IdentityError(N_("This ID number's check digit is wrong; please check each digit."))
    sex = "M" if int(number[16]) % 2 else "F"
    return Identity(IdKind.RESIDENT, number, birth, sex)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
