"""Cached reading of an uploaded interactions file: parsed, previewed as the loader reads it, its column names."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

import mfviz
import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call


@st.cache_data(show_spinner=False, max_entries=8)
def parse_upload(content_key: str, _content: bytes, file_name: str, overrides: tuple,
                 metadata_key: str = "", _metadata: bytes | None = None, metadata_name: str = ""):
    """Interactions from uploaded bytes; DataError propagates (errors are not cached)."""
    source = io.BytesIO(_content)
    source.name = file_name
    kwargs = dict(overrides)
    if _metadata is not None:
        meta = io.BytesIO(_metadata)
        meta.name = metadata_name
        kwargs["items"] = meta
    return mfviz.load_interactions(source, **kwargs)


PREVIEW_BYTES = 256 * 1024  # of a compressed file or a zip's member, decompressed for the preview


class _Peeked(Exception):
    """Raised by `_peek`'s size check before `sources.unwrap` expands anything."""


def _peek(content: bytes):
    """The file the loader would read out of `content` (gzip, bz2 or xz decompressed, a zip's interactions file
    picked as the loader picks it), as a Blob of at most its first PREVIEW_BYTES when it had to be expanded:
    expanding a whole 90 MB .gz for eight rows took 0.9 s and 457 MB more memory at every upload."""
    import bz2
    import gzip
    import lzma
    import zipfile

    from mfviz.data import layouts, sources
    from mfviz.data.sources import Blob

    asked = []

    def peek(name: str, size: int) -> None:  # unwrap's size check, called before any expansion
        asked.append(name)
        raise _Peeked

    try:
        return sources.unwrap(Blob("preview", data=content), layouts.RATINGS_FILES, peek)  # nothing to expand
    except _Peeked:
        pass
    head = content[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(asked[0].split(":", 1)[1]) as member:
            return _peek(member.read(PREVIEW_BYTES))
    opener = (lambda f: gzip.GzipFile(fileobj=f)) if head.startswith(b"\x1f\x8b") else \
        bz2.BZ2File if head.startswith(b"BZh") else lzma.LZMAFile
    with opener(io.BytesIO(content)) as stream:
        return Blob("preview", data=stream.read(PREVIEW_BYTES))


@st.cache_data(show_spinner=False, max_entries=8)
def preview_frame(content_key: str, _content: bytes, rows: int = 8) -> pd.DataFrame:
    """The first rows of an uploaded file as the loader reads it, so that the column positions picked under it are
    the loader's: compressed files decompressed and a zip's interactions file picked out as the loader does; a
    Parquet file's column names, then its first rows; JSON's field names, then the first records' values, one
    column per field, in the loader's order; text as the delimiter sniffer splits it. (The raw bytes split as
    text showed "PAR1…" and compressed bytes, and JSON Lines cut at 200 KB split on its commas.)"""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mfviz.data import json_records, sniffing, sources, text_encoding
    from mfviz.data.sources import Blob

    try:
        blob = _peek(_content)
    except Exception:  # noqa: BLE001 - a preview must never fail the page (the load says what is wrong)
        blob = Blob("preview", data=_content)
    if sources.is_parquet(blob):
        try:
            parquet = pq.ParquetFile(pa.BufferReader(blob.read()))
            first = next(parquet.iter_batches(batch_size=rows), None)
            values = [] if first is None else first.to_pandas().astype(str).values.tolist()
            return pd.DataFrame([list(parquet.schema_arrow.names), *values], dtype=str)
        except Exception:  # noqa: BLE001 - a preview must never fail the page
            return pd.DataFrame({"line": ["(a Parquet file whose first rows cannot be read)"]})
    if json_records.is_json(blob):
        try:
            found = json_records.sample(blob)
            return pd.DataFrame([found.names, *found.sample[:rows]])
        except Exception:  # noqa: BLE001 - a preview must never fail the page
            pass
    head = blob.head(200_000)
    if len(head) == 200_000 and b"\n" in head:
        head = head[:head.rindex(b"\n") + 1]  # whole lines only: the last may be cut
    blob = Blob("preview", data=head)
    try:  # split as the loader's sniffer splits (the mapping below picks columns by these positions): columns
        # aligned with runs of two or more spaces ("user id   item id   rating") are 3, not 6 words
        dialect = sniffing.sniff(text_encoding.check_text(blob), delimiter=None, header=False, encoding=None,
                                 header_words=set())
        if dialect.sample:
            return pd.DataFrame(dialect.sample[: rows + 1], dtype=str)
    except Exception:  # noqa: BLE001 - a preview must never fail the page: then as pandas reads it
        pass
    text = head.decode("latin-1", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()][: rows + 1]
    sample = "\n".join(lines)
    for sep in ("\t", ",", ";", "|", "::"):
        if sep in sample:
            break
    else:
        sep = r"\s+"
    try:
        return pd.read_csv(io.StringIO(sample), sep=sep, header=None, engine="python", dtype=str)
    except Exception:  # noqa: BLE001 - a preview must never fail the page
        return pd.DataFrame({"line": lines})


@st.cache_data(show_spinner=False, max_entries=8)
def header_names(content_key: str, _content: bytes, header: bool | None = None,
                 delimiter: str | None = None) -> list[str] | None:
    """The uploaded file's column names when it has them as the loader reads it (a header line, detected or as
    `header` says; Parquet's and JSON's names), so that Column mapping picks columns by name; None for a file
    whose columns are known by position only (no header), or one that cannot be read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mfviz.data import json_records, sniffing, sources, text_encoding
    from mfviz.data.columns import HEADER_WORDS

    if header is False:
        return None
    try:
        blob = _peek(_content)
        if sources.is_parquet(blob):
            return list(pq.ParquetFile(pa.BufferReader(blob.read())).schema_arrow.names)
        if json_records.is_json(blob):
            return list(json_records.sample(blob).names)
        dialect = sniffing.sniff(text_encoding.check_text(blob), delimiter=delimiter, header=header, encoding=None,
                                 header_words=HEADER_WORDS)
    except Exception:  # noqa: BLE001 - the mapping must never fail the page: then by position
        return None
    return list(dialect.names) if dialect.header else None
