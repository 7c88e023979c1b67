"""Late reminders (docs/decisions/0003-late-reminders.md): a message sent on a later day than the one it was
written for never says "today"/"tomorrow" of a day that has passed; on its day it reads as before."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.config import SiteProfile
from hsgclinic.domain.reminders import ReminderKind
from hsgclinic.i18n import translator
from hsgclinic.notifications.texts import is_late, render

D = dt.date
SITE = SiteProfile()


def body(kind: ReminderKind, params: dict[str, object], sent_on: D, lang: str = "en") -> str:
    return render(kind, params, translator(lang), SITE, sent_on=sent_on).body


def test_report_ready_on_its_day_and_late() -> None:
    p = {"day": D(2026, 11, 24)}
    assert "from today, Tue 24 Nov 2026" in body(ReminderKind.REPORT_READY, p, D(2026, 11, 24))
    late = body(ReminderKind.REPORT_READY, p, D(2026, 12, 2))
    assert "today" not in late and "24 Nov" not in late and "signed and ready" in late
    zh = body(ReminderKind.REPORT_READY, p, D(2026, 12, 2), "zh_CN")
    assert "今天" not in zh and "已签发" in zh


def test_bleeding_check_late_keeps_the_date_and_drops_today() -> None:
    p = {"day": D(2026, 11, 29)}
    assert "It is 7 days after your HSG" in body(ReminderKind.BLEEDING_CHECK, p, D(2026, 11, 29))
    late = body(ReminderKind.BLEEDING_CHECK, p, D(2026, 12, 1))
    assert "It is 7 days" not in late and "today" not in late and "Sun 29 Nov 2026" in late
    assert "contact the clinic at once" in late


def test_abstain_ends_late_says_since() -> None:
    p = {"through": D(2026, 12, 6), "resume": D(2026, 12, 7)}
    assert "from today" in body(ReminderKind.ABSTAIN_ENDS, p, D(2026, 12, 7))
    late = body(ReminderKind.ABSTAIN_ENDS, p, D(2026, 12, 9))
    assert "today" not in late and "since Mon 7 Dec 2026" in late


def test_procedure_eve_sent_on_the_morning_says_today() -> None:
    p = {"procedure_at": dt.datetime(2026, 11, 22, 8, 30)}
    assert "tomorrow" in body(ReminderKind.PROCEDURE_EVE, p, D(2026, 11, 21))
    late = body(ReminderKind.PROCEDURE_EVE, p, D(2026, 11, 22))
    assert "tomorrow" not in late and "today at 08:30" in late
    assert "今天" in body(ReminderKind.PROCEDURE_EVE, p, D(2026, 11, 22), "zh_CN")


@pytest.mark.parametrize(
    "kind,params",
    [
        (ReminderKind.VISIT_EVE, {"visit_day": D(2026, 11, 21)}),
        (ReminderKind.ANTIBIOTIC_LAST_DAY, {"day": D(2026, 11, 24), "days": 3}),
        (ReminderKind.CONCEIVE_FROM, {"day": D(2026, 12, 12), "tubes": "both"}),
    ],
)
def test_messages_that_expire_with_their_day_are_never_late_on_it(
    kind: ReminderKind, params: dict[str, object]
) -> None:
    day = next(v for v in params.values() if isinstance(v, D))
    assert not is_late(kind, params, day - dt.timedelta(days=1) if kind is ReminderKind.VISIT_EVE else day)


def test_conceive_and_antibiotic_texts_follow_the_report() -> None:
    both = body(ReminderKind.CONCEIVE_FROM, {"day": D(2026, 12, 12), "tubes": "both"}, D(2026, 12, 12))
    one = body(ReminderKind.CONCEIVE_FROM, {"day": D(2026, 12, 12), "tubes": "one"}, D(2026, 12, 12))
    assert "Both tubes were patent" in both and "If your tubes" not in both
    assert "Not both tubes were fully patent" in one and "doctor" in one
    doxy = body(
        ReminderKind.ANTIBIOTIC_LAST_DAY, {"day": D(2026, 11, 26), "days": 5, "doxycycline": True}, D(2026, 11, 26)
    )
    assert "5-day doxycycline course" in doxy
