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


def test_settled_neighbours_counts_the_final_neighbours_present_by_brute_force():
    rng = np.random.default_rng(3)
    final = rng.normal(size=(30, 4))
    early = final + rng.normal(scale=0.8, size=final.shape)
    shares = settled_neighbours([early, final], k=5)
    assert shares[-1] == 1.0

    def top(v):
        unit = v / np.linalg.norm(v, axis=1, keepdims=True)
        cos = unit @ unit.T
        np.fill_diagonal(cos, -np.inf)
        return np.argsort(-cos, axis=1)[:, :5]

    expected = np.mean([len(set(a) & set(b)) for a, b in zip(top(early), top(final), strict=True)]) / 5
    assert shares[0] == pytest.approx(expected)


def test_snapshots_of_different_shapes_are_refused():
    with pytest.raises(DataError, match="same shape"):
        aligned([np.zeros((3, 2)), np.zeros((4, 2))])
