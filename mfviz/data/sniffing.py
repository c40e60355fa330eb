"""Sniffing delimited text: the delimiter, the header and the column names, from a file's first lines."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

import numpy as np

from mfviz.data.columns import normalize_name
from mfviz.data.sources import INTERACTIONS, Blob
from mfviz.data.text_encoding import LEGACY_ENCODING
from mfviz.errors import DataError, UnreadableFile

# Aligned columns whose names or values hold single spaces ("user id", "2020-04-13 10:00") are split
# on runs of two or more spaces, or on any run holding a tab; such a run is rewritten to this byte.
ALIGNED_GAP_STANDIN = "\x1e"
ALIGNED_GAP = re.compile(r"[ \t]*\t[ \t]*| {2,}")
CANDIDATE_DELIMITERS = ("::", "\t", ",", ";", "|", " ")


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
