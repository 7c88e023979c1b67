"""Invented people for the demo, tests and benchmarks: names nobody has, IDs with a correct GB 11643 check digit.

The area code 999999 does not exist, so a synthetic ID can never be a real person's.
"""

from __future__ import annotations

import datetime as dt
import random

from hsgclinic.domain.identity import check_digit

SURNAMES = ("林", "陈", "黄", "张", "王", "李", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何")
GIVEN = ("晓", "雨", "静", "婷", "雪", "丽", "芳", "敏", "佳", "欣", "悦", "琳", "瑶", "岚", "颖", "萱")


def synthetic_resident_id(n: int) -> str:
    """A valid-looking female resident ID, distinct for every n ≥ 0 (born 1992 onwards)."""
    birth = dt.date(1992, 1, 1) + dt.timedelta(days=n // 500)
    first17 = f"999999{birth:%Y%m%d}{(n % 500) * 2:03d}"  # an even 17th digit: female
    return first17 + check_digit(first17)


def synthetic_name(n: int) -> str:
    rng = random.Random(n)
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def synthetic_phone(n: int) -> str:
    return f"139{n % 100_000_000:08d}"
