"""Dates and times in a timestamp column: Unix seconds (and their units), text dates, day/month order."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfviz.data.memory import STREAM_POOL

# Unix seconds beyond 1e11 fall after the year 5000: such timestamps are in milliseconds (and
# beyond 1e14 in microseconds, 1e17 nanoseconds); largest first, so each value is scaled once.
SECONDS_LIMIT = 10**11
SECONDS_1971 = 365 * 86400  # timestamps that all fall before 1971 are not Unix seconds
TIME_UNITS = ((10**17, 10**9, "nanoseconds"), (10**14, 10**6, "microseconds"), (SECONDS_LIMIT, 10**3, "milliseconds"))


# a time written before a date (10:00 13/04/2020, 9:05:30 PM 04/13/2020), which pandas reads as readily
_TIME_FIRST = r"^\s*(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?,?\s+)?"
# a date of three numbers, day and month in either order: 03/04/2020, 13.04.20, 4-13-2020, a time
# before it or not
_NUMERIC_DATE = _TIME_FIRST + r"(?P<first>\d{1,2})(?P<separator>[/.-])(?P<second>\d{1,2})[/.-]\d{2,4}\b"


def date_order(column: pa.Array | pa.ChunkedArray | None) -> tuple[str | None, str, np.ndarray | None, bool]:
    """How the numeric dates of a text column (as Arrow strings; None for a column of anything else)
    are written: "day" or "month" (first) where a value over 12 shows it, "both" where values show
    each, "either" where every one reads both ways, None when there are none; a value that shows it
    (or reads both ways), the mask of those that read both ways, and whether to read those day first
    (as shown; by most; or as usual for the separator)."""
    if column is None:
        return None, "", None, False
    parts = pc.extract_regex(column, _NUMERIC_DATE, memory_pool=STREAM_POOL)  # Arrow's regex: no Python per row
    found = parts.is_valid().to_numpy(zero_copy_only=False)
    if not found.any():
        return None, "", None, False
    first, second = (pc.cast(pc.fill_null(pc.struct_field(parts, name), "0"), pa.int64()).to_numpy(zero_copy_only=False)
                     for name in ("first", "second"))
    day, month = first > 12, second > 12
    either = found & ~day & ~month

    def value(mask: np.ndarray) -> str:
        return str(column[int(np.argmax(mask))].as_py()).strip()
    if day.any() and month.any():
        return "both", f"{value(day)} and {value(month)}", either, bool(day.sum() >= month.sum())
    if day.any() or month.any():
        return ("day", value(day), either, True) if day.any() else ("month", value(month), either, False)
    return "either", value(found), either, is_dotted(value(found))


def swap_day_and_month(seconds: np.ndarray) -> np.ndarray:
    """Unix seconds of the dates read the other way round (day and month both 12 or under)."""
    stamps = pd.to_datetime(seconds, unit="s")
    swapped = pd.to_datetime(pd.DataFrame({"year": stamps.year, "month": stamps.day, "day": stamps.month}))
    swapped += stamps - stamps.normalize()  # the time of day
    return np.asarray((swapped - pd.Timestamp(0)) // pd.Timedelta(seconds=1), np.int64)


def is_dotted(date: str) -> bool:
    match = re.match(_NUMERIC_DATE, date)
    return bool(match) and match.group("separator") == "."


def looks_compact(numbers: np.ndarray) -> bool:
    """Whether the numbers are dates written YYYYMMDD (20201231), 1900 to 2100: as Unix seconds they
    would all fall in August 1970."""
    return bool(((numbers >= 19000101) & (numbers <= 21001231)).all())


def compact_dates(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unix seconds of YYYYMMDD numbers and a mask of those that are no such date (20200231)."""
    parts = pd.DataFrame({"year": numbers // 10000, "month": numbers // 100 % 100, "day": numbers % 100})
    parts.loc[~((numbers >= 19000101) & (numbers <= 21001231)), "year"] = -1  # out of range: unreadable
    parsed = pd.to_datetime(parts, errors="coerce")
    bad = parsed.isna().to_numpy()
    return np.where(bad, 0, (parsed - pd.Timestamp(0)) // pd.Timedelta(seconds=1)).astype(np.int64), bad


# Date formats pandas does not infer from a value, so that it parsed each date on its own (Goodreads'
# "Mon Feb 04 21:57:11 -0700 2013": 17 s for 80,000 dates, 0.6 s with the format given)
KNOWN_DATE_FORMATS = ("%a %b %d %H:%M:%S %z %Y",  # Goodreads, Twitter
                      "%a, %d %b %Y %H:%M:%S %z",  # e-mail and RSS (RFC 2822)
                      "%d/%b/%Y:%H:%M:%S %z",  # web server logs
                      "%m %d, %Y",  # Amazon's reviewTime: 09 13, 2009
                      "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")


def known_date_format(column: pd.Series, day_first: bool) -> str | None:
    """One of KNOWN_DATE_FORMATS that reads the column's first 200 dates, when pandas cannot infer
    a format from the first one."""
    from pandas.tseries.api import guess_datetime_format

    present = column.dropna()
    if present.empty or not isinstance(present.iloc[0], str) or \
            guess_datetime_format(present.iloc[0].strip(), dayfirst=day_first) is not None:
        return None
    sample = present.iloc[:200].astype(str).str.strip()
    return next((known for known in KNOWN_DATE_FORMATS
                 if pd.to_datetime(sample, format=known, errors="coerce", utc=True).notna().all()), None)


def _dates(column: pd.Series, day_first: bool, mixed: bool) -> pd.Series:
    """Text dates as UTC datetimes (NaT where unreadable)."""
    if column.empty:
        return pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns, UTC]")
    with warnings.catch_warnings():  # pandas warns of the order it infers: the report says it
        warnings.simplefilter("ignore", UserWarning)
        known = None if mixed else known_date_format(column, day_first)
        parsed = pd.to_datetime(column, errors="coerce", utc=True, dayfirst=day_first,
                                format=known or ("mixed" if mixed else None))
        # pandas applies the first value's format to all; values in another one (a time added, ISO
        # among others) are parsed one by one, the slow way, and only they
        other = parsed.isna() & column.notna()
        if other.any():
            parsed[other] = pd.to_datetime(column[other], errors="coerce", utc=True, dayfirst=day_first,
                                           format="mixed")
    return parsed


def to_seconds(column: pa.Array | pa.ChunkedArray | pd.Series, day_first: bool = False, mixed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Unix seconds (int64) and a mask of unreadable entries; numbers are taken as seconds,
    dates and datetimes are converted (naive ones as UTC), numeric dates day first if asked, each
    on its own if `mixed` (values written in more than one order)."""
    if not isinstance(column, pd.Series):
        if pa.types.is_integer(column.type):
            bad = column.is_null().to_numpy(zero_copy_only=False)
            return pc.cast(pc.fill_null(column, 0), pa.int64(),
                           memory_pool=STREAM_POOL).to_numpy(zero_copy_only=False), bad
        column = column.to_pandas()
    if pd.api.types.is_datetime64_any_dtype(column):
        if getattr(column.dt, "tz", None) is None:
            column = column.dt.tz_localize("UTC")
        column = ((column - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).astype("Float64")
    # numbers (Unix seconds) when most are; tried on the first values before the whole column, which
    # cost 1.5 of 5.4 s on a million text dates
    head = column.dropna().iloc[:200]
    text = column.dtype == object or pd.api.types.is_string_dtype(column)
    if not text or pd.to_numeric(head, errors="coerce").notna().sum() >= 0.5 * len(head):
        numeric = pd.to_numeric(column, errors="coerce")
        if numeric.dtype.kind == "c":  # complex numbers: no time (their imaginary part would be dropped)
            return np.zeros(len(column), np.int64), np.ones(len(column), bool)
        if numeric.notna().sum() >= 0.5 * max(column.notna().sum(), 1):
            bad = numeric.isna().to_numpy().copy()  # pandas 3 hands out read-only views
            if numeric.dtype.kind == "f" or numeric.dtype == "Float64":
                # beyond int64 (inf, 1e300) the cast would give garbage: unreadable, not a wrong time
                magnitude = numeric.abs().to_numpy(np.float64, na_value=0.0)
                bad |= ~(magnitude < 2.0**63)
                numeric = numeric.where(~bad, 0)
            return numeric.fillna(0).to_numpy().astype(np.int64), bad
    if day_first:  # pandas asked for day first reads ISO 2020-03-12 as 3 December too: ISO apart
        text = column.astype(str).str.lstrip()
        iso = (text.str.slice(4, 5) == "-") & text.str.slice(0, 4).str.isdigit()
        timed = text.str.slice(1, 3).str.contains(":", regex=False)  # a time first (9:30, 10:00): the regex only there
        if timed.any():
            iso[timed] = text[timed].str.match(_TIME_FIRST + r"\d{4}-").to_numpy(bool)
        if iso.any():
            parsed = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns, UTC]")
            parsed[iso] = _dates(column[iso], False, mixed)
            parsed[~iso] = _dates(column[~iso], True, mixed)
        else:
            parsed = _dates(column, True, mixed)
    else:
        parsed = _dates(column, False, mixed)
    bad = parsed.isna().to_numpy()
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return seconds.fillna(0).to_numpy().astype(np.int64), bad
