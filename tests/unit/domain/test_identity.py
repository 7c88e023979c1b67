"""REG-REALNAME: resident ID numbers (GB 11643 check digit, birth date, sex), passports, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsgclinic.domain.identity import (
    IdentityError,
    IdKind,
    age_on,
    check_digit,
    mask_id,
    parse_identity,
)

VALID_FEMALE = "11010519491231002X"  # the GB 11643 example number


def iso7064_mod11_2(first17: str) -> str:
    """Independent check-digit formula (ISO 7064 MOD 11-2), for comparison with the domain's table."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + iso7064_mod11_2(first17)


def test_valid_resident_id_gives_birth_date_and_sex() -> None:
    """REG-REALNAME: birth date and sex are derived from the ID (17th digit even → female)."""
    ident = parse_identity(VALID_FEMALE)
    assert ident.kind is IdKind.RESIDENT
    assert ident.birth_date == dt.date(1949, 12, 31)
    assert ident.sex == "F"


def test_odd_17th_digit_is_male() -> None:
    """REG-REALNAME: an odd 17th digit means male."""
    number = with_check("11010119900307123")
    assert parse_identity(number).sex == "M"


def test_lower_case_x_and_spaces_are_normalised() -> None:
    """REG-REALNAME: '11010519491231002x' with spaces is the same number."""
    assert parse_identity(" 110105 19491231 002x ").number == VALID_FEMALE


def test_wrong_check_digit_is_rejected() -> None:
    """REG-REALNAME: the GB 11643 check digit is validated."""
    with pytest.raises(IdentityError) as err:
        parse_identity("110105194912310021")
    assert err.value.message.msgid.startswith("This ID number's check digit is wrong")


@pytest.mark.parametrize("raw", ["1101051949123100", "11010519491231002Y", "A1010519491231002X", ""])
def test_malformed_resident_id_is_rejected(raw: str) -> None:
    """REG-REALNAME: 18 characters, 17 digits and a final digit or X."""
    with pytest.raises(IdentityError):
        parse_identity(raw)


def test_impossible_birth_date_is_rejected() -> None:
    """REG-REALNAME: 1990-02-30 inside the number is not a date, even with a correct check digit."""
    with pytest.raises(IdentityError) as err:
        parse_identity(with_check("11010119900230123"))
    assert "birth date" in err.value.message.msgid


def test_passport_number_is_accepted_without_birth_date() -> None:
    """REG-REALNAME: a passport number (5–17 letters and digits) is accepted as given."""
    ident = parse_identity("e1234 5678", IdKind.PASSPORT)
    assert ident == parse_identity("E12345678", IdKind.PASSPORT)
    assert ident.birth_date is None and ident.sex is None
    with pytest.raises(IdentityError):
        parse_identity("E12-345678", IdKind.PASSPORT)


def test_id_is_masked_to_the_last_four_characters() -> None:
    """REG-REALNAME: never show the full ID number back; all but the last 4 are hidden."""
    ident = parse_identity(VALID_FEMALE)
    assert ident.masked == "*" * 14 + "002X"
    assert ident.last4 == "002X"
    assert VALID_FEMALE[:14] not in ident.masked
    assert mask_id("ABC") == "ABC"


def test_age_on_a_day() -> None:
    """REG-REALNAME: the age derived from the ID's birth date (feeds ELIG-OVULATION's age ≥ 40)."""
    birth = dt.date(1986, 11, 27)
    assert age_on(birth, dt.date(2026, 11, 26)) == 39
    assert age_on(birth, dt.date(2026, 11, 27)) == 40


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_iso7064(first17: str) -> None:
    """REG-REALNAME: the domain's check digit equals the ISO 7064 MOD 11-2 formula of GB 11643."""
    assert check_digit(first17) == iso7064_mod11_2(first17)


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2012, 12, 31)),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=9),
)
def test_any_single_digit_change_is_caught(birth: dt.date, seq: int, bad: int) -> None:
    """REG-REALNAME: changing the check digit of a valid number makes it invalid."""
    number = with_check(f"110101{birth:%Y%m%d}{seq:03d}")
    assert parse_identity(number).birth_date == birth
    wrong = str(bad) if str(bad) != number[-1] else "X" if number[-1] != "X" else "0"
    if wrong != number[-1]:
        with pytest.raises(IdentityError):
            parse_identity(number[:17] + wrong)
