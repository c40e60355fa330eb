"""The synchronous UMAP layout kernel against its NumPy reference, a hand-computed epoch, thread counts."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.kernels.layout import _negative_vertex, optimize_layout, optimize_layout_reference


def _graph(n, density, seed, dim=2):
    """A random symmetric weighted graph in CSR (no self loops), umap-style epochs_per_sample
    (some edges too weak to sample: -1), and positions in [0, 10)."""
    rng = np.random.default_rng(seed)
    weights = sp.random(n, n, density=density, random_state=seed, format="csr")
    weights = weights.maximum(weights.T).tocsr()
    weights.setdiag(0)
    weights.eliminate_zeros()
    weights.sort_indices()
    epochs_per_sample = weights.data.max() / weights.data
    epochs_per_sample[weights.data < 0.05] = -1.0
    embedding = rng.uniform(0, 10, (n, dim)).astype(np.float32)
    return embedding, weights.indptr.astype(np.int64), weights.indices.astype(np.int64), epochs_per_sample


@pytest.mark.parametrize(("n", "dim", "epochs", "seed"), [(30, 2, 6, 0), (45, 3, 5, 1), (12, 2, 12, 7)])
def test_matches_reference(n, dim, epochs, seed):
    embedding, indptr, tails, epochs_per_sample = _graph(n, 0.2, seed, dim)
    args = (embedding, indptr, tails, epochs_per_sample, 1.577, 0.895, 1.0, 1.0, 5.0, epochs, 42 + seed, 2.0)
    fast = optimize_layout(*args)
    slow = optimize_layout_reference(*args)
    assert fast.dtype == np.float32 and fast.shape == (n, dim)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-5)
    assert np.abs(fast - embedding).max() > 0.1  # the points did move
    np.testing.assert_array_equal(embedding, args[0])  # input untouched


def test_first_epochs_by_hand():
    # two points joined both ways, epochs_per_sample 1. As in umap-learn an edge is first due at
    # epoch 1 (epoch 0 moves nothing), where alpha = initial_alpha * (1 - 1 / n_epochs); a
    # negative_sample_rate of 0.5 puts the first negative sample at epoch 2. With a = b = 1 and
    # distance² 1 the coefficient -2ab d^{2(b-1)} / (1 + a d^{2b}) is -1, so each point moves
    # alpha * attraction_scale towards the other along x.
    embedding = np.array([[0, 0], [1, 0]], np.float32)
    indptr, tails, epochs = np.array([0, 1, 2]), np.array([1, 0]), np.array([1.0, 1.0])
    first = optimize_layout(embedding, indptr, tails, epochs, 1.0, 1.0, 1.0, 1.0, 0.5, 1, 0, 1.0)
    np.testing.assert_array_equal(first, embedding)
    second = optimize_layout(embedding, indptr, tails, epochs, 1.0, 1.0, 1.0, 2.0, 0.5, 2, 0, 1.0)
    np.testing.assert_array_equal(second, [[1, 0], [0, 0]])
    twice_the_pull = optimize_layout(embedding, indptr, tails, epochs, 1.0, 1.0, 1.0, 0.5, 0.5, 2, 0, 2.0)
    np.testing.assert_array_equal(twice_the_pull, [[0.5, 0], [0.5, 0]])


def test_seeded_and_independent_of_thread_count():
    embedding, indptr, tails, epochs_per_sample = _graph(400, 0.03, 3)
    args = (embedding, indptr, tails, epochs_per_sample, 1.577, 0.895, 1.0, 1.0, 5.0, 30)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = optimize_layout(*args, 5, 2.0)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = optimize_layout(*args, 5, 2.0)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(one, many)
    assert not np.array_equal(one, optimize_layout(*args, 6, 2.0))  # another seed, other negative samples


def test_planted_clusters_separate():
    # three cliques with no edges between them, started mixed up: attraction inside a clique and
    # repulsion from random others must pull them apart
    sizes, blocks = (40, 40, 40), []
    for size in sizes:
        block = np.ones((size, size)) - np.eye(size)
        blocks.append(block)
    graph = sp.block_diag(blocks, format="csr")
    graph.sort_indices()
    labels = np.repeat(np.arange(3), sizes)
    embedding = np.random.default_rng(0).uniform(0, 10, (120, 2)).astype(np.float32)
    epochs_per_sample = np.ones(graph.nnz)
    coords = optimize_layout(embedding, graph.indptr.astype(np.int64), graph.indices.astype(np.int64),
                             epochs_per_sample, 1.577, 0.895, 1.0, 1.0, 5.0, 100, 1, 2.0)
    centres = np.array([coords[labels == c].mean(axis=0) for c in range(3)])
    spread = max(np.linalg.norm(coords[labels == c] - centres[c], axis=1).max() for c in range(3))
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 2 * spread


def test_negative_samples_are_uniform():
    counts = np.zeros(7, np.int64)
    for edge in range(3000):
        for sample in range(5):
            counts[_negative_vertex(np.uint64(12345), edge, sample, 7)] += 1
    expected = 15000 / 7
    assert (np.abs(counts - expected) < 5 * np.sqrt(expected)).all()
