"""2-D/3-D maps of factor vectors (UMAP on the hnswlib kNN graph, t-SNE or PCA), cached, with a trust score."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mfviz.analysis import map_options
from mfviz.analysis.inputs import as_array, item_counts
from mfviz.analysis.neighbours import NeighbourIndex, _topk, exact_search, normalise_rows
from mfviz.cache_dir import default_cache_dir, keep_newest
from mfviz.errors import DataError
from mfviz.seeds import accepts_seed

METHODS = ("umap", "pca", "tsne")
LAYOUTS = ("synchronous", "umap-learn")
# Maps kept on disk, the most recently used (a server otherwise added one file per model and map setting
# for ever: +71 files in one afternoon of five sessions; 8,000 items in 2-D take 64 KB).
MAPS_KEPT = 300
CACHE_VERSION = 3  # 2: UMAP layouts by mfviz.kernels.layout by default; 3: its float32 positions (170787c), whose
# maps differ in their last bits, and over 200 epochs in more: one cached under 2 was still served for the same vectors
_MEMORY_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_MEMORY_ITEMS = 32  # projections kept in memory (a 50k × 3 map is 600 kB)


@dataclass(frozen=True)
class Projection:
    """Coordinates (n, n_components) float32 and how they were made: method, params, seconds
    spent computing them (0 for a cache hit), cached (True when read from a cache), compiled (True when
    those seconds include compiling or loading numba code on its first use in this process)."""

    coords: np.ndarray
    method: str
    params: dict
    seconds: float
    cached: bool
    compiled: bool = False


def _cache_key(vectors: np.ndarray, params: dict) -> str:
    digest = hashlib.sha256()
    digest.update(str(vectors.shape).encode())
    digest.update(np.ascontiguousarray(vectors, np.float32).tobytes())
    digest.update(json.dumps({**params, "version": CACHE_VERSION}, sort_keys=True).encode())
    return digest.hexdigest()[:32]


def clear_memory_cache() -> None:
    """Forget in-memory projections (the disk cache stays)."""
    _MEMORY_CACHE.clear()


@accepts_seed
def project(vectors, method: str = "umap", n_components: int = 2, *, n_neighbors: int = 15,
            min_dist: float = 0.1, random_state: int | None = 0, cache_dir=None, threads: int = 2,
            n_epochs: int = 200, layout: str = "synchronous", perplexity: float | None = None,
            spherize: bool = False, components: tuple[int, ...] | None = None) -> Projection:
    """Project factor vectors to 2-D or 3-D.

    - `spherize`: first the Embedding Projector's "Spherize data" (`map_options.spherize`: centre, then unit
      length), for any method.
    - "tsne": t-SNE by `map_options.tsne` (cosine, seeded), `perplexity` (default the Projector's
      `default_perplexity`) clamped to `perplexity_limit`; `params["perplexity"]` is the one used.
      At most `TSNE_ITEMS_AT_MOST` vectors (scikit-learn's t-SNE of more takes minutes).
    - `components` (PCA only): which principal components (0-based, each below `PCA_COMPONENTS`) go on x, y
      (and z); one per dimension of the map. Default the first ones.

    - "pca": centred vectors onto their top principal axes (thin SVD; signs fixed so that the
      largest-magnitude entry of each axis is positive, so pictures do not flip). Instant.
    - "umap": UMAP (McInnes et al. 2018) with metric cosine — the angle between factor vectors
      is what cosine neighbours use. The kNN graph comes from `NeighbourIndex` (exact below
      20,000 rows, hnswlib above) and is handed to umap-learn via
      ``precomputed_knn=(knn_indices, knn_dists, None)`` (self as first neighbour, cosine
      distance), which replaces umap-learn's NN-descent. umap-learn then builds the fuzzy
      graph, a/b from `min_dist` and the spectral initialisation; the layout itself is
      optimised by `layout`:
      "synchronous" (default): `mfviz.kernels.layout.optimize_layout`, umap-learn's gradients,
      clipping, negative sampling and learning-rate schedule in synchronous epochs, on
      `threads` threads and bit-identical for a random_state whatever the thread count (neighbourhood
      preservation on par with umap-learn's: see BENCHMARKS.md);
      "umap-learn": umap-learn's own in-place optimiser, which runs on one thread when seeded
      (it forces n_jobs=1 with a random_state) and on `threads` threads, not reproducibly,
      with `random_state=None`.
      `n_epochs` of layout optimisation: 200 by default for every size (umap-learn's default
      is 500 below 10,000 points), which keeps a 10k map at a few seconds.
      Reproducibility: bit-identical for a random_state below 20,000 points (exact kNN graph); above,
      hnswlib builds its graph with several threads and a few neighbours can differ between
      runs, so the layout can differ slightly — the cache returns the same picture for the
      same vectors and parameters.
      A map of n_components + 1 points or fewer starts from a seeded random layout instead of the
      spectral one, which needs more points (`params["init"]` is then "random").

    Results are cached by a hash of the vectors and all parameters: in memory (last 32) and on
    disk as `.npy` under `cache_dir` (default `default_cache_dir()`; pass False for no disk
    cache).
    """
    if method not in METHODS:
        raise DataError(f"method must be 'umap', 'pca' or 'tsne', got {method!r}")
    if n_components not in (2, 3):
        raise DataError(f"n_components must be 2 or 3, got {n_components!r}")
    array = as_array(vectors, "vectors")
    if array.ndim != 2 or array.shape[1] < 1:
        raise DataError(f"a map needs one vector per row with at least 1 component, got shape {array.shape}")
    if array.shape[0] < 3:
        raise DataError(f"a map needs at least 3 vectors (points), got {array.shape[0]}: with fewer there is "
                        "nothing to arrange")
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise DataError("the vectors contain NaN or infinite values; retrain the model")
    if not isinstance(n_neighbors, int | np.integer) or n_neighbors < 2:
        raise DataError(f"n_neighbors must be an integer >= 2, got {n_neighbors!r}")
    if not 0 <= float(min_dist) <= 1:
        raise DataError(f"min_dist must be between 0 and 1, got {min_dist!r}")
    n = array.shape[0]
    params = {"method": method, "n_components": int(n_components)}
    if method == "umap":
        if layout not in LAYOUTS:
            raise DataError(f"layout must be 'synchronous' or 'umap-learn', got {layout!r}")
        if not isinstance(n_epochs, int | np.integer) or n_epochs < 1:
            raise DataError(f"n_epochs must be a positive integer, got {n_epochs!r}")
        params.update(n_neighbors=int(min(n_neighbors, n - 1)), min_dist=float(min_dist),
                      seed=None if random_state is None else int(random_state), metric="cosine", n_epochs=int(n_epochs),
                      layout=layout)
        if n <= n_components + 1:  # too few points for the spectral start (see _umap); only then in the key
            params["init"] = "random"
    params.update(_option_params(method, n, n_components, perplexity, spherize, components, random_state))
    key = _cache_key(array, params)
    if key in _MEMORY_CACHE:
        _MEMORY_CACHE.move_to_end(key)
        return Projection(_MEMORY_CACHE[key].copy(), method, params, 0.0, True)
    folder = None if cache_dir is False else Path(cache_dir) if cache_dir is not None else default_cache_dir()
    file = folder / "projections" / f"{key}.npy" if folder is not None else None
    if file is not None and file.exists():
        try:
            coords = np.load(file, allow_pickle=False)
            if coords.shape == (n, n_components):
                _remember(key, coords)
                os.utime(file)  # used: the last to be pruned
                return Projection(coords.copy(), method, params, 0.0, True)
        except (OSError, ValueError):
            pass  # a damaged cache file is recomputed and overwritten
    compiled_before = _compiled_versions()
    start = time.perf_counter()
    if params.get("spherize"):
        array = map_options.spherize(array).astype(np.float32)
    if method == "pca" and "components" in params:
        coords = map_options.pca_components(array)[0]
        coords = np.column_stack([coords[:, c] if c < coords.shape[1] else np.zeros(n) for c in params["components"]])
    elif method == "pca":
        coords = _pca(array, n_components)
    elif method == "tsne":
        coords = map_options.tsne(array, n_components, params["perplexity"], params["seed"], threads)
    else:
        coords = _umap(array, n_components, params["n_neighbors"], float(min_dist), random_state, threads,
                       params["n_epochs"], params["layout"], params.get("init", "spectral"))
    seconds = time.perf_counter() - start
    coords = np.ascontiguousarray(coords, dtype=np.float32)
    _remember(key, coords)
    if file is not None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            partial = file.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(partial, coords)
            os.replace(partial, file)
            keep_newest(file.parent, "*.npy", MAPS_KEPT)
        except OSError:
            pass  # a read-only cache folder only costs recomputation
    return Projection(coords.copy(), method, params, seconds, False, _compiled_versions() > compiled_before)


def _compiled_versions() -> int:
    """How many compiled versions the numba functions of mfviz's kernels and umap-learn hold in this process: more
    after a map than before means the map's seconds include compiling them (or loading them from numba's disk
    cache), which the first UMAP map of a process pays (5.3 s against 3.1-3.6 s for the next ones on
    ML-100K, with a warm disk cache; 10-25 s more without one)."""
    import sys

    from numba.core.registry import CPUDispatcher

    count = 0
    for name, module in list(sys.modules.items()):
        if module is not None and (name.startswith("umap.") or name.startswith("mfviz.kernels")):
            count += sum(len(f.overloads) for f in list(vars(module).values()) if isinstance(f, CPUDispatcher))
    return count


def _option_params(method: str, n: int, n_components: int, perplexity, spherize: bool, components, seed) -> dict:
    """The cache key's part for the Projector's options: only those set, so that maps made before they
    existed keep their keys (the background's precomputed UMAP map among them)."""
    params = {"spherize": True} if spherize else {}
    if method == "tsne":
        if n > map_options.TSNE_ITEMS_AT_MOST:
            raise DataError(f"t-SNE maps at most {map_options.TSNE_ITEMS_AT_MOST:,} items (as the Embedding Projector "
                            f"samples), and this map has {n:,}: use UMAP, or map a selection of them")
        wanted = map_options.default_perplexity(n) if perplexity is None else float(perplexity)
        if not wanted > 0:
            raise DataError(f"perplexity must be positive, got {perplexity!r}")
        params.update(perplexity=map_options.clamped_perplexity(wanted, n)[0], seed=0 if seed is None else int(seed))
    if components is not None and method == "pca":
        chosen = tuple(int(c) for c in components)
        if len(chosen) != n_components or not all(0 <= c < map_options.PCA_COMPONENTS for c in chosen):
            raise DataError(f"components must be {n_components} component numbers from 0 to "
                            f"{map_options.PCA_COMPONENTS - 1}, got {components!r}")
        if chosen != tuple(range(n_components)):
            params["components"] = list(chosen)
    return params


def _remember(key: str, coords: np.ndarray) -> None:
    _MEMORY_CACHE[key] = coords
    _MEMORY_CACHE.move_to_end(key)
    while len(_MEMORY_CACHE) > _MEMORY_ITEMS:
        _MEMORY_CACHE.popitem(last=False)


def _pca(vectors: np.ndarray, n_components: int) -> np.ndarray:
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:n_components]
    # deterministic signs: largest-magnitude loading of each axis positive
    signs = np.sign(axes[np.arange(axes.shape[0]), np.abs(axes).argmax(axis=1)])
    axes = axes * np.where(signs == 0, 1, signs)[:, None]
    coords = centred @ axes.T
    if coords.shape[1] < n_components:  # fewer components than asked (e.g. 1-D factors)
        coords = np.hstack([coords, np.zeros((coords.shape[0], n_components - coords.shape[1]))])
    return coords


def cosine_knn(vectors: np.ndarray, k: int, threads: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The cosine kNN graph in umap-learn's format: ids (n, k) with each row's own index first,
    and cosine distances 1 − cos (n, k), ascending."""
    index = NeighbourIndex(vectors, "cosine", threads=threads, seed=seed, M=16, ef_construction=100,
                           ef=max(2 * k, 32))
    ids, scores = index.query(np.arange(vectors.shape[0]), k - 1)
    own = np.arange(vectors.shape[0])[:, None]
    knn_ids = np.hstack([own, ids]).astype(np.int64)
    knn_dists = np.hstack([np.zeros((ids.shape[0], 1), np.float32), np.maximum(1.0 - scores, 0.0)])
    # padding (-1) only for rows with fewer than k - 1 others; umap needs valid ids
    bad = knn_ids < 0
    if bad.any():
        knn_ids[bad] = np.broadcast_to(own, knn_ids.shape)[bad]
        knn_dists[bad] = 0.0
    return knn_ids, knn_dists.astype(np.float32)


_UMAP_CACHING = False


def _enable_umap_jit_cache() -> None:
    """Turn on numba's on-disk cache for umap-learn's own jitted functions.

    umap-learn compiles several of them (smooth_knn_dist, compute_membership_strengths, the
    layout epoch, ...) without ``cache=True``, which costs ~10-25 s in every fresh process on
    this machine. Enabling the cache changes nothing but where the compiled code is kept
    (umap's __pycache__, or numba's user-wide cache folder when that is read-only), so the
    cost is paid once per machine, as with mfviz's own kernels.
    """
    global _UMAP_CACHING
    if _UMAP_CACHING:
        return
    import umap.layouts
    import umap.spectral
    import umap.umap_
    import umap.utils
    from numba.core.registry import CPUDispatcher

    for module in (umap.umap_, umap.layouts, umap.spectral, umap.utils):
        for function in list(vars(module).values()):
            if isinstance(function, CPUDispatcher) and type(function._cache).__name__ == "NullCache":
                try:
                    function.enable_caching()
                except Exception:  # noqa: BLE001 - an uncachable function just compiles as before
                    pass
    _UMAP_CACHING = True


def _umap(vectors: np.ndarray, n_components: int, n_neighbors: int, min_dist: float, seed, threads: int,
          n_epochs: int, layout: str = "synchronous", init: str = "spectral"):
    """UMAP coordinates; `init` "spectral" (umap-learn's default start) or "random". The spectral start
    solves for n_components + 1 eigenvectors of the graph, which a graph of that many points or fewer
    does not have (scipy raises), so `project` asks for a random start there (seeded, uniform in
    [-10, 10] as umap-learn draws it; a PCA start would put identical vectors on one point, which
    the layout cannot scale) and the layout runs as usual."""
    import umap  # imported late: importing umap-learn takes seconds

    _enable_umap_jit_cache()

    if np.linalg.norm(vectors, axis=1).max() == 0:
        raise DataError("every vector is zero; a cosine map needs non-zero factors")
    knn_ids, knn_dists = cosine_knn(vectors, n_neighbors, threads=threads, seed=0 if seed is None else seed)
    settings = dict(n_neighbors=n_neighbors, n_components=n_components, metric="cosine", min_dist=min_dist,
                    random_state=seed, precomputed_knn=(knn_ids, knn_dists, None), init=init,
                    low_memory=True, n_epochs=n_epochs)
    if layout == "synchronous":
        reducer = _synchronous_umap_class()(n_jobs=1, **settings)
        reducer.layout_threads = threads
    else:
        reducer = umap.UMAP(n_jobs=1 if seed is not None else threads, **settings)
    with warnings.catch_warnings():
        # expected: no NNDescent search index (we never call transform), n_jobs forced by the seed
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        warnings.filterwarnings("ignore", message=".*n_jobs.*")
        warnings.filterwarnings("ignore", message=".*Spectral initialisation failed.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="umap")
        return reducer.fit_transform(vectors)


# Step sizes of the synchronous layout, chosen by measurement (ML-100K SVD item factors and 10k
# clustered vectors, 2-D and 3-D, against umap-learn's seeded layout on the same graph and
# initialisation): umap-learn's nominal balance (each neighbour's pull twice, learning rate 1)
# overshoots when every point moves at once towards where its neighbours were, giving tighter,
# more fragmented maps and lower neighbourhood preservation; one pull per edge at half the
# learning rate looks like umap-learn's maps and keeps neighbourhoods at least as well.
SYNCHRONOUS_LEARNING_RATE = 0.5  # times umap-learn's learning_rate (1.0)
SYNCHRONOUS_ATTRACTION = 1.0  # attraction_scale of mfviz.kernels.layout.optimize_layout


@functools.cache
def _synchronous_umap_class():
    """umap.UMAP with its layout step (`_fit_embed_data`, the documented hook for subclasses)
    replaced by `mfviz.kernels.layout.optimize_layout`. Everything before the layout is
    umap-learn's own: fuzzy simplicial set on our kNN graph, a/b from min_dist, pruning of
    weak edges, spectral initialisation scaled to [0, 10], epochs_per_sample."""
    import numba
    import umap
    from umap.spectral import spectral_layout
    from umap.umap_ import make_epochs_per_sample, noisy_scale_coords

    from mfviz.kernels.layout import optimize_layout

    class SynchronousUMAP(umap.UMAP):
        layout_threads = 2

        def _fit_embed_data(self, X, n_epochs, init, random_state, **kwargs):
            # as umap_.simplicial_set_embedding up to the layout call (umap-learn 0.5)
            graph = self.graph_.tocoo()
            graph.sum_duplicates()
            default_epochs = 500 if graph.shape[0] <= 10_000 else 200
            n_epochs = int(n_epochs) if n_epochs else default_epochs
            # edges too weak to be sampled even once in the run are dropped
            graph.data[graph.data < graph.data.max() / float(n_epochs if n_epochs > 10 else default_epochs)] = 0.0
            graph.eliminate_zeros()
            if isinstance(init, str) and init == "spectral":
                embedding = spectral_layout(X, graph, self.n_components, random_state,
                                            metric=self._input_distance_func, metric_kwds=self._metric_kwds)
                embedding = noisy_scale_coords(embedding, random_state, max_coord=10, noise=0.0001)
            else:
                embedding = random_state.uniform(-10.0, 10.0, (graph.shape[0], self.n_components))
            span = np.maximum(embedding.max(axis=0) - embedding.min(axis=0), np.finfo(np.float32).tiny)
            embedding = np.ascontiguousarray(10.0 * (embedding - embedding.min(axis=0)) / span, dtype=np.float32)
            csr = graph.tocsr()
            csr.sort_indices()
            epochs_per_sample = make_epochs_per_sample(csr.data, n_epochs)
            layout_seed = int(random_state.randint(0, np.iinfo(np.int64).max, dtype=np.int64))
            previous = numba.get_num_threads()
            numba.set_num_threads(max(1, min(int(self.layout_threads), numba.config.NUMBA_NUM_THREADS)))
            try:
                # chunks of vertices handed out as threads free up rather than one equal share
                # each: on a shared machine a thread that lost its core does not hold up every
                # epoch's barrier. Results do not depend on which thread moves which vertex.
                with numba.parallel_chunksize(max(64, graph.shape[0] // 32)):
                    embedding = optimize_layout(embedding, csr.indptr.astype(np.int64), csr.indices.astype(np.int64),
                                                epochs_per_sample, float(self._a), float(self._b),
                                                float(self.repulsion_strength),
                                                SYNCHRONOUS_LEARNING_RATE * float(self._initial_alpha),
                                                float(self.negative_sample_rate), n_epochs, layout_seed,
                                                SYNCHRONOUS_ATTRACTION)
            finally:
                numba.set_num_threads(previous)
            return embedding, {}

    return SynchronousUMAP


def projection_table(coords, items: pd.DataFrame | None = None, popularity=None, norms=None,
                     titles=None) -> pd.DataFrame:
    """One row per point for plotting: x, y[, z], item (index), title, genres (joined with
    ", "), first_genre, popularity, norm, plus every other scalar column of `items`
    (Interactions.items, one row per item index)."""
    coords = np.asarray(coords)
    if coords.ndim != 2 or coords.shape[1] not in (2, 3):
        raise DataError(f"coords must be (n, 2) or (n, 3), got shape {coords.shape}")
    n = coords.shape[0]
    frame = pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1]})
    if coords.shape[1] == 3:
        frame["z"] = coords[:, 2]
    frame["item"] = np.arange(n)
    if items is not None and len(items) == 0:
        items = None
    if items is not None and len(items) != n:
        raise DataError(f"the item table has {len(items)} rows but there are {n} points")
    if titles is not None:
        frame["title"] = np.asarray(titles).astype(str)
    elif items is not None and "title" in items.columns:
        frame["title"] = items["title"].astype(object).where(items["title"].notna(), None).astype(str).to_numpy()
    elif items is not None and "item_id" in items.columns:
        frame["title"] = items["item_id"].astype(str).to_numpy()
    else:
        frame["title"] = frame["item"].astype(str)
    if items is not None and "genres" in items.columns:
        genres = [list(g) if isinstance(g, list | tuple | np.ndarray) else ([] if g is None or g != g else [str(g)])
                  for g in items["genres"]]
        frame["genres"] = [", ".join(map(str, g)) for g in genres]
        frame["first_genre"] = [str(g[0]) if len(g) else "(none)" for g in genres]
    for name, values in (("popularity", popularity), ("norm", norms)):
        if values is not None:
            values = np.asarray(item_counts(values) if name == "popularity" else values).ravel()
            if values.size != n:
                raise DataError(f"{name} has {values.size} entries but there are {n} points")
            frame[name] = values
    if items is not None:
        for column in items.columns:
            if column in frame.columns or column in ("title", "genres"):
                continue
            series = items[column].reset_index(drop=True)
            if series.map(lambda v: isinstance(v, list | tuple | np.ndarray | dict)).any():
                continue
            frame[column] = series.to_numpy()
    return frame


@accepts_seed
def neighbourhood_preservation(vectors, coords, k: int = 10, sample: int | None = 1000, random_state: int = 0) -> float:
    r"""Share of each point's k nearest neighbours in factor space (cosine) that are also among
    its k nearest on the map (Euclidean), averaged over a random sample of points:
    :math:`\frac{1}{|S|}\sum_{i\in S} |N_k^{factors}(i) \cap N_k^{map}(i)| / k`.

    1 = the map keeps every neighbourhood; a random map scores about k / n. Exact search on
    both sides, so the score is deterministic for a random_state. On few points k is lowered to
    `preservation_k(n, k)`; a map of fewer than 3 points has no score (DataError).
    """
    vectors = np.ascontiguousarray(as_array(vectors, "vectors"), dtype=np.float32)
    coords = np.ascontiguousarray(np.asarray(coords), dtype=np.float32)
    if vectors.ndim != 2 or coords.ndim != 2 or vectors.shape[0] != coords.shape[0]:
        raise DataError(f"vectors {vectors.shape} and coords {coords.shape} must have one row per point")
    n = vectors.shape[0]
    if not isinstance(k, int | np.integer) or k < 1:
        raise DataError(f"k must be a positive integer, got {k!r}")
    if n < 3:
        raise DataError(f"a neighbourhood score needs at least 3 points, got {n}")
    k = preservation_k(n, k)
    rng = np.random.default_rng(random_state)
    rows = np.arange(n) if sample is None or sample >= n else np.sort(rng.choice(n, int(sample), replace=False))
    factor_ids, _ = exact_search(vectors[rows], vectors, k, "cosine", exclude_self_ids=rows)
    map_ids = map_neighbours(coords, rows, k)
    shared = [np.intersect1d(a, b).size for a, b in zip(factor_ids, map_ids, strict=True)]
    return float(np.mean(shared) / k)


def preservation_k(n: int, k: int = 10) -> int:
    """The k `neighbourhood_preservation` uses on a map of n points: k, but at most n − 2, since
    with n − 1 every other point is a neighbour on both sides and any map scores 1 (0 below 3 points)."""
    return max(0, min(int(k), n - 2))


def map_neighbours(coords, rows, k: int = 10) -> np.ndarray:
    """The k nearest points on the map (Euclidean) of each of `rows`, the row itself left out:
    an int array (len(rows), k) of row indices, nearest first."""
    coords = np.ascontiguousarray(np.asarray(coords), dtype=np.float32)
    rows = np.atleast_1d(np.asarray(rows, np.int64))
    # Euclidean kNN as a dot-product top-k: -|a-b|² = 2a·b - |b|² - |a|², the last term constant per query.
    squared = np.einsum("ij,ij->i", coords, coords).astype(np.float32)
    indptr = np.arange(rows.size + 1, dtype=np.int64)
    ids, _ = _topk(np.ascontiguousarray(2 * coords[rows]), coords, -squared, k, indptr, rows)
    return ids


def warm_up() -> None:
    """Compile the numba kernels and umap-learn's code paths on tiny data, so the first real
    map and neighbour list are fast. Safe to run in a background thread; touches no cache
    on disk."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((300, 8)).astype(np.float32)
    exact_search(vectors[:5], vectors, 5, "cosine", exclude_self_ids=np.arange(5))
    exact_search(vectors[:5], vectors, 5, "dot")
    normalise_rows(vectors)
    for n_components in (2, 3):
        coords = project(vectors, "umap", n_components, seed=0, cache_dir=False).coords
    project(vectors, "pca", 2, cache_dir=False)
    neighbourhood_preservation(vectors, coords, k=5, sample=50)

