"""The rush's losers are answered from memory (services/sold_out.py), and a returned number is grantable at once:
in the process that returned it (SQLite and PostgreSQL) and, on PostgreSQL, on every other server through
LISTEN/NOTIFY — long before the board's time to live would have let it go."""

from __future__ import annotations

import time

import pytest

from hsgclinic.bootstrap import build_clinic
from hsgclinic.services import registration
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import RuleRefused
from hsgtest import TODAY, make_settings


def take(clinic, public, person, n, **kw):
    return registration.take_number(clinic.ctx, public, day=TODAY, **person(n), **kw)


def sell_out(clinic, public, person, quota=5):
    taken = [take(clinic, public, person, n).number for n in range(quota)]
    with pytest.raises(RuleRefused):
        take(clinic, public, person, 90)
    return taken


def owner(public, view):
    return Actor(public.role, "p", public.address, patient_id=view.patient_id)


@pytest.fixture
def remembering(db_url, tmp_path, clock):
    """A clinic whose board remembers for a minute: only a returned number can clear it in these tests."""
    c = build_clinic(
        make_settings(db_url, tmp_path, daily_numbers=5, sold_out_memory_seconds=60), clock=clock, cache_seconds=60
    )
    yield c
    c.dispose()


def wait_until_trusted(clinic, public, person):
    """PostgreSQL: the first refused mark starts the listener; once it listens, a refusal marks the day."""
    with pytest.raises(RuleRefused):
        take(clinic, public, person, 91)
    listener = clinic.place_listener
    if listener is not None:
        assert listener.wait_connected(10), "the LISTEN connection did not come up"
        with pytest.raises(RuleRefused):
            take(clinic, public, person, 92)
    assert clinic.ctx.sold_out.is_sold_out(TODAY)


def test_a_sold_out_day_is_refused_from_memory_with_its_rule(remembering, public, person):
    sell_out(remembering, public, person)
    wait_until_trusted(remembering, public, person)
    with pytest.raises(RuleRefused) as refused:
        registration.refuse_if_known_sold_out(remembering.ctx, TODAY)
    assert (refused.value.code, refused.value.rule) == ("sold_out", "REG-QUOTA")
    assert refused.value.message.params["day"] == TODAY
    registration.refuse_if_known_sold_out(remembering.ctx, TODAY, "her-key")  # a key always asks the database


def test_a_cancelled_number_is_taken_at_once_by_the_next_person(remembering, public, person):
    taken = sell_out(remembering, public, person)
    wait_until_trusted(remembering, public, person)
    registration.cancel_number(remembering.ctx, owner(public, taken[2]), taken[2].registration_id)
    registration.refuse_if_known_sold_out(remembering.ctx, TODAY)  # forgotten at the cancellation's commit
    assert take(remembering, public, person, 50).number.queue_number == 3


def test_a_larger_quota_clears_the_memory(remembering, public, person):
    from hsgclinic.services import admin

    sell_out(remembering, public, person)
    wait_until_trusted(remembering, public, person)
    boss = Actor(Role.ADMIN, "admin", "10.0.0.5")
    admin.update_settings(remembering.ctx, boss, daily_numbers=6)
    registration.refuse_if_known_sold_out(remembering.ctx, TODAY)
    assert take(remembering, public, person, 51).number.queue_number == 6


def test_a_failed_cancellation_clears_nothing(remembering, public, person):
    taken = sell_out(remembering, public, person)
    wait_until_trusted(remembering, public, person)
    registration.check_in(remembering.ctx, Actor(Role.REGISTRAR, "nurse", "10.0.0.2"), taken[0].registration_id)
    with pytest.raises(RuleRefused):
        registration.cancel_number(remembering.ctx, owner(public, taken[0]), taken[0].registration_id)
    assert remembering.ctx.sold_out.is_sold_out(TODAY)


@pytest.mark.postgres
def test_a_number_returned_on_server_a_is_taken_through_server_b_within_a_second(
    pg_url, tmp_path, clock, public, person
):
    from hsgclinic.persistence.engine import make_engine
    from hsgtest import empty_tables

    engine = make_engine(pg_url)
    empty_tables(engine)
    engine.dispose()
    settings = make_settings(pg_url, tmp_path, daily_numbers=5, sold_out_memory_seconds=60)
    a = build_clinic(settings, clock=clock, cache_seconds=60)
    b = build_clinic(settings, clock=clock, cache_seconds=60)
    try:
        taken = sell_out(a, public, person)
        wait_until_trusted(b, public, person)  # B has seen the day sold out and remembers it for a minute
        registration.cancel_number(a.ctx, owner(public, taken[4]), taken[4].registration_id)
        started = time.monotonic()
        while b.ctx.sold_out.is_sold_out(TODAY):
            assert time.monotonic() - started < 1.0, "server B still refuses from memory a second after the return"
            time.sleep(0.005)
        assert take(b, public, person, 52).number.queue_number == 5
    finally:
        a.dispose()
        b.dispose()
