"""How the item vectors moved while a model trained: per-epoch snapshots rotated onto the final
vectors (a model's factors are only defined up to a rotation) and drawn on the final vectors'
principal plane, and how much of each item's final neighbourhood was already in place."""

from __future__ import annotations

import numpy as np

from mfviz.analysis.neighbours import _row_overlap, exact_search
from mfviz.errors import DataError


def _checked(snapshots) -> list[np.ndarray]:
    snapshots = [np.asarray(s, np.float64) for s in snapshots]
    if not snapshots or any(s.ndim != 2 or s.shape != snapshots[-1].shape for s in snapshots):
        raise DataError("snapshots must be one or more item × factor arrays of the same shape")
    return snapshots


def aligned(snapshots) -> list[np.ndarray]:
    """Each snapshot turned by the orthogonal matrix that brings it closest to the last one
    (orthogonal Procrustes: R = U Vᵀ from the SVD U Σ Vᵀ of SᵀF), so only real movement remains."""
    snapshots = _checked(snapshots)
    final = snapshots[-1]
    out = []
    for snapshot in snapshots:
        u, _, vt = np.linalg.svd(snapshot.T @ final, full_matrices=False)
        out.append(snapshot @ (u @ vt))
    return out


def replay_coords(snapshots) -> np.ndarray:
    """(epochs, items, 2): every aligned snapshot on the final vectors' two principal axes (about
    the final mean; signs fixed so the largest-magnitude loading of each axis is positive), so the
    last frame is the final PCA map and earlier frames show where the items came from."""
    turned = aligned(snapshots)
    centre = turned[-1].mean(axis=0)
    _, _, vt = np.linalg.svd(turned[-1] - centre, full_matrices=False)
    axes = vt[:2].T
    axes = axes * np.where(axes[np.argmax(np.abs(axes), axis=0), np.arange(axes.shape[1])] < 0, -1.0, 1.0)
    coords = np.stack([(t - centre) @ axes for t in turned])
    if coords.shape[2] < 2:  # one factor: a line
        coords = np.concatenate([coords, np.zeros_like(coords)], axis=2)
    return coords


def settled_neighbours(snapshots, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Per snapshot, (the mean share of each item's k final cosine neighbours that are among its k
    cosine neighbours then: 1.0 at the last; the mean share of its k neighbours then that were already
    its neighbours in the snapshot before: NaN for the first). The first says how close each epoch
    is to where training stopped, which is 100% at the end by construction; the second whether
    the neighbourhoods were still moving when it stopped."""
    snapshots = _checked(snapshots)
    n = snapshots[-1].shape[0]
    k = min(int(k), n - 1)
    if k < 1:
        raise DataError("need at least two items to compare neighbourhoods")
    rows = np.arange(n)
    lists = [exact_search(s, s, k, "cosine", exclude_self_ids=rows)[0] for s in snapshots]
    settled = np.asarray([_row_overlap(then, lists[-1]).mean() / k for then in lists])
    kept = np.asarray([np.nan] + [_row_overlap(now, before).mean() / k
                                  for before, now in zip(lists, lists[1:], strict=False)])
    return settled, kept
