"""The Embedding Projector's map options over factor vectors: "Spherize data", t-SNE with its perplexity, and
PCA on any principal components with each one's share of the variance."""

from __future__ import annotations

import math

import numpy as np

from mfviz.errors import DataError

PCA_COMPONENTS = 10  # components offered for a PCA map's axes, as the Projector offers
PERPLEXITY_RANGE = (2, 100)  # the Projector's perplexity slider
TSNE_ITEMS_AT_MOST = 10_000  # the Projector maps t-SNE on a sample of this many; here more items is a refusal


def spherize(vectors) -> np.ndarray:
    """The Projector's "Spherize data": subtract the mean vector, then scale each vector to unit length
    (a vector equal to the mean stays at 0). Every item then counts by its direction from the centre only:
    a direction that most vectors share (in most models, the popularity direction: popular items' vectors
    are long and point alike) is taken out by the centring, and long vectors no longer dominate PCA."""
    centred = np.asarray(vectors, dtype=np.float64) - np.asarray(vectors, dtype=np.float64).mean(axis=0)
    lengths = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.where(lengths > 0, lengths, 1.0)


def default_perplexity(n: int) -> int:
    """The Projector's starting perplexity for n points: max(5, ⌈√n / 4⌉) (11 for 1,682 items)."""
    return max(5, math.ceil(math.sqrt(max(int(n), 0)) / 4))


def perplexity_limit(n: int) -> int:
    """The largest perplexity a map of n points can take: t-SNE (the Projector's and scikit-learn's) looks at
    each point's ⌊3 × perplexity⌋ nearest others, which must exist (at least 1)."""
    return max(1, (int(n) - 1) // 3)


def tsne(vectors, n_components: int, perplexity: float, seed: int = 0, threads: int = 2) -> np.ndarray:
    """t-SNE (van der Maaten & Hinton 2008) coordinates, by scikit-learn's Barnes-Hut solver, with cosine
    distances as the Projector's t-SNE (its kNN is by cosine) and UMAP here use, PCA start (random with fewer
    factors than map dimensions) and `seed`;
    `perplexity` is clamped to `perplexity_limit` (callers say so: `clamped_perplexity`)."""
    from sklearn.manifold import TSNE  # imported late: scikit-learn's import takes a second

    array = np.asarray(vectors, dtype=np.float64)
    if np.linalg.norm(array, axis=1).max() == 0:
        raise DataError("every vector is zero; a cosine map needs non-zero factors")
    if not np.ptp(array, axis=0).any():
        # every vector the same: one point, as PCA draws them (scikit-learn's PCA start divides by their spread,
        # 0, and its Barnes-Hut solver then crashed the process with a segmentation fault)
        return np.zeros((array.shape[0], n_components))
    chosen = min(float(perplexity), float(perplexity_limit(array.shape[0])))
    # the PCA start needs as many factors as map dimensions (a 2-factor model's 3-D map starts at random)
    start = "pca" if array.shape[1] >= n_components else "random"
    # scikit-learn's 1,000 gradient steps (250 exaggerated, the rest settling), not 500: at 500 the 2-D maps of
    # ML-100K's 32-factor Truncated SVD and the demo's implicit ALS kept their neighbourhood preservation (0.449 vs
    # 0.451, 0.508 vs 0.504; the two maps shared 88% and 95% of each item's 10 nearest) in about half the CPU time
    # (ML-100K: median 17.1 s vs 33.2 s), but ended with a 6-13% higher KL divergence (1.632 vs 1.533,
    # 1.118 vs 0.987; 3-D 1.430 vs 1.369, 0.969 vs 0.869) and a 3-D map of three clusters kept 84% of each point's 5
    # nearest in its own cluster, against over 90% at 1,000 (test_tsne_is_seeded_and_keeps_each_cluster_together)
    reducer = TSNE(n_components=n_components, perplexity=chosen, metric="cosine", init=start, random_state=seed,
                   n_jobs=threads, method="barnes_hut" if n_components <= 3 else "exact")
    return reducer.fit_transform(array)


def clamped_perplexity(perplexity: float, n: int) -> tuple[float, str | None]:
    """The perplexity a map of n points uses and, when it had to be lowered, a sentence saying so."""
    limit = perplexity_limit(n)
    if perplexity <= limit:
        return float(perplexity), None
    return float(limit), (f"Perplexity {perplexity:g} is too large for a map of {n:,} items: t-SNE weighs each item's "
                          f"3 × perplexity nearest others, so it uses {limit} (at most (items − 1) / 3).")


def pca_components(vectors, count: int = PCA_COMPONENTS) -> tuple[np.ndarray, np.ndarray]:
    """The vectors' coordinates on their first `count` principal components (fewer if the vectors have fewer
    dimensions or rows) and each component's share of the total variance (the Projector's "variance described").
    Signs as `project`'s PCA: each axis's largest-magnitude loading positive."""
    array = np.asarray(vectors, dtype=np.float64)
    centred = array - array.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    total = float((singular ** 2).sum())
    kept = min(int(count), vt.shape[0])
    axes = vt[:kept]
    signs = np.sign(axes[np.arange(kept), np.abs(axes).argmax(axis=1)])
    axes = axes * np.where(signs == 0, 1, signs)[:, None]
    shares = singular[:kept] ** 2 / total if total > 0 else np.zeros(kept)
    return centred @ axes.T, shares
