"""Opening a source: a path, a folder, bytes or an upload as a Blob, unwrapped from gzip, bz2, xz or a zip archive."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pyarrow as pa

from mfviz.errors import DataError, UnreadableFile

HEAD_BYTES = 1 << 16  # bytes read to sniff a file
# What a file must hold, for messages: an interactions file, or (items=...) an item table.
INTERACTIONS = "a file with one interaction per line"
ITEM_TABLE = "an item table (an item id column plus title and/or genres columns)"
# Files of a zip archive that may hold the data, when none has a known ratings file's name.
DATA_SUFFIXES = {".csv", ".tsv", ".dat", ".txt", ".data", ".parquet", ".pq", ".gz", ".psv", ".json", ".jsonl",
                 ".ndjson", ""}


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
    # picked from an archive by its columns: the item table beside it, and what was taken, for the report
    item_table: Blob | None = None
    notes: tuple[str, ...] = ()

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
    table = notes = None
    data_like = [m for m in members if PurePosixPath(m).suffix.lower() in DATA_SUFFIXES and "readme" not in m.lower()]
    if chosen is not None and len(data_like) > 1 and not _known_pair_fits(archive, chosen, members):
        # named like a known dataset's ratings file, but it or its item table has other columns (an analyst's
        # ratings.csv beside items.csv): the files' columns decide; the name only when they cannot
        try:
            picked, table, notes = _by_columns(blob.name, archive, data_like)
        except UnreadableFile:
            picked = chosen
        if picked == chosen and table is None:  # read by its name, as before (the layout's note says what lacks)
            notes = None
        chosen = picked
    if chosen is None:
        if len(data_like) > 1 and ratings_names:  # an export with its item table: told apart by their columns
            chosen, table, notes = _by_columns(blob.name, archive, data_like)
        elif len(data_like) != 1:
            listed = ", ".join(members[:10]) + (" ..." if len(members) > 10 else "")
            which = "none is a known ratings file; put a single interactions file" if ratings_names \
                else "not one item table; put the item table alone"
            held = (f"holds {len(members)} file{'s' if len(members) != 1 else ''} ({listed})" if members
                    else "holds no file")
            raise UnreadableFile(
                f"{blob.name}: the zip archive {held} and {which} in "
                "the archive, or unzip it and load the file itself."
            )
        else:
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

    found = unwrap(member_blob(chosen), ratings_names, check_size)
    if notes is not None:
        found.item_table, found.notes = (member_blob(table) if table is not None else None), (notes,)
    return found


def _known_pair_fits(archive: zipfile.ZipFile, ratings: str, members: list[str]) -> bool:
    """Whether a known ratings file's name (ratings.csv) tells the truth: its first line is its dataset's, and
    that dataset's item table (movies.csv) lies beside it and reads as that dataset's."""
    # imported here: layouts read Blobs of this module
    from mfviz.data import layouts

    layout = next(x for x in layouts.LAYOUTS if x.ratings_file == PurePosixPath(ratings).name)
    parent = PurePosixPath(ratings).parent
    items = str(parent / layout.items_file) if str(parent) != "." else layout.items_file
    try:
        if not layout.matches(Blob(ratings, data=_member_head(archive, ratings))):
            return False
        return items in members and layout.items_fit(Blob(items, data=_member_head(archive, items)))
    except (zipfile.BadZipFile, OSError, EOFError):  # a damaged member: said when it is read
        return True


def _member_head(archive: zipfile.ZipFile, member: str) -> bytes:
    """A member's first HEAD_BYTES, whole lines only."""
    with archive.open(member) as stream:
        head = stream.read(HEAD_BYTES)
    return head[:head.rindex(b"\n") + 1] if len(head) == HEAD_BYTES and b"\n" in head else head


def _by_columns(name: str, archive: zipfile.ZipFile, members: list[str]) -> tuple[str, str | None, str]:
    """(interactions member, item table member or None, what was taken) judged by each file's columns."""
    # imported here: it reads files with the sniffer, which reads Blobs of this module
    from mfviz.data import archive_members

    judged = []
    for member in members:
        info = archive.getinfo(member)
        try:
            with archive.open(member) as stream:
                head = stream.read(HEAD_BYTES)
                # a Parquet file's columns are in its footer: read through the member (seekable), not expanded
                judged_parquet = archive_members.judge_parquet(member, stream) if head[:4] == b"PAR1" else None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise UnreadableFile(f"{name}: cannot read {member} from the archive ({exc}); create the archive "
                                 "again.") from None
        if judged_parquet is not None:
            judged.append(judged_parquet)
            continue
        if head[:2] == b"\x1f\x8b":  # a gzipped member: its columns are inside
            try:
                with archive.open(member) as packed, gzip.GzipFile(fileobj=packed) as stream:
                    head = stream.read(HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError):  # judged by its first bytes, then: no table
                pass
        judged.append(archive_members.judge(member, head, info.file_size))
    chosen, table, said = archive_members.choose(PurePosixPath(name.replace("\\", "/")).name, judged)
    return chosen.name, (table.name if table is not None else None), said


def is_parquet(blob: Blob) -> bool:
    return blob.head(4) == b"PAR1"
