"""Cached wrappers over mfviz: every expensive result is keyed by the content hash of its inputs.

Arguments whose name starts with "_" are not hashed by Streamlit; each such argument comes with a
`*_key` argument (a content hash from `state`) that identifies it. So a result is shared only
between calls on identical content, never looked up by session, and switching pages is instant.
"""

from __future__ import annotations

import io
import logging
import os

import numpy as np
import pandas as pd
import streamlit as st
from threadpoolctl import threadpool_limits

import mfviz
from mfviz.dashboard import startup, state
from mfviz.dashboard.waiting import waited

# One BLAS thread for the whole server process. On a busy 2-core machine OpenBLAS's spinning worker
# threads fight the page runs, numba's threads and each other: measured on MovieLens 100K under
# load, the k=100 data spectrum took 5.5 s with the default threads and 0.6 s with one, a model
# spectrum 2.4 s vs 0.02 s, iALS training the same. threadpoolctl only reaches libraries already
# loaded, so SciPy's linear algebra (its own OpenBLAS in the wheels) is imported first, unless the
# launcher (serve.py) has set OPENBLAS_NUM_THREADS=1 before anything loaded: every OpenBLAS then
# starts with one thread, and the first page need not import SciPy's linear algebra (0.1-0.2 s).
if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
    import scipy.linalg  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401
threadpool_limits(limits=1, user_api="blas")


class _NoServerNeedsNoWarning(logging.Filter):
    """Drop Streamlit's "No runtime found" warning: outside a server (`mfviz report`, a workspace read
    before the server starts) each cached function falls back to an in-memory cache on purpose, and its
    one warning each filled 46 lines of a report's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "No runtime found" not in record.getMessage()


logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(_NoServerNeedsNoWarning())


# ------------------------------------------------------------------------------ data
@st.cache_resource(show_spinner="Loading the data…")
def start_data():
    """(Start, its content hash): what every session opens on, read-only, so one copy serves them
    all: the data given to `mfviz dashboard DATA`, else the built-in demo."""
    start = startup.served()
    if start is None:
        from mfviz import datasets

        start = startup.Start(interactions=datasets.load_demo(), name="demo catalogue", is_demo=True)
    return start, start.key or state.interactions_hash(start.interactions)


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


@st.cache_data(show_spinner="Filtering…", max_entries=8)
def prepared(data_key: str, _interactions, min_count: int, binarize_at: float | None, explicit: bool | None,
             drop_zeros: bool = False):
    """The dataset after the Data page's filters: ratings of 0 dropped (asked, or the values read as
    implicit feedback from now on), binarise, then k-core, then the feedback switch.
    Binarising first, so that a k-core is one of the positives kept: the other way round, the dropped
    low ratings left users and items under k, and some with nothing (ML-100K, 10-core then ≥ 4: 49
    users and 328 items under 10, 1 user and 13 items empty)."""
    from mfviz.data import prepare

    data = _interactions
    to_implicit = explicit is False and data.is_explicit
    # Read as implicit feedback, a 0 is no interaction (0 plays), as the loader has it for implicit data:
    # kept, the Popularity baseline counted it while implicit ALS gave it no weight.
    if drop_zeros or (to_implicit and binarize_at is None and bool((data.matrix.data == 0).any())):
        data = prepare.drop_zero_ratings(data)
    if binarize_at is not None:
        data = prepare.binarize(data, binarize_at)
    if min_count > 1:
        data = prepare.k_core(data, min_count, min_count)
    if explicit is not None and explicit != data.is_explicit:
        data = data.with_values(data.matrix.data, is_explicit=explicit)
    return data


@st.cache_data(show_spinner=False, max_entries=8)
def has_zero_ratings(data_key: str, _values) -> bool:
    """Whether a dataset's values hold a 0 (the Data page offers to drop them): once per dataset, not
    a scan of every rating on every rerun of the page."""
    return bool((_values == 0).any())


# ------------------------------------------------------------------------------ analyses
@st.cache_data(show_spinner=False, max_entries=16)
def summary(data_key: str, _interactions):
    return _interactions.summary()


@st.cache_resource(show_spinner=False, max_entries=16)
def data_charts(data_key: str, _summary) -> tuple:
    """The Data page's charts of a dataset, as SVG: (rating histogram, long tail, user activity).
    Only read, so one set serves every session and every visit."""
    from mfviz.dashboard import svg_charts

    return (svg_charts.rating_histogram(_summary.rating_histogram, _summary.is_explicit),
            svg_charts.long_tail(_summary.item_popularity, _summary.head_share),
            svg_charts.activity_histogram(_summary.user_activity))


@st.cache_resource(show_spinner=False, max_entries=16)
def data_timeline(data_key: str, _timestamps, merged: int = 0) -> tuple | None:
    """The Data page's timeline of a dataset with timestamps: (Timeline, its SVG chart); None without any.
    merged: duplicate rows merged at load (the chart then says it shows each pair's latest time).
    Only read, so one serves every session and every visit."""
    from mfviz.dashboard import svg_charts
    from mfviz.data.timeline import timeline

    line = timeline(_timestamps)
    return None if line is None else (line, svg_charts.timeline_chart(line, merged=merged))


# Default paces (seconds per unit of work) measured on 5M ratings, 100,000 users × 30,000 items, 32 factors, on this
# 2-core machine at load 5-7: the Spectrum page's k = 100 13.3 s, the map 50.7 s, an index 5.6-7.3 s, the
# summary over many items 3.8 s (`waiting.waited` then learns the pace of the process's own last step).
@st.cache_data(show_spinner=False, max_entries=8)
def value_concentration(data_key: str, _interactions):
    """heavy_values.concentration of the data's values as loaded (a partition of every stored value)."""
    from mfviz.analysis.heavy_values import concentration

    return concentration(_interactions)


@waited("spectrum", lambda data_key, matrix, k, scale="loaded": f"Computing the data's {int(k)} largest singular values "
        f"({matrix.nnz:,} interactions)", lambda data_key, matrix, k, scale="loaded": matrix.nnz * int(k), 2.7e-8)
@st.cache_data(show_spinner="Computing the spectrum of the data…", max_entries=8)
def data_spectrum(data_key: str, _matrix, k: int, scale: str = "loaded"):
    """The spectrum of the data with its values on `scale` (heavy_values.SCALES)."""
    from mfviz import analysis
    from mfviz.analysis.heavy_values import scaled

    return analysis.data_spectrum(scaled(_matrix, scale), k=k)


@waited("null spectrum", lambda data_key, matrix, k, scale="loaded": f"Shuffling the items of {matrix.nnz:,} "
        f"interactions and computing {int(k)} singular values", lambda data_key, matrix, k, scale="loaded":
        matrix.nnz * int(k), 4e-8)
@st.cache_data(show_spinner="Computing the spectrum of the shuffled data…", max_entries=8)
def null_spectrum(data_key: str, _matrix, k: int, scale: str = "loaded"):
    """The spectrum of the shuffled data with its values on `scale` (the shuffle keeps every value, so scaling
    before or after it is the same)."""
    from mfviz.analysis.heavy_values import scaled
    from mfviz.analysis.spectrum import null_spectrum

    return null_spectrum(scaled(_matrix, scale), k=k)


@st.cache_data(show_spinner=False, max_entries=32)
def model_spectrum(model_key: str, _model) -> np.ndarray:
    from mfviz import analysis

    return np.asarray(analysis.model_spectrum(_model.user_factors, _model.item_factors))


@st.cache_data(show_spinner=False, max_entries=16)
def dimensions(model_key: str, _model):
    from mfviz import analysis

    return analysis.principal_dimensions(_model.user_factors, _model.item_factors)


DIMENSIONS_DESCRIBED = 12  # the strongest dimensions described (pages show the first 6 or all 12)


@st.cache_data(show_spinner=False, max_entries=16)
def described_dimensions(model_key: str, data_key: str, _dims, _interactions):
    """`describe_dimensions` of a model's 12 strongest dimensions on its data (titles, genres, popularity, years)."""
    from mfviz.analysis import describe_dimensions

    return describe_dimensions(_dims, _interactions.titles, genre_groups(data_key, _interactions.items),
                               n_dims=DIMENSIONS_DESCRIBED, popularity=_interactions.item_popularity,
                               years=item_years(data_key, _interactions))


@st.cache_data(show_spinner=False, max_entries=64)
def dimension_end_names(model_key: str, data_key: str, _dims, _interactions, which: tuple[int, ...]) -> dict:
    """{dimension: `end_names` of it} for the dimensions `which` (0-based) of a model, past the 12 described: a
    recommendation can lean most along a weak one, which was then named "+ end". Only those asked for: every
    dimension of a 256-factor model of 100,000 items took 13 s."""
    from mfviz.analysis import describe_dimensions
    from mfviz.analysis.dimensions import end_names

    described = describe_dimensions(_dims, _interactions.titles, genre_groups(data_key, _interactions.items),
                                    popularity=_interactions.item_popularity, which=which,
                                    years=item_years(data_key, _interactions))
    return dict(zip(which, end_names(described), strict=True))


@waited("projection", lambda model_key, vectors, method, *_, **__: f"Mapping {len(vectors):,} items ({method.upper()}, "
        "once per model and setting)", lambda model_key, vectors, method, *_, **__: len(vectors) * (method == "umap"),
        1.7e-3)
@st.cache_data(show_spinner="Projecting item vectors…", max_entries=16)
def projection(model_key: str, _vectors: np.ndarray, method: str, n_neighbors: int, min_dist: float, *,
               n_components: int):
    from mfviz import analysis

    return analysis.project(_vectors, method=method, n_components=n_components, n_neighbors=n_neighbors,
                            min_dist=min_dist, seed=0)


@st.cache_data(show_spinner="Measuring how well the map keeps neighbours…", max_entries=16)
def preservation(model_key: str, _vectors: np.ndarray, projection_key: str, _coords: np.ndarray) -> float:
    from mfviz import analysis

    return float(analysis.neighbourhood_preservation(_vectors, _coords, k=10, sample=500))


def _index_size(model_key, vectors, metric) -> int:
    """Rows of an index to build, 0 under NeighbourIndex's exact search (no index: nothing to wait for)."""
    return len(vectors) if len(vectors) >= 20_000 else 0


@waited("index", lambda model_key, vectors, metric: f"Building the {metric} neighbour index of {len(vectors):,} "
        "items (once per model)", _index_size, 2.2e-4)
@st.cache_resource(show_spinner="Building the neighbour index…", max_entries=8)
def neighbour_index(model_key: str, _vectors: np.ndarray, metric: str):
    """A NeighbourIndex per (model, metric); read-only after construction."""
    from mfviz import analysis

    return analysis.NeighbourIndex(_vectors, metric=metric)


@waited("recall", lambda model_key, vectors, metric: f"Building the {metric} neighbour index of {len(vectors):,} "
        "items and measuring its recall against exact search", _index_size, 2.3e-4)
@st.cache_data(show_spinner="Measuring the index's recall…", max_entries=16)
def index_recall(model_key: str, _vectors: np.ndarray, metric: str) -> tuple[float, bool]:
    index = neighbour_index(model_key, _vectors, metric)
    return float(index.recall(k=10, sample=300)), bool(getattr(index, "exact", False))


@st.cache_data(show_spinner=False, max_entries=64)
def compare(model_key: str, _vectors: np.ndarray, item: int, k: int, data_key: str, _popularity, _titles,
            _matrix=None, min_support: int = 0, _support=None):
    """An item's cosine and dot lists, with the users each neighbour shares with it when `_matrix`
    (the data's users × items) is given: the data's evidence next to the model's. With `min_support`,
    only items with that many interactions in `_support` (the model's training counts, fixed by the
    model and the data keys) are listed."""
    from mfviz import analysis

    return analysis.compare_neighbours(_vectors, item, k=k, popularity=_popularity, titles=_titles,
                                       interactions=_matrix, support=_support, min_support=min_support)


@st.cache_data(show_spinner="Comparing the two models' neighbours over many items…", max_entries=16)
def agreement(model_key: str, other_key: str, _vectors: np.ndarray, _other: np.ndarray, k: int) -> pd.DataFrame:
    from mfviz.analysis.neighbours import neighbour_agreement

    return neighbour_agreement(_vectors, _other, k=k, sample=1000)


@waited("summary", lambda model_key, vectors, *_, **__: f"Comparing cosine and dot lists over 1,000 of "
        f"{len(vectors):,} items", lambda model_key, vectors, *_, **__: len(vectors) * (len(vectors) >= 10_000), 1.3e-4)
@st.cache_data(show_spinner="Comparing cosine and dot lists over many items…", max_entries=16)
def neighbour_summary(model_key: str, _vectors: np.ndarray, data_key: str, _popularity, k: int, _matrix=None,
                      min_support: int = 0, _support=None):
    from mfviz import analysis

    return analysis.neighbour_popularity_summary(_vectors, _popularity, k=k, sample=1000, interactions=_matrix,
                                                 support=_support, min_support=min_support)


@st.cache_data(show_spinner=False, max_entries=32)
def matched_lift(model_key: str, data_key: str, _matrix, item: int, neighbours: tuple, min_support: int = 0,
                 _support=None) -> float:
    """`matched_median_lift` of an item's list, random lists drawn from the items its lists may hold (those the
    model, `model_key`, saw at least `min_support` times: `_support`)."""
    from mfviz.analysis.neighbours import matched_median_lift, supported_rows

    return matched_median_lift(_matrix, item, np.array(neighbours, np.int64), pool=supported_rows(_support, min_support))


@st.cache_data(show_spinner="Measuring popularity bias…", max_entries=32)
def popularity_report(model_key: str, _model, data_key: str, _interactions, k: int):
    from mfviz import analysis
    from mfviz.analysis.popularity import SAMPLE_USERS

    return analysis.popularity_report(_model, _interactions, k=k, sample_users=SAMPLE_USERS)


@st.cache_data(show_spinner=False, max_entries=16)
def long_tail(data_key: str, _popularity):
    from mfviz import analysis

    return analysis.long_tail_curve(_popularity)


# ------------------------------------------------------------------------------ model files
@st.cache_data(show_spinner=False, max_entries=16)
def model_file(model_key: str, _model) -> bytes:
    """A model's .npz file as bytes, for the download button."""
    from mfviz.models.files import model_bytes

    return model_bytes(_model)


@st.cache_data(show_spinner="Reading the model file…", max_entries=8)
def read_model(content_key: str, _content: bytes, file_name: str):
    """A model from an uploaded .npz: an mfviz model file, else factors saved by implicit."""
    from mfviz.errors import ModelError
    from mfviz.models import load_model

    try:
        return load_model(io.BytesIO(_content))
    except ModelError as first:
        try:
            from mfviz.models.external import load_factors
        except ImportError:
            raise first from None
        source = io.BytesIO(_content)
        source.name = file_name
        try:
            return load_factors(source)
        except Exception:  # noqa: BLE001 - the mfviz message is the useful one
            raise first from None


@st.cache_data(show_spinner=False, max_entries=16)
def map_table(projection_key: str, _coords, _items, _popularity, _norms, _titles, _rows=None) -> pd.DataFrame:
    """One row per item of the map: x, y, item (index), title, genres, popularity, norm, metadata.
    With `_rows` (item indices), the map shows only those items and `_coords` has one row per item of it."""
    from mfviz import analysis

    if _rows is None:
        return analysis.projection_table(_coords, _items, _popularity, _norms, _titles)
    rows = np.asarray(_rows, np.int64)
    items = None if _items is None or len(_items) == 0 else _items.iloc[rows].reset_index(drop=True)
    table = analysis.projection_table(_coords, items, np.asarray(_popularity)[rows], np.asarray(_norms)[rows],
                                      np.asarray(_titles)[rows])
    table["item"] = rows
    return table


@st.cache_data(show_spinner=False, max_entries=16)
def map_csv(projection_key: str, _table: pd.DataFrame) -> bytes:
    """The map's table as CSV (list-valued columns left out), built once per map: the download
    button then serves the same stored file on every run, so a click during a rerun still works."""
    from mfviz.dashboard.map_colours import GENRE_COLUMN

    lists = [c for c in _table.columns if len(_table) and isinstance(_table[c].iloc[0], list | np.ndarray)]
    # "item" is the dashboard's 0-based row, next to the data's own item_id: one off from MovieLens ids,
    # an easy wrong join, so only item_id goes out. The genre column is named as in the Projector's
    # metadata.tsv (no space: one name for the same column in both files)
    table = _table.drop(columns=lists + [c for c in ("item",) if "item_id" in _table.columns])
    return table.rename(columns={GENRE_COLUMN: "distinctive_genre"}).to_csv(index=False).encode()


@st.cache_data(show_spinner=False, max_entries=8)
def projector_zip(map_key: str, _vectors: np.ndarray, _table: pd.DataFrame, _item_ids) -> bytes:
    """The item vectors and their metadata (id, title, the genre the map colours by, first genre, genres,
    popularity, vector length) as the vectors.tsv / metadata.tsv pair of TensorFlow's Embedding
    Projector, zipped (built on the click)."""
    from mfviz.analysis.export import projector_files, zipped
    from mfviz.dashboard.map_colours import GENRE_COLUMN, distinctive_genre

    table = _table
    if GENRE_COLUMN not in table.columns and "genres" in table.columns:  # as the map computes it for its colours
        table = table.assign(**{GENRE_COLUMN: distinctive_genre(table["genres"])[0]})
    # The Projector colours by a metadata column: the map's own colour column, so the two pictures agree
    # (first_genre, an alphabetical list's first, made nearly every Romance a Comedy or a Drama)
    columns = [c for c in ("title", GENRE_COLUMN, "first_genre", "genres", "popularity", "norm") if c in table.columns]
    metadata = table[columns].rename(columns={GENRE_COLUMN: "distinctive_genre"})
    metadata.insert(0, "item_id", np.asarray(_item_ids)[_table["item"].to_numpy()])
    return zipped(projector_files(_vectors[_table["item"].to_numpy()], metadata))


@st.cache_data(show_spinner=False, max_entries=8)
def dimensions_csv(model_key: str, data_key: str, _dims, _item_ids, _titles) -> bytes:
    """Every item's coordinates on every dimension of a model, as CSV (built on the first click)."""
    from mfviz.analysis.dimensions import coordinates_table

    return coordinates_table(_dims, _item_ids, _titles).to_csv(index=False).encode()


@st.cache_data(show_spinner=False, max_entries=64)
def user_lists(model_key: str, _model, data_key: str, _matrix, user: int, k: int, _popularity, _titles
               ) -> dict[str, pd.DataFrame]:
    """A user's top-k unseen items by cosine and by dot product of the user and item vectors."""
    vector = np.ascontiguousarray(_model.user_factors[user:user + 1], dtype=np.float32)
    seen = set(_matrix.indices[_matrix.indptr[user]:_matrix.indptr[user + 1]].tolist())
    n_items = _model.item_factors.shape[0]
    lists = {}
    for metric in ("cosine", "dot"):
        index = neighbour_index(model_key, _model.item_factors, metric)
        ids, scores = index.query_vectors(vector, min(k + len(seen), n_items))
        kept = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0 and int(i) not in seen][:k]
        items = np.array([i for i, _ in kept], dtype=np.int64)
        lists[metric] = pd.DataFrame({"rank": np.arange(1, len(kept) + 1), "title": _titles[items],
                                      "score": [s for _, s in kept], "popularity": _popularity[items]})
    return lists


@st.cache_data(show_spinner="Working out why…", max_entries=64)
def profile_contributions(model_key: str, _model, items: tuple, values: tuple | None, targets: tuple,
                          disliked: tuple = ()) -> np.ndarray:
    """What each profile item adds to each target's score: the model's exact split where it has one,
    else leave-one-out fold-ins over at most the 100 items most like the targets; `disliked`: items
    folded in as unwanted (implicit ALS's `fold_in_disliking`)."""
    from mfviz.analysis import profile_contributions as contributions

    return contributions(_model, np.array(items, np.int64), None if values is None else np.array(values, np.float32),
                         np.array(targets, np.int64), limit=100, disliked=np.array(disliked, np.int64))


@st.cache_data(show_spinner=False, max_entries=4)
def recommendation_csv(model_key: str, _model, data_key: str, _interactions, n: int, _progress=None) -> bytes:
    """Every user's top-n as CSV (mfviz.analysis.export.recommendation_csv); `_progress(ranked, total)` after each
    chunk of users (not called on a cache hit)."""
    from mfviz.analysis.export import recommendation_csv as every_list

    return every_list(_model, _interactions, n, _progress)


@st.cache_data(show_spinner=False, max_entries=8)
def genre_groups(data_key: str, _items) -> dict:
    """{genre: item rows}, largest first (mfviz.analysis.genre_groups), once per dataset."""
    from mfviz.analysis import genre_groups as groups

    return groups(_items)


@st.cache_data(show_spinner=False, max_entries=8)
def item_years(data_key: str, _interactions) -> np.ndarray | None:
    """The items' release years (`Interactions.item_years`), once per dataset."""
    return _interactions.item_years


@st.cache_data(show_spinner=False, max_entries=16)
def training_popularity(model_key: str, _train_matrix) -> np.ndarray:
    """Each item's interactions in the part of the data a model was trained on."""
    return np.bincount(_train_matrix.indices, minlength=_train_matrix.shape[1])


@st.cache_data(show_spinner=False, max_entries=32)
def item_norms(model_key: str, _vectors: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(_vectors, np.float64), axis=1)


OPENING_CANDIDATES = 300  # the most popular items the Neighbours page picks its opening item among


@st.cache_data(show_spinner=False, max_entries=64)
def opening_item(model_key: str, _model, data_key: str, _popularity: np.ndarray, k: int, typical: float) -> int:
    """The item the Neighbours page opens on: the most popular trained item whose cosine and dot lists share no more
    items than an item's do on average (`typical`: over the sampled items), else of the OPENING_CANDIDATES most
    popular the one sharing fewest. The most popular items have nearly one list twice (the demo's first: 10 of 10,
    the median of its 20 first: 9) beside a page saying that over many items the lists share 2.3 of 10."""
    from mfviz.analysis import exact_search

    order = np.argsort(-np.asarray(_popularity), kind="stable")
    order = order[~untrained_items(model_key, _model)[order]][:OPENING_CANDIDATES]
    if order.size < 2:
        return int(order[0]) if order.size else 0
    vectors = np.asarray(_model.item_factors, np.float32)
    lists = [exact_search(vectors[order], vectors, k, metric, exclude_self_ids=order)[0] for metric in ("cosine", "dot")]
    shared = np.array([np.intersect1d(c[c >= 0], d[d >= 0]).size for c, d in zip(*lists, strict=True)])
    typical_ones = np.flatnonzero(shared <= typical)
    return int(order[typical_ones[0] if typical_ones.size else int(np.argmin(shared))])


@st.cache_data(show_spinner=False, max_entries=64)
def untrained_items(model_key: str, _model) -> np.ndarray:
    """Which items the model never trained on (mfviz.models.sanity.untrained_items), counted once per model: a
    bincount over its whole training matrix, which the Latent space and Popularity bias pages counted again on every
    rerun (a model always comes with the same training part, so its key is enough)."""
    from mfviz.models import sanity

    return sanity.untrained_items(_model)


# β of the trade-off curve: fine steps where the first 10% of accuracy goes (β ≤ 0.3 on the demo and
# MovieLens 100K), then on to lists of nearly only long-tail items (β 1.5).
TRADEOFF_STRENGTHS = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5)


@st.cache_data(show_spinner="Re-ranking with popularity penalties against the held-out data…", max_entries=16)
def tradeoff(model_key: str, _model, _train, _test, k: int) -> pd.DataFrame:
    """The accuracy / popularity curve of a model on the split it was trained on (see
    mfviz.analysis.tradeoff); one model's factors always come with the same split, so its key is enough."""
    from mfviz.analysis.tradeoff import accuracy_popularity_tradeoff

    return accuracy_popularity_tradeoff(_model, _train, _test, strengths=TRADEOFF_STRENGTHS, k=k)


USERS_MAPPED = 5_000  # users on the Recommend page's map of users, at most (a fixed sample)


@waited("user map", lambda model_key, data_key, factors, *_: f"Mapping {min(USERS_MAPPED, len(factors)):,} users "
        "(UMAP of their vectors, once per model)", lambda model_key, data_key, factors, *_: min(USERS_MAPPED, len(factors)),
        1.7e-3)
@st.cache_data(show_spinner="Mapping the users (UMAP of their vectors, once per model)…", max_entries=8)
def user_map(model_key: str, data_key: str, _user_factors, _matrix, _groups, _user_ids, _among=None) -> pd.DataFrame:
    """A UMAP map of a fixed sample of the users' vectors (of the users `_among` only when given: those the
    model trained on), one row per mapped user (see mfviz.analysis.users.user_table), coloured by each user's
    most over-represented genre."""
    from mfviz.analysis import project
    from mfviz.analysis.users import sample_users, user_table

    users = sample_users(len(_user_factors), USERS_MAPPED, among=_among)
    coords = project(np.asarray(_user_factors)[users], "umap", 2, seed=0).coords
    favourite, lift = favourites(data_key, _matrix, _groups)
    return user_table(coords, users, _user_ids, np.diff(_matrix.indptr), favourite, lift)


@st.cache_data(show_spinner=False, max_entries=8)
def favourites(data_key: str, _matrix, _groups) -> tuple[np.ndarray, np.ndarray]:
    """Each user's most over-represented genre and its lift (mfviz.analysis.users.favourite_groups)."""
    from mfviz.analysis.users import favourite_groups

    return favourite_groups(_matrix, _groups)


@st.cache_data(show_spinner="Ranking the users' lists once for this model…", max_entries=16)
def reach_baseline(model_key: str, _model, data_key: str, _matrix, n: int):
    """The top-n lists of up to 5,000 users, against which a new item is ranked (analysis.cold_start)."""
    from mfviz.analysis.cold_start import reach_baseline as baseline

    return baseline(_model, _matrix, n)


@st.cache_data(show_spinner=False, max_entries=32)
def new_item(model_key: str, data_key: str, seeds: tuple, at_least, given, size: int, n: int, _model, _reach, _users,
             _values, _popularity):
    """A new item placed by its first `size` users (mfviz.analysis.cold_start.place_new_item), with its
    reach curve: the same model, audience (the users of `seeds` with at least `at_least`), values
    (`given`) and list length always give the same item."""
    from mfviz.analysis.cold_start import place_new_item

    return place_new_item(_model, _reach, _users, _values, size, _popularity)


@st.cache_data(show_spinner=False, max_entries=32)
def audience(data_key: str, _matrix, items: tuple, at_least: float | None) -> tuple[np.ndarray, np.ndarray]:
    """The users who have any of `items` (with a value >= at_least), in a fixed random order, with
    their values (analysis.cold_start.audience)."""
    from mfviz.analysis.cold_start import audience as fans

    return fans(_matrix, list(items), at_least)


@st.cache_data(show_spinner=False, max_entries=16)
def tradeoff_baseline(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """The Popularity baseline's point on the same axes, fitted on the training part of the split
    that model (`model_key`) was trained on: a model always comes with the same split."""
    from mfviz.analysis.tradeoff import accuracy_popularity_tradeoff
    from mfviz.models import Popularity

    return accuracy_popularity_tradeoff(Popularity().fit(_train), _train, _test, strengths=(0.0,), k=k)


ACTIVITY_USERS = 5_000  # test users scored per model for accuracy by activity, at most (a seeded sample)


@st.cache_data(show_spinner="Scoring every test user…", max_entries=32)
def per_user_metrics(model_key: str, _model, _test, k: int) -> pd.DataFrame:
    """Every (sampled) test user's metrics (mfviz.evaluation.breakdown.per_user); a model always
    comes with the same split, so its key is enough."""
    from mfviz.evaluation.breakdown import per_user

    return per_user(_model, _test, k, max_users=ACTIVITY_USERS)


@st.cache_data(show_spinner=False, max_entries=16)
def popularity_per_user(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """The same for the Popularity baseline fitted on that model's training part."""
    from mfviz.evaluation.breakdown import per_user
    from mfviz.models import Popularity

    return per_user(Popularity().fit(_train), _test, k, max_users=ACTIVITY_USERS)


# Many: each is three numbers, and the Train page asks for every model of the session on every rerun (the
# per-user frames behind them, 32 and 16 kept, would be scored again each rerun once a session had more models).
@st.cache_data(show_spinner=False, max_entries=1024)
def ndcg_against_baseline(model_key: str, _model, _train, _test, k: int) -> tuple[float, float, int]:
    """A model's NDCG@k minus the Popularity baseline's, user by user on the same sampled test users, with the
    half-width of its paired 95% interval and the number of users (evaluation.breakdown.paired_difference), from
    `per_user_metrics` and `popularity_per_user`, which the background scores for every new model. Once per model:
    a model always comes with the same split."""
    from mfviz.evaluation.breakdown import paired_difference

    return paired_difference(per_user_metrics(model_key, _model, _test, k),
                             popularity_per_user(model_key, _train, _test, k), f"ndcg@{k}")


@st.cache_data(show_spinner="Folding in users from their first few interactions…", max_entries=32)
def profile_rows(model_key: str, _model, _train, _test, k: int) -> pd.DataFrame:
    """Every sampled test user's held-out accuracy against how many interactions they are known by
    (evaluation.breakdown.profile_size_per_user): the curve's means, and which sizes beat a baseline beyond noise."""
    from mfviz.evaluation.breakdown import profile_size_per_user

    return profile_size_per_user(_model, _train, _test, k)


@st.cache_data(show_spinner=False, max_entries=32)
def profile_curve(model_key: str, _model, _train, _test, k: int) -> pd.DataFrame:
    """Held-out accuracy against how many interactions a user is known by (evaluation.breakdown), from the rows of
    `profile_rows`."""
    from mfviz.evaluation.breakdown import summarise_profile_sizes

    return summarise_profile_sizes(profile_rows(model_key, _model, _train, _test, k))


@st.cache_data(show_spinner=False, max_entries=16)
def popularity_profile_rows(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """`profile_rows` of the Popularity baseline fitted on that model's training part (flat: it ignores the profile)."""
    from mfviz.evaluation.breakdown import profile_size_per_user
    from mfviz.models import Popularity

    return profile_size_per_user(Popularity().fit(_train), _train, _test, k)


@st.cache_data(show_spinner=False, max_entries=16)
def popularity_profile_curve(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """The same for the Popularity baseline fitted on that model's training part (flat: it ignores the profile)."""
    from mfviz.evaluation.breakdown import summarise_profile_sizes

    return summarise_profile_sizes(popularity_profile_rows(model_key, _train, _test, k))


@st.cache_data(show_spinner=False, max_entries=64)
def bias_popularity_rho(model_key: str, _model, data_key: str, _data) -> float:
    """Spearman ρ of a model's item biases with the items' popularity in the data, over the items it was trained on
    (an item its split held out wholly keeps a bias of 0 that says nothing: ALS on a time split, 0.21 with them,
    0.28 without); NaN when either is constant."""
    from scipy.stats import spearmanr

    from mfviz.models.sanity import untrained_items

    trained = ~untrained_items(_model)
    popularity = summary(data_key, _data).item_popularity[trained]
    bias = np.asarray(_model.item_bias, np.float64)[trained]
    if np.ptp(bias) == 0 or np.ptp(popularity) == 0:
        return float("nan")
    return float(spearmanr(bias, popularity).statistic)


@st.cache_data(show_spinner="Lining the epochs up…", max_entries=4)
def replay(job_key: str, _snapshots: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(coords snapshots × items × 2, share of final neighbours and of the previous snapshot's neighbours
    per snapshot) of a training's snapshots (analysis.replay)."""
    from mfviz.analysis.replay import replay_coords, settled_neighbours

    return replay_coords(_snapshots), *settled_neighbours(_snapshots)


@st.cache_data(show_spinner="Writing the report…", max_entries=4)
def model_report(model_key: str, name: str, _model, _train, _test, _data, data_name: str, k: int) -> bytes:
    """The model's self-contained HTML report (mfviz.dashboard.report), with the map of its items as the
    Latent space page opens it (the same cached projection, when that page has drawn it)."""
    from mfviz.dashboard import background, map_figures, report, untrained

    item_map = None
    vectors = getattr(_model, "item_factors", None)
    # as the page maps them: the items the model trained on (untrained.mapped_rows)
    mapped, rows, suffix = (vectors, None, "") if vectors is None else untrained.trained_map(
        vectors, untrained_items(model_key, _model))
    # the Popularity baseline's one column (its counts) is no latent space to map
    if vectors is not None and vectors.ndim == 2 and vectors.shape[1] >= 2 and len(mapped) >= 3:
        coords = projection(model_key + suffix, mapped, "umap", min(background.UMAP_NEIGHBOURS, len(mapped) - 1),
                            background.UMAP_MIN_DIST, n_components=2).coords
        table = map_table(f"{model_key}|report{suffix}", coords, _data.items, _data.item_popularity,
                          np.linalg.norm(vectors, axis=1), _data.titles, rows)
        item_map = map_figures.overview_map(table, name)
        left_off = untrained.left_off(len(vectors) - len(mapped))
        item_map = map_figures.Chart(item_map.figure, item_map.caption + left_off) if left_off else item_map
    return report.build(name, _model, _train, _test, _data, data_name, k, item_map).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=32)
def penalty_offsets(model_key: str, _model, data_key: str, _popularity, strength: float) -> np.ndarray:
    """Per-item score offsets of a model with a popularity penalty of this strength (β)."""
    from mfviz.analysis.tradeoff import penalised_offsets

    return penalised_offsets(_model, _popularity, strength)


@st.cache_resource(show_spinner="Counting item popularity for the baseline…", max_entries=4)
def popularity_baseline(data_key: str, _interactions):
    """The Popularity model on the whole dataset, as the reference row of the bias page."""
    from mfviz.dashboard.state import ModelEntry, model_hash
    from mfviz.models import Popularity

    model = Popularity().fit(_interactions)
    return ModelEntry(name="Popularity", model=model, kind="popularity", params={},
                      key=model_hash(model, data_key), data_key=data_key, fit_seconds=model.fit_seconds,
                      epochs=1, split="none", auto=True)


def warm_up_parsing():
    """Parse a small file shaped like MovieLens' u.data, so numba loads its compiled parsing kernels
    (0.3-0.4 s the first time in a process, most of it numba's own start-up) before a first upload
    needs them: the demo comes from its parsed copy and no longer does it."""
    rng = np.random.default_rng(0)
    rows = np.column_stack((rng.integers(1, 60, 600), rng.integers(1, 90, 600), rng.integers(1, 6, 600),
                            rng.integers(874_000_000, 893_000_000, 600)))
    source = io.BytesIO()
    np.savetxt(source, rows, fmt="%d", delimiter="\t")
    source.seek(0)
    source.name = "warm-up.data"
    return mfviz.load_interactions(source)


@st.cache_resource(show_spinner=False)
def warm_up_in_background():
    """Compile the numba and UMAP code paths once per server process, in a background thread, so
    the first map and neighbour list do not pay tens of seconds of compilation. The parsing kernels
    are loaded at once, in a thread of their own, as an upload can come right after the first page."""
    import logging
    import os
    import threading

    if os.environ.get("MFVIZ_NO_WARM_UP"):  # set by the AppTest suite, which never draws a UMAP map
        return None
    threading.Thread(target=warm_up_parsing, name="mfviz-warm-up-parsing", daemon=True).start()

    def run() -> None:
        try:
            background.use_one_core()
            from mfviz import analysis

            analysis.warm_up()
        except Exception:  # noqa: BLE001 - warming up is an optimisation; the pages still work
            logging.getLogger("mfviz.dashboard").exception("warm-up failed")

    from mfviz.dashboard import background

    # In the precompute worker when it runs: one background thread, paused while pages run
    if background.submit("warm-up", run, owner=None):  # for every session to come
        return None
    thread = threading.Thread(target=run, name="mfviz-warm-up", daemon=True)
    thread.start()
    return thread


def _tsne_words(model_key, vectors, method, n_neighbors, min_dist, n_components, perplexity, *_) -> str:
    said = f", perplexity {perplexity:g}" if perplexity else ""
    return f"Running t-SNE on {len(vectors):,} items ({n_components}-D{said}; once per model and setting)"


def _tsne_units(model_key, vectors, method, n_neighbors, min_dist, n_components, *_) -> float:
    """Items a t-SNE map lays out, a 3-D one counted 1.1 times (its Barnes-Hut tree has 8 children a node, not 4);
    0 for UMAP and PCA maps, which `projection`'s line or no line covers."""
    return len(vectors) * (1.1 if n_components == 3 else 1.0) * (method == "tsne")


# t-SNE's pace: 1,657 items of ML-100K's quick default in 43-54 s on the review's busy 2-core machine (load 3-4),
# 0.03 s an item; `waiting.waited` then learns this process's own pace from its last t-SNE map
@waited("t-SNE", _tsne_words, _tsne_units, 3.0e-2)
@st.cache_data(show_spinner=False, max_entries=16)
def projector_map(model_key: str, _vectors: np.ndarray, method: str, n_neighbors: int, min_dist: float,
                  n_components: int, perplexity: float | None, spherize: bool, components: tuple | None):
    """A map with the Embedding Projector's options (t-SNE's perplexity, Spherize, PCA's components); without
    them the same map as `projection` (the same key in analysis.project's own cache)."""
    from mfviz import analysis

    return analysis.project(_vectors, method=method, n_components=n_components, n_neighbors=n_neighbors,
                            min_dist=min_dist, seed=0, perplexity=perplexity, spherize=spherize,
                            components=components)


@st.cache_data(show_spinner=False, max_entries=16)
def pca_shares(model_key: str, _vectors: np.ndarray, spherize: bool) -> np.ndarray:
    """Each of the first principal components' share of the vectors' variance (spherized first if asked)."""
    from mfviz.analysis import map_options

    vectors = map_options.spherize(_vectors) if spherize else _vectors
    return map_options.pca_components(vectors)[1]
