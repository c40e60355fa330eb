"""UMAP layout optimisation, parallel and reproducible: synchronous epochs over a symmetric graph.

umap-learn's `optimize_layout_euclidean` updates points in place while it walks the edge list
(Gauss-Seidel over all points), so with a seed it must run on one thread. Here every epoch reads
the other points' positions from the previous epoch and each vertex writes only its own new
position (Jacobi across points, while a point's own position moves on from sample to sample as
in umap-learn), so vertices are independent and run in `prange`; negative samples come from a
counter-based hash of (seed, epoch, edge, sample), so the result is bit-identical whatever the
number of threads.

Notation (McInnes et al. 2018, umap-learn's names): the fuzzy graph in CSR by head vertex
(`indptr`, `tails`, one entry per directed edge; the graph is symmetric, so each undirected edge
appears once in each endpoint's row); `epochs_per_sample[e]` = max weight / weight of edge e;
low-dimensional similarity 1 / (1 + a d^{2b}). Per sampled edge (v, u), vertex v moves by

    attraction: alpha * attraction_scale * clip(-2ab d^{2(b-1)} / (1 + a d^{2b}) * (y_v - y_u))
    repulsion (per negative sample k): alpha * clip(2 gamma b / ((0.001 + d^2)(1 + a d^{2b})) * (y_v - y_k))

with clip to [-4, 4] per coordinate, negative_sample_rate samples per positive sample (due
whenever an edge is sampled, by umap-learn's epoch_of_next_negative_sample bookkeeping), and
alpha = initial_alpha * (1 - epoch / n_epochs) as umap-learn. umap-learn moves both ends of an
edge (move_other) and sees each undirected edge twice, so a point feels each neighbour's pull
twice per sampling period: `attraction_scale=2` reproduces that nominal balance when only the
head moves. In synchronous epochs that overshoots (every point jumps towards where its
neighbours were); `mfviz.analysis.projection` uses attraction_scale=1 at half the learning rate,
chosen by neighbourhood preservation against umap-learn's own layout.
"""

import math

import numpy as np
from numba import njit, prange

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1


@njit(cache=True, nogil=True)
def _mix64(x):
    """splitmix64's finaliser: a bijection of uint64 that scatters consecutive counters."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _epoch_key(seed, epoch):
    return _mix64(_mix64(np.uint64(seed)) + np.uint64(epoch))


@njit(cache=True, nogil=True)
def _negative_vertex(epoch_key, edge, sample, n_vertices):
    """Vertex of negative sample `sample` of `edge` in the epoch whose key is `epoch_key`:
    uniform over [0, n_vertices) by a multiply-shift of the hash's top 32 bits."""
    h = _mix64(epoch_key + (np.uint64(edge) << np.uint64(8)) + np.uint64(sample))
    return np.int64(((h >> np.uint64(32)) * np.uint64(n_vertices)) >> np.uint64(32))


@njit(cache=True, nogil=True)
def _clip(value):
    """Clip a float32 gradient coordinate to [-4, 4], as umap-learn."""
    if value > np.float32(4.0):
        return np.float32(4.0)
    if value < np.float32(-4.0):
        return np.float32(-4.0)
    return value


@njit(cache=True, nogil=True)
def _move_vertex(v, old, new, indptr, tails, epochs_per_sample, next_sample, epochs_per_negative_sample,
                 next_negative_sample, a, b, attract, repel, step, alpha, epoch, key):
    """One epoch of vertex v: its sampled edges pull it towards their tails, their negative
    samples push it away. Others are read from `old` (the previous epoch); v's own position is
    carried along in registers (as umap-learn's in-place `current`) and stored in `new`. The
    pushes of one edge's negative samples are computed from the same position and applied
    together: they are then independent, which lets the CPU overlap them (in-place, each waits
    for the previous one; ~1.3x slower on this machine). float32 arithmetic, as umap-learn's
    positions; a 2-D map carries z = 0, which stays 0 and reads nothing."""
    n_vertices = old.shape[0]
    three = old.shape[1] == 3
    zero = np.float32(0.0)
    one = np.float32(1.0)
    tiny = np.float32(0.001)
    x0, x1 = old[v, 0], old[v, 1]
    x2 = old[v, 2] if three else zero
    for e in range(indptr[v], indptr[v + 1]):
        if epochs_per_sample[e] <= 0 or next_sample[e] > epoch:
            continue
        u = tails[e]
        d0 = x0 - old[u, 0]
        d1 = x1 - old[u, 1]
        d2 = x2 - old[u, 2] if three else zero
        dist_squared = d0 * d0 + d1 * d1 + d2 * d2
        if dist_squared > zero:
            power = math.pow(dist_squared, b)
            coefficient = attract * (power / dist_squared) / (a * power + one)
            x0 = x0 + step * _clip(coefficient * d0)
            x1 = x1 + step * _clip(coefficient * d1)
            x2 = x2 + step * _clip(coefficient * d2)
        next_sample[e] += epochs_per_sample[e]
        n_negative = int((epoch - next_negative_sample[e]) / epochs_per_negative_sample[e])
        g0 = zero
        g1 = zero
        g2 = zero
        for p in range(n_negative):
            k = _negative_vertex(key, e, p, n_vertices)
            if k == v:
                continue
            d0 = x0 - old[k, 0]
            d1 = x1 - old[k, 1]
            d2 = x2 - old[k, 2] if three else zero
            dist_squared = d0 * d0 + d1 * d1 + d2 * d2
            if dist_squared > zero:
                coefficient = repel / ((tiny + dist_squared) * (a * math.pow(dist_squared, b) + one))
                g0 += _clip(coefficient * d0)
                g1 += _clip(coefficient * d1)
                g2 += _clip(coefficient * d2)
        x0 = x0 + alpha * g0
        x1 = x1 + alpha * g1
        x2 = x2 + alpha * g2
        next_negative_sample[e] += n_negative * epochs_per_negative_sample[e]
    new[v, 0], new[v, 1] = x0, x1
    if three:
        new[v, 2] = x2


@njit(cache=True, nogil=True, parallel=True)
def optimize_layout(embedding, indptr, tails, epochs_per_sample, a, b, gamma, initial_alpha,
                    negative_sample_rate, n_epochs, seed, attraction_scale):
    """Run `n_epochs` synchronous epochs from `embedding` (n, dim) float32, dim 2 or 3; returns
    the new embedding (the input is not changed). Edges with epochs_per_sample <= 0 are never
    sampled; as in umap-learn, an edge is first due at epoch epochs_per_sample[e] >= 1, so
    epoch 0 moves nothing.

    embedding: initial positions Y (n_vertices, dim) float32
    indptr (n_vertices + 1) int64, tails (n_edges) int: the symmetric fuzzy graph, CSR by head
    epochs_per_sample (n_edges) float64: umap-learn's `make_epochs_per_sample` of the weights
    a, b: curve 1 / (1 + a d^{2b}); gamma: repulsion strength; seed: integer >= 0
    """
    n_vertices = embedding.shape[0]
    old = embedding.copy()
    new = embedding.copy()
    n_edges = tails.shape[0]
    epochs_per_negative_sample = np.empty(n_edges)
    next_sample = np.empty(n_edges)
    next_negative_sample = np.empty(n_edges)
    for e in range(n_edges):
        epochs_per_negative_sample[e] = epochs_per_sample[e] / negative_sample_rate
        next_sample[e] = epochs_per_sample[e]
        next_negative_sample[e] = epochs_per_negative_sample[e]
    a32 = np.float32(a)
    b32 = np.float32(b)
    attract = np.float32(-2.0 * a * b)
    repel = np.float32(2.0 * gamma * b)
    alpha = initial_alpha
    for epoch in range(n_epochs):
        key = _epoch_key(seed, epoch)
        step = np.float32(attraction_scale * alpha)
        alpha32 = np.float32(alpha)
        for v in prange(n_vertices):
            _move_vertex(v, old, new, indptr, tails, epochs_per_sample, next_sample, epochs_per_negative_sample,
                         next_negative_sample, a32, b32, attract, repel, step, alpha32, epoch, key)
        old, new = new, old
        alpha = initial_alpha * (1.0 - (epoch + 1) / n_epochs)
    return old


def optimize_layout_reference(embedding, indptr, tails, epochs_per_sample, a, b, gamma, initial_alpha,
                              negative_sample_rate, n_epochs, seed, attraction_scale):
    """Slow reference of `optimize_layout`: the same synchronous epochs in plain Python with
    NumPy float32 scalars, and the hash written out in Python integers. d^{2b} is the double
    power rounded to float32 (numba's float32 pow; NumPy's float32 power differs in the last
    bit for ~20% of arguments), which may still differ from numba's in the last bit for a few
    arguments in 10^4: compare with a tolerance."""

    def mix(x):
        z = (x + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    f32 = np.float32

    def clip(value):
        return min(max(value, f32(-4.0)), f32(4.0))

    old = np.array(embedding, dtype=np.float32)
    n_vertices, dim = old.shape
    a32, b32 = f32(a), f32(b)
    attract, repel = f32(-2.0 * a * b), f32(2.0 * gamma * b)
    epochs_per_sample = np.asarray(epochs_per_sample, dtype=np.float64)
    epochs_per_negative_sample = epochs_per_sample / negative_sample_rate
    next_sample = epochs_per_sample.copy()
    next_negative_sample = epochs_per_negative_sample.copy()
    alpha = initial_alpha
    for epoch in range(n_epochs):
        key = mix((mix(seed & _MASK) + epoch) & _MASK)
        step, alpha32 = f32(attraction_scale * alpha), f32(alpha)
        new = old.copy()
        for v in range(n_vertices):
            x = [old[v, d] for d in range(dim)] + [f32(0.0)] * (3 - dim)
            for e in range(indptr[v], indptr[v + 1]):
                if epochs_per_sample[e] <= 0 or next_sample[e] > epoch:
                    continue
                other = [old[tails[e], d] for d in range(dim)] + [f32(0.0)] * (3 - dim)
                diff = [x[d] - other[d] for d in range(3)]
                dist_squared = diff[0] * diff[0] + diff[1] * diff[1] + diff[2] * diff[2]
                if dist_squared > 0:
                    power = f32(math.pow(dist_squared, b32))
                    coefficient = attract * (power / dist_squared) / (a32 * power + f32(1.0))
                    x = [x[d] + step * clip(coefficient * diff[d]) for d in range(3)]
                next_sample[e] += epochs_per_sample[e]
                n_negative = int((epoch - next_negative_sample[e]) / epochs_per_negative_sample[e])
                push = [f32(0.0)] * 3
                for p in range(n_negative):
                    h = mix((key + (e << 8) + p) & _MASK)
                    k = ((h >> 32) * n_vertices) >> 32
                    if k == v:
                        continue
                    other = [old[k, d] for d in range(dim)] + [f32(0.0)] * (3 - dim)
                    diff = [x[d] - other[d] for d in range(3)]
                    dist_squared = diff[0] * diff[0] + diff[1] * diff[1] + diff[2] * diff[2]
                    if dist_squared > 0:
                        coefficient = repel / ((f32(0.001) + dist_squared) * (a32 * f32(math.pow(dist_squared, b32)) + f32(1.0)))
                        push = [push[d] + clip(coefficient * diff[d]) for d in range(3)]
                x = [x[d] + alpha32 * push[d] for d in range(3)]
                next_negative_sample[e] += n_negative * epochs_per_negative_sample[e]
            new[v] = x[:dim]
        old = new
        alpha = initial_alpha * (1.0 - (epoch + 1) / n_epochs)
    return old
