"""Projection: shapes, seeded determinism (any thread count), cluster separation, memory and disk cache
hits, table join, preservation score."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mfviz.analysis import neighbourhood_preservation, project, projection_table
from mfviz.analysis.projection import clear_memory_cache, cosine_knn
from mfviz.errors import DataError

ROOT = Path(__file__).resolve().parents[2]


def clustered(n=300, dim=8, clusters=5, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)) * 3
    labels = rng.integers(0, clusters, n)
    return (centres[labels] + rng.standard_normal((n, dim)) * 0.3).astype(np.float32), labels


@pytest.mark.parametrize("n_components", [2, 3])
def test_umap_shape_and_seeded_determinism(n_components):
    vectors, _ = clustered()
    clear_memory_cache()
    first = project(vectors, "umap", n_components, seed=3, cache_dir=False)
    clear_memory_cache()
    second = project(vectors, "umap", n_components, seed=3, cache_dir=False)
    assert first.coords.shape == (300, n_components) and first.coords.dtype == np.float32
    assert not first.cached and not second.cached
    np.testing.assert_array_equal(first.coords, second.coords)
    assert first.params["metric"] == "cosine" and first.params["seed"] == 3


def test_the_disk_cache_keeps_the_most_recently_used_maps(tmp_path, monkeypatch):
    """A server added a map file per model and setting for ever; now the least recently used go."""
    import time

    from mfviz.analysis import projection

    monkeypatch.setattr(projection, "MAPS_KEPT", 2)
    clear_memory_cache()
    vectors = [np.random.default_rng(seed).normal(size=(30, 4)) for seed in range(3)]
    project(vectors[0], "pca", cache_dir=tmp_path)
    time.sleep(0.02)
    project(vectors[1], "pca", cache_dir=tmp_path)
    time.sleep(0.02)
    clear_memory_cache()
    assert project(vectors[0], "pca", cache_dir=tmp_path).cached  # read from disk: now the most recently used
    time.sleep(0.02)
    project(vectors[2], "pca", cache_dir=tmp_path)  # a third file: the least recently used (1) goes
    assert len(list((tmp_path / "projections").glob("*.npy"))) == 2
    clear_memory_cache()
    assert project(vectors[0], "pca", cache_dir=tmp_path).cached
    assert project(vectors[2], "pca", cache_dir=tmp_path).cached
    assert not project(vectors[1], "pca", cache_dir=tmp_path).cached


def test_cache_hits_in_memory_and_on_disk(tmp_path):
    vectors, _ = clustered(seed=1)
    clear_memory_cache()
    computed = project(vectors, "umap", seed=0, cache_dir=tmp_path)
    assert not computed.cached and computed.seconds > 0
    assert len(list((tmp_path / "projections").glob("*.npy"))) == 1
    from_memory = project(vectors, "umap", seed=0, cache_dir=tmp_path)
    assert from_memory.cached and from_memory.seconds == 0
    np.testing.assert_array_equal(from_memory.coords, computed.coords)
    clear_memory_cache()
    from_disk = project(vectors, "umap", seed=0, cache_dir=tmp_path)
    assert from_disk.cached
    np.testing.assert_array_equal(from_disk.coords, computed.coords)
    # a changed parameter or changed vectors is a miss
    assert not project(vectors, "umap", seed=0, min_dist=0.3, cache_dir=tmp_path).cached
    changed = vectors.copy()
    changed[0, 0] += 1
    assert not project(changed, "pca", cache_dir=tmp_path).cached
    # coordinates handed out are copies: editing them does not poison the cache
    from_memory.coords[:] = 0
    assert project(vectors, "umap", seed=0, cache_dir=tmp_path).coords.any()


def test_pca_is_principal_axes_with_fixed_signs():
    rng = np.random.default_rng(0)
    vectors = (rng.standard_normal((200, 5)) * [5, 2, 1, 0.5, 0.1]).astype(np.float32)
    coords = project(vectors, "pca", 2, cache_dir=False).coords
    centred = vectors - vectors.mean(axis=0)
    assert np.var(coords[:, 0]) == pytest.approx(np.linalg.svd(centred, compute_uv=False)[0] ** 2 / 200, rel=1e-4)
    flipped = project(-vectors, "pca", 2, cache_dir=False).coords
    # the axes depend only on the covariance (equal for X and -X), so -X draws the mirror image
    np.testing.assert_allclose(flipped, -coords, atol=1e-4)


def test_cosine_knn_graph_in_umap_format():
    vectors, _ = clustered(50, 4)
    ids, dists = cosine_knn(vectors, 6)
    assert ids.shape == dists.shape == (50, 6)
    np.testing.assert_array_equal(ids[:, 0], np.arange(50))
    assert (dists[:, 0] == 0).all() and (np.diff(dists, axis=1) >= -1e-6).all()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    np.testing.assert_allclose(dists[:, 1], 1 - np.einsum("ij,ij->i", unit, unit[ids[:, 1]]), atol=1e-5)


def test_neighbourhood_preservation_extremes():
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    circle = np.c_[np.cos(angles), np.sin(angles)].astype(np.float32)
    # on the unit circle, cosine neighbours are Euclidean neighbours: perfectly kept
    assert neighbourhood_preservation(circle, circle * 5, k=4, sample=None) == 1.0
    shuffled = circle[np.random.default_rng(0).permutation(200)]
    assert neighbourhood_preservation(circle, shuffled, k=4, sample=None) < 0.1
    vectors, _ = clustered()
    umap_coords = project(vectors, "umap", seed=0, cache_dir=False).coords
    random_coords = np.random.default_rng(1).standard_normal((300, 2))
    assert neighbourhood_preservation(vectors, umap_coords) > neighbourhood_preservation(vectors, random_coords) + 0.2


def test_projection_table_joins_metadata():
    coords = np.arange(6, dtype=np.float32).reshape(3, 2)
    items = pd.DataFrame({"item_id": [10, 20, 30], "title": ["A", None, "C"],
                          "genres": [["Drama", "War"], [], ["Comedy"]], "year": [1990, 1991, 1992]})
    table = projection_table(coords, items, popularity=[5, 1, 3], norms=[0.5, 1.0, 2.0])
    assert list(table["x"]) == [0, 2, 4] and list(table["y"]) == [1, 3, 5]
    assert list(table["item"]) == [0, 1, 2]
    assert list(table["genres"]) == ["Drama, War", "", "Comedy"]
    assert list(table["first_genre"]) == ["Drama", "(none)", "Comedy"]
    assert list(table["popularity"]) == [5, 1, 3] and list(table["year"]) == [1990, 1991, 1992]
    assert table.loc[0, "title"] == "A"
    three = projection_table(np.zeros((3, 3)), titles=["a", "b", "c"])
    assert list(three.columns[:3]) == ["x", "y", "z"] and list(three["title"]) == ["a", "b", "c"]


def test_projection_errors():
    with pytest.raises(DataError, match="method must be 'umap', 'pca' or 'tsne', got 'isomap'"):
        project(np.ones((10, 2)), "isomap")
    with pytest.raises(DataError, match="n_components must be 2 or 3, got 4"):
        project(np.ones((10, 2)), "pca", 4)
    with pytest.raises(DataError, match="at least 3 vectors"):
        project(np.ones((2, 2)), "pca")
    with pytest.raises(DataError, match="popularity has 2 entries but there are 3 points"):
        projection_table(np.zeros((3, 2)), popularity=[1, 2])


def test_umap_same_coordinates_for_any_thread_count(tmp_path):
    # the synchronous layout reads only the previous epoch and draws negative samples from a
    # hash of (seed, epoch, edge, sample): the thread count cannot change a bit of the map
    vectors, _ = clustered(seed=4)
    clear_memory_cache()
    two = project(vectors, "umap", seed=5, cache_dir=False, threads=2).coords
    clear_memory_cache()
    one = project(vectors, "umap", seed=5, cache_dir=False, threads=1).coords
    np.testing.assert_array_equal(one, two)
    # and in a fresh process whose numba pool has a single thread
    np.save(tmp_path / "vectors.npy", vectors)
    script = ("import sys, numpy as np\nfrom mfviz.analysis import project\n"
              "v = np.load(sys.argv[1])\nnp.save(sys.argv[2], project(v, 'umap', seed=5, cache_dir=False).coords)\n")
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "vectors.npy"), str(tmp_path / "coords.npy")],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    np.testing.assert_array_equal(np.load(tmp_path / "coords.npy"), two)


@pytest.mark.parametrize("n_components", [2, 3])
def test_umap_separates_planted_clusters(n_components):
    vectors, labels = clustered(n=400, clusters=6, seed=6)
    coords = project(vectors, "umap", n_components, seed=0, cache_dir=False).coords.astype(np.float64)
    centres = np.array([coords[labels == c].mean(axis=0) for c in range(6)])
    nearest = np.linalg.norm(coords[:, None, :] - centres[None], axis=2).argmin(axis=1)
    assert (nearest == labels).mean() > 0.98
    spread = np.median([np.linalg.norm(coords[labels == c] - centres[c], axis=1).mean() for c in range(6)])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(6, 1)]
    assert gaps.min() > 3 * spread


def test_umap_learn_layout_still_available():
    vectors, labels = clustered(seed=2)
    clear_memory_cache()
    ours = project(vectors, "umap", seed=1, cache_dir=False)
    theirs = project(vectors, "umap", seed=1, cache_dir=False, layout="umap-learn")
    assert not theirs.cached and theirs.params["layout"] == "umap-learn" and ours.params["layout"] == "synchronous"
    assert not np.array_equal(ours.coords, theirs.coords)
    # both keep the neighbourhoods of the planted clusters about equally well
    ours_score = neighbourhood_preservation(vectors, ours.coords, k=10, sample=None)
    theirs_score = neighbourhood_preservation(vectors, theirs.coords, k=10, sample=None)
    assert ours_score > theirs_score - 0.05
    with pytest.raises(DataError, match="layout must be 'synchronous' or 'umap-learn', got 'fast'"):
        project(vectors, "umap", layout="fast", cache_dir=False)


def test_map_neighbours_against_brute_force():
    from mfviz.analysis import map_neighbours

    coords = np.random.default_rng(3).standard_normal((60, 2))
    rows = np.array([0, 17, 59])
    got = map_neighbours(coords, rows, 5)
    for row, ids in zip(rows, got, strict=True):
        distances = np.linalg.norm(coords - coords[row], axis=1)
        distances[row] = np.inf
        np.testing.assert_array_equal(ids, np.argsort(distances)[:5])


@pytest.mark.parametrize("layout", ["synchronous", "umap-learn"])
@pytest.mark.parametrize(("n", "n_components"), [(3, 2), (3, 3), (4, 3)])
def test_umap_of_too_few_points_for_its_spectral_start(layout, n, n_components):
    # The spectral start solves for n_components + 1 eigenvectors: n points or fewer made scipy raise.
    # These maps start from a seeded random layout instead; the same points again give the same map.
    vectors = np.random.default_rng(n).standard_normal((n, 5)).astype(np.float32)
    first = project(vectors, "umap", n_components, n_neighbors=15, layout=layout, cache_dir=False)
    assert first.coords.shape == (n, n_components) and np.isfinite(first.coords).all()
    assert first.params["init"] == "random" and first.params["n_neighbors"] == n - 1
    clear_memory_cache()
    again = project(vectors, "umap", n_components, n_neighbors=15, layout=layout, cache_dir=False)
    np.testing.assert_array_equal(again.coords, first.coords)
    # identical vectors (all their cosine distances 0) still get distinct, finite points
    same = project(np.ones((n, 3), np.float32), "umap", n_components, layout=layout, cache_dir=False).coords
    assert np.isfinite(same).all() and np.unique(same.round(6), axis=0).shape[0] == n


def test_a_map_with_enough_points_keeps_the_spectral_start():
    vectors = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    assert "init" not in project(vectors, "umap", 2, cache_dir=False).params  # and its cache key is as before


def test_fewer_than_three_vectors_is_a_plain_message():
    with pytest.raises(DataError, match=r"^a map needs at least 3 vectors \(points\), got 2: with fewer there is "):
        project(np.ones((2, 32)), "umap")
    with pytest.raises(DataError, match="at least 1 component"):
        project(np.ones((5, 0)), "pca")


def test_preservation_on_few_points_counts_fewer_neighbours_against_brute_force():
    from mfviz.analysis.projection import preservation_k

    # with n − 1 neighbours every other point is one, on both sides: any map would score 1
    assert [preservation_k(n) for n in (2, 3, 4, 6, 11, 12, 13, 500)] == [0, 1, 2, 4, 9, 10, 10, 10]
    angles = np.radians([0, 10, 25, 45, 70, 100])  # six directions, cosine neighbours are angular ones
    vectors = np.c_[np.cos(angles), np.sin(angles)].astype(np.float32)
    coords = np.c_[[0.0, 5.0, 1.0, 4.0, 2.0, 3.0], np.zeros(6)]  # a scrambled line
    k = 4  # min(10, 6 − 2)
    expected = []
    for i in range(6):
        by_angle = sorted((j for j in range(6) if j != i), key=lambda j: abs(angles[i] - angles[j]))[:k]
        on_map = sorted((j for j in range(6) if j != i), key=lambda j: abs(coords[i, 0] - coords[j, 0]))[:k]
        expected.append(len(set(by_angle) & set(on_map)) / k)
    assert neighbourhood_preservation(vectors, coords, k=10, sample=None) == pytest.approx(np.mean(expected))
    assert np.mean(expected) < 1  # the score still tells maps apart
    assert neighbourhood_preservation(vectors, np.c_[angles, np.zeros(6)], k=10, sample=None) == 1.0
    with pytest.raises(DataError, match="needs at least 3 points, got 2"):
        neighbourhood_preservation(vectors[:2], coords[:2])
