"""The sold-out board (services/sold_out.py): what a server may answer from memory, and when it must forget."""

from __future__ import annotations

import datetime as dt

from hsgclinic.services.sold_out import SoldOutBoard

DAY = dt.date(2026, 11, 20)
OTHER = dt.date(2026, 11, 21)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_marked_day_is_sold_out_until_its_time_to_live_has_passed():
    clock = Clock()
    board = SoldOutBoard(ttl=2.0, monotonic=clock)
    assert board.mark(DAY, board.generation(DAY)) is True
    assert board.is_sold_out(DAY) and not board.is_sold_out(OTHER)
    clock.t += 1.999
    assert board.is_sold_out(DAY)
    clock.t += 0.001  # exactly the time to live: ask the database again
    assert not board.is_sold_out(DAY)
    assert board.marked_days() == []


def test_a_returned_number_clears_its_day_only():
    board = SoldOutBoard(ttl=60)
    board.mark(DAY, board.generation(DAY))
    board.mark(OTHER, board.generation(OTHER))
    board.forget([DAY])
    assert not board.is_sold_out(DAY)
    assert board.is_sold_out(OTHER)


def test_a_mark_read_before_a_number_came_back_is_dropped():
    """The request read 'sold out', a cancellation committed (its hook ran), then the request marks: stale."""
    board = SoldOutBoard(ttl=60)
    seen = board.generation(DAY)
    board.forget([DAY])
    assert board.mark(DAY, seen) is False
    assert not board.is_sold_out(DAY)
    assert board.mark(DAY, board.generation(DAY)) is True  # a fresh look may mark it again


def test_forget_all_drops_every_mark_and_marks_taken_before_it():
    board = SoldOutBoard(ttl=60)
    seen = board.generation(OTHER)
    board.mark(DAY, board.generation(DAY))
    board.forget_all()
    assert not board.is_sold_out(DAY)
    assert board.mark(OTHER, seen) is False


def test_an_untrusted_board_keeps_no_mark_and_wakes_its_listener_once():
    woken: list[int] = []
    board = SoldOutBoard(ttl=60, trusted=False, wake=lambda: woken.append(1))
    assert board.mark(DAY, board.generation(DAY)) is False
    assert board.mark(DAY, board.generation(DAY)) is False
    assert woken == [1]
    board.forget_all(trusted=True)  # the listener is connected
    assert board.mark(DAY, board.generation(DAY)) is True
    board.forget_all(trusted=False)  # and dropped again: nothing from memory
    assert not board.is_sold_out(DAY)
    assert board.mark(DAY, board.generation(DAY)) is False


def test_a_board_with_no_time_to_live_is_off():
    board = SoldOutBoard(ttl=0)
    assert not board.enabled
    assert board.mark(DAY, board.generation(DAY)) is False
    assert not board.is_sold_out(DAY)
