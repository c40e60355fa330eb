"""Replaying training: rotations removed (orthogonal Procrustes), the last frame is the final PCA
map, and the settled share of neighbourhoods against a brute-force count."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from mfviz.analysis import project
from mfviz.analysis.replay import aligned, replay_coords, settled_neighbours
from mfviz.errors import DataError


def test_a_rotated_copy_aligns_onto_the_final_vectors():
    rng = np.random.default_rng(0)
    final = rng.normal(size=(50, 6))
    rotation = ortho_group.rvs(6, random_state=1)
    turned = aligned([final @ rotation, 0.5 * final @ rotation.T, final])
    np.testing.assert_allclose(turned[0], final, atol=1e-10)  # a pure rotation is no movement
    np.testing.assert_allclose(turned[1], 0.5 * final, atol=1e-10)  # shrinking is
    np.testing.assert_allclose(turned[2], final, atol=1e-12)


def test_the_last_frame_is_the_final_pca_map():
    rng = np.random.default_rng(2)
    snapshots = [rng.normal(size=(40, 5)) for _ in range(3)]
    coords = replay_coords(snapshots)
    assert coords.shape == (3, 40, 2)
    np.testing.assert_allclose(coords[-1], project(snapshots[-1], "pca", 2).coords, rtol=1e-4, atol=1e-5)


def test_settled_and_kept_neighbours_by_brute_force():
    """Share of each item's final neighbours present at each snapshot, and of its neighbours then that
    were already its neighbours one snapshot before."""
    rng = np.random.default_rng(3)
    final = rng.normal(size=(30, 4))
    early = final + rng.normal(scale=0.8, size=final.shape)
    middle = final + rng.normal(scale=0.3, size=final.shape)
    settled, kept = settled_neighbours([early, middle, final], k=5)

    def top(v):
        unit = v / np.linalg.norm(v, axis=1, keepdims=True)
        cos = unit @ unit.T
        np.fill_diagonal(cos, -np.inf)
        return np.argsort(-cos, axis=1)[:, :5]

    def shared(a, b):
        return np.mean([len(set(x) & set(y)) for x, y in zip(top(a), top(b), strict=True)]) / 5

    np.testing.assert_allclose(settled, [shared(early, final), shared(middle, final), 1.0])
    assert np.isnan(kept[0])
    np.testing.assert_allclose(kept[1:], [shared(middle, early), shared(final, middle)])
    assert 0 < settled[0] < settled[1] < 1  # the noisier start shares fewer final neighbours


def test_snapshots_of_different_shapes_are_refused():
    with pytest.raises(DataError, match="same shape"):
        aligned([np.zeros((3, 2)), np.zeros((4, 2))])
