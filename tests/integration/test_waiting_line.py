"""REG-LINE: the waiting line for a sold-out day, on SQLite and PostgreSQL. A number that comes back goes to the
first person waiting, in the cancelling transaction — a client retrying all the while never gets it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hsgclinic.persistence.models import AuditEvent, RegistrationNumber
from hsgclinic.services import registration, waiting_line
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import NotFound, RuleRefused
from hsgtest import TODAY

DESK = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")


def take(clinic, public, person, n):
    return registration.take_number(clinic.ctx, public, day=TODAY, **person(n))


def join(clinic, public, person, n, day=TODAY):
    return waiting_line.join(clinic.ctx, public, day=day, **person(n))


@pytest.fixture
def sold_out(clinic, public, person):
    numbers = [take(clinic, public, person, n).number for n in range(5)]
    with pytest.raises(RuleRefused):
        take(clinic, public, person, 99)
    return numbers


def test_people_join_in_arrival_order_and_joining_twice_keeps_her_place(clinic, public, person, sold_out):
    first = join(clinic, public, person, 10).place
    second = join(clinic, public, person, 11).place
    assert first is not None and second is not None
    assert (first.status, first.position, second.position) == ("waiting", 1, 2)
    again = join(clinic, public, person, 10).place
    assert again == first
    assert len(first.access_code) == 8 and first.access_code != second.access_code


def test_someone_holding_a_number_of_the_day_cannot_join(clinic, public, person, sold_out):
    with pytest.raises(RuleRefused) as refused:
        join(clinic, public, person, 0)
    assert (refused.value.code, refused.value.rule) == ("already_registered", "REG-REALNAME")


def test_joining_while_a_number_is_free_takes_the_number(clinic, public, person):
    joined = join(clinic, public, person, 20)
    assert joined.place is None and joined.number is not None
    assert joined.number.queue_number == 1


def test_a_returned_number_goes_to_the_first_waiting_with_her_access_code(clinic, public, person, sold_out):
    first = join(clinic, public, person, 10).place
    second = join(clinic, public, person, 11).place
    registration.cancel_number(clinic.ctx, DESK, sold_out[3].registration_id, reason="staff")
    served = waiting_line.place(clinic.ctx, first.access_code)
    assert (served.status, served.position, served.queue_number) == ("served", None, 4)
    assert waiting_line.place(clinic.ctx, second.access_code).position == 1
    with clinic.ctx.read() as uow:
        code = uow.session.execute(
            select(RegistrationNumber.access_code).where(
                RegistrationNumber.day == TODAY,
                RegistrationNumber.queue_number == 4,
                RegistrationNumber.active.is_(True),
            )
        ).scalar_one()
        actions = uow.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert code == first.access_code  # the code she was given on joining opens My visit
    assert sorted(actions[-3:]) == ["registration.cancel", "registration.line_served", "registration.take"]


def test_a_retry_storm_never_gets_a_returned_number(clinic, public, person, sold_out):
    line = [join(clinic, public, person, n).place for n in (10, 11, 12)]
    storm = Actor.public("198.51.100.9")
    for returned in sold_out[:3]:
        registration.cancel_number(clinic.ctx, DESK, returned.registration_id, reason="staff")
        for _ in range(10):  # the bot asks ten times between each cancellation
            with pytest.raises(RuleRefused) as refused:
                registration.take_number(clinic.ctx, storm, day=TODAY, **person(77))
            assert refused.value.code == "sold_out"
    served = [waiting_line.place(clinic.ctx, p.access_code) for p in line]
    assert [p.status for p in served] == ["served"] * 3
    assert [p.queue_number for p in served] == [1, 2, 3]  # in arrival order, each the number that came back


def test_when_the_line_is_empty_a_returned_number_is_free_again(clinic, public, person, sold_out):
    registration.cancel_number(clinic.ctx, DESK, sold_out[1].registration_id, reason="staff")
    assert take(clinic, public, person, 30).number.queue_number == 2


def test_she_may_leave_the_line_and_the_next_moves_up(clinic, public, person, sold_out):
    first = join(clinic, public, person, 10).place
    second = join(clinic, public, person, 11).place
    left = waiting_line.withdraw(clinic.ctx, public, first.access_code)
    assert left.status == "withdrawn"
    assert waiting_line.place(clinic.ctx, second.access_code).position == 1
    with pytest.raises(RuleRefused) as refused:
        waiting_line.withdraw(clinic.ctx, public, first.access_code)
    assert refused.value.rule == "REG-LINE"


def test_someone_who_took_a_number_herself_is_skipped(clinic, public, person, sold_out):
    first = join(clinic, public, person, 10).place
    second = join(clinic, public, person, 11).place
    registration.cancel_number(clinic.ctx, DESK, sold_out[0].registration_id, reason="staff")  # first is served
    assert waiting_line.place(clinic.ctx, first.access_code).status == "served"
    registration.cancel_number(clinic.ctx, DESK, sold_out[1].registration_id, reason="staff")
    assert waiting_line.place(clinic.ctx, second.access_code).queue_number == 2


def test_an_unknown_code_is_not_found(clinic):
    with pytest.raises(NotFound) as missing:
        waiting_line.place(clinic.ctx, "ZZZZZZZZ")
    assert missing.value.rule == "REG-LINE"


def test_a_place_not_served_by_the_end_of_the_day_lapses(clinic, public, person, sold_out, clock):
    first = join(clinic, public, person, 10).place
    clock.advance(dt.timedelta(days=1))
    lapsed = waiting_line.place(clinic.ctx, first.access_code)
    assert (lapsed.status, lapsed.position) == ("lapsed", None)
    registration.cancel_number(clinic.ctx, DESK, sold_out[0].registration_id, reason="staff")
    with clinic.ctx.read() as uow:
        live = uow.session.execute(
            select(func.count()).select_from(RegistrationNumber).where(RegistrationNumber.active.is_(True))
        ).scalar_one()
    assert live == 4  # yesterday's line is not served


def test_a_larger_quota_serves_the_line_first(clinic, public, person, sold_out, admin):
    from hsgclinic.services import admin as admin_service

    first = join(clinic, public, person, 10).place
    second = join(clinic, public, person, 11).place
    admin_service.update_settings(clinic.ctx, admin, daily_numbers=6)
    assert waiting_line.place(clinic.ctx, first.access_code).queue_number == 6
    assert waiting_line.place(clinic.ctx, second.access_code).position == 1
    with pytest.raises(RuleRefused) as refused:
        take(clinic, public, person, 40)
    assert refused.value.code == "sold_out"


def test_the_served_woman_is_told_at_once_in_her_language(clinic, public, person, sold_out):
    import datetime as dt

    from hsgclinic.config import SiteProfile
    from hsgclinic.domain.reminders import ReminderKind
    from hsgclinic.i18n import translator
    from hsgclinic.notifications.texts import render
    from hsgclinic.persistence.models import OutboxMessage

    join(clinic, public, person, 10)
    registration.cancel_number(clinic.ctx, DESK, sold_out[2].registration_id, reason="staff")
    with clinic.ctx.read() as uow:
        rows = (
            uow.session.execute(select(OutboxMessage).where(OutboxMessage.template == "number_from_line"))
            .scalars()
            .all()
        )
    assert [(m.channel, m.status) for m in rows] == [("sms", "pending")]
    assert rows[0].payload["params"]["number"] == 3
    assert rows[0].payload["params"]["day"] == {"date": "2026-11-20"}
    assert rows[0].due_at <= clinic.ctx.now()
    params = {"day": TODAY, "number": 3}
    zh = render(ReminderKind.NUMBER_FROM_LINE, params, translator("zh_CN"), SiteProfile())
    en = render(ReminderKind.NUMBER_FROM_LINE, params, translator("en"), SiteProfile())
    assert "候补成功：2026年11月20日（周五）的 3 号是您的。" in zh.sms
    assert "From the waiting line: number 3 for Fri 20 Nov 2026 is yours." in en.sms
    assert en.subject == "A number came back and it is yours"
    assert dt.date(2026, 11, 20) == TODAY
