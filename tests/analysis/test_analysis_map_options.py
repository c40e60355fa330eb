"""The Embedding Projector's map options: Spherize by hand, PCA components and their variance shares against
scikit-learn's PCA, t-SNE seeded, keeping clusters, its perplexity clamped; the cache keys of maps made without
the options unchanged."""

import numpy as np
import pytest

from mfviz.analysis import map_options, project
from mfviz.analysis.map_options import (
    clamped_perplexity,
    default_perplexity,
    pca_components,
    perplexity_limit,
    spherize,
)
from mfviz.analysis.projection import _cache_key, clear_memory_cache, map_neighbours
from mfviz.errors import DataError


def clustered(n=120, dim=8, clusters=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)) * 3
    labels = np.arange(n) % clusters
    return (centres[labels] + rng.standard_normal((n, dim)) * 0.3).astype(np.float32), labels


def test_spherize_centres_then_scales_each_vector_to_unit_length_by_hand():
    vectors = np.array([[1.0, 0.0], [3.0, 0.0], [2.0, 3.0], [2.0, 1.0]])  # mean (2, 1): the last is the mean
    expected = np.array([[-1.0, -1.0], [1.0, -1.0], [0.0, 2.0], [0.0, 0.0]])
    expected[:3] /= np.array([[np.sqrt(2)], [np.sqrt(2)], [2.0]])
    np.testing.assert_allclose(spherize(vectors), expected)  # the mean itself stays at 0, no NaN


def test_spherize_takes_out_a_direction_every_vector_shares():
    # every vector = a common "popularity" direction times a length, plus a small own part: after
    # spherizing, what is left is the own parts' directions
    rng = np.random.default_rng(1)
    own = rng.standard_normal((50, 4))
    vectors = np.outer(rng.uniform(5, 10, 50), [1, 0, 0, 0]) + own
    sphered = spherize(vectors)
    np.testing.assert_allclose(np.linalg.norm(sphered, axis=1), 1.0)
    assert abs(sphered.mean(axis=0)[0]) < 0.2  # the shared direction no longer points the same way for all


def test_the_projectors_perplexity_default_and_limit():
    assert default_perplexity(1682) == 11  # ⌈41.01 / 4⌉
    assert default_perplexity(100) == 5 and default_perplexity(3) == 5
    assert perplexity_limit(31) == 10 and perplexity_limit(3) == 1
    assert clamped_perplexity(8, 31) == (8.0, None)
    used, said = clamped_perplexity(30, 31)
    assert used == 10.0 and "uses 10" in said and "31 items" in said


def test_pca_components_and_variance_shares_match_scikit_learn():
    from sklearn.decomposition import PCA

    vectors, _ = clustered()
    coords, shares = pca_components(vectors)
    reference = PCA(n_components=8).fit(vectors.astype(np.float64))
    assert coords.shape == (120, 8) and shares.shape == (8,)  # 8 dimensions: 8 components, not 10
    np.testing.assert_allclose(shares, reference.explained_variance_ratio_, rtol=1e-6)
    expected = reference.transform(vectors.astype(np.float64))
    signs = np.sign((coords * expected).sum(axis=0))  # each axis's sign is a convention
    np.testing.assert_allclose(coords, expected * signs, atol=1e-6)
    assert shares.sum() == pytest.approx(1.0)


def test_a_pca_map_on_chosen_components_puts_those_on_x_y_z():
    vectors, _ = clustered()
    every, _ = pca_components(vectors)
    clear_memory_cache()
    chosen = project(vectors, "pca", 3, components=(3, 0, 5), cache_dir=False)
    np.testing.assert_allclose(chosen.coords, every[:, [3, 0, 5]], atol=1e-4)
    first = project(vectors, "pca", 2, components=(0, 1), cache_dir=False)  # the default ones: the usual map
    np.testing.assert_allclose(first.coords, project(vectors, "pca", 2, cache_dir=False).coords)
    with pytest.raises(DataError, match="components"):
        project(vectors, "pca", 2, components=(0, 10), cache_dir=False)


def test_spherize_changes_the_map_and_is_part_of_its_key():
    vectors, _ = clustered()
    clear_memory_cache()
    plain = project(vectors, "pca", 2, cache_dir=False)
    sphered = project(vectors, "pca", 2, spherize=True, cache_dir=False)
    np.testing.assert_allclose(sphered.coords, pca_components(spherize(vectors))[0][:, :2], atol=1e-5)
    assert not sphered.cached and sphered.params["spherize"] is True and "spherize" not in plain.params


def test_maps_without_the_options_keep_the_keys_they_had():
    # the background precomputes the UMAP map: its key must not change because the options exist
    vectors, _ = clustered()
    clear_memory_cache()
    made = project(vectors, "umap", 2, seed=0, cache_dir=False)
    assert _cache_key(vectors, made.params) == _cache_key(vectors, {
        "method": "umap", "n_components": 2, "n_neighbors": 15, "min_dist": 0.1, "seed": 0, "metric": "cosine",
        "n_epochs": 200, "layout": "synchronous"})


@pytest.mark.parametrize("n_components", [2, 3])
def test_tsne_is_seeded_and_keeps_each_cluster_together(n_components):
    vectors, labels = clustered()
    clear_memory_cache()
    first = project(vectors, "tsne", n_components, perplexity=10, cache_dir=False)
    clear_memory_cache()
    second = project(vectors, "tsne", n_components, perplexity=10, cache_dir=False)
    assert first.coords.shape == (120, n_components) and not second.cached
    np.testing.assert_array_equal(first.coords, second.coords)
    near = map_neighbours(first.coords, np.arange(120), 5)
    assert (labels[near] == labels[:, None]).mean() > 0.9  # the three clusters kept apart (at random: 1/3)
    assert first.params["perplexity"] == 10.0


def test_tsne_perplexity_is_clamped_below_the_item_count_and_defaults_to_the_projectors():
    vectors, _ = clustered(n=30)
    clear_memory_cache()
    assert project(vectors, "tsne", 2, perplexity=50, cache_dir=False).params["perplexity"] == 9.0  # (30 − 1) // 3
    assert project(vectors[:4], "tsne", 2, perplexity=50, cache_dir=False).coords.shape == (4, 2)  # 3 others: 1
    assert project(vectors, "tsne", 2, cache_dir=False).params["perplexity"] == 5.0
    with pytest.raises(DataError, match="perplexity"):
        project(vectors, "tsne", 2, perplexity=0, cache_dir=False)


def test_tsne_refuses_more_items_than_the_projector_maps(monkeypatch):
    monkeypatch.setattr(map_options, "TSNE_ITEMS_AT_MOST", 20)
    vectors, _ = clustered(n=30)
    with pytest.raises(DataError, match="at most 20 items"):
        project(vectors, "tsne", 2, cache_dir=False)


def test_a_map_says_when_its_seconds_include_compiling_numba_code_on_first_use():
    # In a fresh process the first UMAP map compiles (or loads) umap-learn's and mfviz's numba code, which the
    # page's "Projection time" counted as the map's own time; the next map, and PCA, compile nothing.
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("import numpy as np\nfrom mfviz.analysis import project\n"
              "v = np.random.default_rng(0).standard_normal((60, 5)).astype(np.float32)\n"
              "print(project(v, 'pca', 2, cache_dir=False).compiled, project(v, 'umap', 2, cache_dir=False).compiled, "
              "project(v, 'umap', 2, seed=1, cache_dir=False).compiled)")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert out.stdout.split() == ["False", "True", "False"], out.stderr[-2000:]


def test_tsne_of_identical_vectors_puts_them_on_one_point_without_crashing_and_of_two_factors_in_3d():
    # scikit-learn's PCA start divides by the vectors' spread: with none, its solver crashed the whole process;
    # and it needs as many factors as map dimensions (a 2-factor model's 3-D t-SNE raised)
    clear_memory_cache()
    made = project(np.ones((10, 2)), "tsne", 2, cache_dir=False)
    np.testing.assert_array_equal(made.coords, np.zeros((10, 2)))
    assert project(np.outer(np.arange(1, 11), [1.0, 1.0]), "tsne", 3, cache_dir=False).coords.shape == (10, 3)
