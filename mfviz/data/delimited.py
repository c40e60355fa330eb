"""Reading delimited text: streamed a chunk of whole lines at a time into Arrow, or a small table whole as text."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from mfviz.data.memory import STREAM_POOL
from mfviz.data.report import ITEM_TABLE_WARNING, ITEM_TABLE_WARNINGS
from mfviz.data.sniffing import ALIGNED_GAP, Dialect, aligned_fields
from mfviz.data.sources import Blob
from mfviz.data.text_encoding import LEGACY_ENCODING
from mfviz.errors import DataError

# Bytes of text parsed at a time when streaming (in CHUNK_BLOCK_BYTES blocks, in parallel): the
# parsed chunk is converted to compact arrays and freed before the next is read.
CHUNK_BYTES = 1 << 21
CHUNK_BLOCK_BYTES = 1 << 19
# A byte that never occurs in text files; `::` is rewritten to it because Arrow's CSV reader
# takes one-character delimiters only.
DOUBLE_COLON_STANDIN = "\x1f"


class BadRows:
    """Collects rows with the wrong number of fields (Arrow's invalid-row hook)."""

    def __init__(self) -> None:
        self.count = 0
        self.first: tuple[str, int, int] | None = None

    def __call__(self, row) -> str:
        self.count += 1
        if self.first is None:
            self.first = (row.text, row.expected_columns, row.actual_columns)
        return "skip"


def line_of(blob: Blob, text: str, start: int = 0) -> int | None:
    """1-based number of the first line from byte `start` on that is `text` as a whole (else the
    first line holding it; slow: only on the error path)."""
    data, wanted = blob.read(), text.encode("utf-8", errors="replace")
    pos = first = data.find(wanted, start)
    while pos >= 0 and not ((pos == 0 or data[pos - 1:pos] == b"\n")
                            and data[pos + len(wanted):pos + len(wanted) + 1] in (b"", b"\n", b"\r")):
        pos = data.find(wanted, pos + 1)
    pos = first if pos < 0 else pos
    return None if pos < 0 else data.count(b"\n", 0, pos) + 1


def iter_delimited(blob: Blob, dialect: Dialect, *, include: list[str] | None = None,
                   column_types: dict[str, pa.DataType] | None = None,
                   bad_rows: BadRows | None = None, chunk_bytes: int | None = None):
    """Parse the file a chunk of whole lines at a time; yields (Arrow table, a function giving
    the file lines before the chunk's first line: counted only when an error needs it, the
    chunk's first byte in the file). Each chunk is parsed by Arrow's multi-threaded reader, so streaming
    keeps both cores busy while holding one chunk at a time. Types are inferred per chunk.

    A chunk never ends inside a quoted field (an odd number of quotes before the cut moves the
    cut to a later line), so quoted fields may hold newlines.
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    delimiter = dialect.delimiter
    multi = len(delimiter) > 1
    read_options = pacsv.ReadOptions(column_names=dialect.names, encoding=dialect.encoding,
                                     block_size=CHUNK_BLOCK_BYTES)
    parse_options = pacsv.ParseOptions(
        delimiter=DOUBLE_COLON_STANDIN if multi else delimiter,
        quote_char='"' if dialect.quoted else False, invalid_row_handler=bad_rows,
    )
    # Arrow splits a chunk into blocks at newlines to parse them in parallel, and a newline inside
    # a quoted field then cuts a row in two ("CSV parser got out of sync"); its quote-aware
    # splitting costs time, so it is asked for only for a chunk with a quote in it
    quoted_options = pacsv.ParseOptions(
        delimiter=parse_options.delimiter, quote_char='"', invalid_row_handler=bad_rows,
        newlines_in_values=True,
    )
    # Arrow's booleans are the words only: by default it also reads a chunk of 1, 0 and true as
    # booleans, after which a 1 could not be told from a true (a value column's words and numbers are
    # told apart by the loader, over the whole file)
    convert_options = pacsv.ConvertOptions(include_columns=include or [],
                                           column_types=column_types or {},
                                           true_values=["true", "True", "TRUE"],
                                           false_values=["false", "False", "FALSE"])
    stream = blob.stream()
    lines_before = 0  # lines in the header and in chunks whose lines were counted
    counted_to = 0  # bytes of the file whose lines are in lines_before
    offset = 0  # bytes of the file before `piece`
    pending = b""
    header_left = dialect.header
    try:
        while True:
            data = stream.read(chunk_bytes)
            done = not data
            buffer = pending + data if pending else data
            if done:
                piece, pending = buffer, b""
            else:
                cut = _line_cut(buffer, dialect.quoted)
                if cut <= 0:
                    pending = buffer  # no complete line yet
                    continue
                piece, pending = buffer[:cut], buffer[cut:]
            del buffer, data
            if header_left:
                end = piece.find(b"\n")
                if end < 0 and not done:
                    pending = piece + pending
                    continue
                offset += len(piece) if end < 0 else end + 1
                piece = b"" if end < 0 else piece[end + 1:]
                lines_before, counted_to = 1, offset
                header_left = False
            if piece and not piece.isspace():
                text = piece.replace(delimiter.encode(), DOUBLE_COLON_STANDIN.encode()) if multi else piece
                if dialect.aligned:  # none at a line's ends, runs of spaces and tabs to one delimiter
                    text = re.sub(rb"(?m)^[ \t]+|[ \t]+(?=\r?$)", b"", text)
                    gaps = rb"[ \t]+" if delimiter == " " else ALIGNED_GAP.pattern.encode()
                    text = re.sub(gaps, delimiter.encode(), text)
                quotes = dialect.quoted and b'"' in text
                table = pacsv.read_csv(pa.py_buffer(text), read_options=read_options,
                                       parse_options=quoted_options if quotes else parse_options,
                                       convert_options=convert_options, memory_pool=STREAM_POOL)
                del text

                def lines_before_chunk(start=offset) -> int:
                    nonlocal lines_before, counted_to
                    if counted_to < start:
                        lines_before += _count_lines(blob, counted_to, start)
                        counted_to = start
                    return lines_before

                yield table, lines_before_chunk, offset
                del table
            offset += len(piece)
            if done:
                return
    finally:
        stream.close()


def _count_lines(blob: Blob, start: int, end: int) -> int:
    """Newlines in bytes start..end of the file (only on the error path)."""
    if blob.path is None:
        return (blob.data or b"").count(b"\n", start, end)
    count = 0
    with open(blob.path, "rb") as fh:
        fh.seek(start)
        while start < end:
            block = fh.read(min(end - start, 1 << 24))
            if not block:
                break
            count += block.count(b"\n")
            start += len(block)
    return count


def _line_cut(buffer: bytes, quoted: bool) -> int:
    """Length of the longest prefix of whole lines that does not end inside a quoted field
    (0 when there is none)."""
    cut = buffer.rfind(b"\n") + 1
    if not quoted or cut == 0 or buffer.find(b'"', 0, cut) < 0:
        return cut
    # a prefix ends outside quoted fields when its quotes are balanced ("" escapes count twice);
    # if the whole-lines prefix is unbalanced, step back a line at a time until it is
    quotes = buffer.count(b'"', 0, cut)
    while cut > 0 and quotes % 2:
        previous = buffer.rfind(b"\n", 0, cut - 1) + 1
        quotes -= buffer.count(b'"', previous, cut)
        cut = previous
    return cut


def read_text_table(blob: Blob, delimiter: str, names: list[str] | None, header: bool,
                    quoted: bool, encoding: str | None = None, aligned: bool = False) -> pd.DataFrame:
    """A small metadata file: every column as text, never inferred (ids join as strings). A row
    with more fields than the header is skipped and counted (an unquoted comma in a title); one
    with fewer has the rest empty (a trailing empty field left out). `aligned`: columns aligned with
    runs of spaces (Dialect.aligned), split as `aligned_fields` does."""
    # UTF-8 (or nothing said) reads as LEGACY_ENCODING: UTF-8 where it is, a BOM dropped, Windows-1252 where a
    # table turns out not to be UTF-8 past the sniffed head (it was refused, blaming the ratings file)
    text = blob.read().decode(LEGACY_ENCODING if encoding in (None, "utf-8") else encoding)
    if aligned:  # each run one delimiter, as the rows were sniffed (runs as empty fields lost every row)
        text = "\n".join(delimiter.join(aligned_fields(line, delimiter)) for line in text.splitlines())
    if len(delimiter) > 1:
        text = text.replace(delimiter, DOUBLE_COLON_STANDIN)
        delimiter = DOUBLE_COLON_STANDIN
    # Python's csv reader, not pandas': pandas took the first column for the index when the first row
    # had a field too many ("1,Alien, The (1979),Horror"), so item_id held titles and every title was lost
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE, strict=False)
    rows, too_long, first_line = [], 0, None
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header:  # the header row: the names, unless given
                names, header = names or [name.strip() for name in row], False
                continue
            if len(row) > len(names):
                too_long += 1
                first_line = first_line or (reader.line_num, len(row))
                continue
            rows.append(row + [""] * (len(names) - len(row)))
    except csv.Error as exc:
        raise DataError(f"{blob.name}: cannot read the item table (line {reader.line_num}: {exc}).") from None
    if names is None:
        raise DataError(f"{blob.name}: the item table is empty.")  # a header was expected, and no row came
    frame = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names, dtype=object)
    if too_long:  # said in the load report (item tables are read before it exists)
        frame.attrs[ITEM_TABLE_WARNINGS] = [
            f"{ITEM_TABLE_WARNING}{blob.name}: {too_long:,} {'rows were' if too_long != 1 else 'row was'} skipped "
            "for a wrong number of fields "
            f"(the first: line {first_line[0]}, expected {len(names)} fields, saw {first_line[1]}); quote fields "
            "that hold the delimiter."
        ]
    return frame
