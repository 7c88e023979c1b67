"""An amount of yuan in Chinese capital numerals (人民币大写), as printed on Chinese receipts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿")


def _four_digits(n: int) -> str:
    """0 < n < 10000 → e.g. 1050 → 壹仟零伍拾 (zeros between digits become one 零, trailing zeros dropped)."""
    out: list[str] = []
    zero = False
    for pos in range(3, -1, -1):
        digit = (n // 10**pos) % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def _yuan(n: int) -> str:
    if n == 0:
        return ""
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_BIG_UNITS):
        raise ValueError("amount too large")
    out = ""
    need_zero = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or g < 1000):
            out += "零"
        out += _four_digits(g) + _BIG_UNITS[i]
        need_zero = False
    return out


def rmb_capital(amount: Decimal) -> str:
    """``Decimal('1000.00')`` → 壹仟元整; ``Decimal('1050.50')`` → 壹仟零伍拾元伍角; ``0`` → 零元整."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if amount < 0:
        raise ValueError("amount must not be negative")
    fen_total = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, fen_part = divmod(fen_total, 100)
    jiao, fen = divmod(fen_part, 10)
    head = _yuan(yuan)
    if not head and not fen_part:
        return "零元整"
    out = head + "元" if head else ""
    if not fen_part:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif head:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    else:
        out += "整"
    return out
