"""Item tables: titles and genres read from a file or DataFrame, and joined to the interactions on the item id."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mfviz.data import delimited, json_records, layouts, sniffing, sources, text_encoding
from mfviz.data.columns import (
    GENRE_NAMES,
    HEADER_WORDS,
    SYNONYMS,
    TITLE_NAMES,
    check_frame,
    normalize_name,
)
from mfviz.data.interactions import Interactions
from mfviz.data.report import ITEM_TABLE_WARNING, ITEM_TABLE_WARNINGS, LoadReport
from mfviz.errors import DataError


def read_item_table(source) -> pd.DataFrame:
    """An item-metadata table with columns item_id, title, genres (list) and any others."""
    if isinstance(source, pd.DataFrame):
        check_frame(source, "<items DataFrame>", "an item id column and title or genres columns")
        frame = source.copy()
        frame.columns = [str(c) for c in frame.columns]
        name = "<items DataFrame>"
    else:
        blob = sources.unwrap(sources.open_source(source, ()), ())
        name = blob.name
        known = {layout.items_file: layout.read_items for layout in layouts.LAYOUTS}
        if blob.basename.lower() in known:
            # A known name is a guess at the layout: an ordinary table called movies.csv (text ids, other
            # columns or delimiter) fails that reader or keeps none of its rows, and is read as any other.
            try:
                table = known[blob.basename.lower()](blob)
            except (KeyError, ValueError):  # DataError is a ValueError
                table = None
            if table is not None and len(table):
                return table
        if sources.is_parquet(blob):
            frame = pq.read_table(blob.path if blob.path is not None else pa.BufferReader(blob.data)).to_pandas()
        elif json_records.is_json(blob):  # Amazon's and Goodreads' metadata: it was split as CSV (0% joined)
            frame = json_records.item_table(blob)
        else:
            blob = text_encoding.check_text(blob, sources.ITEM_TABLE)
            dialect = sniffing.sniff(blob, delimiter=None, header=None, encoding=None,
                                     header_words=HEADER_WORDS, wanted=sources.ITEM_TABLE)
            names = None
            if not dialect.header:  # id, title (and genres, as in movies.dat) by position
                width = len(dialect.names)
                names = ["item_id", "title", *(["genres"] if width == 3 else dialect.names[2:])][:width]
            frame = delimited.read_text_table(blob, dialect.delimiter, names, dialect.header, True,
                                              dialect.encoding, aligned=dialect.aligned)
    normalized = {c: normalize_name(c) for c in frame.columns}
    id_column = next((c for c in frame.columns if normalized[c] in ("itemid", "id")), None) or \
        next((c for c in frame.columns if normalized[c] in SYNONYMS["item"]), None) or frame.columns[0]
    rename = {id_column: "item_id"}
    title = next((c for c in frame.columns if normalized[c] in TITLE_NAMES and c != id_column), None)
    if title is not None:
        rename[title] = "title"
    genres = next((c for c in frame.columns if normalized[c] in GENRE_NAMES and c != id_column), None)
    if genres is not None:
        rename[genres] = "genres"
    frame = frame.drop(columns=[c for c in ("item_id", "title", "genres")
                                if c in frame.columns and c not in rename]).rename(columns=rename)
    if "genres" in frame.columns and not frame["genres"].map(lambda g: isinstance(g, list)).all():
        text = frame["genres"].astype(str)
        # MovieLens writes Comedy|Drama; other tables (Goodreads shelves, tags) a ; or , list
        separator = next((sep for sep in "|;," if text.str.contains(sep, regex=False).any()), "|")
        frame["genres"] = layouts.split_genres(frame["genres"], separator)
    ids = frame["item_id"]
    if not pd.api.types.is_numeric_dtype(ids):
        numeric = pd.to_numeric(ids, errors="coerce")
        # integers written as such only (not 1.0 or 007): as the interactions' ids are read, so the two join
        integral = numeric.notna().all() and (numeric.abs() < 2**62).all() and \
            ids.astype(str).str.strip().str.fullmatch(r"-?(?:0|[1-9]\d*)").all()
        if integral:
            frame["item_id"] = numeric.astype(np.int64)
    if frame["item_id"].isna().any():
        raise DataError(f"{name}: {int(frame['item_id'].isna().sum())} item rows have no id; "
                        "fill them in or remove them.")
    said = list(frame.attrs.get(ITEM_TABLE_WARNINGS, []))
    repeated = frame["item_id"].duplicated()
    if repeated.any():
        count = int(repeated.sum())
        said.append(f"{ITEM_TABLE_WARNING}{name}: {count:,} {'rows repeat' if count != 1 else 'row repeats'} "
                    f"the id of an earlier row (the first: {frame['item_id'][repeated].tolist()[0]!r}) and "
                    f"{'were' if count != 1 else 'was'} skipped: the first row of each id is used.")
    frame = frame[~repeated].reset_index(drop=True)
    frame.attrs = {ITEM_TABLE_WARNINGS: said, "id_column": str(id_column)}
    return frame


def with_items(interactions: Interactions, items) -> Interactions:
    """A copy of `interactions` with the item table `items` (path, upload or DataFrame) joined on the
    item id, its join rate in a copy of the report: metadata that comes after the interactions."""
    report = dataclasses.replace(interactions.report, dropped=dict(interactions.report.dropped),
                                 warnings=[w for w in interactions.report.warnings
                                           if not w.startswith(ITEM_TABLE_WARNING)],
                                 notes=[n for n in interactions.report.notes if "have no titles" not in n
                                        and "in the item table" not in n and not n.startswith("Item metadata from")])
    table = read_and_report_item_table(items, report)
    joined = Interactions(interactions.matrix, interactions.user_ids, interactions.item_ids,
                          timestamps=interactions.timestamps, items=table, is_explicit=interactions.is_explicit,
                          report=report)
    finish_item_join(joined, table)
    return joined


def read_and_report_item_table(items, report: LoadReport) -> pd.DataFrame:
    """`read_item_table(items)`, with where it came from and what went wrong reading it said in `report`."""
    table = read_item_table(items)
    take_item_table(report, table, f"Item metadata from {_describe(items)}.")
    return table


def take_item_table(report: LoadReport, table: pd.DataFrame, source: str) -> None:
    """Say where the item table came from, and what went wrong reading it."""
    report.note(source)
    for warning in table.attrs.get(ITEM_TABLE_WARNINGS, []):
        report.warn(warning)


def finish_item_join(interactions: Interactions, table: pd.DataFrame) -> None:
    """Join rate into the report; items without metadata get an empty genre list."""
    keys = pd.Index(table["item_id"])
    ids = pd.Index(interactions.item_ids)
    if keys.dtype != ids.dtype:
        keys, ids = keys.astype(str), ids.astype(str)
    found = ids.isin(keys)
    interactions.report.metadata_join_rate = float(found.mean()) if len(found) else 0.0
    if len(table) == 0:
        interactions.report.warn(f"{ITEM_TABLE_WARNING}has no rows: no item has a title or genres.")
    elif not found.all():
        column = table.attrs.get("id_column")
        examples = ", ".join(repr(i) for i in interactions.item_ids[~np.asarray(found)][:3].tolist())
        theirs = ", ".join(repr(i) for i in table["item_id"].iloc[:3].tolist())
        interactions.report.note(
            f"{int((~found).sum()):,} of {len(found):,} items have no row in the item table (such as {examples}; "
            f"the table's ids{'' if column is None else f', from its column {column!r},'} are such as {theirs})."
        )
    if "genres" in interactions.items.columns:
        genres = interactions.items["genres"]
        interactions.items["genres"] = genres.map(lambda g: g if isinstance(g, list) else []).astype(object)


def _describe(source) -> str:
    if isinstance(source, pd.DataFrame):
        return "the items DataFrame"
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", None) or "the items= source")
