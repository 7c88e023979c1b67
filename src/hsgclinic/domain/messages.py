"""Sentences for people, kept as a gettext message id plus parameters.

The domain writes English message ids; :mod:`hsgclinic.i18n` translates them (zh-CN catalogue) and
formats the parameters for the reader's language (dates the way each language writes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Localized:
    """A value that comes with its own Chinese and English wording (e.g. a holiday's name)."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True, eq=False)
class Message:
    """A translatable sentence: ``msgid`` in English with ``{name}`` placeholders."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def _key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.msgid, tuple(sorted((k, repr(v)) for k, v in self.params.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def english(self) -> str:
        """The English text with parameters in ISO form (for logs and tests)."""
        return self.msgid.format(**{k: _plain(v) for k, v in self.params.items()})


def _plain(value: object) -> object:
    if isinstance(value, Message):
        return value.english()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(str(_plain(v)) for v in value)
    return value


def N_(msgid: str, **params: object) -> Message:
    return Message(msgid, MappingProxyType(dict(params)))


class MessageError(ValueError):
    """Input that cannot be accepted, with a translatable sentence for the person who typed it."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message
