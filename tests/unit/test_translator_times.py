"""Stored instants are UTC; people read clinic time (Asia/Shanghai) — a report signed on Sunday morning in
Beijing must not show Saturday night."""

from __future__ import annotations

import datetime as dt

from hsgclinic.i18n import translator

SIGNED = dt.datetime(2026, 11, 21, 23, 50, tzinfo=dt.UTC)  # Sun 22 Nov 07:50 in Beijing


def test_an_aware_utc_instant_is_shown_in_clinic_time() -> None:
    assert translator("en").datetime(SIGNED) == "22 Nov 2026 07:50"
    assert translator("zh_CN").datetime(SIGNED) == "2026年11月22日 07:50"
    assert translator("en").time(SIGNED) == "07:50"


def test_a_naive_datetime_is_taken_as_clinic_local() -> None:
    assert translator("en").datetime(dt.datetime(2026, 11, 22, 7, 50)) == "22 Nov 2026 07:50"
    assert translator("en").time(dt.time(8, 15)) == "08:15"
