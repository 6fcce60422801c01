"""How a shop export is written, detected once for every reader and writer.

The loader (:mod:`recsys.data.readers`, :mod:`recsys.data.cleaning`) and the append
(:mod:`recsys.synth.append`) read files through this package, so they agree on every
file: what one can read, the other can extend in the same format.

Public API
----------
:func:`sniff_csv` -> :class:`CsvDialect`
    Text encoding (UTF-8, UTF-16 with or without byte-order mark, Windows-1252,
    Latin-1), field separator, quoting, line ends and the header of a CSV file;
    :func:`utf8_body`, :func:`render_csv` and :func:`encode_text` read and write in it.
:func:`read_dates` -> :class:`DateReading`
    A date column read value by value (ISO, day/month in either order with the order
    proven, chosen or forced, month names, Excel day numbers, Unix times, timestamps),
    with the format to write new dates in (:func:`format_dates`).
:func:`read_numbers` -> :class:`NumberReading`
    A quantity or price column, with its decimal and thousands separators decided from
    the whole column and the file's separator; infinite, overflowing and unreadable
    values are counted, never kept.
:func:`read_ids` -> :class:`IdReading`
    Invoice, customer and product ids as text, with what spreadsheets do to ids undone
    (``17850.0``, ``1.785E+04``, stray spaces and tabs) and counted.

Each reader takes a column (a pandas Series, any dtype) and works on its distinct
values, so the cost grows with the distinct values, not with the lines. None changes its
input. A later importer (column mapping, other shop layouts) calls the same functions on
the columns it maps.
"""

from recsys.data.sniff.dates import (
    AUTO,
    DATE_ORDERS,
    DAY_FIRST,
    MONTH_FIRST,
    DateReading,
    check_order,
    format_dates,
    read_dates,
)
from recsys.data.sniff.ids import IdReading, read_ids
from recsys.data.sniff.numbers import MAX_MAGNITUDE, NumberReading, read_numbers
from recsys.data.sniff.text import (
    DELIMITERS,
    CsvDialect,
    encode_text,
    render_csv,
    sniff_csv,
    split_header,
    utf8_body,
    utf8_text,
)

__all__ = [
    "AUTO",
    "DATE_ORDERS",
    "DAY_FIRST",
    "DELIMITERS",
    "MAX_MAGNITUDE",
    "MONTH_FIRST",
    "CsvDialect",
    "DateReading",
    "IdReading",
    "NumberReading",
    "check_order",
    "encode_text",
    "format_dates",
    "read_dates",
    "read_ids",
    "read_numbers",
    "render_csv",
    "sniff_csv",
    "split_header",
    "utf8_body",
    "utf8_text",
]
