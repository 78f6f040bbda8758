"""Template filters for figures: ``{{ total|money }}`` → ``¥3,184,053.20``, ``{{ n|count }}`` → ``12,480``.

Load with ``{% load money %}``. The same grouping in Chinese and English (``core/numbers.py``).
"""

from django import template

from core import numbers

register = template.Library()


@register.filter
def money(value):
    """An amount in yuan with the ¥ sign, grouped by thousands, two decimals."""
    return numbers.money(value)


@register.filter
def amount(value):
    """An amount in yuan without the sign (for columns headed "CNY"), grouped, two decimals."""
    return numbers.amount(value)


@register.filter
def count(value):
    """A count grouped by thousands; a fraction keeps its decimals."""
    return numbers.count(value)


@register.filter
def figure(value, kind):
    """A figure of ``kind`` (money, amount, count or percent) as ``core.numbers`` writes it."""
    return numbers.BY_KIND.get(kind, numbers.count)(value)


@register.filter
def percent(value):
    """A percentage (already × 100) with one decimal and a % sign."""
    return numbers.percent(value)
