"""`load_interactions`: any interactions file (or upload) in, an Interactions container with a load report out."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mfviz.data import delimited, json_records, layouts, sniffing, sources, text_encoding
from mfviz.data.assemble import InteractionBuilder, canonical_int, null_missing_ids
from mfviz.data.columns import (
    GENRE_NAMES,
    HEADER_WORDS,
    ROLES,
    SYNONYMS,
    TITLE_NAMES,
    check_frame,
    map_columns,
    normalize_name,
)
from mfviz.data.interactions import Interactions
from mfviz.data.layouts import Layout
from mfviz.data.memory import ASSUMED_LINE_BYTES, check_fits_in_memory
from mfviz.data.report import (
    ADD_ITEMS,
    DELIMITER_OR_DROP,
    ITEM_TABLE_WARNING,
    ITEM_TABLE_WARNINGS,
    USE_COLUMN,
    LoadReport,
)
from mfviz.data.sources import Blob
from mfviz.errors import DataError, UnreadableFile


def load_interactions(
    source,
    *,
    user: str | int | None = None,
    item: str | int | None = None,
    rating: str | int | bool | None = None,
    timestamp: str | int | bool | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    explicit: bool | None = None,
    duplicates: str = "auto",
    on_bad_rows: str = "error",
    out_of_scale: str | None = None,
    zeros: str | None = None,
    items=None,
    encoding: str | None = None,
    check_memory: bool = True,
    max_memory: int | None = None,
) -> Interactions:
    """Load user–item interactions from a file, a folder, an uploaded file object or a DataFrame.

    Formats: delimited text (delimiter sniffed among comma, tab, semicolon, pipe and `::`;
    header detected), Parquet, gzip / bz2 / xz compressed text, and zip archives. Known layouts
    load with no mapping and pick up their item table from the same folder or archive:
    MovieLens 100K (u.data + u.item), MovieLens 1M/10M (ratings.dat + movies.dat), MovieLens
    latest (ratings.csv + movies.csv) and Last.fm hetrec (user_artists.dat + artists.dat).

    Columns are found by name (user/userId/visitorid..., item/movieId/artistID..., rating/score/
    weight/count/plays..., timestamp/time/date...) or, without a header, by position (user, item,
    rating, timestamp). Overrides:

    user, item, rating, timestamp: a column name or 0-based position; rating=False ignores any
        rating column (every row counts 1), timestamp=False ignores timestamps.
    delimiter: the separator ("," "\\t" ";" "|" "::" ...); header: whether the first line names
        the columns; encoding: text encoding (default: UTF-8, with Windows-1252 where the text is not UTF-8).
    explicit: True for ratings, False for implicit counts (default: detected from the values).
    duplicates: "auto" (default: "last" for explicit, "sum" for implicit), "sum", "last",
        "mean", "max" — how repeated (user, item) rows merge; the count is in the report.
    on_bad_rows: "error" (default) or "drop" (drop and count rows with missing ids, bad ratings,
        bad timestamps or the wrong number of fields).
    out_of_scale: a few ratings outside the scale of the rest (typos such as -1 or 99 among 1-5
        stars): "error" stops and says which, "drop" drops and counts them, "keep" keeps them
        (noted in the report); None (default) does as on_bad_rows.
    zeros: rows whose value is 0: "drop" (counted in the report) or "keep"; None (default) drops
        them from implicit feedback, where a 0 (0 plays, 0 clicks) is no interaction, and keeps them
        as explicit ratings (the lowest; 'read, not rated' in Goodreads exports: a warning says so).
    items: an item-metadata source (path, file object or DataFrame) joined on the item id; its
        id, title and genres columns are found by name; genres split on "|".
    check_memory / max_memory: before parsing, the row count is estimated from the file size and
        loading is refused when it would need more than `max_memory` bytes (default: the
        memory available now).

    The result's `.report` (LoadReport) says what was read, dropped, merged and joined.
    """
    overrides = {"user": user, "item": item, "rating": rating, "timestamp": timestamp}
    _check_keywords(source, on_bad_rows=on_bad_rows, duplicates=duplicates, out_of_scale=out_of_scale, zeros=zeros,
                    explicit=explicit, header=header, check_memory=check_memory, encoding=encoding,
                    max_memory=max_memory)
    if delimiter is not None and (not isinstance(delimiter, str) or delimiter in ("", '"')
                                  or "\n" in delimiter or "\r" in delimiter):
        raise DataError(f"delimiter={delimiter!r} cannot separate columns; give the character(s) "
                        "between fields, e.g. ',' or '\\t' or '::', or leave it out to have it guessed.")
    if isinstance(source, pd.DataFrame):
        check_frame(source, "<DataFrame>", "user, item (and rating) columns")
        if len(source) == 0:
            raise DataError("<DataFrame>: the DataFrame has columns but no rows; give one row per interaction.")
        report = LoadReport(source="<DataFrame>", format="DataFrame")
        columns = map_columns([str(c) for c in source.columns], True, [], overrides, report.source)
        frame = source.rename(columns={c: str(c) for c in source.columns})
        item_table = _item_table(items, None, None, report)
        interactions = Interactions.from_frame(
            frame, columns["user"], columns["item"], columns["rating"], columns["timestamp"],
            items=item_table, explicit=explicit, duplicates=duplicates, on_bad_rows=on_bad_rows,
            out_of_scale=out_of_scale, zeros=zeros, report=report,
        )
    else:
        blob = sources.open_source(source, layouts.RATINGS_FILES)
        not_utf8 = False
        try:
            def check_size(name: str, uncompressed: int) -> None:
                if check_memory:
                    check_fits_in_memory(name, uncompressed // ASSUMED_LINE_BYTES,
                                  f"its uncompressed size ({uncompressed:,} bytes)", max_memory)

            blob = sources.unwrap(blob, layouts.RATINGS_FILES, check_size)
            report = LoadReport(source=blob.name)
            layout = layouts.detect_layout(blob) if not sources.is_parquet(blob) else None
            columns, expected_rows, batches = _open_batches(
                blob, layout, overrides, report, delimiter=delimiter, header=header,
                encoding=encoding, on_bad_rows=on_bad_rows, check_memory=check_memory,
                max_memory=max_memory,
            )
            item_table = _item_table(items, layout, blob, report)
            builder = InteractionBuilder(
                report=report, user=columns["user"], item=columns["item"], rating=columns["rating"],
                timestamp=columns["timestamp"], on_bad_rows=on_bad_rows, duplicates=duplicates,
                expected_rows=expected_rows, out_of_scale=out_of_scale, zeros=zeros,
            )
            for table, first_line, text_ids in batches:
                _add_batch(builder, table, columns, first_line, text_ids)
                del table
            report.rows_read += builder.rows_seen
            if report.rows_read == 0:
                raise DataError(f"{blob.name}: the file has a header (column names) but no rows below it; "
                                f"choose {sources.INTERACTIONS}.")
        except DataError:
            raise
        except (pa.ArrowException, UnicodeError, OSError, ValueError, MemoryError) as exc:
            if encoding is None and "utf8" in str(exc).lower().replace("-", ""):
                not_utf8 = True
            elif sources.is_parquet(blob):  # a damaged Parquet file: no reading option helps
                raise UnreadableFile(f"{blob.name}: this Parquet file is damaged or cut short ({exc}); write or "
                                     "download it again.") from None
            else:
                raise _wrap(blob.name, exc) from None
        if not_utf8:  # past the sniffed head: read the whole file again, Windows-1252 where not UTF-8
            interactions = load_interactions(
                source, user=user, item=item, rating=rating, timestamp=timestamp, delimiter=delimiter,
                header=header, explicit=explicit, duplicates=duplicates, on_bad_rows=on_bad_rows,
                out_of_scale=out_of_scale, zeros=zeros, items=items, encoding=text_encoding.LEGACY_ENCODING, check_memory=check_memory,
                max_memory=max_memory)
            line = text_encoding.first_non_utf8_line(blob)
            where = "" if line is None else f" (line {line:,} is not)"
            interactions.report.note(f"The text is not UTF-8 beyond its first 64 KiB{where}, so the "
                                     "whole file was read again: as UTF-8 where it is and as Windows-1252 where it "
                                     "is not.")
            return interactions
        interactions = builder.finish(explicit=explicit, items=item_table)
    if columns["rating"] is None:
        report.note("No rating column: every row counts as one interaction (implicit feedback).")
    if item_table is not None:
        _finish_item_join(interactions, item_table)
    return interactions


def _check_keywords(source, *, on_bad_rows, duplicates, out_of_scale, zeros, explicit, header, check_memory, encoding,
                    max_memory) -> None:
    """DataError for a keyword of the wrong kind (a list, a number for a name, 'yes' for True), before
    any reading: each would otherwise fail deep inside, or be taken for something else."""
    if source is None or isinstance(source, str) and not source.strip():
        raise DataError("no data given: pass the path of an interactions file, an uploaded file, bytes or a "
                        "DataFrame.")
    for name, value, allowed in (("on_bad_rows", on_bad_rows, ("error", "drop")),
                                 ("duplicates", duplicates, ("auto", "sum", "last", "mean", "max")),
                                 ("out_of_scale", out_of_scale, (None, "error", "drop", "keep")),
                                 ("zeros", zeros, (None, "drop", "keep"))):
        if not any(value is choice or isinstance(value, str) and value == choice for choice in allowed):
            raise DataError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    for name, value in (("explicit", explicit), ("header", header)):
        if value is not None and not isinstance(value, bool | np.bool_):
            raise DataError(f"{name} must be True, False or None (detect it), got {value!r}")
    if not isinstance(check_memory, bool | np.bool_):
        raise DataError(f"check_memory must be True or False, got {check_memory!r}")
    if encoding is not None and not isinstance(encoding, str):
        raise DataError(f"encoding must be the name of a text encoding (such as 'utf-8' or 'latin-1') or None "
                        f"(detect it), got {encoding!r}")
    if max_memory is not None and (isinstance(max_memory, bool) or not isinstance(max_memory, int | float | np.number)
                                   or not max_memory > 0):
        raise DataError(f"max_memory must be a positive number of bytes or None (the memory available now), "
                        f"got {max_memory!r}")


def with_items(interactions: Interactions, items) -> Interactions:
    """A copy of `interactions` with the item table `items` (path, upload or DataFrame) joined on the
    item id, its join rate in a copy of the report: metadata that comes after the interactions."""
    table = read_item_table(items)
    report = dataclasses.replace(interactions.report, dropped=dict(interactions.report.dropped),
                                 warnings=[w for w in interactions.report.warnings
                                           if not w.startswith(ITEM_TABLE_WARNING)],
                                 notes=[n for n in interactions.report.notes if "have no titles" not in n
                                        and "in the item table" not in n and not n.startswith("Item metadata from")])
    _take_item_table(report, table, f"Item metadata from {_describe(items)}.")
    joined = Interactions(interactions.matrix, interactions.user_ids, interactions.item_ids,
                          timestamps=interactions.timestamps, items=table, is_explicit=interactions.is_explicit,
                          report=report)
    _finish_item_join(joined, table)
    return joined


def _item_table(items, layout: Layout | None, blob: Blob | None, report: LoadReport) -> pd.DataFrame | None:
    """The item table given with items=..., else the known layout's file next to the ratings."""
    if items is not None:
        table = read_item_table(items)
        _take_item_table(report, table, f"Item metadata from {_describe(items)}.")
        return table
    if layout is None or layout.items_file is None:
        return None
    item_blob = blob.sibling(layout.items_file)
    if item_blob is None:
        report.note(f"{layout.items_file} was not found next to {layout.ratings_file}, so items "
                    f"have no titles; {ADD_ITEMS}")
        return None
    item_blob = sources.unwrap(item_blob, (layout.items_file,))
    try:
        table = layout.read_items(item_blob)
    except (pa.ArrowException, UnicodeError, ValueError, KeyError) as exc:
        raise _wrap(item_blob.name, exc, sources.ITEM_TABLE) from None
    _take_item_table(report, table, f"Item metadata from {layout.items_file} next to the ratings file.")
    return table


def _take_item_table(report: LoadReport, table: pd.DataFrame, source: str) -> None:
    """Say where the item table came from, and what went wrong reading it."""
    report.note(source)
    for warning in table.attrs.get(ITEM_TABLE_WARNINGS, []):
        report.warn(warning)


def _add_batch(builder: InteractionBuilder, table: pa.Table, columns: dict, first_line,
               text_ids: bool) -> None:
    """One parsed batch into the builder; text ids become integers when they all are."""
    def column(role: str):
        name = columns[role]
        if name is None:
            return None
        values = table[name]
        if text_ids and role in ("user", "item") and pa.types.is_string(values.type):
            as_int = canonical_int(values)
            if as_int is not None:
                return as_int
            # spaces around a field are formatting (" 7" and "7" are one id; "007" stays text); an id
            # written "NA" is missing, and the others may still be integers
            values = null_missing_ids(pc.utf8_trim_whitespace(values))
            as_int = canonical_int(values)
            return values if as_int is None else as_int
        return values

    builder.add(column("user"), column("item"), column("rating"), column("timestamp"),
                first_line=first_line)


def _describe(source) -> str:
    if isinstance(source, pd.DataFrame):
        return "the items DataFrame"
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", None) or "the items= source")


# --------------------------------------------------------------------- reading
PARQUET_BATCH_ROWS = 1 << 18


def _open_batches(blob: Blob, layout: Layout | None, overrides: dict, report: LoadReport, *,
                  delimiter, header, encoding, on_bad_rows, check_memory, max_memory):
    """Find the columns and return them, an estimate of the row count, and an iterator of
    (Arrow table with the needed columns, file lines before its first row, ids read as text)."""
    container = f", {blob.container}" if blob.container else ""
    if sources.is_parquet(blob):
        report.format = f"Parquet{container}"
        parquet = pq.ParquetFile(blob.path if blob.path is not None else pa.BufferReader(blob.data))
        columns = map_columns(list(parquet.schema_arrow.names), True, [], overrides, blob.name)
        _say_unused(report, list(parquet.schema_arrow.names), columns)
        rows = parquet.metadata.num_rows
        if check_memory:
            check_fits_in_memory(blob.name, rows, "the Parquet metadata", max_memory)
        needed = [c for c in dict.fromkeys(columns.values()) if c is not None]

        def parquet_batches():
            seen = 0
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=needed):
                yield batch, None, False  # rows, not lines
                seen += batch.num_rows

        return columns, rows, parquet_batches()

    # check_text re-encodes UTF-16 as UTF-8, with its byte-order mark or without
    utf16 = blob.head(2) in (b"\xff\xfe", b"\xfe\xff") or text_encoding.utf16_without_bom(blob.head()) is not None
    blob = text_encoding.check_text(blob)
    if json_records.is_json(blob):
        found = json_records.sample(blob)
        report.format = ("JSON Lines" if found.lines else "JSON (an array of objects)") + container
        estimated = int(blob.size() / found.mean_line_bytes)
        if check_memory:
            check_fits_in_memory(blob.name, estimated, f"the file size ({blob.size():,} bytes)", max_memory)
        try:
            columns = map_columns(found.names, True, found.sample, overrides, blob.name)
        except DataError as exc:
            if not found.nested or " among " not in str(exc):  # a role not found, not a column named wrongly
                raise
            # a field of lists was left out as no id: say so, or "no user column" reads as a missing field
            held = ", ".join(repr(name) for name in found.nested)
            raise DataError(f"{exc} The field{'s' if len(found.nested) > 1 else ''} {held} "
                            f"{'hold' if len(found.nested) > 1 else 'holds'} lists or objects (nested JSON), which "
                            "cannot be ids, ratings or times: write each interaction's user and item as plain text "
                            "or numbers.") from None
        _say_unused(report, found.names, columns)
        needed = [c for c in dict.fromkeys(columns.values()) if c is not None]
        batches = ((table, first, True) for table, first in
                   json_records.batches(blob, found, needed, columns["rating"], report.note))
        return columns, int(estimated * 1.05) + 1024, batches
    if layout is not None:
        delimiter = delimiter or layout.delimiter
        header = layout.header if header is None else header
        encoding = encoding or layout.encoding
        report.format = layout.name + container
    dialect = sniffing.sniff(blob, delimiter=delimiter, header=header, encoding=encoding,
                             header_words=HEADER_WORDS, quoted=layout is None)
    if layout is not None and not layout.header:
        dialect.names = [*layout.names, *dialect.names[len(layout.names):]]
        dialect.names = [n or f"column_{k + 1}" for k, n in enumerate(dialect.names)]
        overrides = {role: overrides[role] if overrides[role] is not None else role for role in ROLES}
        if layout.names[3] is None and overrides["timestamp"] == "timestamp":
            overrides["timestamp"] = False
    if layout is None:
        if dialect.aligned:
            shown = "runs of spaces" if dialect.delimiter == " " else "runs of two or more spaces"
        else:
            shown = {"\t": "tab", " ": "space"}.get(dialect.delimiter, repr(dialect.delimiter))
        encoding = "UTF-16" if utf16 else text_encoding.ENCODING_NAMES.get(dialect.encoding, dialect.encoding)
        report.format = (f"delimited text ({shown} separated, "
                         f"{'with' if dialect.header else 'no'} header, {encoding}{container})")
    estimated = int(blob.size() / dialect.mean_line_bytes)
    if check_memory:
        check_fits_in_memory(blob.name, estimated, f"the file size ({blob.size():,} bytes)", max_memory)
    columns = map_columns(dialect.names, dialect.header, dialect.sample, overrides, blob.name)
    if dialect.header:
        _say_unused(report, dialect.names, columns)
    needed = [c for c in dict.fromkeys(columns.values()) if c is not None]
    id_columns = [columns["user"], columns["item"]]
    bad_rows = delimited.BadRows()

    def text_batches():
        chunks = delimited.iter_delimited(blob, dialect, include=needed, bad_rows=bad_rows,
                                          column_types={c: pa.string() for c in id_columns})
        reported = 0
        for table, lines_before, start in chunks:
            if bad_rows.count > reported:
                if on_bad_rows == "error":
                    text, expected, actual = bad_rows.first
                    text = text.replace(sniffing.ALIGNED_GAP_STANDIN, "  ")  # as an aligned file spaces it
                    line = delimited.line_of(blob, text, start)  # the first bad row is in this chunk
                    where = f"line {line}" if line else "a line"
                    raise DataError(
                        f"{blob.name}: lines have the wrong number of fields; {where} has {actual} "
                        f"where {expected} were expected: {text[:100]!r}. Fix those lines, {DELIMITER_OR_DROP}"
                    )
                report.drop(f"a wrong number of fields (expected {bad_rows.first[1]})",
                            bad_rows.count - reported)
                report.rows_read += bad_rows.count - reported
                reported = bad_rows.count
            if dialect.header:
                table = _drop_repeated_headers(table, report)
            yield table, lines_before, True

    # a little room over the estimate: the arrays grow in place if it is short
    return columns, int(estimated * 1.05) + 1024, text_batches()


def _say_unused(report: LoadReport, names: list[str], columns: dict) -> None:
    """Name the file's columns that no role took (a value column under an unknown name is lost)."""
    unused = [name for name in names if name not in columns.values()]
    if unused:
        shown = ", ".join(repr(name) for name in unused[:8]) + (f" and {len(unused) - 8} more" if len(unused) > 8 else "")
        report.note(f"Columns not used: {shown}. {USE_COLUMN}")


def _drop_repeated_headers(table: pa.Table, report: LoadReport) -> pa.Table:
    """The table without rows that repeat the header (files concatenated with their headers),
    counted in the report. Such a row makes every column text, so only all-text chunks are
    checked."""
    if not all(pa.types.is_string(t) for t in table.schema.types):
        return table
    repeated = None
    for name in table.column_names:
        same = pc.equal(pc.utf8_trim_whitespace(table[name]), name)
        repeated = same if repeated is None else pc.and_(repeated, same)
    count = pc.sum(pc.fill_null(repeated, False)).as_py() if repeated is not None else 0
    if not count:
        return table
    report.drop("a repeated header line (files joined with their headers)", count)
    report.rows_read += count
    return table.filter(pc.invert(pc.fill_null(repeated, False)))


def _wrap(name: str, exc: BaseException, wanted: str = sources.INTERACTIONS) -> DataError:
    """A parser error in the user's words: the file, what the parser said, what to do."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    message = message.replace("CSV parse error: ", "").replace(delimited.DOUBLE_COLON_STANDIN, "::")
    if isinstance(exc, MemoryError):
        return DataError(f"{name}: ran out of memory while loading; load a sample of the file.")
    if isinstance(exc, UnicodeError):
        return DataError(f"{name}: the text is not in the expected encoding ({message}); "
                         "give it with encoding='latin-1' (or the file's encoding).")
    return DataError(f"{name}: could not read the file ({message}). Check that it is {wanted} as "
                     "delimited text, JSON or Parquet, and give delimiter=... or header=... if they "
                     "were guessed wrong.")


# --------------------------------------------------------------------- item metadata
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
        known = {"u.item": layouts.read_ml100k_items, "movies.dat": layouts.read_movielens_dat_items,
                 "movies.csv": layouts.read_movielens_csv_items,
                 "artists.dat": layouts.read_lastfm_items}
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


def _finish_item_join(interactions: Interactions, table: pd.DataFrame) -> None:
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
