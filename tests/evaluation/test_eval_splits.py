"""Splits: partition of the input, same index space, seeded, sizes and temporal order respected."""

import numpy as np
import pandas as pd
import pytest

from mfviz import DataError, Interactions
from mfviz.evaluation import (
    leave_k_out_split,
    random_split,
    split,
    split_by_mask,
    temporal_split,
    user_split,
)
from mfviz.kernels.splits import rank_within_rows, rank_within_rows_reference


def _data(with_time=True, seed=0):
    """60 users with 1..30 interactions over 50 items; timestamps with many ties."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(60):
        n = 1 + user % 30
        for item in rng.choice(50, size=n, replace=False):
            rows.append((f"u{user}", item, float(rng.integers(1, 6)), int(rng.integers(0, 40))))
    frame = pd.DataFrame(rows, columns=["user", "item", "rating", "time"])
    return Interactions.from_frame(frame, rating="rating", timestamp="time" if with_time else False)


def _triples(data):
    """Set of (user, item, value, timestamp) of the stored interactions."""
    coo = data.matrix.tocoo()
    stamps = data.timestamps if data.timestamps is not None else np.zeros(coo.nnz, np.int64)
    return set(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), stamps.tolist(), strict=True))


SPLITTERS = {
    "random": lambda d, s: random_split(d, 0.25, seed=s),
    "user": lambda d, s: user_split(d, 0.25, seed=s),
    "leave-2-out": lambda d, s: leave_k_out_split(d, 2, seed=s),
    "time": lambda d, s: temporal_split(d, 0.25),
    "user-time": lambda d, s: temporal_split(d, 0.25, per_user=True),
}


@pytest.mark.parametrize("name", SPLITTERS)
def test_split_partitions_input_in_same_index_space(name):
    data = _data()
    train, test = SPLITTERS[name](data, 1)
    for part in (train, test):
        assert part.matrix.shape == data.matrix.shape
        assert np.array_equal(part.user_ids, data.user_ids) and np.array_equal(part.item_ids, data.item_ids)
        assert part.is_explicit == data.is_explicit
    train_set, test_set = _triples(train), _triples(test)
    assert not train_set & test_set
    assert train_set | test_set == _triples(data)
    assert train.nnz + test.nnz == data.nnz and test.nnz > 0


@pytest.mark.parametrize("name", ["random", "user", "leave-2-out"])
def test_random_splits_are_seeded(name):
    data = _data()
    first, again, other = (SPLITTERS[name](data, s)[1] for s in (7, 7, 8))
    assert _triples(first) == _triples(again)
    assert _triples(first) != _triples(other)


def test_random_split_size():
    data = _data()
    assert random_split(data, 0.3, seed=0)[1].nnz == round(0.3 * data.nnz)


def test_user_split_counts_per_user():
    data = _data()
    test = user_split(data, 0.25, seed=3)[1]
    activity, held_out = data.user_activity, test.user_activity
    expected = np.where(activity >= 2, np.maximum(np.round(0.25 * activity), 1), 0)
    assert np.array_equal(held_out, expected)


@pytest.mark.parametrize("k", [1, 3])
def test_leave_k_out_counts(k):
    data = _data()
    train, test = leave_k_out_split(data, k, seed=0)
    activity = data.user_activity
    # users with at least k + 1 interactions lose exactly k; the others keep everything
    assert np.array_equal(test.user_activity, np.where(activity >= k + 1, k, 0))
    assert train.user_activity.min() >= 1


def test_global_temporal_split_respects_time():
    data = _data()
    train, test = temporal_split(data, 0.25)
    assert test.nnz == round(0.25 * data.nnz)
    assert train.timestamps.max() <= test.timestamps.min()


def test_global_temporal_split_breaks_ties_in_storage_order():
    data = _data()  # 40 distinct timestamps over ~900 interactions: ties at the cut
    test = temporal_split(data, 0.3)[1]
    latest_first = np.argsort(-data.timestamps, kind="stable")  # ties: earlier storage first
    expected = np.zeros(data.nnz, bool)
    expected[latest_first[: round(0.3 * data.nnz)]] = True
    assert _triples(test) == _triples(split_by_mask(data, expected)[1])


def test_per_user_temporal_split_respects_time():
    data = _data()
    train, test = temporal_split(data, 0.25, per_user=True)
    for user in np.flatnonzero(test.user_activity):
        train_times = train.timestamps[train.matrix.indptr[user]:train.matrix.indptr[user + 1]]
        test_times = test.timestamps[test.matrix.indptr[user]:test.matrix.indptr[user + 1]]
        assert train_times.max() <= test_times.min()
    assert test.user_activity[data.user_activity == 1].sum() == 0


def test_temporal_split_needs_timestamps():
    with pytest.raises(DataError, match="needs timestamps"):
        temporal_split(_data(with_time=False), 0.2)
    with pytest.raises(DataError, match="needs timestamps"):
        split(_data(with_time=False), "user-time")


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_bad_test_size(bad):
    with pytest.raises(DataError, match="test_size"):
        random_split(_data(), bad)


def test_unknown_split_and_empty_test():
    with pytest.raises(DataError, match="unknown split"):
        split(_data(), "weekly")
    with pytest.raises(DataError, match=r"no user has as many as 41 interactions \(40 to hold out, 1 to keep in "
                                        r"train\); the most any user has is 30"):
        leave_k_out_split(_data(), 40)
    with pytest.raises(DataError, match="one entry per stored"):
        split_by_mask(_data(), np.zeros(3, bool))


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_rank_within_rows_matches_reference(dtype):
    rng = np.random.default_rng(5)
    indptr = np.r_[0, np.cumsum(rng.integers(0, 12, size=40))].astype(np.int64)
    keys = rng.integers(0, 5, size=indptr[-1]).astype(dtype)  # many ties: storage order decides
    np.testing.assert_array_equal(rank_within_rows(indptr, keys), rank_within_rows_reference(indptr, keys))


def test_leave_k_out_warns_when_most_users_stay_whole_in_train():
    """_data's users have 1..30 interactions (two of each count): k = 20 splits the 20 users with 21 or more."""
    from mfviz.errors import ModelWarning

    data = _data()
    with pytest.warns(ModelWarning, match="k=20 split only 20 of the 60 users with interactions: the other 40 have "
                                          r"fewer than 21 interactions \(20 to hold out, 1 to keep in train\)"):
        test = leave_k_out_split(data, 20, seed=0)[1]
    assert (test.user_activity > 0).sum() == (data.user_activity >= 21).sum() == 20
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # half or more split: no warning
        leave_k_out_split(data, 15, seed=0)
