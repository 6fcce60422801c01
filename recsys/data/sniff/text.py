"""How a CSV file is written: text encoding, separator, quoting and line ends.

:func:`sniff_csv` reads the first bytes of a file and returns a :class:`CsvDialect`;
:func:`utf8_body` gives the file's text as UTF-8 bytes for the Arrow CSV parser, and
:func:`render_csv` / :func:`encode_text` write new lines that match the file byte for byte
(an append must not mix encodings, separators or line ends in one file).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from recsys.errors import DataError

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
"""Field separators recognised, in order of preference on a tie."""

_SAMPLE_BYTES = 1 << 16
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class CsvDialect:
    """How one CSV file is written.

    Attributes
    ----------
    encoding : str
        Python codec of the text after any byte-order mark: ``"utf-8"``,
        ``"utf-16-le"``, ``"utf-16-be"``, ``"cp1252"`` (Windows "ANSI", a superset of
        Latin-1 for printable text) or ``"latin-1"``.
    bom : bytes
        The byte-order mark the file starts with (``b""`` for none).
    delimiter : str
        Field separator: one of :data:`DELIMITERS`.
    quotechar : str
        Quote character of quoted fields (``'"'``).
    quote_all : bool
        Whether every field of the data lines is quoted (new lines are written so too).
    newline : str
        Line end: ``"\\n"``, ``"\\r\\n"`` or ``"\\r"`` (old Mac exports).
    ends_with_newline : bool
        Whether the last line has its line end.
    header : tuple of str
        Column names of the first non-blank line, stripped of spaces.
    """

    encoding: str
    bom: bytes
    delimiter: str
    quotechar: str
    quote_all: bool
    newline: str
    ends_with_newline: bool
    header: tuple[str, ...]

    @property
    def label(self) -> str:
        """The encoding as people name it (for messages): ``"UTF-16 (LE)"``, ``"Windows-1252"``."""
        return {
            "utf-8": "UTF-8",
            "utf-16-le": "UTF-16 (little-endian)",
            "utf-16-be": "UTF-16 (big-endian)",
            "cp1252": "Windows-1252",
            "latin-1": "Latin-1",
        }.get(self.encoding, self.encoding)


def sniff_csv(data: bytes, *, label: str = "the file") -> CsvDialect:
    """Return how CSV ``data`` (a whole file, or at least its first 64 KB) is written.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    label : str
        How to name the file in a message.

    Raises
    ------
    DataError
        When ``data`` is empty or blank, binary (not text), or its header has fewer than
        two columns under every separator of :data:`DELIMITERS`.
    """
    bom, encoding = _bom(data)
    if encoding is None:
        encoding = _guess_encoding(data, label=label)
    head = data[len(bom) : len(bom) + _SAMPLE_BYTES]
    text = _decode_head(head, encoding)
    stripped = text.lstrip("\r\n")
    if not stripped.strip():
        raise DataError(f"{label} is empty: choose a file that has a header line and data.")
    newline = _newline(stripped)
    lines = _split_lines(stripped, newline)
    delimiter = _delimiter(lines)
    rows = list(csv.reader(lines[:20], delimiter=delimiter))
    header = tuple(h.strip() for h in rows[0]) if rows else ()
    quote_all = _quotes_every_field(lines[1:20], delimiter)
    tail = data[-4:] if encoding.startswith("utf-16") else data[-1:]
    ends = _decode_head(tail, encoding).endswith(("\n", "\r"))
    return CsvDialect(
        encoding=encoding,
        bom=bom,
        delimiter=delimiter,
        quotechar='"',
        quote_all=quote_all,
        newline=newline,
        ends_with_newline=bool(ends),
        header=header,
    )


def utf8_body(data: bytes, dialect: CsvDialect) -> bytes:
    """Return the file's text as UTF-8 bytes without byte-order mark or leading blank lines
    (see :func:`utf8_text`)."""
    return utf8_text(data, dialect)[0]


def utf8_text(data: bytes, dialect: CsvDialect) -> tuple[bytes, int]:
    """Return the file's text as UTF-8 bytes, and how many stray carriage returns it had.

    Line ends are kept (the Arrow CSV reader takes ``\\n``, ``\\r\\n`` and ``\\r``). In a
    file whose lines end in ``\\n`` or ``\\r\\n``, a carriage return alone inside a line
    (pasted from another system) would end the line early and shift every field after
    it: it is read as a space, and counted.
    """
    body = data[len(dialect.bom) :]
    if dialect.encoding != "utf-8":
        body = body.decode(dialect.encoding, errors="replace").encode("utf-8")
    body = body.lstrip(b"\r\n")
    stray = 0
    if dialect.newline != "\r":
        stray = body.count(b"\r") - body.count(b"\r\n")
        if stray:
            body = re.sub(rb"\r(?!\n)", b" ", body)
    return body, stray


def encode_text(text: str, dialect: CsvDialect) -> bytes:
    """Return ``text`` encoded like the file (no byte-order mark: it is not the file's start).

    Characters the file's encoding cannot hold (a ``€`` in a Latin-1 file) become ``?``.
    """
    return text.encode(dialect.encoding, errors="replace")


def render_csv(rows: Iterable[Sequence[object]], dialect: CsvDialect) -> str:
    """Return ``rows`` as CSV text in the file's separator, quoting and line ends."""
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        quoting=csv.QUOTE_ALL if dialect.quote_all else csv.QUOTE_MINIMAL,
        lineterminator=dialect.newline,
    )
    writer.writerows(rows)
    return buf.getvalue()


def split_header(line: str, delimiter: str) -> list[str]:
    """Return the stripped column names of one header ``line``."""
    return [h.strip() for h in next(csv.reader([line], delimiter=delimiter), [])]


# --- detection ------------------------------------------------------------------------


def _bom(data: bytes) -> tuple[bytes, str | None]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    return b"", None


def _guess_encoding(data: bytes, *, label: str) -> str:
    head = data[:_SAMPLE_BYTES]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: text whose every other byte is zero.
        even, odd = head[0::2], head[1::2]
        if len(head) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if len(head) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
        raise DataError(
            f"{label} is not a text table (it holds binary data): export the data as CSV, "
            "Excel (.xlsx) or Parquet and check the file extension."
        )
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and len(data) > _SAMPLE_BYTES:
            return "utf-8"  # only a truncated last character: still UTF-8
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode_head(head: bytes, encoding: str) -> str:
    if encoding.startswith("utf-16") and len(head) % 2:
        head = head[:-1]
    return head.decode(encoding, errors="replace")


def _newline(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return "\n" if match is None else match.group(0)


def _split_lines(text: str, newline: str) -> list[str]:
    """The first non-blank lines of ``text`` (enough to tell the separator and quoting);
    a carriage return alone inside a line is a space there, as :func:`utf8_text` reads it."""
    lines = [line for line in text.split(newline, 64)[:64] if line.strip()]
    if newline != "\r":
        lines = [line.replace("\r", " ") for line in lines]
    return lines or [text]


def _delimiter(lines: list[str]) -> str:
    """The separator that splits the header into the most columns, with data lines that
    agree (quoted separators inside text are not counted)."""

    def score(delim: str) -> tuple[int, int]:
        rows = list(csv.reader(lines[:20], delimiter=delim))
        if not rows:
            return (0, 0)
        width = len(rows[0])
        agree = sum(len(r) == width for r in rows[1:])
        return (width if width > 1 else 0, agree)

    scores = {d: score(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (scores[d][0] > 1, scores[d][1], scores[d][0]))
    return best if scores[best][0] > 1 else ","


def _quotes_every_field(lines: list[str], delimiter: str) -> bool:
    """Whether every field of the sample data lines starts with a quote."""
    if not lines:
        return False
    fields = [f for line in lines for f in _raw_fields(line, delimiter)]
    return bool(fields) and all(f.startswith('"') for f in fields)


def _raw_fields(line: str, delimiter: str) -> list[str]:
    """Fields of ``line`` as written (quotes kept), splitting outside quotes only."""
    out, field, quoted = [], [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == delimiter and not quoted:
            out.append("".join(field))
            field = []
        else:
            field.append(ch)
    out.append("".join(field))
    return out
