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
from mfviz.data.report import (
    ITEM_TABLE_NOTES,
    ITEM_TABLE_WARNING,
    ITEM_TABLE_WARNINGS,
    TITLE_CHOICE,
    LoadReport,
)
from mfviz.errors import DataError


def read_item_table(source, title: str | int | None = None) -> pd.DataFrame:
    """An item-metadata table with columns item_id, title, genres (list) and any others; `title` names the
    column of titles (or its 0-based position) when its name does not say so (see `title_column`)."""
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
    genres = next((c for c in frame.columns if normalized[c] in GENRE_NAMES and c != id_column), None)
    if genres is not None:
        rename[genres] = "genres"
    said: list[str] = list(frame.attrs.get(ITEM_TABLE_WARNINGS, []))
    noted: list[str] = []
    title = title_column(frame, id_column, genres, title, name, said, noted)
    if title is not None:
        rename[title] = "title"
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
    repeated = frame["item_id"].duplicated()
    if repeated.any():
        count = int(repeated.sum())
        said.append(f"{ITEM_TABLE_WARNING}{name}: {count:,} {'rows repeat' if count != 1 else 'row repeats'} "
                    f"the id of an earlier row (the first: {frame['item_id'][repeated].tolist()[0]!r}) and "
                    f"{'were' if count != 1 else 'was'} skipped: the first row of each id is used.")
    frame = frame[~repeated].reset_index(drop=True)
    frame.attrs = {ITEM_TABLE_WARNINGS: said, ITEM_TABLE_NOTES: noted, "id_column": str(id_column),
                   "id_named": normalized[id_column] in ("itemid", "id", *SYNONYMS["item"]), "name": name}
    return frame


# A name ending so names an item's title ("Film Name", "original_title", "display_label"), in this order of trust.
TITLE_ENDINGS = ("title", "name", "label")
# A text column taken as the titles by its content: at least this share of its filled values distinct.
DISTINCT_TITLES = 0.9


def title_column(frame: pd.DataFrame, id_column, genres, given, name: str, said: list[str],
                 noted: list[str]) -> str | None:
    """The column of titles: `given` (a name or position), else one named as titles (TITLE_NAMES), else the first
    whose name ends in title, name or label and whose values are mostly distinct (said in `noted`), else the table's
    only text column of mostly distinct values (said in `noted`); None, with a warning naming the columns in `said`,
    when no column is."""
    columns = [c for c in frame.columns if c not in (id_column, genres)]
    if given is not None:
        if isinstance(given, int) and not isinstance(given, bool) and 0 <= given < len(frame.columns):
            given = frame.columns[given]
        if str(given) not in frame.columns or given in (id_column, genres):
            raise DataError(f"{name}: no column {given!r} for title=...; the item table's columns are "
                            f"{[str(c) for c in frame.columns]} (its ids are in {str(id_column)!r}). Name one of "
                            "them, or give a 0-based position.")
        return str(given)
    normalized = {c: normalize_name(c) for c in columns}
    # by the list's order: "title" before "artist_name" in a table of tracks with both
    exact = sorted((c for c in columns if normalized[c] in TITLE_NAMES), key=lambda c: TITLE_NAMES.index(normalized[c]))
    # of a name ending so, only mostly distinct values: a category_name or brand_name repeats, titles do not
    ending = [c for end in TITLE_ENDINGS for c in columns if normalized[c].endswith(end) and _mostly_distinct(frame[c])]
    if exact or ending:
        found = (exact or ending)[0]
        if not exact:
            noted.append(f"Titles from its column {found!r}.")
        return found
    texts = [c for c in columns if _holds_text(frame[c])]
    if len(texts) == 1 and _mostly_distinct(frame[texts[0]]):
        examples = ", ".join(repr(v) for v in _filled(frame[texts[0]]).iloc[:2].tolist())
        noted.append(f"No column is named as titles; its only text column, {texts[0]!r}, holds distinct values "
                     f"(such as {examples}): taken as the titles. If that is wrong, {TITLE_CHOICE}")
        return texts[0]
    if columns:
        said.append(f"{ITEM_TABLE_WARNING}{name}: no title column among its columns "
                    f"{[str(c) for c in frame.columns]} (none is named title, name or label, none named so at its end "
                    "holds distinct values, and no single text column of distinct values is), so items are shown by "
                    f"their ids. To show titles, {TITLE_CHOICE}")
    return None


def _filled(column: pd.Series) -> pd.Series:
    """A column's values as stripped text, without the missing and empty ones."""
    values = column.dropna().astype(str).str.strip()
    return values[values != ""]


def _mostly_distinct(column: pd.Series) -> bool:
    """True when at least half of a column's values are filled in and DISTINCT_TITLES of those are distinct."""
    values = _filled(column)
    return len(values) >= max(1, len(column) // 2) and values.nunique() >= DISTINCT_TITLES * len(values)


def _holds_text(column: pd.Series) -> bool:
    """True for a column of text that is not numbers written as text (lists, as parsed JSON holds, are not text)."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column) or \
            pd.api.types.is_datetime64_any_dtype(column):
        return False
    filled = column.dropna()
    if not len(filled) or not filled.map(lambda v: isinstance(v, str)).all():
        return False
    return bool(pd.to_numeric(filled.str.strip(), errors="coerce").isna().any())


def with_items(interactions: Interactions, items, title: str | int | None = None) -> Interactions:
    """A copy of `interactions` with the item table `items` (path, upload or DataFrame) joined on the
    item id, its join rate in a copy of the report: metadata that comes after the interactions. DataError for
    a table with no id column to join on (`unjoinable`) or whose ids name none of the items (joined, it would take
    the titles the data had); `title` as read_item_table's."""
    report = dataclasses.replace(interactions.report, dropped=dict(interactions.report.dropped),
                                 warnings=[w for w in interactions.report.warnings
                                           if not w.startswith(ITEM_TABLE_WARNING)],
                                 notes=[n for n in interactions.report.notes if "have no titles" not in n
                                        and "in the item table" not in n and not n.startswith("Item metadata from")])
    table = read_and_report_item_table(items, report, title)
    reason = unjoinable(table, interactions.item_ids)
    if reason is None and len(table) and not _found(table, interactions.item_ids).any():
        # joined, it would take the titles the data had and give none
        reason = (f"{table.attrs.get('name', 'the item table')} names none of the data's items (its ids, from its "
                  f"column {table.attrs.get('id_column')!r}, are such as {_examples(table['item_id'])}; the data's "
                  f"such as {_examples(interactions.item_ids)}), so it was not joined")
    if reason is not None:
        raise DataError(f"{reason}; the data were left as they were.")
    joined = Interactions(interactions.matrix, interactions.user_ids, interactions.item_ids,
                          timestamps=interactions.timestamps, items=table, is_explicit=interactions.is_explicit,
                          report=report)
    finish_item_join(joined, table)
    return joined


def read_and_report_item_table(items, report: LoadReport, title: str | int | None = None) -> pd.DataFrame:
    """`read_item_table(items, title)`, with where it came from and what went wrong reading it said in `report`."""
    table = read_item_table(items, title)
    take_item_table(report, table, f"Item metadata from {_describe(items)}.")
    return table


def take_item_table(report: LoadReport, table: pd.DataFrame, source: str) -> None:
    """Say where the item table came from (and where its titles, when their column's name did not say so), and
    what went wrong reading it."""
    report.note(" ".join([source, *table.attrs.get(ITEM_TABLE_NOTES, [])]))
    for warning in table.attrs.get(ITEM_TABLE_WARNINGS, []):
        report.warn(warning)


def _found(table: pd.DataFrame, item_ids: np.ndarray) -> np.ndarray:
    """Which of the interactions' items have a row in the table (ids compared as text when their types differ)."""
    keys = pd.Index(table["item_id"])
    ids = pd.Index(item_ids)
    if keys.dtype != ids.dtype:
        keys, ids = keys.astype(str), ids.astype(str)
    return np.asarray(ids.isin(keys))


def _examples(ids) -> str:
    """The first three ids as the report quotes them: 'i1', 'x2', 'x3' (text) or 1, 2, 3 (numbers)."""
    return ", ".join(repr(i) for i in np.asarray(ids)[:3].tolist())


def unjoinable(table: pd.DataFrame, item_ids: np.ndarray) -> str | None:
    """Why an item table cannot be joined, or None: no column is named as item ids and its first column, taken in
    their place, holds none of the interactions' ids (titles, say: 'Toy Story (1995)' is no id)."""
    if table.attrs.get("id_named", True) or not len(table) or _found(table, item_ids).any():
        return None
    return (f"{table.attrs.get('name', 'the item table')} has no item id column to join on (its first column, "
            f"{table.attrs.get('id_column')!r}, holds none of the interactions' item ids: its values are such as "
            f"{_examples(table['item_id'])}, the interactions' ids such as {_examples(item_ids)}), so it was not joined. To join it, give it a column "
            "named 'item_id' of the interactions' item ids")


def finish_item_join(interactions: Interactions, table: pd.DataFrame) -> None:
    """Join rate into the report; items without metadata get an empty genre list."""
    found = _found(table, interactions.item_ids)
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
