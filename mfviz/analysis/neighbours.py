"""Item neighbours by cosine and by dot product: exact search, an hnswlib index, comparisons."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mfviz.analysis.inputs import as_array, item_counts
from mfviz.errors import DataError
from mfviz.kernels.csr import columns_of
from mfviz.kernels.topk import topk_dot
from mfviz.seeds import accepts_seed

METRICS = ("cosine", "dot")
INDEX_FORMAT = 1
DEEPEST_SHARE = 8  # a filtered query walks the graph for at most 1/8 of the rows, then brute force


# --------------------------------------------------------------------- helpers
def _check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise DataError(f"metric must be 'cosine' or 'dot', got {metric!r}")
    return metric


def _as_vectors(vectors, what: str = "vectors") -> np.ndarray:
    array = as_array(vectors, what)
    if array.ndim != 2:
        raise DataError(f"{what} must be a 2-D array (rows × components), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise DataError(f"{what} is empty (shape {array.shape}); train a model or load factors first")
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise DataError(f"{what} contain NaN or infinite values; retrain the model with a lower learning rate")
    return array


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), float32 C-contiguous."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1), dtype=np.float32)


def _check_k(k) -> int:
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise DataError(f"k must be a positive integer, got {k!r}")
    return int(k)


# --------------------------------------------------------------------- exact search
def exact_search(queries, vectors, k: int, metric: str = "cosine", exclude_self_ids=None, candidates=None):
    """Exact top-k of each query row among `vectors` by cosine or dot product.

    Blocked and parallel over queries (numba kernel `mfviz.kernels.topk.topk_dot`; cosine is the
    dot product of unit vectors). `exclude_self_ids[q]`, when given, is the index of query q's own
    row in `vectors`, left out of its list. `candidates`, when given, are the only rows of `vectors`
    a list may hold (e.g. `supported_rows`): the search runs over them alone, so the lists keep
    their length k as long as enough candidates exist. Returns ids (m, k) int64 and scores (m, k)
    float32, best first; -1 / -inf pad when fewer than k candidates exist.
    """
    _check_metric(metric)
    k = _check_k(k)
    if candidates is not None:
        return _search_among(queries, vectors, k, metric, exclude_self_ids, candidates)
    queries = _as_vectors(queries, "queries")
    vectors = _as_vectors(vectors)
    if queries.shape[1] != vectors.shape[1]:
        raise DataError(f"queries have {queries.shape[1]} components but vectors have {vectors.shape[1]}")
    if metric == "cosine":
        queries, vectors = normalise_rows(queries), normalise_rows(vectors)
    if exclude_self_ids is None:
        indptr, indices = np.zeros(1, np.int64), np.zeros(0, np.int64)
    else:
        indices = np.asarray(exclude_self_ids, np.int64).ravel()
        if indices.size != queries.shape[0]:
            raise DataError(f"exclude_self_ids has {indices.size} entries for {queries.shape[0]} queries")
        indptr = np.arange(indices.size + 1, dtype=np.int64)
    return _topk(queries, vectors, np.zeros(vectors.shape[0], np.float32), k, indptr, indices)


def _search_among(queries, vectors, k, metric, exclude_self_ids, candidates):
    """`exact_search` over the rows `candidates` of `vectors`, ids given back as rows of `vectors`."""
    vectors = _as_vectors(vectors)
    candidates = np.asarray(candidates, np.int64).ravel()
    if candidates.size and (candidates.min() < 0 or candidates.max() >= vectors.shape[0]):
        raise DataError(f"candidates must be row indices 0..{vectors.shape[0] - 1}")
    m = np.asarray(queries).shape[0]
    if candidates.size == 0:
        return np.full((m, k), -1, np.int64), np.full((m, k), -np.inf, np.float32)
    local = np.full(vectors.shape[0], -1, np.int64)
    local[candidates] = np.arange(candidates.size)
    exclude = None
    if exclude_self_ids is not None:
        own = np.asarray(exclude_self_ids, np.int64).ravel()
        if own.size != m:
            raise DataError(f"exclude_self_ids has {own.size} entries for {m} queries")
        exclude = local[own]
    queries = _as_vectors(queries, "queries")
    if queries.shape[1] != vectors.shape[1]:
        raise DataError(f"queries have {queries.shape[1]} components but vectors have {vectors.shape[1]}")
    subset = vectors[candidates]
    if metric == "cosine":
        queries, subset = normalise_rows(queries), normalise_rows(subset)
    if exclude is None:
        indptr, indices = np.zeros(1, np.int64), np.zeros(0, np.int64)
    else:  # a query that is not itself a candidate has nothing to leave out (the kernel has no -1)
        indptr = np.concatenate([[0], np.cumsum(exclude >= 0)]).astype(np.int64)
        indices = exclude[exclude >= 0]
    ids, scores = _topk(queries, subset, np.zeros(subset.shape[0], np.float32), k, indptr, indices)
    return np.where(ids >= 0, candidates[np.maximum(ids, 0)], -1), scores


def supported_rows(support, min_support: int) -> np.ndarray | None:
    """Rows whose `support` (interactions the model trained on) is at least `min_support`, or None when
    nothing is filtered (`min_support` <= 0): the candidates of neighbour lists restricted to items the
    model saw often enough to have learned a vector for them rather than noise."""
    if min_support is None or min_support <= 0:
        return None
    if support is None:
        raise DataError("a minimum number of interactions needs each item's interaction count (support)")
    return np.flatnonzero(np.asarray(support, np.float64).ravel() >= min_support)


def few_interactions(ids, support, threshold: int) -> int:
    """How many of the listed items (-1 padding ignored) have fewer than `threshold` interactions."""
    ids = np.asarray(ids, np.int64).ravel()
    ids = ids[ids >= 0]
    return int((np.asarray(support, np.float64)[ids] < threshold).sum())


def _topk(queries, vectors, bias, k, indptr, indices):
    """`topk_dot`, with BLAS pinned to one thread when the kernel runs several blocks in
    parallel (nested BLAS threads oversubscribe the cores)."""
    if queries.shape[0] <= 64:  # one block: no numba parallelism, let BLAS use the threads
        return topk_dot(queries, vectors, bias, k, indptr, indices)
    with threadpool_limits(limits=1, user_api="blas"):
        return topk_dot(queries, vectors, bias, k, indptr, indices)


# --------------------------------------------------------------------- the index
class NeighbourIndex:
    """Top-k neighbour search over item (or user) vectors by cosine or dot product.

    Below `exact_below` rows the search is exact (blocked brute force: fast enough there and
    always right). Above it, hnswlib HNSW graphs answer approximately:

    - cosine: rows normalised to unit length, hnswlib inner-product space on unit vectors
      (= cosine), one graph.
    - dot: hnswlib's ``ip`` space is not a metric; with norms that vary (the normal case for
      MF factors, where the norm grows with popularity) some items become unreachable in its
      graph and recall stalls whatever ``ef`` is. We use the MIPS→cosine reduction (Bachrach et
      al. 2014): item :math:`x` becomes :math:`(x, \\sqrt{M^2 - \\lVert x\\rVert^2}) / M` with
      :math:`M` the largest norm, all of unit length, and a query :math:`q` becomes
      :math:`(q / \\lVert q\\rVert, 0)`, so that
      :math:`\\langle \\tilde x, \\tilde q\\rangle = \\langle x, q\\rangle / (M\\lVert q\\rVert)`
      orders items exactly as the dot product does. Applied to the whole catalogue the reduction
      crowds every small-norm item near the extra axis and its recall drops too (measured in
      tests/analysis and BENCHMARKS.md), so it is applied per *norm range* (Yan et al. 2018,
      "Norm-Ranging LSH"): items sorted by norm are cut into ranges whose largest/smallest norm is
      at most `norm_ratio`; each range gets its own reduction (with its own :math:`M`) and graph,
      or exact search when it holds fewer than `exact_below_range` rows. A query visits ranges from
      the largest norms down and stops as soon as its k-th best score is at least
      :math:`M_{range}\\lVert q\\rVert` (Cauchy–Schwarz: nothing in a lower range can beat it);
      in practice one or two ranges.

    Scores returned are exact (cosine similarity or dot product of the original vectors),
    recomputed for the candidates, which are re-sorted by them.

    Parameters: M (graph degree), ef_construction (build beam; 100 halves the build time of 200
    and still gives recall@10 >= 0.99 at ef 64 on 100k clustered 64-d vectors, cosine and dot,
    as measured for issue 5), ef (query beam, raised to
    k + 1 when smaller), threads (build and query), exact_below (row count under which search is
    exact), random_state (seeds hnswlib's level generator; `seed=` too), norm_ratio and exact_below_range
    (dot only).
    """

    @accepts_seed
    def __init__(self, vectors, metric: str = "cosine", *, M: int = 16, ef_construction: int = 100,
                 ef: int = 64, threads: int = 2, exact_below: int = 20_000, random_state: int = 0,
                 norm_ratio: float = 4.0, exact_below_range: int = 2_000) -> None:
        self.metric = _check_metric(metric)
        self.vectors = _as_vectors(vectors)
        for name, value, low in (("M", M, 2), ("ef_construction", ef_construction, 1), ("ef", ef, 1),
                                 ("threads", threads, 1), ("exact_below", exact_below, 0),
                                 ("exact_below_range", exact_below_range, 1)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
                raise DataError(f"{name} must be an integer >= {low}, got {value!r}")
        if not norm_ratio > 1:
            raise DataError(f"norm_ratio must be > 1, got {norm_ratio!r}")
        self.M, self.ef_construction, self.ef = int(M), int(ef_construction), int(ef)
        self.threads, self.exact_below, self.seed = int(threads), int(exact_below), int(random_state)
        self.norm_ratio, self.exact_below_range = float(norm_ratio), int(exact_below_range)
        self._setup()
        if not self.exact:
            self._build()

    def _setup(self) -> None:
        self.n, self.dim = self.vectors.shape
        self.exact = self.n < self.exact_below
        self._unit = normalise_rows(self.vectors) if self.metric == "cosine" else None
        self._norms = np.linalg.norm(self.vectors, axis=1)
        self._graphs: list[hnswlib.Index | None] = []
        self._ranges: list[np.ndarray] = []  # row ids per norm range (dot) or all rows (cosine)
        self._range_max: list[float] = []

    # ----------------------------------------------------------------- build
    def _norm_ranges(self) -> list[np.ndarray]:
        order = np.argsort(-self._norms, kind="stable")
        sorted_norms = self._norms[order]
        ranges, start = [], 0
        while start < self.n:
            top = sorted_norms[start]
            end = int(np.searchsorted(-sorted_norms, -top / self.norm_ratio, side="right"))
            end = max(end, min(self.n, start + self.exact_below_range))
            if self.n - end < self.exact_below_range:  # no tiny last range
                end = self.n
            ranges.append(order[start:end])
            start = end
        return ranges

    def _new_graph(self, data: np.ndarray) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=data.shape[1])
        index.init_index(max_elements=data.shape[0], M=self.M, ef_construction=self.ef_construction,
                         random_seed=self.seed)
        index.set_num_threads(self.threads)
        index.add_items(data, np.arange(data.shape[0]), num_threads=self.threads)
        index.set_ef(self.ef)
        return index

    def _build(self) -> None:
        if self.metric == "cosine":
            self._ranges = [np.arange(self.n)]
            self._range_max = [1.0]
            self._graphs = [self._new_graph(self._unit)]
            return
        for rows in self._norm_ranges():
            top = float(self._norms[rows[0]])
            self._ranges.append(rows)
            self._range_max.append(top)
            small = rows.size < self.exact_below_range
            self._graphs.append(None if small else self._new_graph(augment_for_mips(self.vectors[rows], top)))

    # ----------------------------------------------------------------- queries
    def _exact_scores(self, queries: np.ndarray, ids: np.ndarray) -> np.ndarray:
        base = self._unit if self.metric == "cosine" else self.vectors
        safe = np.where(ids >= 0, ids, 0)
        scores = np.einsum("mkf,mf->mk", base[safe], queries, optimize=True).astype(np.float32)
        return np.where(ids >= 0, scores, -np.inf).astype(np.float32)

    def _search(self, queries: np.ndarray, k: int, self_ids: np.ndarray | None):
        m = queries.shape[0]
        if self.metric == "cosine":
            queries = normalise_rows(queries)
        if self.exact:
            base = self._unit if self.metric == "cosine" else self.vectors
            if self_ids is None:
                indptr, indices = np.zeros(1, np.int64), np.zeros(0, np.int64)
            else:
                indptr, indices = np.arange(m + 1, dtype=np.int64), self_ids.astype(np.int64)
            return _topk(queries, base, np.zeros(self.n, np.float32), k, indptr, indices)
        want = k + (0 if self_ids is None else 1)  # one spare for the query's own row
        best_ids = np.full((m, want), -1, np.int64)
        best = np.full((m, want), -np.inf, np.float32)
        query_norms = np.linalg.norm(queries, axis=1)
        unit_queries = normalise_rows(queries)
        if self.metric == "dot":
            unit_queries = np.ascontiguousarray(np.hstack([unit_queries, np.zeros((m, 1), np.float32)]))
        for rows, top, graph in zip(self._ranges, self._range_max, self._graphs, strict=True):
            # Cauchy–Schwarz: no row of this range can beat a k-th best score >= top * |q|.
            active = np.flatnonzero(~(best[:, -1] >= top * query_norms)) if self.metric == "dot" else np.arange(m)
            if active.size == 0:
                break
            fetch = min(want, rows.size)
            if graph is None:
                local = _top_rows(queries[active] @ self.vectors[rows].T, fetch)
            else:
                graph.set_ef(max(self.ef, fetch + 1))
                local, _ = graph.knn_query(unit_queries[active], k=fetch, num_threads=self.threads)
            candidates = rows[local.astype(np.int64)]
            scores = self._exact_scores(queries[active], candidates)
            merged_ids = np.concatenate([best_ids[active], candidates], axis=1)
            merged = np.concatenate([best[active], scores], axis=1)
            order = _order_rows(merged, merged_ids)[:, :want]
            best_ids[active] = np.take_along_axis(merged_ids, order, axis=1)
            best[active] = np.take_along_axis(merged, order, axis=1)
        if self_ids is not None:
            # Drop the query's own row where found, else the last (worst) candidate.
            is_self = best_ids == self_ids[:, None]
            drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), want - 1)
            keep = np.ones_like(best_ids, bool)
            keep[np.arange(m), drop] = False
            best_ids = best_ids[keep].reshape(m, want - 1)
            best = best[keep].reshape(m, want - 1)
        # hnsw returns fewer than asked only when the range is smaller than k: pad like the exact kernel.
        return best_ids, best

    def query(self, ids, k: int = 10, candidates=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k neighbours of the rows `ids` (the row itself excluded): ids (m, k), scores (m, k).

        `candidates` (row indices, e.g. `supported_rows`), when given, are the only rows a list may
        hold; the lists keep length k (-1 padding only when fewer candidates exist)."""
        k = _check_k(k)
        ids = np.atleast_1d(np.asarray(ids))
        if ids.size and ids.dtype.kind not in "iu":
            raise DataError(f"ids must be integer row indices, got {ids.dtype}")
        ids = ids.astype(np.int64).ravel()
        bad = (ids < 0) | (ids >= self.n)
        if bad.any():
            raise DataError(f"row index {int(ids[bad][0])} is out of range: the index has {self.n} rows (0..{self.n - 1})")
        queries = np.ascontiguousarray(self.vectors[ids])
        if candidates is None:
            return self._search(queries, k, ids)
        candidates = np.asarray(candidates, np.int64).ravel()
        if self.exact or candidates.size * DEEPEST_SHARE < self.n:  # few candidates: brute force is cheap
            return exact_search(queries, self.vectors, k, self.metric, ids, candidates)
        return self._search_deeper(queries, k, ids, candidates)

    def _search_deeper(self, queries, k, ids, candidates):
        """The graph's lists, fetched ever deeper (doubling) until each holds k candidates; past
        1 / DEEPEST_SHARE of the rows a walk that deep costs more than brute force over the candidates,
        which then answers the rows still short."""
        allowed = np.zeros(self.n, bool)
        allowed[candidates] = True
        m, fetch = queries.shape[0], 2 * k
        while True:
            found, scores = self._search(queries, min(fetch, self.n - 1), ids)
            keep = (found >= 0) & allowed[np.maximum(found, 0)]
            short = keep.sum(axis=1) < np.minimum(k, candidates.size - allowed[ids].astype(np.int64))
            if not short.any() or fetch * DEEPEST_SHARE > self.n:
                break
            fetch *= 2
        order = np.argsort(~keep, axis=1, kind="stable")[:, :k]  # kept first, each in rank order
        out_ids = np.where(np.take_along_axis(keep, order, 1), np.take_along_axis(found, order, 1), -1)
        out = np.where(out_ids >= 0, np.take_along_axis(scores, order, 1), -np.inf).astype(np.float32)
        if out.shape[1] < k:
            out_ids = np.hstack([out_ids, np.full((m, k - out.shape[1]), -1, np.int64)])
            out = np.hstack([out, np.full((m, k - out.shape[1]), -np.inf, np.float32)])
        if short.any():
            rows = np.flatnonzero(short)
            out_ids[rows], out[rows] = exact_search(queries[rows], self.vectors, k, self.metric, ids[rows], candidates)
        return out_ids, out

    def query_vectors(self, vectors, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows for arbitrary query vectors (e.g. user vectors): ids (m, k), scores (m, k)."""
        k = _check_k(k)
        queries = _as_vectors(vectors, "query vectors")
        if queries.shape[1] != self.dim:
            raise DataError(f"query vectors have {queries.shape[1]} components, the index has {self.dim}")
        return self._search(queries, k, None)

    @accepts_seed
    def recall(self, k: int = 10, sample: int = 1000, random_state: int = 0) -> float:
        r"""Recall@k of `query` against exact search on a random sample of rows:
        :math:`\frac{1}{|S|}\sum_{q\in S} |A_k(q)\cap E_k(q)| / k` (A: this index, E: exact); rows of zero
        vectors are not sampled (`_measured_rows`), and without any row left the recall is 1."""
        k = _check_k(k)
        rows = self._measured_rows(sample, random_state)
        if rows.size == 0:
            return 1.0
        approx, _ = self.query(rows, k)
        truth, _ = exact_search(self.vectors[rows], self.vectors, k, self.metric, exclude_self_ids=rows)
        return recall_at_k(approx, truth)

    def _measured_rows(self, sample: int, seed: int) -> np.ndarray:
        """A seeded sample of the rows with a non-zero vector, to measure recall on. A zero vector (an item
        absent from a model's training part) scores 0 against every item: its exact list is an arbitrary tie,
        and counting any other list as misses under-reported recall (ML-100K, implicit ALS on a split, 25 such
        items: 0.983 against 0.998 on the others)."""
        live = np.flatnonzero(self._norms > 0)
        rng = np.random.default_rng(seed)
        return np.sort(rng.choice(live, size=min(int(sample), live.size), replace=False))

    @accepts_seed
    def tune_ef(self, target: float = 0.98, k: int = 10, sample: int = 500, max_ef: int = 1024,
                random_state: int = 0) -> tuple[int, float]:
        """Pick the query beam by measurement: the smallest ef among the current one, then doubled
        up to `max_ef`, whose recall@k (see `recall`) on a seeded sample of rows reaches `target`.

        Sets ``self.ef`` and returns (ef, recall measured with it). Recall at a given ef depends
        on the data (unstructured vectors need a much wider beam than clustered factors), so a
        fixed ef either wastes time or misses neighbours. When `max_ef` is reached without the
        target, ef = `max_ef` and its (lower) recall are returned. An exact index returns
        (ef, 1.0) unchanged.
        """
        k = _check_k(k)
        if not 0 < target <= 1:
            raise DataError(f"target recall must be in (0, 1], got {target!r}")
        if not isinstance(max_ef, int | np.integer) or isinstance(max_ef, bool) or max_ef < 1:
            raise DataError(f"max_ef must be an integer >= 1, got {max_ef!r}")
        if self.exact:
            return self.ef, 1.0
        rows = self._measured_rows(sample, random_state)
        if rows.size == 0:
            return self.ef, 1.0
        truth, _ = exact_search(self.vectors[rows], self.vectors, k, self.metric, exclude_self_ids=rows)
        ef = min(self.ef, int(max_ef))
        while True:
            self.ef = ef
            found = recall_at_k(self.query(rows, k)[0], truth)
            if found >= target or ef >= max_ef:
                return ef, found
            ef = min(2 * ef, int(max_ef))

    # ----------------------------------------------------------------- persistence
    def _settings(self) -> dict:
        return {"metric": self.metric, "M": self.M, "ef_construction": self.ef_construction, "ef": self.ef,
                "threads": self.threads, "exact_below": self.exact_below, "seed": self.seed,
                "norm_ratio": self.norm_ratio, "exact_below_range": self.exact_below_range}

    def save(self, path) -> Path:
        """Write vectors, settings and the hnsw graphs into one `.npz` file (no pickle)."""
        path = Path(path)
        meta = {"format": INDEX_FORMAT, **self._settings(), "ranges": len(self._ranges),
                "range_max": self._range_max}
        arrays = {"vectors": self.vectors, "meta_json": np.array(json.dumps(meta))}
        with tempfile.TemporaryDirectory() as tmp:
            for r, (rows, graph) in enumerate(zip(self._ranges, self._graphs, strict=True)):
                arrays[f"rows_{r}"] = rows
                if graph is not None:
                    file = os.path.join(tmp, f"graph_{r}.bin")
                    graph.save_index(file)
                    arrays[f"graph_{r}"] = np.fromfile(file, dtype=np.uint8)
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)
        return path

    @classmethod
    def load(cls, path) -> NeighbourIndex:
        """Read an index written by `save`, without rebuilding the graphs."""
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
            meta = json.loads(str(arrays["meta_json"]))
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
            raise DataError(f"could not read a neighbour index from {path}: {exc}. "
                            "Use a file written by NeighbourIndex.save.") from None
        self = cls.__new__(cls)
        for key in ("metric", "M", "ef_construction", "ef", "threads", "exact_below", "seed",
                    "norm_ratio", "exact_below_range"):
            setattr(self, key, meta[key])
        self.vectors = arrays["vectors"]
        self._setup()
        self._range_max = [float(v) for v in meta["range_max"]]
        graph_dim = self.dim + (1 if self.metric == "dot" else 0)
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(meta["ranges"]):
                rows = arrays[f"rows_{r}"]
                self._ranges.append(rows)
                graph = None
                if f"graph_{r}" in arrays:
                    file = os.path.join(tmp, f"graph_{r}.bin")
                    arrays[f"graph_{r}"].tofile(file)
                    graph = hnswlib.Index(space="ip", dim=graph_dim)
                    graph.load_index(file, max_elements=rows.size)
                    graph.set_num_threads(self.threads)
                    graph.set_ef(self.ef)
                self._graphs.append(graph)
        return self

    def __repr__(self) -> str:
        if self.exact:
            kind = "exact"
        else:
            kind = (f"hnsw M={self.M} ef_construction={self.ef_construction} ef={self.ef}, "
                    f"{len(self._ranges)} norm range(s)")
        return f"NeighbourIndex({self.n:,} × {self.dim}, metric={self.metric!r}, {kind})"


def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest entries of each row (unordered; callers re-sort)."""
    if k >= scores.shape[1]:
        return np.broadcast_to(np.arange(scores.shape[1]), scores.shape).copy()
    return np.argpartition(-scores, k - 1, axis=1)[:, :k]


def _order_rows(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-row order by score descending, ties by lower label (matches the exact kernel)."""
    # lexsort sorts by the last key first; it works on 2-D along the last axis.
    return np.lexsort((labels, -scores.astype(np.float64)), axis=-1)


def augment_for_mips(vectors: np.ndarray, max_norm: float | None = None) -> np.ndarray:
    r"""The MIPS→cosine reduction: rows :math:`(x, \sqrt{M^2-\lVert x\rVert^2})/M`, unit length."""
    norms2 = np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64)
    top = float(np.sqrt(norms2.max())) if max_norm is None else float(max_norm)
    top = top if top > 0 else 1.0
    extra = np.sqrt(np.maximum(top * top - norms2, 0.0))
    augmented = np.hstack([vectors.astype(np.float64), extra[:, None]]) / top
    return np.ascontiguousarray(augmented, dtype=np.float32)


def recall_at_k(approx: np.ndarray, truth: np.ndarray) -> float:
    """Share of the items of `truth` (ignoring -1 padding) found in the same row of `approx`,
    over all rows (ids unique within a row, as every search here returns them)."""
    approx = np.asarray(approx).astype(np.int64)  # hnswlib's labels are uint64: no float mix
    truth = np.asarray(truth).astype(np.int64)
    if approx.shape[0] != truth.shape[0]:
        raise DataError(f"approx has {approx.shape[0]} rows but truth has {truth.shape[0]}; give one list per query")
    total = int((truth >= 0).sum())
    return float(_row_overlap(approx, truth).sum() / total) if total else 1.0


# --------------------------------------------------------------------- cosine vs dot
@dataclass(frozen=True)
class NeighbourComparison:
    """An item's top-k by cosine and by dot product, side by side.

    `cosine` and `dot` have columns rank, item, title, score, popularity, norm and, when the
    interactions were given, together and lift (see `co_occurrence`); `overlap` is the number of
    items in both lists, `jaccard` = overlap / |union|; `min_support` the fewest interactions a
    listed item was allowed (0: no filter).
    """

    item: int
    cosine: pd.DataFrame
    dot: pd.DataFrame
    overlap: int
    jaccard: float
    mean_popularity_cosine: float
    mean_popularity_dot: float
    min_support: int = 0


def _neighbour_frame(ids, scores, titles, popularity, norms) -> pd.DataFrame:
    keep = ids >= 0
    ids, scores = ids[keep], scores[keep]
    return pd.DataFrame({
        "rank": np.arange(1, ids.size + 1),
        "item": ids,
        "title": [str(titles[i]) for i in ids] if titles is not None else ids.astype(str),
        "score": scores.astype(np.float64),
        "popularity": popularity[ids] if popularity is not None else np.full(ids.size, np.nan),
        "norm": norms[ids].astype(np.float64),
    })


def _check_popularity(popularity, n: int) -> np.ndarray | None:
    if popularity is None:
        return None
    popularity = np.asarray(item_counts(popularity), np.float64).ravel()  # an Interactions: its item popularity
    if popularity.size != n:
        raise DataError(f"popularity has {popularity.size} entries but there are {n} items")
    return popularity


def co_occurrence(matrix, item: int, others) -> tuple[np.ndarray, np.ndarray]:
    r"""The data's own evidence for latent neighbours: for each item j of `others`, the number of
    users who interacted with both `item` and j, and the lift
    :math:`\frac{n_{ij}\,|U|}{n_i\,n_j}` (how many times more users share them than if the two were
    chosen independently; 0 when either has no users). `matrix` is users × items; every stored
    entry counts as an interaction (as in `Interactions`, one per user and item)."""
    together, lift = co_occurrence_lists(matrix, [item], np.asarray(others, np.int64)[None, :])
    return together[0], lift[0]


def co_occurrence_lists(matrix, items, lists) -> tuple[np.ndarray, np.ndarray]:
    """`co_occurrence` for many items at once: row r of `lists` (item indices, -1 padding) against
    items[r]. Returns (together, lift), both shaped like `lists` (0 at padding). One sparse product
    of the items' user columns with the listed items' columns."""
    matrix = sp.csr_matrix(matrix)
    lists = np.asarray(lists, np.int64)
    items = np.asarray(items, np.int64)
    if lists.size == 0:
        return np.zeros(lists.shape, np.int64), np.zeros(lists.shape)
    listed = np.unique(lists[lists >= 0])
    if listed.size == 0:  # every list empty (a minimum of interactions no item meets): nothing in common
        return np.zeros(lists.shape, np.int64), np.zeros(lists.shape)
    # the user columns of only the items asked about (the whole matrix turned to CSC: up to 1.3 s at 5M ratings)
    wanted = np.union1d(items, listed)
    col_indptr, users = columns_of(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.shape[1],
                                   wanted)
    binary = sp.csc_matrix((np.ones(users.size), users, col_indptr), shape=(matrix.shape[0], wanted.size))
    shared = sp.csr_matrix(binary[:, np.searchsorted(wanted, items)].T @ binary[:, np.searchsorted(wanted, listed)])
    rows = np.repeat(np.arange(items.size), lists.shape[1])
    where = np.searchsorted(listed, np.maximum(lists, 0)).ravel()
    together = np.asarray(shared[rows, where]).reshape(lists.shape).astype(np.int64)
    together[lists < 0] = 0
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])  # each item's users (entries are distinct)
    expected = counts[items][:, None] * counts[np.maximum(lists, 0)] / max(matrix.shape[0], 1)
    lift = np.divide(together, expected, out=np.zeros(lists.shape), where=(expected > 0) & (lists >= 0))
    return together, lift


def compare_neighbours(item_factors, item: int, k: int = 10, popularity=None, titles=None,
                       interactions=None, support=None, min_support: int = 0) -> NeighbourComparison:
    """Top-k neighbours of one item by cosine and by dot product (exact), with each neighbour's
    score, popularity (e.g. `Interactions.item_popularity`) and vector norm, and, given the
    `interactions` (an Interactions or users × items matrix), how many users have both items and
    the lift of that count over chance (`co_occurrence`).

    Dot product scores :math:`\\lVert a\\rVert\\lVert b\\rVert\\cos\\theta`: when norms grow with
    popularity, the dot list leans towards popular items while the cosine list does not.

    With `min_support` > 0, only items whose `support` (interactions in the data the model was
    trained on) is at least `min_support` may be neighbours; the lists keep k items when enough remain.
    """
    vectors = _as_vectors(item_factors, "item factors")
    k = _check_k(k)
    n = vectors.shape[0]
    if not isinstance(item, int | np.integer) or not 0 <= item < n:
        raise DataError(f"item index {item!r} is out of range: there are {n} items (0..{n - 1})")
    popularity = _check_popularity(popularity, n)
    candidates = supported_rows(_check_popularity(support, n), min_support)
    norms = np.linalg.norm(vectors, axis=1)
    frames = {}
    for metric in METRICS:
        ids, scores = exact_search(vectors[[item]], vectors, k, metric, exclude_self_ids=[item], candidates=candidates)
        frames[metric] = _neighbour_frame(ids[0], scores[0], titles, popularity, norms)
        if interactions is not None:
            matrix = getattr(interactions, "matrix", interactions)
            if matrix.shape[1] != n:
                raise DataError(f"the interactions have {matrix.shape[1]} items but there are {n} item vectors")
            frames[metric]["together"], frames[metric]["lift"] = co_occurrence(
                matrix, item, frames[metric]["item"].to_numpy())
    a, b = set(frames["cosine"]["item"]), set(frames["dot"]["item"])
    union = len(a | b)

    def mean_pop(frame: pd.DataFrame) -> float:
        return float(frame["popularity"].mean()) if popularity is not None and len(frame) else float("nan")

    return NeighbourComparison(
        item=int(item), cosine=frames["cosine"], dot=frames["dot"], overlap=len(a & b),
        jaccard=len(a & b) / union if union else 1.0,
        mean_popularity_cosine=mean_pop(frames["cosine"]), mean_popularity_dot=mean_pop(frames["dot"]),
        min_support=int(min_support) if candidates is not None else 0,
    )


MIN_TOGETHER = 5  # users two items must share for their lift to count as evidence over many items
MATCHED_RANKS = 10  # a popularity-matched random neighbour lies within this many places in popularity order


def popularity_matched(lists, popularity, rows, rng, pool=None, spread: int = MATCHED_RANKS) -> np.ndarray:
    """Random neighbour lists of the same popularity as `lists` (item indices, -1 padding kept): each listed item
    replaced by an item drawn within `spread` places of it in the popularity order of `pool` (the items a list may
    hold; all when None), never the list's own item (rows[r] for row r of `lists`)."""
    lists = np.asarray(lists, np.int64)
    popularity = np.asarray(popularity, np.float64)
    pool = np.arange(popularity.size) if pool is None else np.asarray(pool, np.int64)
    if pool.size < 2:  # nothing to draw from (a minimum of interactions no item meets): empty lists, as theirs
        return np.full(lists.shape, -1, np.int64)
    order = pool[np.argsort(popularity[pool], kind="stable")]
    place = np.zeros(popularity.size, np.int64)
    place[order] = np.arange(order.size)
    shift = rng.integers(-spread, spread + 1, lists.shape)
    drawn = order[np.clip(place[np.maximum(lists, 0)] + shift, 0, order.size - 1)]
    own = drawn == np.asarray(rows, np.int64)[:, None]  # itself: the next item in the order instead
    drawn[own] = order[np.clip(place[drawn[own]] + np.where(place[drawn[own]] + 1 < order.size, 1, -1), 0,
                               order.size - 1)]
    return np.where(lists >= 0, drawn, -1)


def matched_median_lift(matrix, item: int, neighbours, draws: int = 200, seed: int = 0, pool=None) -> float:
    """What one item's list of `neighbours` (item indices) must beat for the data to back it: the median lift
    (`co_occurrence_lists`) of `item` with random lists as popular (`popularity_matched`, drawn from `pool`), the
    median over `draws` such lists of each list's median — the figure a list's own median lift is read against.
    Chance (1×) is no such level: popular items share users with everything (Star Wars' 1.5× over chance is about
    what films of its neighbours' popularity give it). NaN for an empty list."""
    neighbours = np.asarray(neighbours, np.int64).ravel()
    if neighbours.size == 0:
        return float("nan")
    matrix = sp.csr_matrix(matrix)
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])
    rows = np.full(int(draws), int(item), np.int64)
    lists = popularity_matched(np.tile(neighbours, (rows.size, 1)), counts, rows, np.random.default_rng(seed), pool)
    _, lift = co_occurrence_lists(matrix, rows, lists)
    medians = np.nanmedian(np.where(lists >= 0, lift, np.nan), axis=1)
    return float(np.nanmedian(medians)) if np.isfinite(medians).any() else float("nan")


def median_counted_lift(matrix, rows, lists, min_together: int = MIN_TOGETHER) -> tuple[np.ndarray, float, float]:
    """Each row's median lift over its listed pairs with at least `min_together` users in common (NaN when none
    has), the median of those over the rows, and the share of the listed pairs that count."""
    together, lift = co_occurrence_lists(matrix, rows, lists)
    counted = (np.asarray(lists) >= 0) & (together >= min_together)
    values = np.where(counted, lift, np.nan)
    per_row = np.full(values.shape[0], np.nan)
    some = counted.any(axis=1)
    per_row[some] = np.nanmedian(values[some], axis=1)
    listed = int((np.asarray(lists) >= 0).sum())
    return (per_row, float(np.nanmedian(per_row)) if some.any() else float("nan"),
            float(counted.sum() / listed) if listed else float("nan"))


@accepts_seed
def neighbour_popularity_summary(item_factors, popularity, k: int = 10, sample: int | None = 2000,
                                 random_state: int = 0, interactions=None, support=None, min_support: int = 0,
                                 min_together: int = MIN_TOGETHER) -> dict:
    """How much more popular dot-product neighbour lists are than cosine ones, over many items.

    For a random sample of items (all when `sample` is None or >= n), exact top-k lists by both
    metrics. Returns a dict: ``mean_popularity_cosine``, ``mean_popularity_dot`` (mean over
    items of the mean popularity in the list), ``popularity_ratio`` (dot / cosine),
    ``mean_overlap`` (shared items per list, 0..k), ``mean_jaccard``, ``k``, ``items`` (sample
    size), and ``per_item``: a DataFrame (item, popularity, norm, popularity_cosine,
    popularity_dot, popularity_ratio = dot / cosine, overlap) for charts. Given the `interactions`,
    also the data's evidence (`co_occurrence`): ``median_lift_cosine`` / ``median_lift_dot``, the
    median over items of the median lift of their neighbours, counting only the pairs with at least
    `min_together` users in common (a pair of rare items sharing one or two users has a lift of 10× by
    chance; an item none of whose neighbours has that many adds nothing); per-item columns lift_cosine,
    lift_dot; ``pairs_counted_cosine`` / ``_dot``, the share of pairs that count; and the same figure for
    popularity-matched random lists, ``median_lift_null_cosine`` / ``_dot`` (`popularity_matched`: each
    neighbour replaced by a random item of about its popularity), the level the lists' must stand above
    before the data can be said to back them — random pairs of MovieLens 100K items already have a median
    lift of 1.76, and 31% of them exceed 3×. `support` and `min_support` filter the neighbours as in
    `compare_neighbours` (the random lists are drawn from the items allowed). Given `support`, the sampled items
    are drawn from those with support > 0 only: an item the model never trained on (a time split's newest) has a
    zero vector, so its lists are the catalogue in index order, the same for each such item (MovieLens 100K, time
    split 50%, implicit ALS: 127 of 1,000 sampled, dot ÷ cosine popularity 1.8× with them, 2.23× without);
    ``items_untrained`` counts the items so left out.
    """
    vectors = _as_vectors(item_factors, "item factors")
    k = _check_k(k)
    n = vectors.shape[0]
    popularity = _check_popularity(popularity, n)
    if popularity is None:
        raise DataError("neighbour_popularity_summary needs the item popularity (interactions per item)")
    support = _check_popularity(support, n)
    trained, rows, candidates, cos_ids, dot_ids = _sampled_lists(vectors, k, sample, random_state, support,
                                                                  min_support)

    def list_popularity(ids: np.ndarray) -> np.ndarray:
        values = np.where(ids >= 0, popularity[np.maximum(ids, 0)], np.nan)
        return np.nanmean(values, axis=1) if ids.shape[1] else np.full(ids.shape[0], np.nan)

    pop_cos, pop_dot = list_popularity(cos_ids), list_popularity(dot_ids)
    overlap = _row_overlap(cos_ids, dot_ids)
    sizes = (cos_ids >= 0).sum(axis=1) + (dot_ids >= 0).sum(axis=1) - overlap
    per_item = pd.DataFrame({
        "item": rows, "popularity": popularity[rows], "norm": np.linalg.norm(vectors[rows], axis=1),
        "popularity_cosine": pop_cos, "popularity_dot": pop_dot,
        "popularity_ratio": np.where(pop_cos > 0, pop_dot / np.where(pop_cos > 0, pop_cos, 1), np.nan),
        "overlap": overlap,
    })
    evidence = {}
    if interactions is not None:
        matrix = getattr(interactions, "matrix", interactions)
        if matrix.shape[1] != n:
            raise DataError(f"the interactions have {matrix.shape[1]} items but there are {n} item vectors")
        draws = np.random.default_rng([random_state, 1])
        for metric, ids in (("cosine", cos_ids), ("dot", dot_ids)):
            per_item[f"lift_{metric}"], evidence[f"median_lift_{metric}"], evidence[f"pairs_counted_{metric}"] = \
                median_counted_lift(matrix, rows, ids, min_together)
            # matched on the counts the lift divides by (the interactions given)
            null = popularity_matched(ids, np.bincount(sp.csr_matrix(matrix).indices, minlength=n), rows, draws,
                                      candidates)
            evidence[f"median_lift_null_{metric}"] = median_counted_lift(matrix, rows, null, min_together)[1]
        evidence["min_together"] = int(min_together)
    mean_cos, mean_dot = float(np.nanmean(pop_cos)), float(np.nanmean(pop_dot))
    return {**evidence,
        "k": k, "items": int(rows.size), "items_untrained": int(n - trained.size),
        "mean_popularity_cosine": mean_cos, "mean_popularity_dot": mean_dot,
        "popularity_ratio": mean_dot / mean_cos if mean_cos > 0 else float("nan"),
        "mean_overlap": float(overlap.mean()),
        "mean_jaccard": float(np.mean(np.where(sizes > 0, overlap / np.maximum(sizes, 1), 1.0))),
        "per_item": per_item,
    }


def _sampled_lists(vectors: np.ndarray, k: int, sample: int | None, random_state: int, support,
                   min_support: int):
    """The items trained on (support > 0), the sample of them drawn, the items a list may hold, and the sample's
    exact cosine and dot top-k lists: what `neighbour_popularity_summary` and `mean_list_overlap` both count on."""
    n = vectors.shape[0]
    trained = np.arange(n) if support is None else np.flatnonzero(support > 0)
    rows = (trained if sample is None or sample >= trained.size
            # drawn as from all items when every item is trained: the same sample as ever
            else np.sort(np.random.default_rng(random_state).choice(trained, int(sample), replace=False)))
    candidates = supported_rows(support, min_support)
    cos_ids, _ = exact_search(vectors[rows], vectors, k, "cosine", exclude_self_ids=rows, candidates=candidates)
    dot_ids, _ = exact_search(vectors[rows], vectors, k, "dot", exclude_self_ids=rows, candidates=candidates)
    return trained, rows, candidates, cos_ids, dot_ids


@accepts_seed
def mean_list_overlap(item_factors, k: int = 10, sample: int | None = 2000, random_state: int = 0, support=None,
                      min_support: int = 0) -> float:
    """The ``mean_overlap`` of `neighbour_popularity_summary` with the same arguments (the same sampled items and
    lists), without the rest: the lists alone are a tenth of its time on MovieLens 100K, the data's evidence the
    other nine (a page needing only how much the lists share need not wait for the lifts)."""
    vectors = _as_vectors(item_factors, "item factors")
    support = _check_popularity(support, vectors.shape[0])
    _, _, _, cos_ids, dot_ids = _sampled_lists(vectors, _check_k(k), sample, random_state, support, min_support)
    return float(_row_overlap(cos_ids, dot_ids).mean())


def _row_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Items shared by row r of `a` and row r of `b` (ids unique within a row, -1 padding ignored):
    sort the two rows together and count equal neighbours."""
    both = np.concatenate([a, b], axis=1)
    both.sort(axis=1)
    return ((both[:, 1:] == both[:, :-1]) & (both[:, 1:] >= 0)).sum(axis=1)


@accepts_seed
def neighbour_agreement(item_factors_a, item_factors_b, k: int = 10, sample: int | None = 1000,
                        random_state: int = 0) -> pd.DataFrame:
    """How far two models of the same items agree on each item's cosine neighbours: for a seeded
    sample of items (all when `sample` is None or >= their number), the exact top-k by cosine in each model
    and the number of items the two lists share. Returns a DataFrame (item, shared), shared in 0..k.
    Two seeds of one model agreeing little means its neighbours are not to be read one by one.

    Items with a zero vector in either model (items absent from the training part, which the models leave at
    0) have no direction, hence no neighbours: each model "lists" the items 0..k-1 for them, the same in every
    model, which counted as k of k shared (on MovieLens 100K's 80/20 split, 25 such items lifted implicit ALS ∩
    ALS from 1.0 to 1.1 of 10). They are left out, as items to compare and as neighbours;
    ``.attrs["left_out"]`` holds how many items of the catalogue that is."""
    a = _as_vectors(item_factors_a, "the first model's item factors")
    b = _as_vectors(item_factors_b, "the second model's item factors")
    if a.shape[0] != b.shape[0]:
        raise DataError(f"the models have {a.shape[0]} and {b.shape[0]} items; compare models of the same data")
    k = _check_k(k)
    placed = np.flatnonzero(np.any(a != 0, axis=1) & np.any(b != 0, axis=1))
    left_out = a.shape[0] - placed.size
    rows = (placed if sample is None or sample >= placed.size
            else np.sort(np.random.default_rng(random_state).choice(placed, int(sample), replace=False)))
    candidates = placed if left_out else None  # the same search as ever when every item has a vector
    ids_a, _ = exact_search(a[rows], a, k, "cosine", exclude_self_ids=rows, candidates=candidates)
    ids_b, _ = exact_search(b[rows], b, k, "cosine", exclude_self_ids=rows, candidates=candidates)
    frame = pd.DataFrame({"item": rows, "shared": _row_overlap(ids_a, ids_b)})
    frame.attrs["left_out"] = int(left_out)
    return frame
