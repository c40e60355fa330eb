"""A value column as numbers: decimal commas, thousands separators, and yes/no words and booleans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfviz.data.columns import Column
from mfviz.data.memory import STREAM_POOL


def numeric_values(column: Column) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """float64 values (NaN where missing or not a number), the mask of present entries, and how many
    were written with a decimal comma (4,5: a European spreadsheet's export, fields split by ;) or
    with thousands separators (1,234: three digits after each comma), each read as such."""
    if not isinstance(column, pd.Series):
        kind = column.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            present = column.is_valid().to_numpy(zero_copy_only=False)
            values = pc.cast(column, pa.float64(), memory_pool=STREAM_POOL).to_numpy(zero_copy_only=False)
            return np.asarray(values, np.float64), present, {}
        column = column.to_pandas()
    if column.dtype.kind in "mMc":  # dates, durations, complex numbers: no rating (never cast to one silently)
        present = column.notna().to_numpy()
        return np.full(len(column), np.nan), present, {}
    values = pd.to_numeric(column, errors="coerce").to_numpy(np.float64, na_value=np.nan).copy()  # may be read-only
    present = column.notna().to_numpy()
    unread = np.flatnonzero(np.isnan(values) & present)
    commas = {}
    if unread.size:
        text = column.iloc[unread].astype(str).str.strip()
        for kind, pattern, replacement in (("thousands", r"[-+]?\d{1,3}(?:,\d{3})+", ""),
                                           ("decimal", r"[-+]?\d+,\d{1,2}", ".")):
            found = text.str.fullmatch(pattern).to_numpy()
            if found.any():
                values[unread[found]] = pd.to_numeric(text[found].str.replace(",", replacement, regex=False))
                commas[kind] = int(found.sum())
    return values, present, commas


# The words of a yes/no column, in any case; "1" and "0" among them, but a column of those alone is numbers.
YES_WORDS, NO_WORDS = ("true", "yes", "t", "y", "1"), ("false", "no", "f", "n", "0")


def arrow_text(column: Column) -> pa.Array | pa.ChunkedArray | None:
    """A text column as Arrow strings (missing values kept missing), for Arrow's string functions;
    None for a column of anything else."""
    if isinstance(column, pd.Series):
        if column.dtype != object and not pd.api.types.is_string_dtype(column):
            return None
        if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
            column = column.astype(str).where(column.notna(), None)  # numbers (or anything) among words: as text
        return pa.array(column.astype(object).where(column.notna(), None), pa.string(), from_pandas=True)
    return column if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) else None


def boolean_words(column: Column) -> Column:
    """A text column of yes/no words (true, false, yes, no, t, f, y, n, 0, 1 in any case) as booleans:
    Arrow reads true/false as booleans only when every value is one of those two."""
    text = arrow_text(column)
    if text is None:
        return column
    words = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    words = pc.if_else(pc.equal(words, ""), pa.scalar(None, words.type), words)  # an empty field: missing
    distinct = set(pc.unique(words).drop_null().to_pylist())
    if not distinct or not distinct <= {*YES_WORDS, *NO_WORDS} or distinct <= {"0", "1"}:
        return column
    return pc.if_else(pc.is_null(words), pa.scalar(None, pa.bool_()), pc.is_in(words, pa.array(YES_WORDS)))


def is_boolean(column: Column) -> bool:
    if isinstance(column, pd.Series):
        return pd.api.types.is_bool_dtype(column)
    return pa.types.is_boolean(column.type)


def words_of_booleans(column: Column) -> Column:
    """A boolean column as its words (true, false), which are no numbers."""
    if not is_boolean(column):
        return column
    if isinstance(column, pd.Series):
        return column.map({True: "true", False: "false"}).astype(object)
    return pc.cast(column, pa.string())
