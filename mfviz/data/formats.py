"""File formats: opening sources, compression, sniffing delimited text, and the known dataset layouts."""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import lzma
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from mfviz.data.columns import normalize_name
from mfviz.data.memory import STREAM_POOL
from mfviz.errors import DataError, UnreadableFile

HEAD_BYTES = 1 << 16
# Bytes of text parsed at a time when streaming (in CHUNK_BLOCK_BYTES blocks, in parallel): the
# parsed chunk is converted to compact arrays and freed before the next is read.
CHUNK_BYTES = 1 << 21
CHUNK_BLOCK_BYTES = 1 << 19


# Text that is not UTF-8 is read as UTF-8 where it is and as Windows-1252 where it is not (a file
# joined from two exports, or one whose names were typed on Windows: re-reading all of it as
# Windows-1252 turned every UTF-8 "José" into "JosÃ©", and split an item into two ids). Windows-1252
# reads 0x96 as an en dash, where Latin-1 has a control code; its five undefined bytes are read as
# Latin-1, so that any byte decodes. Registered as a codec so that Arrow's CSV reader can transcode
# with it.
LEGACY_ENCODING = "utf8_cp1252"
ENCODING_NAMES = {LEGACY_ENCODING: "UTF-8 with Windows-1252 where not UTF-8"}


def _latin1_for_the_rest(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


def _cp1252_where_not_utf8(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start:exc.end].decode("cp1252", "mfviz_latin1"), exc.end


def _legacy_decoder(errors: str = "strict") -> codecs.IncrementalDecoder:
    # the UTF-8 decoder keeps a character cut by a block's end for the next block
    return codecs.getincrementaldecoder("utf-8-sig")("mfviz_cp1252")


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != LEGACY_ENCODING:
        return None
    return codecs.CodecInfo(name=LEGACY_ENCODING, encode=codecs.getencoder("utf-8"),
                            decode=lambda data, errors="strict": (bytes(data).decode("utf-8-sig", "mfviz_cp1252"),
                                                                  len(data)),
                            incrementaldecoder=_legacy_decoder)


codecs.register_error("mfviz_latin1", _latin1_for_the_rest)
codecs.register_error("mfviz_cp1252", _cp1252_where_not_utf8)
codecs.register(_find_codec)


# A byte that never occurs in text files; `::` is rewritten to it because Arrow's CSV reader
# takes one-character delimiters only.
DOUBLE_COLON_STANDIN = "\x1f"
# Aligned columns whose names or values hold single spaces ("user id", "2020-04-13 10:00") are split
# on runs of two or more spaces, or on any run holding a tab; such a run is rewritten to this byte.
ALIGNED_GAP_STANDIN = "\x1e"
ALIGNED_GAP = re.compile(r"[ \t]*\t[ \t]*| {2,}")
CANDIDATE_DELIMITERS = ("::", "\t", ",", ";", "|", " ")
# What a file must hold, for messages: an interactions file, or (items=...) an item table.
INTERACTIONS = "a file with one interaction per line"
ITEM_TABLE = "an item table (an item id column plus title and/or genres columns)"
DATA_SUFFIXES = {".csv", ".tsv", ".dat", ".txt", ".data", ".parquet", ".pq", ".gz", ".psv", ".json", ".jsonl",
                 ".ndjson", ""}

ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
    "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
]


# --------------------------------------------------------------------- sources
@dataclass
class Blob:
    """One readable file: a path on disk or bytes in memory, with the name used in messages.

    `sibling(name)` finds another file in the same folder (or archive folder), so that a
    ratings file can pick up the item table stored next to it.
    """

    name: str
    path: Path | None = None
    data: bytes | None = None
    folder: Callable[[str], Blob | None] | None = None
    container: str | None = None  # "gzip", "zip archive", ... for the report

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name.replace("\\", "/").split(":")[-1]).name

    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.data or b"")

    def head(self, n: int = HEAD_BYTES) -> bytes:
        if self.path is not None:
            with open(self.path, "rb") as fh:
                return fh.read(n)
        return (self.data or b"")[:n]

    def read(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else (self.data or b"")

    def stream(self):
        """An Arrow input stream (never decompressed by file extension: that was done already)."""
        if self.path is not None:
            return pa.input_stream(str(self.path), compression=None)
        return pa.BufferReader(self.data or b"")

    def sibling(self, name: str) -> Blob | None:
        return self.folder(name) if self.folder is not None else None


def _folder_lookup(directory: Path) -> Callable[[str], Blob | None]:
    def find(name: str) -> Blob | None:
        for candidate in (directory / name, directory / (name + ".gz")):
            if candidate.is_file():
                return Blob(str(candidate), path=candidate, folder=find)
        return None

    return find


def open_source(source, ratings_names: tuple[str, ...]) -> Blob:
    """A Blob for a path, a folder (holding one of `ratings_names`), bytes or a file object."""
    if isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        if path.is_dir() and not ratings_names:
            raise DataError(f"{path}: this is a folder; pass the path of the item table file itself.")
        if path.is_dir():
            folder = _folder_lookup(path)
            for name in ratings_names:
                found = folder(name)
                if found is not None:
                    return found
            raise DataError(
                f"{path}: this folder holds none of the known ratings files "
                f"({', '.join(ratings_names)}); pass the path of the interactions file itself."
            )
        if not path.exists():
            raise DataError(f"{path}: no such file; check the path.")
        if not path.is_file():  # a device or a pipe: it has no size and cannot be read in chunks
            raise DataError(f"{path}: not a regular file; save the data to a file and pass its path.")
        return Blob(str(path), path=path, folder=_folder_lookup(path.parent))
    if isinstance(source, bytes | bytearray | memoryview):
        return Blob("<bytes>", data=bytes(source))
    if hasattr(source, "read") or hasattr(source, "getvalue"):
        name = str(getattr(source, "name", None) or "<uploaded file>")
        if hasattr(source, "getvalue"):
            data = source.getvalue()
        else:
            if hasattr(source, "seek"):
                try:
                    source.seek(0)
                except (OSError, ValueError):
                    pass  # an unseekable stream is read from where it stands
            data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return Blob(name, data=bytes(data))
    raise DataError(
        f"cannot load interactions from a {type(source).__name__}; pass a file path, an uploaded "
        "file, bytes or a pandas DataFrame."
    )


def _strip_suffix(name: str, suffix: str) -> str:
    return name[: -len(suffix)] if name.lower().endswith(suffix) else name


SizeCheck = Callable[[str, int], None]


def _no_check(name: str, size: int) -> None:
    return None


def unwrap(blob: Blob, ratings_names: tuple[str, ...], check_size: SizeCheck = _no_check) -> Blob:
    """Decompress gzip / bz2 / xz and pick the interactions file out of a zip archive.

    `check_size(name, uncompressed bytes)` runs before anything is decompressed, so that a file
    too big for memory is refused before it is expanded (sizes are estimates for bz2 / xz).
    """
    head = blob.head(8)
    decompressors = (
        (b"\x1f\x8b", "gzip", gzip.decompress, ".gz"),
        (b"BZh", "bzip2", bz2.decompress, ".bz2"),
        (b"\xfd7zXZ\x00", "xz", lzma.decompress, ".xz"),
    )
    for magic, kind, decompress, suffix in decompressors:
        if head.startswith(magic):
            check_size(blob.name, _uncompressed_size(blob, kind))
            try:
                data = decompress(blob.read())
            except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
                raise UnreadableFile(
                    f"{blob.name}: the {kind} data is damaged or cut short ({exc}); "
                    "download or compress the file again."
                ) from None
            inner = Blob(_strip_suffix(blob.name, suffix), data=data, folder=blob.folder,
                         container=f"{kind}-compressed")
            return unwrap(inner, ratings_names, check_size)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _from_zip(blob, ratings_names, check_size)
    return blob


def _uncompressed_size(blob: Blob, kind: str) -> int:
    """gzip stores the size mod 2**32 in its last 4 bytes; bz2 / xz are guessed at 5x."""
    size = blob.size()
    if kind == "gzip" and size >= 4:
        if blob.path is not None:
            with open(blob.path, "rb") as fh:
                fh.seek(-4, os.SEEK_END)
                tail = fh.read(4)
        else:
            tail = blob.data[-4:]
        return max(int.from_bytes(tail, "little"), size)
    return 5 * size


def _from_zip(blob: Blob, ratings_names: tuple[str, ...], check_size: SizeCheck) -> Blob:
    try:
        archive = zipfile.ZipFile(blob.path if blob.path is not None else io.BytesIO(blob.data))
        members = [
            m for m in archive.namelist()
            if not m.endswith("/") and "__MACOSX" not in m and not PurePosixPath(m).name.startswith(".")
        ]
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"{blob.name}: damaged zip archive ({exc}); create the archive again.") from None
    if any(m.startswith("xl/") or m == "[Content_Types].xml" for m in members):
        raise UnreadableFile(f"{blob.name}: this is an Excel workbook; save the sheet as CSV and load that.")
    known = [m for m in members if PurePosixPath(m).name in ratings_names]
    if len(known) > 1:  # e.g. a full and a small variant of one dataset: which one is a guess
        raise UnreadableFile(
            f"{blob.name}: the zip archive holds {len(known)} ratings files ({', '.join(known)}); "
            "upload one of them (or an archive of its own folder)."
        )
    chosen = known[0] if known else None
    if chosen is None:
        data_like = [m for m in members if PurePosixPath(m).suffix.lower() in DATA_SUFFIXES
                     and "readme" not in m.lower()]
        if len(data_like) != 1:
            listed = ", ".join(members[:10]) + (" ..." if len(members) > 10 else "")
            which = "none is a known ratings file; put a single interactions file" if ratings_names \
                else "not one item table; put the item table alone"
            held = (f"holds {len(members)} file{'s' if len(members) != 1 else ''} ({listed})" if members
                    else "holds no file")
            raise UnreadableFile(
                f"{blob.name}: the zip archive {held} and {which} in "
                "the archive, or unzip it and load the file itself."
            )
        chosen = data_like[0]

    def member_blob(member: str) -> Blob:
        check_size(f"{blob.name}:{member}", archive.getinfo(member).file_size)
        try:
            data = archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise UnreadableFile(f"{blob.name}: cannot read {member} from the archive ({exc}); create the archive "
                                 "again.") from None
        return Blob(f"{blob.name}:{member}", data=data, folder=sibling, container="zip archive")

    def sibling(name: str) -> Blob | None:
        parent = PurePosixPath(chosen).parent
        member = str(parent / name) if str(parent) != "." else name
        return member_blob(member) if member in members else None

    return unwrap(member_blob(chosen), ratings_names, check_size)


def is_parquet(blob: Blob) -> bool:
    return blob.head(4) == b"PAR1"


def utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text written without its byte-order mark (some Windows exports),
    known by the NUL byte beside each character of Latin text; None otherwise (it was refused as binary, and no
    reading option could help)."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    odd, even = head[1:2 * pairs:2], head[0:2 * pairs:2]
    # Most characters of a Latin table have a NUL beside them, not all: a file of names with accents and
    # typographic quotes (’ is 0x2019) had 10-15% without one, and was refused as binary.
    if odd.count(0) >= 0.6 * pairs and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.6 * pairs and odd.count(0) == 0:
        return "utf-16-be"
    return None


NUL = b"\x00"


def check_text(blob: Blob, wanted: str = INTERACTIONS) -> Blob:
    """DataError for empty or binary files; UTF-16 text is re-encoded as UTF-8."""
    head = blob.head()
    codec = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else utf16_without_bom(head)
    if codec is not None:
        try:
            text = blob.read().decode(codec)
        except UnicodeDecodeError:
            raise UnreadableFile(f"{blob.name}: damaged UTF-16 text; save the file as UTF-8 CSV.") from None
        return Blob(blob.name, data=text.encode("utf-8"), folder=blob.folder, container=blob.container)
    if blob.size() == 0 or not head.strip():
        raise UnreadableFile(f"{blob.name}: the file is empty; choose {wanted}.")
    if b"\r" in head and b"\n" not in head:  # lines ended by CR alone (old Mac exports): read as one line otherwise
        return Blob(blob.name, data=blob.read().replace(b"\r", b"\n"), folder=blob.folder, container=blob.container)
    control = sum(head.count(bytes([c])) for c in (*range(0, 9), *range(14, 32)) if c != 0x1F)
    nuls = head.count(NUL)
    if nuls and control - nuls <= 0.02 * len(head) and nuls <= max(3, 0.01 * len(head)):
        # text with a stray NUL or two: where it is, not "binary" of a head that is plain text
        raise UnreadableFile(
            f"{blob.name}: the file holds a NUL byte (the first at byte {head.index(NUL):,}), which a text table "
            "does not: it is damaged, or text in another encoding. Save the data again as UTF-8 CSV/TSV or Parquet.")
    if b"\x00" in head or control > 0.02 * len(head):
        raise UnreadableFile(
            f"{blob.name}: this is not a text table or a Parquet file (its first bytes are binary: "
            f"{head[:12]!r}). Save the data as CSV/TSV (optionally gzip or zip compressed) or Parquet."
        )
    return blob


# --------------------------------------------------------------------- delimited text
@dataclass
class Dialect:
    """How a delimited text file is written, as sniffed from its first lines (or as given)."""

    delimiter: str
    header: bool
    encoding: str
    names: list[str]
    sample: list[list[str]] = field(default_factory=list)  # first data rows, split into fields
    quoted: bool = True
    mean_line_bytes: float = 32.0
    # fields split by runs of spaces (columns aligned for reading): read as one; the delimiter is then
    # " " (every run splits), or ALIGNED_GAP_STANDIN (only ALIGNED_GAP runs do: fields hold single spaces)
    aligned: bool = False


def _decode_head(head: bytes, encoding: str | None, complete: bool) -> tuple[str, str]:
    if not complete and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    if encoding:
        try:
            return head.decode(encoding, errors="replace"), encoding
        except LookupError:
            raise DataError(f"unknown text encoding {encoding!r}; try 'utf-8' or 'latin-1'.") from None
    try:
        return head.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return head.decode(LEGACY_ENCODING), LEGACY_ENCODING


def split_fields(line: str, delimiter: str, quoted: bool = True) -> list[str]:
    if len(delimiter) > 1 or not quoted:
        return line.split(delimiter)
    return next(csv.reader([line], delimiter=delimiter), [])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() != ""


def sniff(blob: Blob, *, delimiter: str | None, header: bool | None, encoding: str | None,
          header_words: set[str], quoted: bool = True, wanted: str = INTERACTIONS) -> Dialect:
    """Delimiter, header and column names from the first lines of the file."""
    head = blob.head()
    complete = len(head) >= blob.size()
    text, encoding = _decode_head(head, encoding, complete)
    lines = [line for line in text.splitlines() if line.strip()][:200]
    if not lines:
        raise UnreadableFile(f"{blob.name}: the file is empty; choose {wanted}.")
    # columns aligned with runs of spaces ("  1   10  5"): one space would give empty fields
    split = _aligned(lines) if delimiter in (None, " ") else None
    aligned = split in (" ", ALIGNED_GAP_STANDIN)
    if aligned:
        lines, delimiter = [split.join(aligned_fields(line, split)) for line in lines], split
    if delimiter is None:
        try:
            delimiter = _sniff_delimiter(blob.name, lines, quoted, wanted)
        except DataError:
            if split != "ambiguous":
                raise
            delimiter = " "
        if split == "ambiguous" and delimiter == " ":
            raise DataError(
                f"{blob.name}: the columns are aligned with spaces, but the lines do not split alike on runs "
                "of spaces (fields that hold spaces where columns are one space apart, or empty fields), so "
                f"where a field ends is a guess (first line: {lines[0][:80]!r}). Save the table with a "
                "delimiter between fields (a tab or a comma: TSV or CSV, as pandas' to_csv writes) and load that."
            )
    rows = [split_fields(line, delimiter, quoted) for line in lines]
    if header is None:
        header = _looks_like_header(rows, header_words)
    width = max(len(r) for r in rows[:50])
    if header:
        names = [c.strip().strip('"') or f"column_{k + 1}" for k, c in enumerate(rows[0])]
        seen: dict[str, int] = {}
        for k, n in enumerate(names):  # Arrow needs unique names
            if n in seen:
                names[k] = f"{n}_{k + 1}"
            seen[names[k]] = k
        sample = rows[1:]
    else:
        names = [f"column_{k + 1}" for k in range(width)]
        sample = rows
    mean_line = len(head) / max(head.count(b"\n"), 1)  # every line, not only the 200 kept
    return Dialect(delimiter, bool(header), encoding, names, sample, quoted, max(mean_line, 4.0), aligned)


def aligned_fields(line: str, delimiter: str) -> list[str]:
    """The fields of a line of aligned columns: split on every run of spaces and tabs (delimiter " "),
    or on runs of two or more spaces or with a tab (ALIGNED_GAP_STANDIN)."""
    return line.split() if delimiter == " " else ALIGNED_GAP.split(line.strip())


def _aligned(lines: list[str]) -> str | None:
    """How fields split where they are aligned with runs of spaces or tabs (no other delimiter): " "
    where every run splits them, ALIGNED_GAP_STANDIN where only runs of two or more spaces (or with a
    tab) do ("user id   item id": names or values hold single spaces), "ambiguous" where neither splits
    the lines into the same number (>= 2) of fields, None where they are not so aligned."""
    sample = lines[:100]
    if any(c in line for line in sample for c in ",;|"):
        return None
    tabs = [len(line.split("\t")) for line in sample]
    if min(tabs) >= 2 and tabs.count(max(set(tabs), key=tabs.count)) >= 0.9 * len(sample):
        return None  # tab-separated, empty fields and all
    runs = sum(bool(re.search(r"\S\s{2,}\S|^\s+\S", line)) for line in sample)
    if runs < 0.5 * len(sample):
        return None

    def regular(counts: list[int], share: float) -> bool:
        values, freq = np.unique(counts, return_counts=True)
        return values[np.argmax(freq)] >= 2 and freq.max() >= share * len(counts)

    every_run = [len(line.split()) for line in sample]
    wide_runs = [len(ALIGNED_GAP.split(line.strip())) for line in sample]
    # every line alike first (a header of names with a space is a line unlike the rows); then the same
    # with a few broken lines, which are reported as such
    for share in (1.0, 0.9):
        if regular(every_run, share):
            return " "
        if regular(wide_runs, share):
            return ALIGNED_GAP_STANDIN
    return "ambiguous"


def _sniff_delimiter(name: str, lines: list[str], quoted: bool, wanted: str) -> str:
    """The first candidate (in CANDIDATE_DELIMITERS order) that splits >= 90% of lines into the
    same number (>= 2) of fields; failing that, the most consistent one above 50% (a file with a
    few broken lines still gets its delimiter, and the broken lines are reported later)."""
    consistency: dict[str, float] = {}
    fields: dict[str, int] = {}
    for candidate in CANDIDATE_DELIMITERS:
        counts = [len(split_fields(line, candidate, quoted)) for line in lines[:100]]
        values, freq = np.unique(counts, return_counts=True)
        if values[np.argmax(freq)] >= 2:
            consistency[candidate] = float(freq.max()) / len(counts)
            fields[candidate] = int(values[np.argmax(freq)])
    regular = [c for c in CANDIDATE_DELIMITERS if consistency.get(c, 0.0) >= 0.9]
    if regular:
        # of two that split every line alike, the one giving more fields: u0;i0;4,5 splits on the
        # comma too, into two fields (a decimal comma in every rating), on the semicolon into three.
        # A space only when nothing else does: titles of three words split alike too
        marks = [c for c in regular if c != " "] or regular
        return max(marks, key=lambda c: fields[c])
    rough = sorted((c for c in consistency if consistency[c] >= 0.5), key=lambda c: -consistency[c])
    if rough:
        return rough[0]
    raise DataError(
        f"{name}: cannot find the column delimiter: lines do not split consistently on comma, "
        "tab, semicolon, pipe or '::' (first line: "
        f"{lines[0][:80]!r}). Give it with delimiter=..., or check that this is {wanted}."
    )


def _looks_like_header(rows: list[list[str]], header_words: set[str]) -> bool:
    first = rows[0]
    if any(normalize_name(c) in header_words for c in first):
        return True
    rest = rows[1:51]
    if not rest:
        return not any(_is_number(c) for c in first)
    for col, value in enumerate(first):
        column = [r[col] for r in rest if col < len(r)]
        if column and not _is_number(value) and sum(map(_is_number, column)) >= 0.9 * len(column):
            return True
    return False


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


def first_non_utf8_line(blob: Blob) -> int | None:
    """1-based number of the first line that is not UTF-8 (None if all is; only on that path)."""
    decoder, lines, stream = codecs.getincrementaldecoder("utf-8")(), 0, blob.stream()
    try:
        while block := stream.read(1 << 24):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:  # exc.start counts from a character kept from the last block
                kept = len(exc.object) - len(block)
                return lines + exc.object.count(b"\n", kept, exc.start) + 1
            lines += block.count(b"\n")
    finally:
        stream.close()
    return None


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


# --------------------------------------------------------------------- known layouts
@dataclass(frozen=True)
class Layout:
    """A dataset whose files are recognised by name, with no column mapping needed."""

    name: str
    ratings_file: str
    delimiter: str
    header: bool
    names: tuple[str | None, ...]  # user, item, rating, timestamp columns (as named or positioned)
    items_file: str | None
    read_items: Callable[[Blob], pd.DataFrame] | None
    encoding: str | None = None

    def matches(self, blob: Blob) -> bool:
        if blob.basename.lower() != self.ratings_file:
            return False
        first = blob.head(4096).split(b"\n", 1)[0].decode("latin-1")
        if self.header:
            return all(n.lower() in first.lower() for n in self.names[:2])
        return len(split_fields(first.strip(), self.delimiter, False)) == len(self.names)


# What went wrong in an item table, kept with it (`DataFrame.attrs`) until a load report takes it;
# each such warning starts so, so that a report can drop those of a table it no longer uses.
ITEM_TABLE_WARNINGS = "warnings"
ITEM_TABLE_WARNING = "Item table "


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


def split_genres(values: pd.Series, separator: str = "|") -> pd.Series:
    """'Action|Comedy' → ['Action', 'Comedy']; blanks and '(no genres listed)' → []."""
    def parse(text) -> list[str]:
        if not isinstance(text, str) or text.strip() in ("", "(no genres listed)"):
            return []
        return [g.strip() for g in text.split(separator) if g.strip()]
    return values.map(parse).astype(object)


def read_ml100k_items(blob: Blob) -> pd.DataFrame:
    genre_names = list(ML100K_GENRES)
    genre_file = blob.sibling("u.genre")
    if genre_file is not None:
        listed = [line.split("|")[0] for line in genre_file.read().decode("latin-1").splitlines()
                  if "|" in line]
        if len(listed) == 19:
            genre_names = listed
    names = ["item_id", "title", "release_date", "video_release_date", "imdb_url", *genre_names]
    frame = read_text_table(blob, "|", names, False, False, "latin-1")
    flags = frame[genre_names].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0
    genres = [[genre_names[k] for k in np.flatnonzero(row)] for row in flags]
    out = frame[["item_id", "title", "release_date", "imdb_url"]].copy()
    out["genres"] = pd.Series(genres, dtype=object)
    out["item_id"] = pd.to_numeric(out["item_id"], errors="coerce").astype("Int64")
    return out.dropna(subset=["item_id"]).astype({"item_id": np.int64})


def read_movielens_dat_items(blob: Blob) -> pd.DataFrame:
    frame = read_text_table(blob, "::", ["item_id", "title", "genres"], False, False)
    frame["genres"] = split_genres(frame["genres"])
    frame["item_id"] = pd.to_numeric(frame["item_id"], errors="coerce")
    return frame.dropna(subset=["item_id"]).astype({"item_id": np.int64})


def read_movielens_csv_items(blob: Blob) -> pd.DataFrame:
    frame = read_text_table(blob, ",", None, True, True)
    frame = frame.rename(columns={"movieId": "item_id"})
    if "genres" in frame.columns:  # some exports have id and title only
        frame["genres"] = split_genres(frame["genres"])
    frame["item_id"] = pd.to_numeric(frame["item_id"], errors="coerce")
    return frame.dropna(subset=["item_id"]).astype({"item_id": np.int64})


def read_lastfm_items(blob: Blob) -> pd.DataFrame:
    frame = read_text_table(blob, "\t", None, True, False)
    frame = frame.rename(columns={"id": "item_id", "name": "title", "pictureURL": "picture_url"})
    frame["item_id"] = pd.to_numeric(frame["item_id"], errors="coerce")
    return frame.dropna(subset=["item_id"]).astype({"item_id": np.int64})


LAYOUTS = (
    Layout("MovieLens 100K (u.data + u.item)", "u.data", "\t", False,
           ("user", "item", "rating", "timestamp"), "u.item", read_ml100k_items, "latin-1"),
    Layout("MovieLens 1M/10M (ratings.dat + movies.dat)", "ratings.dat", "::", False,
           ("user", "item", "rating", "timestamp"), "movies.dat", read_movielens_dat_items),
    Layout("MovieLens latest (ratings.csv + movies.csv)", "ratings.csv", ",", True,
           ("userId", "movieId", "rating", "timestamp"), "movies.csv", read_movielens_csv_items),
    Layout("Last.fm hetrec 2011 (user_artists.dat + artists.dat)", "user_artists.dat", "\t", True,
           ("userID", "artistID", "weight", None), "artists.dat", read_lastfm_items),
)
RATINGS_FILES = tuple(layout.ratings_file for layout in LAYOUTS)


def detect_layout(blob: Blob) -> Layout | None:
    return next((layout for layout in LAYOUTS if layout.matches(blob)), None)
