"""`load_interactions`: any interactions file (or upload) in, an Interactions container with a load report out."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfviz.data import delimited, layouts, readers, sources, text_encoding
from mfviz.data.assemble import InteractionBuilder
from mfviz.data.columns import SYNONYMS, check_frame, map_columns, normalize_name, sample_rows
from mfviz.data.id_maps import canonical_int, null_missing_ids
from mfviz.data.interactions import Interactions
from mfviz.data.item_tables import (
    finish_item_join,
    read_and_report_item_table,
    read_item_table,
    take_item_table,
    unjoinable,
)
from mfviz.data.layouts import Layout
from mfviz.data.memory import ASSUMED_LINE_BYTES, check_fits_in_memory
from mfviz.data.report import ADD_ITEMS, ITEM_TABLE_WARNING, LoadReport
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
    title: str | int | None = None,
    encoding: str | None = None,
    check_memory: bool = True,
    max_memory: int | None = None,
) -> Interactions:
    """Load user–item interactions from a file, a folder, an uploaded file object or a DataFrame.

    Formats: delimited text (delimiter sniffed among comma, tab, semicolon, pipe, `::` and
    spaces, columns aligned with runs of spaces too; header detected), JSON Lines or a JSON array
    of objects, Parquet, gzip / bz2 / xz compressed files, and zip archives. Known layouts
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
        id, title and genres columns are found by name; genres split on "|". A table with no id column that
        holds none of the interactions' ids is not joined, and said in the report.
    title: the item table's column of titles (name or 0-based position) when its name does not say so (found
        otherwise by a name such as title, name or label, or ending so, else as its only text column of
        distinct values; a table with none is warned of).
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
    from_archive = False  # the item table was picked from an archive by its columns
    if isinstance(source, pd.DataFrame):
        check_frame(source, "<DataFrame>", "user, item (and rating) columns")
        if len(source) == 0:
            raise DataError("<DataFrame>: the DataFrame has columns but no rows; give one row per interaction.")
        report = LoadReport(source="<DataFrame>", format="DataFrame")
        columns = map_columns([str(c) for c in source.columns], True, sample_rows(source), overrides, report.source,
                              report.notes)
        frame = source.rename(columns={c: str(c) for c in source.columns})
        item_table = _item_table(items, None, None, report, title=title)
        # found above: a role without a column is False (none) for from_frame, whose None would look again
        rating_column, time_column = (False if columns[r] is None else columns[r] for r in ("rating", "timestamp"))
        interactions = Interactions.from_frame(
            frame, columns["user"], columns["item"], rating_column, time_column,
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
            for note in blob.notes:  # which file of an archive was taken, and why
                report.note(note)
            # a layout is a guess from a file's name: not taken when an archive's columns chose the item table
            layout = layouts.detect_layout(blob) if not sources.is_parquet(blob) and blob.item_table is None else None
            columns, expected_rows, batches = readers.open_batches(
                blob, layout, overrides, report, delimiter=delimiter, header=header,
                encoding=encoding, on_bad_rows=on_bad_rows, check_memory=check_memory,
                max_memory=max_memory,
            )
            item_table = _item_table(items, layout, blob, report, columns["item"], title)
            from_archive = items is None and blob.item_table is not None
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
                out_of_scale=out_of_scale, zeros=zeros, items=items, title=title, encoding=text_encoding.LEGACY_ENCODING, check_memory=check_memory,
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
    reason = None if items is None or item_table is None else unjoinable(item_table, interactions.item_ids)
    if reason is not None:  # said as a table an archive's columns chose with no id column is (_archive_item_table)
        report.notes = [n for n in report.notes if not n.startswith("Item metadata from")]
        report.warnings = [w for w in report.warnings if not w.startswith(ITEM_TABLE_WARNING)]
        report.warn(f"{ITEM_TABLE_WARNING}{reason} and load again. Items have no titles.")
        interactions = Interactions(interactions.matrix, interactions.user_ids, interactions.item_ids,
                                    timestamps=interactions.timestamps, is_explicit=interactions.is_explicit,
                                    report=report)
        item_table = None
    if item_table is not None:
        finish_item_join(interactions, item_table)
        rate = interactions.report.metadata_join_rate
        if from_archive and rate is not None and rate < 0.5:  # a guess that names few items: said, not only noted
            interactions.report.warn(
                f"{ITEM_TABLE_WARNING}{blob.item_table.name} names only {rate:.0%} of the items, so most have no "
                f"title (its id column, {item_table.attrs.get('id_column')!r}, and the interactions' "
                f"{columns['item']!r} hold different ids); {ADD_ITEMS}")
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


def _item_table(items, layout: Layout | None, blob: Blob | None, report: LoadReport,
                item_column: str | None = None, title: str | int | None = None) -> pd.DataFrame | None:
    """The item table given with items=..., else the one an archive's columns chose (`item_column`: the
    interactions' item column), else the known layout's file next to the ratings; `title`: its titles' column."""
    if items is not None:
        return read_and_report_item_table(items, report, title)
    if blob is not None and blob.item_table is not None:  # found beside the interactions in an archive
        return _archive_item_table(blob.item_table, item_column, report, title)
    if layout is None or layout.items_file is None:
        return None
    item_blob = blob.sibling(layout.items_file)
    if item_blob is None:
        # the format named both files ("Read ... (MovieLens 100K (u.data + u.item))", then "u.item was not found")
        report.format = report.format.replace(layout.name, f"{layout.dataset} ({layout.ratings_file})", 1)
        report.note(f"{layout.items_file} was not found next to {layout.ratings_file}, so items "
                    f"have no titles; {ADD_ITEMS}")
        return None
    item_blob = sources.unwrap(item_blob, (layout.items_file,))
    try:
        table = layout.read_items(item_blob)
    except (pa.ArrowException, UnicodeError, ValueError, KeyError) as exc:
        raise _wrap(item_blob.name, exc, sources.ITEM_TABLE) from None
    take_item_table(report, table, f"Item metadata from {layout.items_file} next to the ratings file.")
    return table


def _archive_item_table(table: Blob, item_column: str | None, report: LoadReport,
                        title: str | int | None = None) -> pd.DataFrame | None:
    """The item table picked from an archive by its columns; one that cannot be read, or has no item id column to
    join on, is said and left out (the interactions load without it): it was a guess, not the user's choice."""
    named = io.BytesIO(table.read())
    named.name = table.name
    try:
        frame = read_item_table(named, title)
    except (ValueError, OSError, pa.ArrowException) as exc:  # DataError is a ValueError
        report.warn(f"{ITEM_TABLE_WARNING}{table.name} looked like an item table but could not be read ({exc}); the "
                    f"interactions were loaded without it. {ADD_ITEMS}")
        return None
    id_names = {"itemid", "id", *SYNONYMS["item"], normalize_name(item_column or "item_id")}
    id_column = frame.attrs.get("id_column")
    if normalize_name(id_column) not in id_names:  # read_item_table fell back on the first column: a title, say
        report.warn(f"{ITEM_TABLE_WARNING}{table.name} has no item id column to join on (its first column, "
                    f"{id_column!r}, is no id), so it was not joined. To join it, give it a column named "
                    f"{item_column or 'item_id'!r} of the interactions' item ids and load the archive again. Items have "
                    f"no titles: {ADD_ITEMS}")
        return None
    take_item_table(report, frame, f"Item metadata from {table.name}.")
    return frame
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


