"""The .ics files: re-parsed with icalendar, checked line by line against RFC 5545 basics, dates from domain.md."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from hsgclinic.documents import ics
from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.planning import plan_visit

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
D = dt.date(2026, 12, 4)  # domain.md worked example: procedure Fri 2026-12-04


@pytest.fixture
def aftercare_bytes(calendar, rules, site) -> bytes:
    plan = plan_aftercare(D, calendar, rules)
    return ics.aftercare_ics(plan, site, "en", case_id="case-42", procedure_at=dt.datetime(2026, 12, 4, 8, 15), now=NOW)


def _events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def _by_uid_kind(data: bytes, case_id: str, kind: str):
    uid = ics.event_uid(case_id, kind)
    (event,) = [e for e in Calendar.from_ical(data).walk("VEVENT") if str(e["uid"]) == uid]
    return event


def _all_day(event) -> tuple[dt.date, dt.date]:
    """(first day, last day inclusive) of an all-day event."""
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert type(start) is dt.date and type(end) is dt.date
    return start, end - dt.timedelta(days=1)


def test_aftercare_dates_match_the_worked_example(aftercare_bytes: bytes) -> None:
    ev = lambda kind: _by_uid_kind(aftercare_bytes, "case-42", kind)  # noqa: E731
    assert _all_day(ev("abstain-after")) == (D, dt.date(2026, 12, 18))  # no intercourse / tub bath through 12-18
    assert _all_day(ev("antibiotics")) == (D, dt.date(2026, 12, 6))  # 3-day course ends 12-06
    assert _all_day(ev("bleeding")) == (dt.date(2026, 12, 11),) * 2  # bleeding stops by 12-11
    assert _all_day(ev("report")) == (dt.date(2026, 12, 7),) * 2  # Friday → report from Monday 12-07
    assert _all_day(ev("conceive"))[0] >= dt.date(2026, 12, 19)  # never before intercourse may resume
    assert _all_day(ev("pregnancy-test"))[0] > _all_day(ev("conceive"))[0]


def test_procedure_is_a_timed_event_in_clinic_time(aftercare_bytes: bytes) -> None:
    event = _by_uid_kind(aftercare_bytes, "case-42", "procedure")
    start = event.decoded("dtstart")
    assert start == dt.datetime(2026, 12, 4, 8, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert event.decoded("dtend") - start == dt.timedelta(minutes=30)
    triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
    assert triggers == [dt.timedelta(days=-1), dt.timedelta(hours=-1)]
    assert "DTSTART;TZID=Asia/Shanghai:20261204T081500" in aftercare_bytes.decode()
    assert "BEGIN:VTIMEZONE" in aftercare_bytes.decode()


def test_report_reminder_rings_at_nine_on_the_day(aftercare_bytes: bytes) -> None:
    (alarm,) = _by_uid_kind(aftercare_bytes, "case-42", "report").walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=9)
    assert str(alarm["action"]) == "DISPLAY"


def test_report_after_national_day_is_ready_on_the_first_working_day(calendar, rules, site) -> None:
    plan = plan_aftercare(dt.date(2026, 9, 30), calendar, rules)
    data = ics.aftercare_ics(plan, site, "en", case_id="c", now=NOW)
    assert _all_day(_by_uid_kind(data, "c", "report"))[0] == dt.date(2026, 10, 8)


def test_without_a_time_the_procedure_is_all_day_with_an_evening_reminder(calendar, rules, site) -> None:
    data = ics.aftercare_ics(plan_aftercare(D, calendar, rules), site, "en", case_id="c", now=NOW)
    event = _by_uid_kind(data, "c", "procedure")
    assert _all_day(event) == (D, D)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=-4)  # 20:00 the evening before
    assert "VTIMEZONE" not in data.decode()


def test_oil_contrast_and_longer_course_move_the_dates(calendar, rules, site) -> None:
    from hsgclinic.domain.report import ContrastKind

    plan = plan_aftercare(D, calendar, rules, antibiotic_days=5, contrast=ContrastKind.OIL)
    data = ics.aftercare_ics(plan, site, "en", case_id="c", now=NOW)
    assert _all_day(_by_uid_kind(data, "c", "antibiotics"))[1] == dt.date(2026, 12, 8)
    assert _all_day(_by_uid_kind(data, "c", "conceive"))[0] == plan.conceive_from


def test_raw_text_follows_rfc5545_basics(aftercare_bytes: bytes) -> None:
    text = aftercare_bytes.decode("utf-8")
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines), "lines are folded at 75 octets"
    assert "\n" not in text.replace("\r\n", "")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(re.fullmatch(r"PRODID:.*hsgclinic.*", line) for line in lines)
    stack: list[str] = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert not stack
    unfolded = re.sub(r"\r\n[ \t]", "", text).replace("\r\n", "\n")
    for block in re.findall(r"BEGIN:VEVENT\n(.*?)END:VEVENT", unfolded, re.S):
        props = [line.split(":", 1)[0].split(";", 1)[0] for line in block.split("\n") if line]
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert props.count(required) == 1, (required, block)
        assert re.search(r"^DTSTAMP:\d{8}T\d{6}Z$", block, re.M)
        if "DTSTART;VALUE=DATE:" in block:
            assert re.search(r"^DTEND;VALUE=DATE:\d{8}$", block, re.M)
    for block in re.findall(r"BEGIN:VALARM\n(.*?)END:VALARM", unfolded, re.S):
        assert re.search(r"^ACTION:DISPLAY$", block, re.M)
        assert re.search(r"^TRIGGER(;[^:]*)?:-?P", block, re.M)
        assert re.search(r"^DESCRIPTION:.+$", block, re.M)


def test_uids_are_stable_per_case_and_reveal_nothing(calendar, rules, site) -> None:
    plan = plan_aftercare(D, calendar, rules)
    uids = lambda case: sorted(  # noqa: E731
        str(e["uid"])
        for e in Calendar.from_ical(ics.aftercare_ics(plan, site, "zh_CN", case_id=case, now=NOW)).walk("VEVENT")
    )
    first = uids("patient-7/case-3")
    assert first == uids("patient-7/case-3")
    assert set(first).isdisjoint(uids("patient-7/case-4"))
    assert len(set(first)) == len(first)
    assert all(u.endswith("@hsgclinic") and "patient" not in u for u in first)


def test_summaries_follow_the_language(calendar, rules, site) -> None:
    plan = plan_aftercare(D, calendar, rules)
    zh = _events(ics.aftercare_ics(plan, site, "zh_CN", case_id="c", now=NOW))
    en = _events(ics.aftercare_ics(plan, site, "en", case_id="c", now=NOW))
    assert "输卵管造影检查" in zh and "HSG procedure" in en
    assert any("2026年12月18日" in s for s in zh)
    assert any("Fri 18 Dec 2026" in s for s in en)
    assert all(re.search(r"[\u4e00-\u9fff]", s) for s in zh)
    cal = Calendar.from_ical(ics.aftercare_ics(plan, site, "zh_CN", case_id="c", now=NOW))
    assert "ZH-CN" in str(cal["prodid"])


def test_visit_plan_has_the_visit_days_window_and_abstinence(calendar, rules, site) -> None:
    # domain.md: period ended Wed 2026-11-18 → visit Fri 11-20 or Sat 11-21; window 11-21 … 11-25.
    plan = plan_visit(
        CycleFacts.from_usual(dt.date(2026, 11, 18), cycle_length=28), calendar, rules, today=dt.date(2026, 11, 18)
    )
    data = ics.visit_plan_ics(plan, site, "en", case_id="v", now=NOW)
    visits = [_all_day(_by_uid_kind(data, "v", f"visit:{d}"))[0] for d in ("2026-11-20", "2026-11-21")]
    assert visits == [dt.date(2026, 11, 20), dt.date(2026, 11, 21)]
    first, last = _all_day(_by_uid_kind(data, "v", "procedure-window"))
    assert dt.date(2026, 11, 21) <= first and last <= dt.date(2026, 11, 25)
    assert _all_day(_by_uid_kind(data, "v", "abstain-before"))[0] == dt.date(2026, 11, 18)
    (alarm,) = _by_uid_kind(data, "v", "visit:2026-11-20").walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=6, minutes=30)  # before numbers are released at 07:00


def test_visit_plan_without_a_usable_date_points_to_the_next_cycle(calendar, rules, site) -> None:
    plan = plan_visit(
        CycleFacts.from_usual(dt.date(2026, 11, 10), cycle_length=28), calendar, rules, today=dt.date(2026, 11, 20)
    )
    assert plan.next_cycle is not None
    data = ics.visit_plan_ics(plan, site, "zh_CN", case_id="v", now=NOW)
    event = _by_uid_kind(data, "v", "next-period")
    assert _all_day(event)[0] == plan.next_cycle.expected_period_start
    assert not [e for e in Calendar.from_ical(data).walk("VEVENT") if "procedure-window" in str(e["uid"])]


def test_provisional_years_are_marked(rules, site) -> None:
    from hsgclinic.calendar_source import calendar_around

    cal = calendar_around(dt.date(2027, 3, 1), official_through=2026)
    plan = plan_aftercare(dt.date(2027, 3, 5), cal, rules)
    assert plan.provisional
    data = ics.aftercare_ics(plan, site, "en", case_id="c", now=NOW)
    assert "Provisional" in str(_by_uid_kind(data, "c", "procedure")["description"])


def test_a_bad_language_is_refused(calendar, rules, site) -> None:
    from hsgclinic.documents import DocumentError

    with pytest.raises(DocumentError):
        ics.aftercare_ics(plan_aftercare(D, calendar, rules), site, "fr", case_id="c", now=NOW)
