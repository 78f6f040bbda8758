"""Numbers as people read them: ``¥3,184,053.20``, ``12,480`` and ``87.5%``.

Chinese and English both group digits by thousands with a comma and mark decimals with a
point, so the figures read the same in both languages; Django's own localisation would
group Chinese numbers only with ``USE_THOUSAND_SEPARATOR``, which would also change
every number in every form. These helpers are used by the ``money`` template filters
(``core/templatetags/money.py``) and by messages written in Python.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def money(value, *, symbol: str = "¥") -> str:
    """``3184053.2`` → ``¥3,184,053.20``; a negative amount as ``-¥12.50``; no amount as ``""``."""
    number = _decimal(value)
    if number is None:
        return ""
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    return f"{sign}{symbol}{abs(number):,.2f}"


def amount(value) -> str:
    """Money without the currency sign, for columns headed "(CNY)": ``3,184,053.20``."""
    return money(value, symbol="")


def count(value) -> str:
    """A count or other whole number with thousands separators: ``12480`` → ``12,480``.

    A number with a fraction (full-time equivalents, quantities of hours) keeps its
    decimals as given, grouped the same way.
    """
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    places = max(-number.as_tuple().exponent, 0)
    return f"{number:,.{places}f}"


def grouped(value) -> str:
    """A number with the places it was stored with, grouped by thousands:
    ``Decimal("11069.60")`` → ``11,069.60``, ``20000`` → ``20,000``; anything else as text."""
    number = None if isinstance(value, str) else _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number:,f}"


def percent(value, places: int = 1) -> str:
    """A percentage already multiplied by 100: ``87.46`` → ``87.5%``."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{number:,.{places}f}%"


# How a figure of each kind reads, for the reports' columns and the ``figure`` filter.
BY_KIND = {"money": money, "amount": amount, "count": count, "percent": percent}
