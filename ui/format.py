"""Number formatting for labels and tables: one currency, thousands separators, units."""

from __future__ import annotations

import math

CURRENCY = "£"
"""Currency symbol of the shop's prices (the Online Retail layouts are in pounds sterling)."""


def money(value: float, *, decimals: int = 0) -> str:
    """Format an amount of money, e.g. ``money(1240.5) == "£1,240"``; ``"–"`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}{CURRENCY}{abs(value):,.{decimals}f}"


def number(value: float, *, decimals: int = 0) -> str:
    """Format a count or figure with thousands separators; ``"–"`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{decimals}f}"


def percent(value: float, *, decimals: int = 1) -> str:
    """Format a share in [0, 1] as a percentage, e.g. ``percent(0.321) == "32.1%"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.{decimals}f}%"
