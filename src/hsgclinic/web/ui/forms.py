"""Reading typed form values back: every error is a sentence for the person, the typed text is kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from hsgclinic.domain.messages import N_, Message

_N = TypeVar("_N", int, Decimal)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class FormState:
    """What was typed (always strings, shown back as typed) and the errors per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Message] = field(default_factory=dict)

    @classmethod
    def of(cls, data: Mapping[str, object]) -> FormState:
        return cls({k: str(v) for k, v in data.items()})

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def checked(self, name: str) -> bool:
        return self.values.get(name, "") in ("on", "1", "true", "yes")

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name: str, message: Message) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, *, required: bool = False, max_len: int = 200) -> str | None:
        raw = self.get(name).strip()
        if not raw:
            if required:
                self.error(name, N_("Please fill this in."))
            return None
        if len(raw) > max_len:
            self.error(name, N_("This is too long (at most {n} characters).", n=max_len))
            return None
        if _CONTROL.search(raw):  # PostgreSQL cannot store a NUL: a sentence for the person, not a 500
            self.error(name, N_("Please remove the invisible control characters from this text."))
            return None
        return raw

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        raw = self.get(name).strip()
        if not raw:
            if required:
                self.error(name, N_("Please enter a date."))
            return None
        try:
            return dt.date.fromisoformat(raw.replace("/", "-"))
        except ValueError:
            self.error(name, N_("Please enter a date as year-month-day, e.g. 2026-11-18."))
            return None

    def integer(self, name: str, *, low: int, high: int, required: bool = False) -> int | None:
        return self._number(name, int, low, high, required, N_("Please enter a whole number."))

    def decimal(self, name: str, *, low: Decimal, high: Decimal, required: bool = False) -> Decimal | None:
        return self._number(name, Decimal, low, high, required, N_("Please enter a number, e.g. 36.6."))

    def _number(
        self, name: str, parse: Callable[[str], _N], low: _N, high: _N, required: bool, not_a_number: Message
    ) -> _N | None:
        raw = self.get(name).strip()
        if not raw:
            if required:
                self.error(name, N_("Please enter a number."))
            return None
        try:
            value = parse(raw)
        except (ValueError, InvalidOperation):
            self.error(name, not_a_number)
            return None
        if not low <= value <= high:
            self.error(name, N_("Please enter a number from {low} to {high}.", low=low, high=high))
            return None
        return value

    def choice(self, name: str, options: set[str], *, required: bool = False) -> str | None:
        raw = self.get(name).strip()
        if not raw:
            if required:
                self.error(name, N_("Please choose one."))
            return None
        if raw not in options:
            self.error(name, N_("Please choose one of the options."))
            return None
        return raw

    def yes_no(self, name: str, *, required: bool = False) -> bool | None:
        raw = self.get(name).strip()
        if raw in ("yes", "no"):
            return raw == "yes"
        if required:
            self.error(name, N_("Please answer yes or no."))
        return None
