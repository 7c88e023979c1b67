"""人民币大写 on the receipt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hsgclinic.documents.amount_words import rmb_capital


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1000.00", "壹仟元整"),
        ("1050.50", "壹仟零伍拾元伍角整"),
        ("1000.05", "壹仟元零伍分"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("10010", "壹万零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("0.05", "伍分"),
        ("0", "零元整"),
    ],
)
def test_writes_the_amount_in_chinese_capitals(amount: str, words: str) -> None:
    assert rmb_capital(Decimal(amount)) == words


def test_refuses_floats_and_negative_amounts() -> None:
    with pytest.raises(TypeError):
        rmb_capital(1000.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rmb_capital(Decimal("-1"))
