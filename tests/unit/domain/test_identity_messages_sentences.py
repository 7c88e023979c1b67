"""REG-REALNAME refusals, message rendering, findings' worst outcome and calendar edges: exact values."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.clinic_calendar import CalendarRangeError, ClosureKind, describe_day
from hsgclinic.domain.findings import Finding, Outcome, overall
from hsgclinic.domain.identity import IdentityError, IdKind, age_on, mask_id, parse_identity
from hsgclinic.domain.messages import N_, Localized, Message, MessageError

from .factories import TRAINING, D, hand_calendar

VALID = "11010519491231002X"  # the GB 11643 example number: check digit X, 17th digit 2 (female)


def _refusal(raw: str, kind: IdKind = IdKind.RESIDENT) -> str:
    with pytest.raises(IdentityError) as caught:
        parse_identity(raw, kind)
    return caught.value.message.english()


def test_resident_id_refusals_say_why() -> None:
    assert _refusal("1101051990030700") == "A resident ID number has 18 characters: 17 digits and a final digit or X."
    assert _refusal("110105199002300026") == "The birth date inside this ID number is not a real date."
    assert _refusal("110105189912310026") == "The birth date inside this ID number is not a real date."
    assert _refusal(VALID[:17] + "1") == "This ID number's check digit is wrong; please check each digit."
    assert _refusal("AB12", IdKind.PASSPORT) == "A passport number has 5–17 letters and digits."


def test_a_valid_resident_id_in_full() -> None:
    ident = parse_identity(" 110105 19491231 002x ")
    assert (ident.kind, ident.number, ident.birth_date, ident.sex) == (IdKind.RESIDENT, VALID, D(1949, 12, 31), "F")
    assert ident.masked == "*" * 14 + "002X" and ident.last4 == "002X"


def test_a_birth_year_of_1900_is_accepted() -> None:
    first17 = "11010519000101001"
    from hsgclinic.domain.identity import check_digit

    ident = parse_identity(first17 + check_digit(first17))
    assert ident.birth_date == D(1900, 1, 1) and ident.sex == "M"


def test_passports_keep_letters_and_digits() -> None:
    ident = parse_identity("e1234 5678", IdKind.PASSPORT)
    assert (ident.kind, ident.number, ident.birth_date, ident.sex) == (IdKind.PASSPORT, "E12345678", None, None)
    assert parse_identity("A1234", IdKind.PASSPORT).number == "A1234"
    assert parse_identity("A" * 17, IdKind.PASSPORT).number == "A" * 17
    assert _refusal("A" * 18, IdKind.PASSPORT) == "A passport number has 5–17 letters and digits."


@pytest.mark.parametrize(("number", "masked"), [("1234", "1234"), ("12345", "*2345"), ("12", "12"), ("", "")])
def test_masking_keeps_only_the_last_four(number: str, masked: str) -> None:
    assert mask_id(number) == masked


@pytest.mark.parametrize(
    ("day", "age"), [(D(2020, 3, 6), 29), (D(2020, 3, 7), 30), (D(2020, 2, 7), 29), (D(2020, 4, 1), 30)]
)
def test_age_turns_on_the_birthday(day: dt.date, age: int) -> None:
    assert age_on(D(1990, 3, 7), day) == age


# -- messages --------------------------------------------------------------------------------------------------
def test_english_rendering_formats_dates_lists_nested_messages_and_names() -> None:
    inner = N_("clue cells")
    m = N_(
        "{a} / {b} / {c} / {d} / {e}",
        a=D(2030, 4, 1),
        b=(D(2030, 4, 1), D(2030, 4, 2)),
        c=inner,
        d=Localized("国庆节", "National Day"),
        e=3,
    )
    assert m.english() == "2030-04-01 / 2030-04-01, 2030-04-02 / clue cells / National Day / 3"
    assert str(Localized("国庆节", "National Day")) == "National Day"


def test_messages_are_equal_by_id_and_parameters() -> None:
    assert N_("x {a}", a=1) == N_("x {a}", a=1)
    assert N_("x {a}", a=1) != N_("x {a}", a=2)
    assert N_("x {a}", a=1) != N_("y {a}", a=1)
    assert N_("x") != "x"
    assert hash(N_("x {a}", a=1)) == hash(N_("x {a}", a=1))
    assert len({N_("x {a}", a=1), N_("x {a}", a=1), N_("x {a}", a=2)}) == 2
    assert Message("x").params == {}


def test_a_message_error_carries_its_message_and_english_text() -> None:
    error = MessageError(N_("Bad {n}", n=2))
    assert str(error) == "Bad 2" and error.message == N_("Bad {n}", n=2)


# -- findings --------------------------------------------------------------------------------------------------
def test_the_worst_outcome_wins_and_none_is_pass() -> None:
    p, r, b = (Finding("X", o, N_("m")) for o in (Outcome.PASS, Outcome.REVIEW, Outcome.BLOCK))
    assert overall([]) is Outcome.PASS
    assert overall([p]) is Outcome.PASS
    assert overall([p, r, p]) is Outcome.REVIEW
    assert overall([r, b, r]) is Outcome.BLOCK
    assert overall([b, p]) is Outcome.BLOCK
    assert [o.severity for o in Outcome] == [0, 1, 2]
    assert r.as_dict() == {"rule": "X", "outcome": "REVIEW", "message": "m"}


# -- the calendar value ----------------------------------------------------------------------------------------
def test_calendar_edges() -> None:
    cal = hand_calendar(
        years=(2030,), holidays=[D(2030, 5, 1)], clinic_closed=[D(2030, 5, 6)], makeup=[D(2030, 5, 11)], official=()
    )
    assert cal.covers(D(2030, 1, 1)) and not cal.covers(D(2031, 1, 1))
    with pytest.raises(CalendarRangeError, match="2031"):
        cal.is_working_day(D(2031, 1, 1))
    assert cal.is_provisional(D(2030, 5, 1))
    assert list(cal.days(D(2030, 5, 1), D(2030, 5, 3))) == [D(2030, 5, 1), D(2030, 5, 2), D(2030, 5, 3)]
    assert list(cal.days(D(2030, 5, 2), D(2030, 5, 1))) == []
    assert cal.next_open_on_or_after(D(2030, 5, 1)) == D(2030, 5, 2)
    assert cal.next_open_on_or_after(D(2030, 5, 2)) == D(2030, 5, 2)
    assert cal.next_working_day_after(D(2030, 5, 10)) == D(2030, 5, 11)  # Fri → the make-up Saturday
    assert cal.next_working_day_after(D(2030, 5, 3)) == D(2030, 5, 6)  # a clinic closure is still a working day
    assert not cal.is_working_day(D(2030, 5, 1)) and cal.is_working_day(D(2030, 5, 6))
    assert not cal.is_working_day(D(2030, 5, 12)) and cal.is_working_day(D(2030, 5, 10))
    info = describe_day(cal, D(2030, 5, 6))
    assert (info.open, info.working_day, info.makeup_workday, info.provisional) == (False, True, False, True)
    assert info.closure is not None and info.closure.kind is ClosureKind.CLINIC and info.closure.name == TRAINING
    saturday = describe_day(cal, D(2030, 5, 11))
    assert (saturday.open, saturday.working_day, saturday.makeup_workday, saturday.closure) == (True, True, True, None)
