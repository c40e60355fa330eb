"""Ids to codes: original ids mapped batch by batch (IdMap), missing-id words, and ids written two ways."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfviz.data.columns import Column
from mfviz.data.memory import STREAM_POOL
from mfviz.kernels.ids import encode_with_table, parse_canonical_ints

# How exports write a missing id: pandas' missing-value words (R's write.csv writes NA, JSON
# tools null); an id so written would otherwise become one user holding every such row
MISSING_ID_TEXT = ["", "nan", "NaN", "-nan", "-NaN", "NA", "N/A", "n/a", "<NA>", "#N/A", "#NA", "None",
                   "none", "NULL", "null", "Null", "nil"]


class IdMap:
    """Original ids -> codes in first-seen order, merged batch by batch; `finish` sorts them.

    Integer ids stay integers; once a batch brings text ids, every id is compared as text (a
    canonical integer's text is unique, so no two ids merge by the switch).
    """

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._index: pd.Index | None = None
        self.size = 0
        # integer ids in a compact range are coded through a dense table (id - low -> code),
        # several times faster than hashing; dropped when the range grows too sparse
        self._table: np.ndarray | None = None
        self._low = 0
        self._rows = 0
        self._hashing_ints = False

    def codes_for_ints(self, values: np.ndarray) -> np.ndarray:
        """Global codes of one batch's integer ids (one per row), adding the new ones."""
        self._rows += len(values)
        if len(values) == 0:
            return np.zeros(0, np.int64)
        text_mode = self.size and self._parts[0].dtype.kind not in "iu"
        if not (text_mode or self._hashing_ints):
            low, high = int(values.min()), int(values.max())
            if self._table is not None:
                low, high = min(low, self._low), max(high, self._low + len(self._table) - 1)
            if high - low < self._rows // 4 + (1 << 20):
                if self._table is None or low < self._low or high >= self._low + len(self._table):
                    table = np.full(high - low + 1 + (1 << 16), -1, np.int64)
                    if self._table is not None:
                        table[self._low - low:self._low - low + len(self._table)] = self._table
                    self._table, self._low = table, low
                codes = np.empty(len(values), np.int64)
                new_ids = np.empty(len(values), np.int64)
                fresh = encode_with_table(values, self._low, self._table, self.size, codes, new_ids)
                if fresh:
                    self._parts.append(new_ids[:fresh].copy())
                    self._index = None
                    self.size += fresh
                return codes
            self._table, self._hashing_ints = None, True
        local, uniques = pd.factorize(values)
        return self.codes_for(uniques)[local]

    def codes_for(self, uniques: np.ndarray) -> np.ndarray:
        """Global codes (int64) of a batch's distinct ids, adding the new ones."""
        uniques = np.asarray(uniques)
        self._table = None  # from here on the index answers (it holds every id)
        if self.size and (uniques.dtype.kind in "iu") != (self._parts[0].dtype.kind in "iu"):
            if uniques.dtype.kind in "iu":
                uniques = uniques.astype(str).astype(object)
            else:
                self._parts = [np.concatenate(self._parts).astype(str).astype(object)]
                self._index = None
        if self.size == 0:
            codes = np.arange(len(uniques), dtype=np.int64)
            new = uniques
        else:
            if self._index is None:
                self._index = pd.Index(np.concatenate(self._parts) if len(self._parts) > 1 else self._parts[0])
            codes = self._index.get_indexer(uniques).astype(np.int64)
            fresh = codes < 0
            new = uniques[fresh]
            codes[fresh] = self.size + np.arange(len(new))
        if len(new):
            self._parts.append(new)
            self._index = None
            self.size += len(new)
        return codes

    def drop_lookup(self) -> None:
        self._index, self._table = None, None

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted original ids, and the remap first-seen code -> sorted index (int32 / int64)."""
        ids = np.concatenate(self._parts) if self._parts else np.zeros(0, np.int64)
        self._parts, self._index = [], None
        try:
            order = np.argsort(ids, kind="stable")
        except TypeError:  # mixed types in a DataFrame column: order by their text
            order = np.argsort(ids.astype(str), kind="stable")
        remap = np.empty(len(ids), np.int32 if len(ids) < 2**31 else np.int64)
        remap[order] = np.arange(len(ids))
        return ids[order], remap


def canonical_int(ids: pa.Array | pa.ChunkedArray) -> np.ndarray | pa.Array | None:
    """Text ids as int64 when every one is a canonical integer that fits ("007", "-0", "+7",
    " 7" stay text, so no two ids merge, and ids beyond int64 are never rounded); else None.
    Missing ids (nulls) stay missing: an Arrow int64 array with its nulls then."""
    if not (pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)):
        return None
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks() if ids.num_chunks != 1 else ids.chunk(0)
    if ids.null_count:
        present = ids.is_valid()
        values = canonical_int(pc.fill_null(ids, "0"))
        return None if values is None else pa.array(values, pa.int64(), mask=~present.to_numpy(zero_copy_only=False))
    if len(ids) == 0:
        return np.zeros(0, np.int64)
    _, offsets, data = ids.buffers()
    offset_type = np.int64 if pa.types.is_large_string(ids.type) else np.int32
    offsets = np.frombuffer(offsets, offset_type)[ids.offset:ids.offset + len(ids) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    values, canonical = parse_canonical_ints(offsets, data)
    return values if canonical else None


def null_missing_ids(ids: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text ids with the words exports write for a missing value ("NA", "null"...) made missing."""
    blank = pc.is_in(ids, pa.array(MISSING_ID_TEXT))
    return pc.if_else(blank, pa.scalar(None, ids.type), ids) if pc.any(blank).as_py() else ids


def encode_ids(column: Column | np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(local codes, local distinct ids, missing mask) for one batch's id column; for integer
    ids, (the int64 ids themselves, None, missing mask)."""
    if isinstance(column, np.ndarray):
        return column.astype(np.int64, copy=False), None, np.zeros(len(column), bool)
    if isinstance(column, pd.Series):
        missing = column.isna().to_numpy().copy()  # pandas 3 hands out read-only views
        if pd.api.types.is_float_dtype(column):
            # ids stored as decimals (1.0: an integer column with a gap becomes float in pandas, in
            # Parquet and JSON): whole numbers are the integer ids, as an item table writes them
            values = column.to_numpy(np.float64, na_value=np.nan)[~missing]
            if np.all(values == np.round(values)) and np.all(np.abs(values) < 2**53):
                whole = np.zeros(len(column), np.int64)
                whole[~missing] = values.astype(np.int64)
                return whole, None, missing
        if not pd.api.types.is_numeric_dtype(column):
            missing |= column.astype(str).str.strip().isin(MISSING_ID_TEXT).to_numpy()
        codes, uniques = pd.factorize(column)
        return codes, np.asarray(uniques), missing
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if not (pa.types.is_integer(column.type) or pa.types.is_string(column.type)
            or pa.types.is_large_string(column.type)):
        return encode_ids(column.to_pandas())
    if pa.types.is_uint64(column.type) and (pc.max(column).as_py() or 0) >= 2**63:
        column = pc.cast(column, pa.string())  # beyond int64: exact as text, as from a text file
    missing = column.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_integer(column.type):
        ids = pc.cast(pc.fill_null(column, 0), pa.int64(), memory_pool=STREAM_POOL)
        return ids.to_numpy(zero_copy_only=False), None, missing
    blank = pc.is_in(pc.utf8_trim_whitespace(column), pa.array(MISSING_ID_TEXT))
    missing = missing | pc.fill_null(blank, False).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(column, memory_pool=STREAM_POOL)
    codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)
    uniques = encoded.dictionary.to_numpy(zero_copy_only=False)
    if uniques.dtype.kind not in "iu":
        uniques = uniques.astype(object)
    return codes, uniques, missing


def without_containers(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """An id column with its unhashable values (lists, sets, dicts, arrays) made missing, and where
    they were."""
    containers = column.map(lambda value: not isinstance(value, Hashable) or isinstance(value, tuple)
                            and not all(isinstance(part, Hashable) for part in value)).to_numpy(bool)
    return column.where(~containers, None), containers


def without_unused(ids: np.ndarray, remap: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IdMap.finish's sorted ids and remap without the ids that no code in `codes` (the stored rows'
    first-seen codes) uses: ids mapped on rows dropped after they were stored."""
    used = np.zeros(len(ids), bool)
    used[remap[codes]] = True
    if used.all():
        return ids, remap
    renumber = (np.cumsum(used) - 1).astype(remap.dtype)
    return ids[used], renumber[remap]  # unused first-seen codes map anywhere: no row holds them


def integers_written_twice(ids: np.ndarray, name: str) -> str | None:
    """A warning for text ids written both as an integer and as a decimal of it (1 and 1.0): kept
    apart, as written, though they are likely one id (an integer column with a gap turns decimal
    in pandas and spreadsheets)."""
    if ids.dtype != object or len(ids) == 0:
        return None
    text = pd.Series(ids, dtype=object).astype(str)
    decimal = text.str.fullmatch(r"-?\d+\.0+")
    if not decimal.any():
        return None
    whole = text[decimal].str.replace(r"\.0+$", "", regex=True)
    twice = whole[whole.isin(set(text[~decimal]))]
    if twice.empty:
        return None
    return (f"Column {name!r} holds {len(twice):,} ids written both as an integer and as a decimal (such as "
            f"{twice.iloc[0]} and {twice.iloc[0]}.0): they are kept apart, as written. If they are one id, write them "
            "alike (pandas and spreadsheets turn an integer column with a gap into decimals).")


def ids_written_alike(ids: np.ndarray, name: str) -> str | None:
    """A warning for ids of different types that read the same (the number 7 and the text "7" in one
    DataFrame column): kept apart, as given, though a reader sees one id twice."""
    if ids.dtype != object or len(ids) < 2 or pd.api.types.infer_dtype(ids, skipna=True) == "string":
        return None
    text = pd.Series(ids, dtype=object).astype(str)
    alike = text[text.duplicated(keep=False)]
    if alike.empty:
        return None
    pair = alike.index[alike == alike.iloc[0]][:2]
    count = alike.nunique()
    return (f"Column {name!r} holds {count:,} id{'s' if count > 1 else ''} written alike in values of different "
            f"types (such as {ids[pair[0]]!r} and {ids[pair[1]]!r}): they are kept apart, as given. If they are one id, give the column one "
            "type (df[column].astype(str)).")
