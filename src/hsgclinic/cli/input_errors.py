"""Turning what a person typed on the command line into values, with one-line errors in her language."""

from __future__ import annotations

import datetime as dt
import sys
from typing import NoReturn

import typer

from hsgclinic.domain.messages import N_, Message, MessageError
from hsgclinic.i18n import translator


class InputError(MessageError):
    """Bad input: shown as one line in the reader's language, exit code 2."""


def fail(message: Message, lang: str | None) -> NoReturn:
    t = translator(lang)
    typer.echo(f"{t('Error')}: {t.render(message)}", err=True)
    raise typer.Exit(2)


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            N_("{option}: {value!r} is not a real date; use YYYY-MM-DD, e.g. 2026-11-18.", option=option, value=value)
        ) from None


def parse_optional_date(value: str | None, option: str) -> dt.date | None:
    return None if value is None else parse_date(value, option)


def parse_int(value: str | None, option: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        raise InputError(N_("{option}: {value!r} is not a whole number.", option=option, value=value)) from None
    if not low <= number <= high:
        raise InputError(
            N_(
                "{option}: {value} is out of range; enter a number from {low} to {high}.",
                option=option,
                value=number,
                low=low,
                high=high,
            )
        )
    return number


def lang_option(value: str | None) -> str:
    """'zh' / 'zh-CN' / 'en' → a supported locale; anything else is an input error (in Chinese by default)."""
    if value is None:
        return "zh_CN"
    low = value.strip().lower().replace("-", "_")
    if low in ("zh", "zh_cn", "cn"):
        return "zh_CN"
    if low in ("en", "en_us", "en_gb"):
        return "en"
    raise InputError(N_("--lang must be zh or en, not {value!r}.", value=value))


def exit_for_usage_error(text: str, lang: str) -> NoReturn:
    t = translator(lang)
    sys.stderr.write(f"{t('Error')}: {text}\n")
    raise SystemExit(2)
