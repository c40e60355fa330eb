"""k-core, binarise and user sampling: hand-built cases and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mfviz import DataError, Interactions
from mfviz.data.prepare import binarize, drop_zero_ratings, k_core, sample_users


def frame_of(pairs, ratings=None):
    frame = pd.DataFrame(pairs, columns=["user", "item"])
    frame["rating"] = ratings if ratings is not None else 1.0
    frame["timestamp"] = np.arange(len(frame))
    return Interactions.from_frame(frame, "user", "item", "rating", "timestamp",
                                   explicit=ratings is not None)


def test_k_core_iterates_to_a_fixed_point():
    # a 2-core block {a,b,c} x {x,y}, plus user d who only rated y and z; z has only d.
    # pass 1 removes z (1 rating) -> d drops to 1 item -> pass 2 removes d.
    pairs = [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"), ("c", "y"), ("d", "y"), ("d", "z")]
    core = k_core(frame_of(pairs), min_user=2, min_item=2)
    assert core.user_ids.tolist() == ["a", "b", "c"] and core.item_ids.tolist() == ["x", "y"]
    assert core.nnz == 6
    assert core.timestamps.tolist() == [0, 1, 2, 3, 4, 5]
    assert "removed 1 users, 1 items and 2 interactions" in core.report.notes[-1]
    assert core.user_activity.min() >= 2 and core.item_popularity.min() >= 2


def test_k_core_result_satisfies_bounds_on_random_data():
    rng = np.random.default_rng(1)
    pairs = {(int(u), int(i)) for u, i in zip(rng.zipf(1.6, 3000) % 300, rng.zipf(1.4, 3000) % 200, strict=True)}
    data = frame_of(sorted(pairs))
    core = k_core(data, 5, 4)
    assert core.user_activity.min() >= 5 and core.item_popularity.min() >= 4
    # the same core as peeling one offending user or item at a time (the k-core is unique)
    users, items = set(range(data.n_users)), set(range(data.n_items))
    edges = set(zip(*data.matrix.nonzero(), strict=True))
    changed = True
    while changed:
        changed = False
        for u in sorted(users):
            if sum((u, i) in edges for i in items) < 5:
                users.discard(u)
                changed = True
        for i in sorted(items):
            if sum((u, i) in edges for u in users) < 4:
                items.discard(i)
                changed = True
    assert core.user_ids.tolist() == data.user_ids[sorted(users)].tolist()
    assert core.item_ids.tolist() == data.item_ids[sorted(items)].tolist()
    assert k_core(core, 5, 4).nnz == core.nnz  # already a fixed point


def test_k_core_errors():
    data = frame_of([("a", "x"), ("b", "y")])
    with pytest.raises(DataError, match="leaves"):
        k_core(data, 3, 3)
    with pytest.raises(DataError, match=">= 1"):
        k_core(data, 0, 1)


def test_binarize():
    data = frame_of([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x")],
                    ratings=[5.0, 2.0, 4.0, 3.5, 1.0])
    binary = binarize(data, 3.5)
    assert not binary.is_explicit
    assert (binary.n_users, binary.n_items) == (3, 2)
    dense = binary.matrix.toarray()
    assert dense.tolist() == [[1, 0], [1, 1], [0, 0]]
    assert binary.timestamps.tolist() == [0, 2, 3]
    assert "removed 2 lower ratings; 1 user has and 0 items have no positive left" in binary.report.notes[-1]
    assert data.is_explicit and data.nnz == 5  # the input is untouched
    with pytest.raises(DataError, match="lower threshold"):
        binarize(data, 6)


def test_sample_users_is_seeded_and_drops_untouched_items():
    rng = np.random.default_rng(2)
    pairs = sorted({(int(u), int(i)) for u, i in zip(rng.integers(0, 50, 400), rng.integers(0, 80, 400),
                                                      strict=True)})
    data = frame_of(pairs)
    first, again = sample_users(data, 10, seed=3), sample_users(data, 10, seed=3)
    assert first.n_users == 10 and first.user_ids.tolist() == again.user_ids.tolist()
    assert sample_users(data, 10, seed=4).user_ids.tolist() != first.user_ids.tolist()
    assert first.item_popularity.min() >= 1
    for user in first.user_ids:  # every sampled user keeps all their interactions
        assert first.user_activity[first.user_index(user)[0]] == data.user_activity[data.user_index(user)[0]]
    assert f"Sampled 10 of {data.n_users} users (seed 3)" in first.report.notes[-1]
    assert sample_users(data, 500).n_users == data.n_users
    with pytest.raises(DataError, match="n >= 2"):
        sample_users(data, 1)


def test_reports_are_not_shared():
    data = frame_of([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")], ratings=[5.0, 1, 4, 4])
    notes = list(data.report.notes)
    binarize(data, 4)
    sample_users(data, 2)
    assert data.report.notes == notes


def test_drop_zero_ratings_keeps_every_other_rating_as_it_is():
    data = frame_of([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x")],
                    ratings=[5.0, 0.0, 4.0, 0.0, 0.0])
    kept = drop_zero_ratings(data)
    assert kept.is_explicit and (kept.n_users, kept.n_items) == (3, 2)
    assert kept.matrix.toarray().tolist() == [[5, 0], [4, 0], [0, 0]] and kept.nnz == 2
    assert kept.timestamps.tolist() == [0, 2]
    assert "Dropped the 3 ratings of 0" in kept.report.notes[-1]
    assert data.nnz == 5  # the input is untouched
    with pytest.raises(DataError, match="every rating is 0"):
        drop_zero_ratings(frame_of([("a", "x"), ("b", "y")], ratings=[0.0, 0.0]))
