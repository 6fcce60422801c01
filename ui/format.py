"""Number formatting for labels and tables: one currency, thousands separators, units."""

from __future__ import annotations

import math
import re

CURRENCY = "£"
"""Currency symbol of the shop's prices (the Online Retail layouts are in pounds sterling)."""


def round_money(value, *, decimals: int = 0):
    """Round an amount (a number, array or Series) the one way every page does.

    First to whole pence, which removes the float noise of long sums (983,553.4999999
    and 983,553.5000001 are the same £983,553.50), then half away from zero: £0.50 is
    £1. Tables get amounts rounded here, so a table and a sentence never differ by £1.
    """
    import numpy as np
    import pandas as pd

    pence = np.round(np.asarray(value, dtype=float), 2)
    scale = 10.0 ** decimals
    out = np.sign(pence) * np.floor(np.abs(pence) * scale + 0.5 + 1e-9) / scale
    if isinstance(value, pd.Series):
        return pd.Series(out, index=value.index, name=value.name)
    return float(out) if np.ndim(out) == 0 else out


def money(value: float, *, decimals: int = 0) -> str:
    """Format an amount of money, e.g. ``money(1240.5) == "£1,241"``; ``"–"`` when missing.

    Rounded by :func:`round_money`, as the amounts of every table.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = round_money(value, decimals=decimals)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{CURRENCY}{abs(rounded):,.{decimals}f}"


def money_table(frame, columns) -> object:
    """Return a copy of ``frame`` with the amounts in ``columns`` rounded by :func:`round_money`.

    Columns not in ``frame`` are skipped; the input is not changed.
    """
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = round_money(out[column])
    return out


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


# The ASCII punctuation that can start markup anywhere in a line: emphasis, links and
# images, code, HTML tags and entities, tables, Streamlit's LaTeX ($) and its :colour[…] /
# :emoji: directives; "#", "+", "-", "." and ">" where they would start a heading, list or
# quote. Parentheses only matter after "]" (escaped) or in a list marker "1)" at the start.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]#+\-.!<>|~$&:])")
_LIST_MARKER = re.compile(r"^(\s*\d+)\)")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def plain_text(text: object) -> str:
    """Escape data text for a Markdown element (``st.caption``, ``st.error``, …) so it shows as typed.

    Product descriptions, countries, file and column names and error messages that quote
    them can hold Markdown or HTML (``[click](http://…)``, ``<b>``, ``*x*``): each special
    character gets a backslash, and line breaks become spaces, so the text renders as one
    line of literal characters, never as a link, an image or emphasis. ``None`` and NaN
    give ``""``.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
    return _LIST_MARKER.sub(r"\1\\)", escaped)
