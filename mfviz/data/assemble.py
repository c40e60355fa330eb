"""Interactions from column batches: validation per batch, compact arrays, incremental id maps, an in-place CSR.

The loaders stream a file in batches and hand each batch here; a DataFrame is one batch. Only
four compact arrays grow with the data (int32 user and item codes, float32 values, int64
timestamps when present), and the CSR is built inside them, so a load peaks near the size of
those arrays instead of holding a parsed table, int64/float64 copies and the CSR at once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.data import dates, scale
from mfviz.data.columns import COUNT_NAMES, Column, normalize_name
from mfviz.data.id_maps import (
    IdMap,
    encode_ids,
    ids_written_alike,
    integers_written_twice,
    without_containers,
    without_unused,
)
from mfviz.data.memory import GrowingArray, map_large_blocks, release_freed_memory
from mfviz.data.report import DROP_BAD_ROWS, LoadReport, number_words
from mfviz.data.values import (
    arrow_text,
    boolean_words,
    is_boolean,
    numeric_values,
    words_of_booleans,
)
from mfviz.errors import DataError
from mfviz.kernels.csr import (
    POLICY_LAST,
    POLICY_MAX,
    POLICY_MEAN,
    POLICY_SUM,
    csr_from_codes,
)

DUPLICATE_POLICIES = {"sum": POLICY_SUM, "last": POLICY_LAST, "mean": POLICY_MEAN, "max": POLICY_MAX}


def _value_at(column: Column, position: int):
    if isinstance(column, pd.Series):
        return column.iloc[position]
    return column[position].as_py()


def _shown(value) -> str:
    """A bad value as the file writes it: text quoted, a date Arrow read as one as its text (not
    `datetime.date(2020, 1, 1)`)."""
    if value is None:
        return "empty, NA, null or the like"
    if isinstance(value, np.generic):  # 3.5, not np.float64(3.5)
        value = value.item()
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return "nan (an empty value)"
    import datetime

    return repr(str(value)) if isinstance(value, datetime.date | datetime.time | datetime.timedelta) else repr(value)


def _why_explicit(name: str, values: np.ndarray, explicit: bool) -> Callable[[bool], str]:
    """Why the values were read as ratings or as implicit feedback, and how to choose the other, as said once the
    duplicates are merged: given True when merging changed the values, the range is said to be the file's rows'."""
    low, high = number_words(values.min()), number_words(values.max())
    steps = scale.step_words(values) if explicit else ""

    def said(merged: bool) -> str:
        rows = " in the file's rows" if merged else ""
        if explicit:
            return (f"Column {name!r} holds values from {low} to {high}{rows} {steps}: read as explicit ratings. If "
                    "they are counts or weights, load with explicit=False (the Data page: Treat values as implicit "
                    "feedback).")
        return (f"Column {name!r} holds values from {low} to {high}{rows}, not a rating scale (one holds at most 21 "
                "values in half steps, up to 10): read as implicit feedback, each value the weight of a positive. If "
                "they are ratings, load with explicit=True (the Data page: Treat values as explicit ratings).")
    return said


def _unrated_zeros(name: str, values: np.ndarray) -> str | None:
    """A warning for ratings of 0 on a scale that starts at 1 (Goodreads, Book-Crossing: 'not rated')."""
    zeros = int((values == 0).sum())
    rated = values[values != 0]
    if not zeros or rated.size == 0 or rated.min() < 1 or rated.min() == rated.max():  # 0/1 is no scale
        return None
    return (f"{zeros:,} ratings ({zeros / len(values):.0%}) in column {name!r} are 0 on a scale from "
            f"{number_words(values[values != 0].min())} to {number_words(values.max())}: Goodreads and Book-Crossing exports "
            "write 0 for 'read, not rated'. They are kept as ratings of 0, the lowest; to leave them out, use the "
            "Data page's Prepare: Drop 0 ratings (prepare.drop_zero_ratings in Python).")


OUT_OF_SCALE = (None, "error", "drop", "keep")
ZEROS = (None, "drop", "keep")


# --------------------------------------------------------------------- the builder
class InteractionBuilder:
    """Collects batches of (user, item[, rating][, timestamp]) columns into compact arrays and
    builds the Interactions container from them.

    on_bad_rows: "error" raises DataError at the first batch with a bad row, naming its row and
    file line; "drop" drops such rows and counts them in the report. out_of_scale: what to do with a
    few ratings outside the scale of the rest (typos such as -1 or 99 among 1-5 stars): "error",
    "drop" (counted) or "keep" (noted); None does as on_bad_rows. zeros: what a value of 0 is: "drop"
    (no interaction: 0 plays; counted in the report), "keep" (an interaction or the lowest rating);
    None (default) drops them from implicit feedback and keeps them as explicit ratings. `expected_rows` sizes the
    arrays up front (a guess is fine: they grow in place).
    """

    def __init__(self, *, report: LoadReport, user: str, item: str, rating: str | None,
                 timestamp: str | None, on_bad_rows: str = "error", duplicates: str = "auto",
                 expected_rows: int = 0, out_of_scale: str | None = None, zeros: str | None = None) -> None:
        if on_bad_rows not in ("error", "drop"):
            raise DataError(f"on_bad_rows must be 'error' or 'drop', got {on_bad_rows!r}")
        if out_of_scale not in OUT_OF_SCALE:
            raise DataError(f"out_of_scale must be one of {OUT_OF_SCALE[1:]} or None (as on_bad_rows), "
                            f"got {out_of_scale!r}")
        self.out_of_scale = out_of_scale or on_bad_rows
        self.apart_dropped = out_of_scale == "drop"  # values apart below a gap ({-1, 1..5}): dropped only when asked
        if zeros not in ZEROS:
            raise DataError(f"zeros must be 'drop', 'keep' or None (drop from implicit feedback, keep as ratings), "
                            f"got {zeros!r}")
        self.zeros = zeros
        if duplicates != "auto" and duplicates not in DUPLICATE_POLICIES:
            raise DataError(f"duplicates must be one of {sorted(DUPLICATE_POLICIES)} or 'auto', "
                            f"got {duplicates!r}")
        self.report, self.on_bad_rows, self.duplicates = report, on_bad_rows, duplicates
        self.names = {"user": user, "item": item, "rating": rating, "timestamp": timestamp}
        report.columns = dict(self.names)
        code_type = np.int32 if expected_rows < 2**31 else np.int64
        self.users, self.items = IdMap(), IdMap()
        self.user_codes = GrowingArray(code_type, expected_rows)
        self.item_codes = GrowingArray(code_type, expected_rows)
        self.values = GrowingArray(np.float32, expected_rows)
        # Unix seconds within 68 years of the first batch's earliest are stored as int32 offsets
        # from it (half the memory of int64 while loading); anything further widens to int64
        self.stamps = GrowingArray(np.int32, expected_rows if timestamp is not None else 0)
        self.stamp_base: int | None = None
        self.time_units: dict[str, int] = {}  # timestamps found in ms, µs or ns: how many
        self.compact_dates: bool | None = None  # numbers written YYYYMMDD, not seconds
        self.commas: dict[str, int] = {}  # values written 4,5 ("decimal") or 1,234 ("thousands"): how many
        # numeric dates (03/04/2020): "day" or "month" first once a value over 12 shows it, "both" where values
        # show each, None until then; a value that showed each order (or read either way), by order; the
        # dates stored before the order showed, with how they were read, to put right once it shows
        self.date_order: str | None = None
        self.date_day_first = False
        self.date_examples: dict[str, str] = {}
        self.unsettled_dates: list[tuple[np.ndarray, bool]] = []  # stored rows, read day first?
        self.dates_put_right = 0
        # the value column: "yes/no" once a word shows it, "numbers" once a number other than 0/1
        # does; None while it holds 0/1 numbers only. Stored 0s read as numbers before a word showed
        # yes/no are dropped by `finish`, their count already in the report
        self.value_kind: str | None = None
        self.zeros_read_as_numbers = False
        self.typos_dropped = False  # ratings outside the scale of the rest dropped by `finish`
        self.zeros_dropped = False  # values of 0 dropped by `finish` (no interaction)
        self.rows_seen = 0
        self.batches = 0
        map_large_blocks()

    def add(self, user: Column, item: Column, rating: Column | None = None,
            timestamp: Column | None = None, *,
            first_line: int | Callable[[], int] | None = None) -> None:
        """One batch. first_line: file lines before the batch's first row (header included),
        or a function that counts them (called only for an error message); None where rows are
        not lines (Parquet, a JSON array, a DataFrame): messages then name the row only."""
        n = len(user)
        first_row = self.rows_seen
        self.rows_seen += n
        self.batches += 1
        keep = np.ones(n, bool)
        columns = {"user": user, "item": item, "rating": rating, "timestamp": timestamp}

        def reject(mask: np.ndarray, what: str, role: str, hint: str) -> None:
            bad = mask & keep
            if not bad.any():
                return
            name = self.names[role]
            if self.on_bad_rows == "error":
                first = int(np.flatnonzero(bad)[0])
                count = int(bad.sum())
                rows = "1 row has" if count == 1 else f"{count:,} rows have"
                scope = rows if self.batches == 1 and first_row == 0 else \
                    rows.replace(" ha", " in this part of the file ha")
                line_base = first_line() if callable(first_line) else first_line
                line = "" if line_base is None else f" (line {line_base + first + 1} of the file)"
                raise DataError(
                    f"{self.report.source}: {scope} {what} in column {name!r}; the first is "
                    f"row {first_row + first + 1}{line}, "
                    f"value {_shown(_value_at(columns[role], first))}. {hint} {DROP_BAD_ROWS}"
                )
            self.report.drop(f"{what} in column {name!r}", int(bad.sum()))
            keep[bad] = False

        encoded = {}
        for role, column in (("user", user), ("item", item)):
            try:
                encoded[role] = encode_ids(column)
            except TypeError:  # unhashable ids: a DataFrame or Parquet cell can hold a list, a set, a struct
                column, containers = without_containers(column if isinstance(column, pd.Series) else column.to_pandas())
                reject(containers, "an id that is a list, set or other container, not one value", role,
                       "Give one id per row: a number or a text.")
                encoded[role] = encode_ids(column)
            reject(encoded[role][2], "a missing id", role, "Fill in or remove rows without an id.")
        (user_local, user_uniques, _), (item_local, item_uniques, _) = encoded["user"], encoded["item"]
        del encoded

        if rating is not None:
            # once numbers other than 0/1 show the column holds ratings or weights, words in it are no
            # yes/no but non-numeric ratings, as they would be among those numbers in one chunk
            rating = words_of_booleans(rating) if self.value_kind == "numbers" else boolean_words(rating)
            values, present, commas = numeric_values(rating)
            for kind, count in commas.items():
                self.commas[kind] = self.commas.get(kind, 0) + count
            nan = np.isnan(values)
            reject(nan & present, "a non-numeric rating", "rating", "Ratings must be numbers.")
            reject(nan, "a missing (NaN) rating", "rating", "Fill in or remove rows without a rating.")
            reject(np.isinf(values), "an infinite rating", "rating", "Ratings must be finite.")
            # stored as float32: anything beyond its range would become inf there
            reject(np.abs(values) > np.finfo(np.float32).max, "a rating too large to store (beyond ±3.4e38)",
                   "rating", "Ratings must be smaller.")
            del nan, present
            if self._yes_no(rating, values, keep, reject):  # liked = true / false: a false row is no interaction
                no = keep & (values == 0)
                self.report.drop(f"{self.names['rating']} = false (no interaction)", int(no.sum()))
                keep &= ~no
        else:
            values = np.ones(n, np.float32)
        seconds = None
        if timestamp is not None:
            day_first, unsettled = self._day_first(timestamp)
            seconds, unreadable = dates.to_seconds(timestamp, day_first, mixed=self.date_order == "both")
            if self.compact_dates is None and (~unreadable).any():  # decided on the first values
                self.compact_dates = dates.looks_compact(seconds[~unreadable])
            if self.compact_dates:
                seconds, unreadable = dates.compact_dates(seconds)
            reject(unreadable, "an unreadable timestamp", "timestamp",
                   "The column's dates are written YYYYMMDD (20201231): write this one so too." if self.compact_dates
                   else "Use Unix seconds or ISO dates.")

        # a dropped row's id is not added to the map, so an id seen only on bad rows never appears
        everything = bool(keep.all())
        for local, uniques, id_map, out in ((user_local, user_uniques, self.users, self.user_codes),
                                            (item_local, item_uniques, self.items, self.item_codes)):
            if uniques is None:  # the integer ids themselves
                out.append(id_map.codes_for_ints(local if everything else local[keep]))
                continue
            if not everything:
                local = local[keep]
                used = np.zeros(len(uniques), bool)
                used[local] = True
                renumber = np.cumsum(used) - 1
                uniques, local = uniques[used], renumber[local]
            out.append(id_map.codes_for(uniques)[local])
        self.values.append(values if everything else values[keep])
        if seconds is not None:
            if unsettled is not None and unsettled.any():
                kept = unsettled if everything else unsettled[keep]
                self.unsettled_dates.append((self.stamps.size + np.flatnonzero(kept), day_first))
            self._add_stamps(seconds if everything else seconds[keep])
        del user_local, item_local, values, seconds
        release_freed_memory()

    def _yes_no(self, rating: Column, values: np.ndarray, keep: np.ndarray,
                reject: Callable[[np.ndarray, str, str, str], None]) -> bool:
        """Whether this batch's values are yes/no (0 = false: no interaction), decided once for the
        whole file. Chunks are typed one by one, and a column of 1/0 shows only where a word (yes, false)
        or another number appears, possibly chunks later: 0s read as numbers until a word showed it
        are dropped as false in `finish` (as they would be read among the words), 1/0 after a word are
        yes/no, and a word after numbers other than 0/1 is a non-numeric rating."""
        if self.value_kind == "numbers":
            return False
        if is_boolean(rating):
            if self.value_kind is None:
                self.value_kind = "yes/no"
                # until now every stored value was 0 or 1 (else the kind was "numbers")
                read_as_numbers = int(np.count_nonzero(self.values.filled() == 0))
                self.report.drop(f"{self.names['rating']} = false (no interaction)", read_as_numbers)
                self.zeros_read_as_numbers = read_as_numbers > 0
            return True
        other = keep & (values != 0) & (values != 1)
        if self.value_kind == "yes/no":
            reject(other, "a value other than yes or no", "rating",
                   "The column holds yes/no words (true/false) earlier in the file: write this one as yes or no (or 1 or 0).")
            return True
        if other.any():
            self.value_kind = "numbers"
        return False

    def _day_first(self, timestamp: Column) -> tuple[bool, np.ndarray | None]:
        """Whether this batch's numeric dates are read day first, and which of them read both ways
        while no value has shown the order. A value over 12 shows it; until one does, they are read
        day first where dots separate them (as written wherever dots are used), month first
        otherwise (pandas' order, and the US's), and put right once a value shows the other."""
        if self.date_order is not None:  # settled (or shown to be both)
            if self.date_order in ("day", "month"):  # a later value may show the other order too
                later, example = dates.date_order(arrow_text(timestamp))[:2]
                if later in ("day", "month", "both") and later != self.date_order:
                    self.date_examples.setdefault("later", example)
            return self.date_day_first, None
        order, example, either, day_first = dates.date_order(arrow_text(timestamp))
        if order is None:
            return False, None
        self.date_examples.setdefault(order, example)
        if order == "either":
            return day_first, either
        self.date_order, self.date_day_first = order, day_first
        self._put_right_unsettled_dates(day_first=day_first)
        return day_first, None

    def _put_right_unsettled_dates(self, *, day_first: bool) -> None:
        """Swap day and month of the dates read before a value showed the order, where they were
        read the other way."""
        stored = self.stamps.filled()
        base = self.stamp_base if self.stamps.dtype == np.int32 else 0
        for rows, read_day_first in self.unsettled_dates:
            if read_day_first != day_first:
                stored[rows] = dates.swap_day_and_month(stored[rows].astype(np.int64) + (base or 0)) - (base or 0)
                self.dates_put_right += len(rows)
        self.unsettled_dates = []

    def _date_notes(self) -> list[tuple[str, bool]]:
        """What the report says of how numeric dates were read (nothing when there were none), each
        with whether it is a warning (the order is a guess)."""
        name, examples, order = self.names["timestamp"], self.date_examples, self.date_order
        how = "day/month/year" if self.date_day_first else "month/day/year"
        fixed = (f"; the {self.dates_put_right:,} read the other way round before that showed were put right"
                 if self.dates_put_right else "")
        if order in ("day", "month") and "later" in examples:
            return [(f"Dates in column {name!r} are written {order} first ({examples[order]}), but later in the file "
                     f"also the other way ({examples['later']}): those that read both ways were read as {how}{fixed}. "
                     "If that is wrong, write them as ISO dates (2020-04-03) and load again.", True)]
        if order in ("day", "month"):
            return [(f"Dates in column {name!r} are written {order} first ({examples[order]}): read as {how}{fixed}.",
                     False)]
        if order is None and "either" not in examples:
            return []
        if order == "both":
            what, most = f"are written both day first and month first ({examples['both']})", ", as most are"
        else:
            what, most = f"all read either way, day or month first ({examples['either']})", ""
            how = "day/month/year" if dates.is_dotted(examples["either"]) else "month/day/year"
        return [(f"Dates in column {name!r} {what}: those that read both ways were read as {how}{most}{fixed}. "
                 "If that is wrong, write them as ISO dates (2020-04-03) and load again.", True)]

    def _add_stamps(self, seconds: np.ndarray) -> None:
        if len(seconds) == 0:
            return
        low, high = int(seconds.min()), int(seconds.max())
        if max(-low, high) > dates.SECONDS_LIMIT:
            seconds = self._in_seconds(seconds)
            low, high = int(seconds.min()), int(seconds.max())
        if self.stamp_base is None:
            self.stamp_base = low
        if self.stamps.dtype == np.int32:
            if low - self.stamp_base < -(2**31) or high - self.stamp_base >= 2**31:
                self.stamps.widen(np.int64, self.stamp_base)
                self.stamp_base = 0
            else:
                seconds = seconds - self.stamp_base
        self.stamps.append(seconds)

    def _in_seconds(self, stamps: np.ndarray) -> np.ndarray:
        """Timestamps in ns, µs or ms turned to seconds, value by value (an export may switch
        units); each unit found is counted for the report."""
        stamps = stamps.astype(np.int64)  # a copy
        for limit, factor, unit in dates.TIME_UNITS:
            found = np.abs(stamps) > limit
            if found.any():
                stamps[found] //= factor
                self.time_units[unit] = self.time_units.get(unit, 0) + int(found.sum())
        return stamps

    def _typos(self, values: np.ndarray, explicit: bool | None) -> tuple[np.ndarray, np.ndarray | None]:
        """The values, without a few ratings outside the scale of the rest (typos such as -1 or 99
        among 1-5 stars) when they are to be dropped, and where the kept ones are (None: none kept).
        Stops at them, saying which and where, when asked to stop."""
        name, report = self.names["rating"], self.report
        if name is None or explicit is False or normalize_name(str(name)) in COUNT_NAMES:
            return values, None
        found = scale.typos(values, zeros_kept=self.zeros == "keep")
        if found is None:
            return self._apart(values), None
        on, mask, why = found  # why: a few slips, or 0s and negatives that look like codes (scale.below_scale)
        count, said = int(mask.sum()), scale.outside_words(name, values, on)
        if self.out_of_scale == "keep":
            report.warn(f"{said}: kept as ratings, as asked. They stretch the histogram and the range a model "
                        "predicts in; to drop them, load with out_of_scale='drop' (the Data page: Column mapping, "
                        "ratings outside the scale).")
            return values, mask
        if self.out_of_scale == "drop":
            report.drop(f"a rating outside {scale.scale_words(on)} (the scale of the rest) in column {name!r}: "
                        f"{scale.shown_values(values[mask])}", count)
            kept = ~mask
            for array in (self.user_codes, self.item_codes) + ((self.stamps,) if self.names["timestamp"] else ()):
                array.keep_only(kept)
            self.typos_dropped = True
            return values[kept], None
        rows = ""
        if not report.dropped and not self.zeros_read_as_numbers:  # stored rows are the data's rows
            at = [f"{row + 1:,}" for row in np.flatnonzero(mask)[:3]]
            rows = f" (at row{'s' if count > 1 else ''} {', '.join(at[:-1])}{' and ' if len(at) > 1 else ''}{at[-1]}" \
                   f"{', …' if count > 3 else ''} of the data)"
        raise scale.RatingsOutsideScale(
            f"{report.source}: {said}{rows}: {why}. Load with out_of_scale='drop' to drop them (they will be "
            "counted in the load report; on_bad_rows='drop' drops them too), or with out_of_scale='keep' to keep "
            "them as ratings.", count=count, scale=on, shown=scale.shown_values(values[mask]), why=why)

    def _apart(self, values: np.ndarray) -> np.ndarray:
        """The values without those apart below a gap in a whole-step scale (-1 among 1-5 with no 0), when
        out_of_scale='drop' was asked: too common to be typos, they are kept (with a warning) otherwise."""
        found = scale.apart_below(values) if self.apart_dropped else None
        if found is None:
            return values
        mask = np.isin(values, found[0])
        self.report.drop(f"a rating apart below {scale.scale_words(found[1])} (no value between) in column "
                         f"{self.names['rating']!r}: {scale.shown_values(values[mask])}", int(mask.sum()))
        kept = ~mask
        for array in (self.user_codes, self.item_codes) + ((self.stamps,) if self.names["timestamp"] else ()):
            array.keep_only(kept)
        self.typos_dropped = True
        return values[kept]

    def _zeros(self, values: np.ndarray, explicit: bool) -> np.ndarray:
        """The values without the 0s when they are no interaction: in implicit feedback a 0 (0 plays,
        0 clicks) says the user did not interact, and a stored 0 was counted as an interaction by
        Popularity, item counts and the bias metrics while implicit ALS gave it weight 0. Dropped
        and counted there by default (kept as asked, with a warning); a rating of 0 is kept."""
        policy = self.zeros or ("keep" if explicit else "drop")
        zero = values == 0
        count = int(np.count_nonzero(zero))
        if not count or policy == "keep" and explicit:
            return values
        name, report = self.names["rating"], self.report
        if policy == "keep":
            report.warn(f"{count:,} rows have the value 0 in column {name!r}: kept as interactions, as asked. "
                        "Popularity, item counts and the bias charts count each as an interaction (an item with "
                        "only 0s can top the Popularity list), while implicit ALS reads a 0 as none. To drop them, "
                        "load with zeros='drop'.")
            return values
        if count == len(values):
            raise DataError(f"{self.report.source}: every value in column {name!r} is 0, and as implicit feedback "
                            "a 0 (0 plays, 0 clicks) is no interaction: nothing is left. If 0 is a rating, load "
                            "with explicit=True; to count each row as an interaction, load with zeros='keep'.")
        report.drop(f"a rating of 0 in column {name!r}, as asked (zeros='drop')" if explicit else
                    f"the value 0 in column {name!r} (implicit feedback: 0 plays or 0 clicks is no interaction)", count)
        if not explicit:
            report.note(f"Rows with the value 0 in column {name!r} were dropped: in implicit feedback a 0 is no "
                        "interaction. To keep them as interactions, load with zeros='keep' (or with rating=False: every row "
                        "counts 1, whatever its value).")
        kept = ~zero
        for array in (self.user_codes, self.item_codes) + ((self.stamps,) if self.names["timestamp"] else ()):
            array.keep_only(kept)
        self.zeros_dropped = True
        return values[kept]

    def finish(self, *, explicit: bool | None = None, items: pd.DataFrame | None = None):
        """The Interactions container (merging duplicates, checking what needs all rows)."""
        from mfviz.data.interactions import Interactions, detect_explicit

        report, names = self.report, self.names
        report.rows_read = report.rows_read or self.rows_seen
        for unit, count in self.time_units.items():
            report.note(f"{count:,} timestamps in column {names['timestamp']!r} were in {unit} (as seconds "
                        "they would fall after the year 5000) and were converted to seconds.")
        for note, warn in self._date_notes():
            (report.warn if warn else report.note)(note)
        if "decimal" in self.commas:
            report.note(f"{self.commas['decimal']:,} values in column {names['rating']!r} have a decimal comma "
                        "(such as 4,5): read as 4.5.")
        if "thousands" in self.commas:
            report.note(f"{self.commas['thousands']:,} values in column {names['rating']!r} have thousands separators "
                        "(such as 1,234: three digits after a comma): read as 1234.")
        if self.compact_dates:
            report.note(f"Column {names['timestamp']!r} holds dates written as numbers YYYYMMDD (such as 20201231): "
                        "read as those dates (as Unix seconds they would all fall in August 1970).")
        for id_map in (self.users, self.items):
            id_map.drop_lookup()  # no more batches: the hash index and id table can go
        release_freed_memory()
        values = self.values.take()
        if self.zeros_read_as_numbers:  # 0s stored before a word showed the column is yes/no
            kept = values != 0
            for array in (self.user_codes, self.item_codes) + ((self.stamps,) if names["timestamp"] is not None else ()):
                array.keep_only(kept)
            values = values[kept]
            del kept
        if len(values) == 0:
            raise DataError(f"{report.source}: no interactions left to load; check the file and its columns.")
        values, kept_outside = self._typos(values, explicit)
        why_explicit = None
        if explicit is None:
            # typos kept: the values on the scale say whether these are ratings (one 99 is no count)
            inside = values if kept_outside is None else values[~kept_outside]
            explicit = detect_explicit(inside) if names["rating"] is not None else False
            if names["rating"] is None:
                pass
            elif explicit and normalize_name(str(names["rating"])) in COUNT_NAMES:
                explicit = False  # a few small whole numbers, but the column's name says they are counts
                report.note(f"Column {names['rating']!r} holds counts (its name says so): read as implicit feedback. "
                            "To treat them as ratings, load with explicit=True (the Data page: Treat values as "
                            "explicit ratings).")
            elif values.min() == values.max():
                report.note(f"Every value in column {names['rating']!r} is {number_words(values[0])}: read as implicit "
                            "feedback (one value cannot tell likes from dislikes). To treat them as ratings anyway, "
                            "load with explicit=True (the Data page: Treat values as explicit ratings).")
            else:
                why_explicit = _why_explicit(names["rating"], inside, explicit)  # noted once merging is done
            del inside
        if names["rating"] is not None:
            values = self._zeros(values, explicit)
        if explicit and names["rating"] is not None:
            zero_note = _unrated_zeros(names["rating"], values)
            if zero_note:
                report.warn(zero_note)
        if not explicit and values.min() < 0:
            first = int(np.argmax(values < 0))
            raise DataError(
                f"{report.source}: implicit feedback cannot be negative, but column {names['rating']!r} "
                f"has {int((values < 0).sum()):,} negative values (first: {float(values[first])!r} at row "
                f"{first + 1}). If these are ratings, load with explicit=True; otherwise remove the "
                "negative rows."
            )
        user_ids, user_remap = self.users.finish()
        item_ids, item_remap = self.items.finish()
        if self.zeros_read_as_numbers or self.typos_dropped or self.zeros_dropped:  # an id seen only on rows dropped here is none
            seen = len(user_ids), len(item_ids)
            user_ids, user_remap = without_unused(user_ids, user_remap, self.user_codes.filled())
            item_ids, item_remap = without_unused(item_ids, item_remap, self.item_codes.filled())
            counts = [(n, what) for n, what in ((seen[0] - len(user_ids), "user"), (seen[1] - len(item_ids), "item"))
                      if n]
            if counts and self.zeros_dropped:
                gone = " and ".join(f"{n:,} {what}{'s' if n > 1 else ''}" for n, what in counts)
                one = len(counts) == 1 and counts[0][0] == 1  # "1 item ... is", "27 items ... are"
                report.note(f"{gone} had no rows left once these were dropped, so {'it is' if one else 'they are'} "
                            "not in the data.")
        for role, ids in (("user", user_ids), ("item", item_ids)):
            for said in (integers_written_twice(ids, names[role]), ids_written_alike(ids, names[role])):
                if said:
                    report.warn(said)
        if len(user_ids) < 2 or len(item_ids) < 2:
            raise DataError(
                f"{report.source}: found {len(user_ids)} distinct user(s) and {len(item_ids)} distinct "
                "item(s); a factorization needs at least 2 of each. Check that the user and item "
                f"columns are the right ones (used {names['user']!r} and {names['item']!r})."
            )
        if explicit and names["rating"] is not None and kept_outside is None:
            apart = scale.apart_below(values)  # kept as loaded, and said: no silent change
            if apart is not None:
                report.warn(scale.apart_words(names["rating"], values, apart))
        if why_explicit is not None and self.zeros_dropped and kept_outside is None:
            why_explicit = _why_explicit(names["rating"], values, explicit)  # the range without the 0s dropped
        policy = ("last" if explicit else "sum") if self.duplicates == "auto" else self.duplicates
        rows, cols = self.user_codes.take(), self.item_codes.take()
        stamps = self.stamps.take() if names["timestamp"] is not None else np.zeros(0, np.int64)
        n_rows = len(rows)
        arrays = [cols, values, stamps]
        del cols, values, stamps  # `arrays` holds the only references: old copies free early
        indptr, nnz = csr_from_codes(arrays, rows, user_remap, item_remap, len(user_ids),
                                     DUPLICATE_POLICIES[policy])
        del rows  # consumed by the kernel
        nnz = int(nnz)
        cols, values, stamps = arrays
        del arrays
        # the CSR sits at the front of the arrays: give the rest back without a copy
        for array in (cols, values) + ((stamps,) if names["timestamp"] is not None else ()):
            array.resize(nnz, refcheck=False)
        if names["timestamp"] is not None and (stamps.dtype != np.int64 or self.stamp_base):
            stamps = stamps.astype(np.int64)
            stamps += self.stamp_base or 0
        if names["timestamp"] is not None and 0 < stamps.max(initial=0) < dates.SECONDS_1971 and stamps.min() >= 0:
            latest = pd.Timestamp(int(stamps.max()), unit="s")
            report.warn(f"As Unix seconds, every timestamp in column {names['timestamp']!r} falls in 1970 (the "
                        f"latest, {int(stamps.max()):,}, is {latest:%Y-%m-%d %H:%M}): they are likely no seconds "
                        "(years? day numbers?), and anything by time (a split by time, the newest interactions) would "
                        "be wrong. Give Unix seconds or dates, or leave the column out (timestamp=False; the Data "
                        "page: Column mapping, timestamp = none).")
        matrix = sp.csr_matrix((values, cols, indptr), shape=(len(user_ids), len(item_ids)))
        report.duplicates_policy = policy
        report.duplicates_merged = n_rows - nnz
        if report.duplicates_merged and names["rating"] is not None:  # the values the models get, not the file's rows
            report.merged_values = (float(values.min()), float(values.max()), scale.step_words(values))
        report.merged_stamps = bool(report.duplicates_merged) and names["timestamp"] is not None
        if why_explicit is not None:
            changed = report.merged_values is not None and policy != "last"  # the latest row's value: still a row's
            report.note(why_explicit(changed))
        report.rows_kept = nnz
        # A summed or averaged value can be zero; keep it stored so no interaction vanishes.
        return Interactions(matrix, user_ids, item_ids,
                            timestamps=stamps if names["timestamp"] is not None else None,
                            items=items, is_explicit=explicit, report=report)
