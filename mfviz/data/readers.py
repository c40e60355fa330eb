"""One reader per file format (Parquet, JSON, delimited text): each finds the columns and yields batches of them."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mfviz.data import delimited, json_records, sniffing, sources, text_encoding
from mfviz.data.columns import HEADER_WORDS, ROLES, map_columns, sample_rows
from mfviz.data.layouts import Layout
from mfviz.data.memory import check_fits_in_memory
from mfviz.data.report import DELIMITER_OR_DROP, USE_COLUMN, LoadReport
from mfviz.data.sources import Blob
from mfviz.errors import DataError

PARQUET_BATCH_ROWS = 1 << 18
RowCheck = Callable[[int, str], None]  # (estimated rows, what they were estimated from): refuses too many


def open_batches(blob: Blob, layout: Layout | None, overrides: dict, report: LoadReport, *,
                 delimiter, header, encoding, on_bad_rows, check_memory, max_memory):
    """Find the columns and return them, an estimate of the row count, and an iterator of
    (Arrow table with the needed columns, file lines before its first row, ids read as text)."""
    container = f", {blob.container}" if blob.container else ""

    def check_rows(rows: int, basis: str) -> None:
        if check_memory:
            check_fits_in_memory(blob.name, rows, basis, max_memory)

    if sources.is_parquet(blob):
        return _parquet(blob, overrides, report, container, check_rows)
    # check_text re-encodes UTF-16 as UTF-8, with its byte-order mark or without
    utf16 = blob.head(2) in (b"\xff\xfe", b"\xfe\xff") or text_encoding.utf16_without_bom(blob.head()) is not None
    blob = text_encoding.check_text(blob)
    if json_records.is_json(blob):
        return _json(blob, overrides, report, container, check_rows)
    return _delimited(blob, layout, overrides, report, container, check_rows, delimiter=delimiter, header=header,
                      encoding=encoding, on_bad_rows=on_bad_rows, utf16=utf16)


def _parquet(blob: Blob, overrides: dict, report: LoadReport, container: str, check_rows: RowCheck):
    report.format = f"Parquet{container}"
    parquet = pq.ParquetFile(blob.path if blob.path is not None else pa.BufferReader(blob.data))
    columns = map_columns(list(parquet.schema_arrow.names), True, _parquet_sample(parquet), overrides, blob.name,
                          report.notes)
    _say_unused(report, list(parquet.schema_arrow.names), columns)
    rows = parquet.metadata.num_rows
    check_rows(rows, "the Parquet metadata")
    needed = _needed(columns)

    def batches():
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=needed):
            yield batch, None, False  # rows, not lines

    return columns, rows, batches()


def _parquet_sample(parquet: pq.ParquetFile) -> list[list[str]]:
    """The first rows as text, one entry per column, for finding a timestamp column by its content."""
    batch = next(parquet.iter_batches(batch_size=100), None)
    if batch is None:
        return []
    return sample_rows(batch.to_pandas())


def _json(blob: Blob, overrides: dict, report: LoadReport, container: str, check_rows: RowCheck):
    found = json_records.sample(blob)
    report.format = ("JSON Lines" if found.lines else "JSON (an array of objects)") + container
    estimated = int(blob.size() / found.mean_line_bytes)
    check_rows(estimated, f"the file size ({blob.size():,} bytes)")
    try:
        columns = map_columns(found.names, True, found.sample, overrides, blob.name, report.notes)
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
    batches = ((table, first, True) for table, first in
               json_records.batches(blob, found, _needed(columns), columns["rating"], report.note))
    return columns, _with_room(estimated), batches


def _delimited(blob: Blob, layout: Layout | None, overrides: dict, report: LoadReport, container: str,
               check_rows: RowCheck, *, delimiter, header, encoding, on_bad_rows, utf16: bool):
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
        report.format = _delimited_format(dialect, utf16, container)
    estimated = int(blob.size() / dialect.mean_line_bytes)
    check_rows(estimated, f"the file size ({blob.size():,} bytes)")
    columns = map_columns(dialect.names, dialect.header, dialect.sample, overrides, blob.name, report.notes)
    if dialect.header:
        _say_unused(report, dialect.names, columns)
    needed = _needed(columns)
    id_columns = [columns["user"], columns["item"]]
    bad_rows = delimited.BadRows()

    def batches():
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

    return columns, _with_room(estimated), batches()


def _delimited_format(dialect: sniffing.Dialect, utf16: bool, container: str) -> str:
    """The load report's format of a delimited file: "delimited text (tab separated, no header, UTF-8)"."""
    if dialect.aligned:
        shown = "runs of spaces" if dialect.delimiter == " " else "runs of two or more spaces"
    else:
        shown = {"\t": "tab", " ": "space"}.get(dialect.delimiter, repr(dialect.delimiter))
    encoding = "UTF-16" if utf16 else text_encoding.ENCODING_NAMES.get(dialect.encoding, dialect.encoding)
    return f"delimited text ({shown} separated, {'with' if dialect.header else 'no'} header, {encoding}{container})"


def _needed(columns: dict[str, str | None]) -> list[str]:
    """The columns to read: those the roles took, in role order (a role left out, None, reads none)."""
    return [c for c in dict.fromkeys(columns.values()) if c is not None]


def _with_room(estimated: int) -> int:
    """A little room over a row estimate: the arrays grow in place if it is short."""
    return int(estimated * 1.05) + 1024


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
