"""CAL-SOURCE: a year's State Council notice loaded by an administrator is stored whole (``calendar_notices``) and
replaces the ``holidays`` package's rule-based guess for that year — on SQLite and PostgreSQL.

The package guesses 2027's Spring Festival as 5–10 Feb (9 and 10 Feb "observed") and no make-up days. The notice
used here (made up for the tests) says 5–8 Feb (a weekend inside) and Sun 31 Jan as a make-up working day.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from hsgclinic.bootstrap import build_clinic
from hsgclinic.calendar_source import parse_notice
from hsgclinic.domain.report import report_ready_on
from hsgclinic.persistence.calendar_notice_models import CalendarNoticeRow
from hsgclinic.services import admin as admin_service
from hsgclinic.services import calendar_notice
from hsgtest import make_settings

D = dt.date
NOTICE = {
    "year": 2027,
    "breaks": [
        {"name_zh": "元旦", "name_en": "New Year's Day", "from": "2027-01-01", "to": "2027-01-03"},
        {"name_zh": "春节", "name_en": "Spring Festival", "from": "2027-02-05", "to": "2027-02-08"},
    ],
    "workdays": ["2027-01-31"],
}


def _notice(**changes):
    return parse_notice({**NOTICE, **changes})


def _cal(clinic, day):
    return clinic.calendar.for_day(day)


def ready_on(clinic, procedure_day):
    """REPORT-READY as services.procedure computes it when a procedure is recorded."""
    return report_ready_on(procedure_day, clinic.ctx.calendar_for(procedure_day))


def test_the_package_guess_before_any_notice(clinic):
    cal = _cal(clinic, D(2027, 2, 9))
    assert cal.is_provisional(D(2027, 3, 1))
    assert not cal.is_open(D(2027, 2, 9)) and not cal.is_open(D(2027, 2, 10))
    assert not cal.is_working_day(D(2027, 1, 31))
    assert ready_on(clinic, D(2027, 2, 4)) == D(2027, 2, 11)


def test_a_loaded_notice_replaces_the_package_guess_for_its_year(clinic, admin):
    written = calendar_notice.load(clinic.ctx, admin, _notice())
    assert written == 8  # 3 + 4 break days and 1 make-up day
    cal = _cal(clinic, D(2027, 2, 9))  # the clinic's cache (60 s here) was invalidated by the load
    assert not cal.is_provisional(D(2027, 3, 1)) and not cal.is_provisional(D(2027, 12, 31))
    assert cal.is_open(D(2027, 2, 9)) and cal.is_open(D(2027, 2, 10))  # the package's guess, not in the notice
    assert cal.is_working_day(D(2027, 2, 9)) and cal.is_working_day(D(2027, 2, 10))
    for day in (D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 1, 2)):
        assert not cal.is_open(day) and not cal.is_working_day(day), day  # weekends inside the break too
        assert cal.closure(day).name.en in {"Spring Festival", "New Year's Day"}
    assert cal.is_working_day(D(2027, 1, 31)) and cal.is_open(D(2027, 1, 31))  # Sunday make-up day
    assert ready_on(clinic, D(2027, 2, 4)) == D(2027, 2, 9)  # was 11 Feb under the package's guess
    assert ready_on(clinic, D(2027, 1, 29)) == D(2027, 1, 31)  # the Sunday make-up day counts
    assert admin_service.list_overrides(clinic.ctx) == []  # nothing written day by day
    events = admin_service.list_audit(clinic.ctx, admin, action="calendar.notice_load")
    assert len(events) == 1 and events[0].record_id == "2027"
    assert events[0].detail["holiday_days"] == 7 and events[0].detail["replaced"] is False


def test_removing_the_notice_brings_back_the_provisional_guess(clinic, admin):
    calendar_notice.load(clinic.ctx, admin, _notice())
    assert _cal(clinic, D(2027, 2, 9)).is_open(D(2027, 2, 9))
    calendar_notice.remove(clinic.ctx, admin, 2027)
    cal = _cal(clinic, D(2027, 2, 9))
    assert cal.is_provisional(D(2027, 2, 9)) and not cal.is_open(D(2027, 2, 9))
    assert not cal.is_working_day(D(2027, 1, 31))
    assert ready_on(clinic, D(2027, 2, 4)) == D(2027, 2, 11)
    assert calendar_notice.sources(clinic.ctx).loaded == []
    assert [e.record_id for e in admin_service.list_audit(clinic.ctx, admin, action="calendar.notice_remove")] == [
        "2027"
    ]


def test_a_second_notice_for_the_year_replaces_the_first(clinic, admin):
    calendar_notice.load(clinic.ctx, admin, _notice())
    later = [{"name_zh": "春节", "name_en": "Spring Festival", "from": "2027-02-05", "to": "2027-02-09"}]
    preview = calendar_notice.preview(clinic.ctx, _notice(breaks=later, workdays=[]))
    assert preview.replaces is not None and preview.replaces.loaded_by == admin.name
    calendar_notice.load(clinic.ctx, admin, _notice(breaks=later, workdays=[]))
    with clinic.ctx.read() as u:
        assert u.session.execute(select(func.count()).select_from(CalendarNoticeRow)).scalar_one() == 1
    cal = _cal(clinic, D(2027, 2, 9))
    assert not cal.is_open(D(2027, 2, 9)) and cal.is_open(D(2027, 2, 10)) and cal.is_open(D(2027, 1, 2))
    assert not cal.is_working_day(D(2027, 1, 31)) and not cal.is_provisional(D(2027, 2, 9))
    (loaded,) = calendar_notice.sources(clinic.ctx).loaded
    assert (loaded.year, loaded.breaks, loaded.workdays, loaded.loaded_by) == (2027, 1, 0, admin.name)
    events = admin_service.list_audit(clinic.ctx, admin, action="calendar.notice_load")
    assert sorted(e.detail["replaced"] for e in events) == [False, True]


def test_single_day_overrides_still_apply_on_top_of_the_notice(clinic, admin):
    admin_service.set_override(clinic.ctx, admin, D(2027, 2, 9), "clinic_closed", "业务培训", "Staff training")
    admin_service.set_override(clinic.ctx, admin, D(2027, 2, 6), "workday")
    preview = calendar_notice.preview(clinic.ctx, _notice())
    assert preview.overridden == [D(2027, 2, 6)]
    assert (D(2027, 2, 10), D(2027, 2, 10)) in preview.also_closed  # opened by the notice; 9 Feb stays closed
    calendar_notice.load(clinic.ctx, admin, _notice())
    cal = _cal(clinic, D(2027, 2, 9))
    assert not cal.is_open(D(2027, 2, 9)) and cal.is_working_day(D(2027, 2, 9))  # the clinic's own closure
    assert cal.is_open(D(2027, 2, 6)) and cal.is_working_day(D(2027, 2, 6))
    assert cal.is_open(D(2027, 2, 10))


def test_another_server_sees_the_notice_without_a_restart(clinic, admin, settings, clock):
    other = build_clinic(settings, clock=clock, cache_seconds=0)  # a second process on the same database
    try:
        assert other.calendar.for_day(D(2027, 2, 9)).is_provisional(D(2027, 2, 9))
        calendar_notice.load(clinic.ctx, admin, _notice())
        assert other.calendar.for_day(D(2027, 2, 9)).is_open(D(2027, 2, 9))
        calendar_notice.remove(other.ctx, admin, 2027)
        assert other.calendar.for_day(D(2027, 2, 9)).is_provisional(D(2027, 2, 9))
    finally:
        other.dispose()


def test_a_loaded_notice_wins_over_a_notice_file_for_the_same_year(db_url, tmp_path, clock, admin):
    folder = tmp_path / "notices"
    folder.mkdir()
    file_notice = {**NOTICE, "breaks": [{**NOTICE["breaks"][1], "to": "2027-02-12"}], "workdays": []}
    (folder / "2027.json").write_text(json.dumps(file_notice, ensure_ascii=False), encoding="utf-8")
    clinic = build_clinic(make_settings(db_url, tmp_path, calendar_notice_dir=folder), clock=clock, cache_seconds=60)
    try:
        cal = _cal(clinic, D(2027, 2, 9))
        assert not cal.is_provisional(D(2027, 2, 9)) and not cal.is_open(D(2027, 2, 12))
        assert calendar_notice.sources(clinic.ctx).file_years == [2027]
        calendar_notice.load(clinic.ctx, admin, _notice())
        assert _cal(clinic, D(2027, 2, 9)).is_open(D(2027, 2, 12))
        calendar_notice.remove(clinic.ctx, admin, 2027)
        cal = _cal(clinic, D(2027, 2, 9))
        assert not cal.is_provisional(D(2027, 2, 9)) and not cal.is_open(D(2027, 2, 12))  # the file again
    finally:
        clinic.dispose()
