"""Registration numbers on SQLite and PostgreSQL: REG-QUOTA, REG-SEQ, REG-REALNAME, REG-RELEASE, REG-NOSHOW."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hsgclinic.persistence.models import AuditEvent, Patient
from hsgclinic.services import registration
from hsgclinic.services.errors import InvalidInput, RuleRefused

TODAY = dt.date(2026, 11, 20)


def take(clinic, public, person, n, day=TODAY, **kw):
    return registration.take_number(clinic.ctx, public, day=day, **person(n), **kw)


def test_numbers_run_from_one_to_the_quota_then_sell_out(clinic, public, person):
    numbers = [take(clinic, public, person, n).number.queue_number for n in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    with pytest.raises(RuleRefused) as refused:
        take(clinic, public, person, 99)
    assert refused.value.code == "sold_out"
    assert refused.value.rule == "REG-QUOTA"


def test_a_cancelled_number_goes_back_to_the_pool_lowest_first(clinic, public, person):
    taken = [take(clinic, public, person, n).number for n in range(5)]
    registration.cancel_number(
        clinic.ctx, public.__class__(public.role, "p", patient_id=taken[1].patient_id), taken[1].registration_id
    )
    again = take(clinic, public, person, 50)
    assert again.number.queue_number == 2


def test_one_number_per_person_per_day(clinic, public, person):
    take(clinic, public, person, 1)
    with pytest.raises(RuleRefused) as refused:
        take(clinic, public, person, 1)
    assert refused.value.code == "already_registered"
    assert refused.value.rule == "REG-REALNAME"


def test_the_id_number_is_stored_hashed_for_lookup_and_shown_masked(clinic, public, person):
    view = take(clinic, public, person, 3).number
    assert view.masked_id.startswith("**************") and view.masked_id[-4:] == person(3)["id_number"][-4:]
    with clinic.ctx.read() as uow:
        patient = uow.session.execute(select(Patient)).scalar_one()
        assert person(3)["id_number"] not in repr(patient)
        assert len(patient.id_hash) == 64


def test_a_wrong_check_digit_is_invalid_input(clinic, public, person):
    p = person(4)
    p["id_number"] = p["id_number"][:-1] + ("0" if p["id_number"][-1] != "0" else "1")
    with pytest.raises(InvalidInput) as bad:
        registration.take_number(clinic.ctx, public, day=TODAY, **p)
    assert bad.value.code == "invalid_id"


def test_before_the_release_time_says_when_numbers_open(clinic, public, person, clock):
    clock.advance(dt.timedelta(hours=-1))  # 06:30
    with pytest.raises(RuleRefused) as refused:
        take(clinic, public, person, 1)
    assert refused.value.code == "not_released"
    assert refused.value.details["releases_at"] == "2026-11-20T07:00"


def test_a_statutory_holiday_is_closed(clinic, public, person, clock):
    clock.set(dt.datetime(2026, 10, 2, 8, 0, tzinfo=dt.UTC))
    with pytest.raises(RuleRefused) as refused:
        take(clinic, public, person, 1, day=dt.date(2026, 10, 2))
    assert refused.value.code == "closed"
    assert refused.value.rule == "CAL-OPEN"


def test_the_same_idempotency_key_gets_the_first_answer(clinic, public, person):
    first = take(clinic, public, person, 7, idempotency_key="abc-123")
    again = take(clinic, public, person, 7, idempotency_key="abc-123")
    assert again.replayed and again.number == first.number
    with pytest.raises(InvalidInput):
        take(clinic, public, person, 8, idempotency_key="abc-123")


def test_three_noshows_suspend_self_service(clinic, public, person, clock, registrar):
    for day in [dt.date(2026, 11, 1), dt.date(2026, 11, 5), dt.date(2026, 11, 10)]:
        clock.set(dt.datetime.combine(day, dt.time(0, 30), tzinfo=dt.UTC))
        take(clinic, public, person, 1, day=day)
        clock.set(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1, 0), tzinfo=dt.UTC))
        assert registration.mark_no_shows(clinic.ctx, registrar, day) == 1
    clock.set(dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.UTC))
    with pytest.raises(RuleRefused) as refused:
        take(clinic, public, person, 1)
    assert refused.value.rule == "REG-NOSHOW"
    assert take(clinic, public, person, 2).number.queue_number == 1  # someone else is fine


def test_every_take_writes_an_audit_event(clinic, public, person):
    take(clinic, public, person, 1)
    with clinic.ctx.read() as uow:
        assert (
            uow.session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "registration.take")
            ).scalar_one()
            == 1
        )


def test_an_admin_raising_the_quota_opens_more_numbers_today(clinic, public, person, admin):
    from hsgclinic.services import admin as admin_service

    for n in range(5):
        take(clinic, public, person, n)
    admin_service.update_settings(clinic.ctx, admin, daily_numbers=6)
    assert take(clinic, public, person, 10).number.queue_number == 6
    admin_service.update_settings(clinic.ctx, admin, daily_numbers=2)  # never below a number already taken
    with pytest.raises(RuleRefused):
        take(clinic, public, person, 11)
    assert registration.availability(clinic.ctx, TODAY).remaining == 0
