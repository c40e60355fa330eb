"""Which file of a zip archive holds the interactions and which the item table, judged by their columns."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from mfviz.data import sniffing
from mfviz.data.columns import (
    GENRE_NAMES,
    HEADER_WORDS,
    NAME_WORDS,
    ROLES,
    SYNONYMS,
    TITLE_NAMES,
    map_columns,
    normalize_name,
)
from mfviz.data.sources import Blob
from mfviz.errors import DataError, UnreadableFile

# An interactions file this many times longer than every other one that also has user and item columns is
# the interactions (a log beside a small sample or a per-user summary); closer, which one is meant is a guess.
CLEARLY_LONGER = 10


@dataclass
class Member:
    """One file of an archive as its first rows show it: its columns, about how many rows, and what it is:
    "interactions" (user and item columns), "items" (an item id column, no user column) or None."""

    name: str
    kind: str | None
    columns: list[str]
    rows: int

    def words(self) -> str:
        shown = ", ".join(self.columns[:6]) + (", …" if len(self.columns) > 6 else "")
        rows = float(f"{self.rows:.2g}")  # an estimate from the file size: 100,000, not 103,556
        return f"{self.name} (columns {shown}; about {rows:,.0f} row{'s' if rows != 1 else ''})" if self.columns \
            else self.name


def judge_parquet(name: str, stream) -> Member:
    """What a Parquet file is, from its footer, read through a seekable file object."""
    try:
        parquet = pq.ParquetFile(stream)
        return _member(name, list(parquet.schema_arrow.names), [], parquet.metadata.num_rows)
    except (pa.ArrowException, OSError, ValueError):
        return Member(name, None, [], 0)


def judge(name: str, head: bytes, size: int) -> Member:
    """What a text file is, from its first bytes (`size`: all of it, for a row estimate)."""
    try:
        dialect = sniffing.sniff(Blob(name, data=head), delimiter=None, header=None, encoding=None,
                                 header_words=HEADER_WORDS, quoted=True)
    except (DataError, ValueError, UnicodeError):
        return Member(name, None, [], 0)
    rows = max(round(size / max(dialect.mean_line_bytes, 1.0)) - int(dialect.header), 0)  # the header is no row
    if not dialect.header:  # columns by position only: what it is cannot be told from names
        return Member(name, None, [], rows)
    return _member(name, dialect.names, dialect.sample, rows)


def _member(name: str, columns: list[str], sample: list[list[str]], rows: int) -> Member:
    try:
        map_columns(columns, True, sample, dict.fromkeys(ROLES), name)
        return Member(name, "interactions", columns, rows)
    except DataError:
        pass
    normalized = [normalize_name(c) for c in columns]
    has_item = any(n in SYNONYMS["item"] or any(w in n for w in NAME_WORDS["item"]) or n in ("id", "itemid")
                   for n in normalized)
    described = any(n in TITLE_NAMES or n in GENRE_NAMES for n in normalized)
    return Member(name, "items" if has_item or described else None, columns, rows)


def choose(archive: str, members: list[Member]) -> tuple[Member, Member | None, str]:
    """(the interactions file, the item table or None, what was taken, for the load report), or UnreadableFile
    saying what each file looks like and how to choose when no one file, or more than one, holds interactions."""
    found = sorted((m for m in members if m.kind == "interactions"), key=lambda m: -m.rows)
    listed = "; ".join(m.words() for m in members)
    if not found:
        raise UnreadableFile(f"{archive}: the zip archive holds {len(members)} files and none has user and item "
                             f"columns ({listed}). Put the interactions file alone in the archive, or unzip it and load "
                             "that file itself (its columns can then be chosen).")
    if len(found) > 1 and found[0].rows < CLEARLY_LONGER * found[1].rows:
        raise UnreadableFile(f"{archive}: the zip archive holds {len(found)} files with user and item columns "
                        f"({'; '.join(m.words() for m in found)}), and which holds the interactions is a guess. "
                        "Unzip it and load the one you mean (an item table can go in as the item metadata).")
    chosen = found[0]
    tables = [m for m in members if m.kind == "items"]
    table = tables[0] if len(tables) == 1 else None
    said = f"{archive} holds {len(members)} files: took {chosen.words()} as the interactions"
    if table is not None:
        said += f" and {table.words()} as the item table"
    elif len(tables) > 1:
        said += (f"; {len(tables)} files look like item tables ({', '.join(m.name for m in tables)}), so none was "
                 "taken: load the one you mean as the item metadata")
    others = [m.name for m in members if m is not chosen and m is not table and m not in tables]
    if others:
        said += f"; not used: {', '.join(others)}"
    return chosen, table, said + "."
