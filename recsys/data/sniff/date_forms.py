"""The written forms of day/month and year-first dates, read with Arrow's string kernels.

A :class:`Family` is the values of one form (year-first, or day/month with one
separator) as regex groups; it reads them in a given day/month order, tells which order
its values prove, and gives the ``strftime`` format that writes new values like them.
Used by :mod:`recsys.data.sniff.dates`.
"""

from __future__ import annotations

import numpy as np

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"

_TIME = (
    r"(?:(?P<tsep>T| +|, *)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"(?: *(?P<P>[AaPp])\.?[Mm]\.?)?)?(?P<Z> *(?:Z|[+-]\d{2}(?::?\d{2})?))?$"
)
YMD = r"^(?P<y>\d{4})(?P<s1>[-/.])(?P<m>\d{1,2})(?P<s2>[-/.])(?P<d>\d{1,2})" + _TIME
DMY = r"^(?P<a>\d{1,2})(?P<s1>[-/.])(?P<b>\d{1,2})(?P<s2>[-/.])(?P<y>\d{4}|\d{2})" + _TIME

class Family:
    """Values of one written form (year-first, or day/month with one separator).

    ``parts`` holds the regex groups as Arrow string arrays ("" where a group is absent).
    """

    def __init__(self, kind: str, rows: np.ndarray, parts: dict, sep: str) -> None:
        self.kind = kind
        self.rows = rows
        self.parts = parts
        self.sep = sep
        self.order = ""
        self.weight = 0
        self._cache: dict[str, np.ndarray] = {}

    def ints(self, name: str) -> np.ndarray:
        """Group ``name`` as int64 (0 where absent)."""
        if name not in self._cache:
            import pyarrow as pa
            import pyarrow.compute as pc

            arr = self.parts[name]
            filled = pc.if_else(pc.equal(arr, ""), "0", arr)
            self._cache[name] = pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False)
        return self._cache[name]

    def lengths(self, name: str) -> np.ndarray:
        import pyarrow.compute as pc

        return pc.utf8_length(self.parts[name]).to_numpy(zero_copy_only=False)

    def evidence(self) -> tuple[str | None, str | None]:
        """A value only day-first can read and one only month-first can, if any."""
        a, b = self.ints("a"), self.ints("b")
        day = (a > 12) & (a <= 31) & (b <= 12)
        month = (b > 12) & (b <= 31) & (a <= 12)
        text = self.parts["text"]
        return (
            str(text[int(np.argmax(day))]) if day.any() else None,
            str(text[int(np.argmax(month))]) if month.any() else None,
        )

    def proof_weight(self, order: str) -> int:
        return int((self.ints("a" if order == DAY_FIRST else "b") > 12).sum())

    def can_differ(self) -> bool:
        return bool((self.ints("a") != self.ints("b")).any())

    def read(self, order: str | None) -> np.ndarray:
        """The family's dates (NaT where invalid) read in ``order`` (ignored for year-first)."""
        if self.kind == "ymd":
            year, month, day = self.ints("y"), self.ints("m"), self.ints("d")
        else:
            a, b = self.ints("a"), self.ints("b")
            day, month = (a, b) if order == DAY_FIRST else (b, a)
            year = self.ints("y")
            short = self.lengths("y") == 2
            year = np.where(short, np.where(year < 69, 2000 + year, 1900 + year), year)
        return from_parts(year, month, day) + self._times()

    def _times(self) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        hour, minute, second = self.ints("H"), self.ints("M"), self.ints("S")
        marker = pc.utf8_lower(self.parts["P"]).to_numpy(zero_copy_only=False)
        pm, am = marker == "p", marker == "a"
        twelve = am | pm
        bad = (minute > 59) | (second > 59) | (hour > 23) | (twelve & ((hour < 1) | (hour > 12)))
        hour = np.where(twelve, hour % 12 + np.where(pm, 12, 0), hour)
        frac = pc.utf8_rpad(self.parts["F"], width=9, padding="0")
        frac_ns = pc.cast(pc.utf8_slice_codeunits(frac, 0, 9), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        total = ((hour * 60 + minute) * 60 + second) * 1_000_000_000 + frac_ns
        return np.where(bad, np.timedelta64("NaT", "ns"), total.astype("timedelta64[ns]"))

    def strftime(self) -> str:
        """The family's format with its padding, for writing new values like the old."""

        def padded(name: str, sibling: str | None = None) -> str:
            """``"%-"`` when the group's values under 10 are mostly written with one digit;
            with no value under 10, the padding of ``sibling`` (day for month and back)."""
            lengths, values = self.lengths(name), self.ints(name)
            small = (values < 10) & (lengths > 0)
            if not small.any():
                return padded(sibling) if sibling else "%"
            return "%-" if (lengths[small] == 1).sum() > (lengths[small] == 2).sum() else "%"

        def present(name: str) -> bool:
            return bool((self.lengths(name) > 0).mean() >= 0.5)

        def most(name: str) -> str:
            import pyarrow.compute as pc

            counts = pc.value_counts(self.parts[name])
            top = int(np.argmax(counts.field("counts").to_numpy()))
            return str(counts.field("values")[top].as_py())

        sep = self.sep
        if self.kind == "ymd":
            date = f"%Y{sep}{padded('m', 'd')}m{sep}{padded('d', 'm')}d"
        else:
            first, second = ("d", "m") if self.order == DAY_FIRST else ("m", "d")
            year = "%y" if np.median(self.lengths("y")) == 2 else "%Y"
            date = f"{padded('a', 'b')}{first}{sep}{padded('b', 'a')}{second}{sep}{year}"
        if not present("H"):
            return date
        twelve = present("P")
        time = f"{padded('H')}{'I' if twelve else 'H'}:%M" + (":%S" if present("S") else "")
        if twelve:
            time += " %p"
        return f"{date}{most('tsep')}{time}{most('Z')}"


def families(struct, text, kind: str) -> list[Family]:
    """Split the regex matches of one form into families by separator."""
    import pyarrow.compute as pc

    valid = struct.is_valid().to_numpy(zero_copy_only=False)
    if not valid.any():
        return []
    rows = np.flatnonzero(valid)
    matched = struct.filter(pc.is_valid(struct))
    names = [matched.type.field(i).name for i in range(matched.type.num_fields)]
    parts = {name: matched.field(name) for name in names}
    parts["text"] = text.filter(pc.is_valid(struct))
    s1 = parts["s1"].to_numpy(zero_copy_only=False)
    s2 = parts["s2"].to_numpy(zero_copy_only=False)
    out = []
    for sep in ("/", ".", "-"):
        pick = (s1 == sep) & (s2 == sep)
        if pick.any():
            import pyarrow as pa

            mask = pa.array(pick)
            fam_parts = {k: v.filter(mask) for k, v in parts.items()}
            fam_parts["text"] = fam_parts["text"].to_numpy(zero_copy_only=False)
            out.append(Family(kind, rows[pick], fam_parts, sep))
    return out


def from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Calendar dates from parts as ``datetime64[ns]`` (NaT for impossible dates or
    years outside 1678-2261)."""
    year, month, day = (np.asarray(v, dtype=np.int64) for v in (year, month, day))
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year > 1677) & (year < 2262)
    months = (np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    dates = first + (np.where(ok, day, 1) - 1).astype("timedelta64[D]")
    next_month = (months + 1).astype("datetime64[M]").astype("datetime64[D]")
    ok &= dates < next_month
    return np.where(ok, dates.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
