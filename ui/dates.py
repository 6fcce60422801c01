"""Date fields a marketer can type into: Enter applies them, and a range outside the data
is fitted to it with a sentence saying what the data covers and what was shown instead.

Streamlit's date field applies a typed date only when the field loses focus, and refuses a
date outside its ``min_value``/``max_value`` with a red field and no words. Here the
field accepts any date from :data:`EARLIEST` to :data:`LATEST`; the page fits the range to
the data and says so (:func:`fit_to_data`), and :func:`enter_applies_dates` makes Enter
apply a typed date.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2100, 12, 31)
"""Bounds of what a date field accepts: wide, so that the page, not the field, says what the
data covers."""

_ENTER_APPLIES = """<script>
(() => {
  if (window.__enterAppliesDates) return;
  window.__enterAppliesDates = true;
  // The field applies what was typed on Escape or when a click lands elsewhere, not on
  // Enter: Enter in a date field is passed on as Escape.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.isTrusted || !event.target.closest) return;
    if (!event.target.closest('[data-testid="stDateInputField"]')) return;
    event.preventDefault();
    event.stopPropagation();
    event.target.dispatchEvent(new KeyboardEvent("keydown", {
      key: "Escape", code: "Escape", keyCode: 27, which: 27, bubbles: true, cancelable: true,
    }));
  }, true);
})();
</script>"""


def enter_applies_dates() -> None:
    """Make Enter in any date field apply the typed date (once per browser page)."""
    st.html(_ENTER_APPLIES, unsafe_allow_javascript=True)


def day(value: dt.date) -> str:
    """``2 Jan 2011``."""
    return f"{value.day} {value:%b %Y}"


def fit_to_data(start: dt.date, end: dt.date, first: dt.date, last: dt.date
                ) -> tuple[tuple[dt.date, dt.date], str | None]:
    """Return the part of ``start``–``end`` within ``first``–``last``, and what to tell.

    Returns ``((start, end), note)``: the range as given and None when it lies within the
    data; otherwise the overlap (or the whole data range when there is none) and a
    sentence naming the range the data covers and the range now shown.
    """
    if start > end:
        start, end = end, start
    if first <= start and end <= last:
        return (start, end), None
    covers = f"The data covers {day(first)} – {day(last)}"
    if end < first or start > last:
        return (first, last), (f"{covers}: nothing falls in {day(start)} – {day(end)}, so the "
                               "whole range is shown.")
    fitted = (max(start, first), min(end, last))
    return fitted, (f"{covers}: showing {day(fitted[0])} – {day(fitted[1])}, the part of "
                    f"{day(start)} – {day(end)} that has data.")


def range_input(container, label: str, *, first: dt.date, last: dt.date, key: str,
                help: str | None = None) -> tuple[dt.date, dt.date]:
    """Draw a date-range field in ``container`` and return the range to show.

    The range applied last is kept under a key of its own (Streamlit drops a widget's
    state once another page has run), and restored into the field on every run but the
    one right after the marketer changed it. A range reaching outside the data is fitted
    to it, the field shows the fitted range and an info box says what was done.

    Parameters
    ----------
    container
        Where to draw (``st`` or a column).
    label, key, help
        As ``st.date_input``.
    first, last : date
        The data's first and last day.

    Returns
    -------
    (date, date)
        First and last day to show, within ``first``–``last``. While only one end has
        been picked, up to ``last``.
    """
    ss = st.session_state
    kept_key, changed_key, note_key, bounds_key = (f"_{key}_kept", f"_{key}_changed",
                                                   f"_{key}_note", f"_{key}_bounds")
    if ss.get(bounds_key) != (first, last):  # another data set: its whole range
        ss[kept_key], ss[bounds_key] = (first, last), (first, last)
        ss.pop(note_key, None)
    kept = _within(ss.get(kept_key), first, last) or (first, last)
    shown = kept
    if ss.pop(changed_key, False):
        picked = ss.get(key)
        picked = tuple(picked) if isinstance(picked, tuple | list) else ()
        if len(picked) == 2:
            kept, note = fit_to_data(*picked, first, last)
            ss[kept_key], shown = kept, kept
            ss[note_key] = (kept, note) if note else None
            if kept != picked:
                ss[key] = kept
        elif len(picked) == 1:
            # Half a range (the end not picked yet): up to the data's end, not kept.
            shown = fit_to_data(picked[0], max(picked[0], last), first, last)[0]
        else:
            ss[key] = kept  # cleared: back to the range applied last
    else:
        ss[key] = kept
    container.date_input(label, min_value=EARLIEST, max_value=LATEST, key=key, help=help,
                         format="DD/MM/YYYY", on_change=_mark_changed, args=(changed_key,))
    noted = ss.get(note_key)
    if noted and noted[0] == kept and noted[1]:
        st.info(noted[1], icon=":material/event:")
    return shown


def _mark_changed(changed_key: str) -> None:
    st.session_state[changed_key] = True


def _within(value: object, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    if not isinstance(value, tuple | list) or len(value) != 2:
        return None
    start, end = value
    if isinstance(start, dt.date) and isinstance(end, dt.date) and first <= start <= end <= last:
        return start, end
    return None


def day_input(container, label: str, *, first: dt.date, last: dt.date, key: str, default: dt.date,
              help: str | None = None) -> tuple[dt.date, str | None]:
    """Draw a one-date field in ``container``; return the day to use and what to tell.

    The field accepts any date (Enter applies it, see :func:`enter_applies_dates`); one
    typed outside ``first``–``last`` is moved to the nearest end of the data and the
    returned sentence says so (None otherwise). A day kept from another data set that lies
    outside this one goes back to ``default`` without a word.
    """
    ss = st.session_state
    changed_key = f"_{key}_changed"
    note = None
    value = ss.get(key)
    if not isinstance(value, dt.date):
        ss[key] = default
    elif not first <= value <= last:
        fitted = min(max(value, first), last)
        if ss.pop(changed_key, False):
            ss[key] = fitted
            side = "before" if value < first else "after"
            note = (f"“{label}” {day(value)} is {side} the data, which covers {day(first)} – "
                    f"{day(last)}: {day(fitted)} is used instead.")
        else:
            ss[key] = default
    ss.pop(changed_key, None)
    picked = container.date_input(label, min_value=EARLIEST, max_value=LATEST, key=key, help=help,
                                  format="DD/MM/YYYY", on_change=_mark_changed, args=(changed_key,))
    return picked, note
