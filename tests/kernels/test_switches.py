"""The item-swap kernels of the spectrum's shuffle against their slow references, and what every swap keeps."""

import numpy as np
import pytest

from mfviz.kernels.switches import (
    resolve_clashes,
    resolve_clashes_reference,
    switch_entries,
    switch_entries_reference,
)


def skewed_entries(seed, n_users=40, n_items=25, n=300):
    """Users and items drawn with skewed weights, then made distinct pairs (the data) and the data's items
    permuted over its entries (a shuffle with clashes), as int64 arrays sorted by user."""
    rng = np.random.default_rng(seed)
    users = rng.choice(n_users, n, p=np.arange(1, n_users + 1)[::-1] / np.arange(1, n_users + 1).sum())
    items = rng.choice(n_items, n, p=np.arange(1, n_items + 1)[::-1] / np.arange(1, n_items + 1).sum())
    pairs = np.unique(users * n_items + items)
    rows, columns = pairs // n_items, pairs % n_items
    return rows.astype(np.int64), columns.astype(np.int64), rng.permutation(columns).astype(np.int64)


def held_counts(rows, columns, n_items):
    return np.bincount(rows * n_items + columns, minlength=(rows.max() + 1) * n_items)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("tries", "stir", "draws"), [(1, 0, 600), (3, 5, 600), (64, 20, 600), (2, 7, 40)])
def test_resolve_clashes_matches_its_reference_and_keeps_every_count(seed, tries, stir, draws):
    rows, data_columns, columns = skewed_entries(seed)
    n_items = 25
    assert held_counts(rows, columns, n_items).max() > 1  # the case: the permutation put items twice on users
    rng = np.random.default_rng(seed + 10)
    held = np.flatnonzero(np.bincount(columns, minlength=n_items))
    partner_items, picks = rng.choice(held, draws), rng.random(draws)
    firsts, seconds = rng.integers(0, rows.size, 300), rng.integers(0, rows.size, 300)
    fast, slow = columns.copy(), columns.copy()
    found = resolve_clashes(rows, fast, n_items, partner_items, picks, tries, firsts, seconds, stir)
    expected = resolve_clashes_reference(rows, slow, n_items, partner_items, picks, tries, firsts, seconds, stir)
    assert found == expected
    np.testing.assert_array_equal(fast, slow)
    used, switched, left = found
    counts = held_counts(rows, fast, n_items)
    assert left == (counts[counts > 1] - 1).sum()
    assert left < (held_counts(rows, columns, n_items) > 1).sum()  # some clashes were resolved
    assert 0 < used <= draws and switched % max(stir, 1) == 0 and switched <= 300
    np.testing.assert_array_equal(np.bincount(fast, minlength=n_items), np.bincount(data_columns, minlength=n_items))


def test_resolve_clashes_stops_when_the_draws_run_out_and_says_how_many_are_left():
    rows, _, columns = skewed_entries(0)
    before = held_counts(rows, columns, 25)
    out, none = columns.copy(), np.zeros(0, np.int64)
    assert resolve_clashes(rows, out, 25, none, np.zeros(0), 64, none, none, 5) == (0, 0, (before[before > 1] - 1).sum())
    np.testing.assert_array_equal(out, columns)


@pytest.mark.parametrize("seed", range(3))
def test_switch_entries_matches_its_reference_and_never_puts_an_item_twice_on_a_user(seed):
    rows, columns, _ = skewed_entries(seed)
    rng = np.random.default_rng(seed)
    # many more switches than entries: pairs leave the table and come back (its deletions are exercised)
    firsts, seconds = rng.integers(0, rows.size, 20 * rows.size), rng.integers(0, rows.size, 20 * rows.size)
    fast, slow = columns.copy(), columns.copy()
    made = switch_entries(rows, fast, 25, firsts, seconds)
    assert made == switch_entries_reference(rows, slow, 25, firsts, seconds)
    np.testing.assert_array_equal(fast, slow)
    assert made > rows.size and np.mean(fast != columns) > 0.5
    assert held_counts(rows, fast, 25).max() == 1
    np.testing.assert_array_equal(np.bincount(fast, minlength=25), np.bincount(columns, minlength=25))


def test_a_full_matrix_allows_no_switch():
    # every user holds every item: the only arrangement with these counts is the data itself
    rows, columns = np.repeat(np.arange(4), 3).astype(np.int64), np.tile(np.arange(3), 4).astype(np.int64)
    rng = np.random.default_rng(0)
    out = columns.copy()
    assert switch_entries(rows, out, 3, rng.integers(0, 12, 500), rng.integers(0, 12, 500)) == 0
    np.testing.assert_array_equal(out, columns)


@pytest.mark.parametrize("seed", range(3))
def test_resolve_clashes_stirs_a_nearly_full_matrix_as_its_reference_does(seed):
    # 12 users × 8 items mostly held: few swaps are allowed, so the switches between rounds do much of the work
    rows, data_columns, columns = skewed_entries(seed, n_users=12, n_items=8, n=300)
    rng = np.random.default_rng(seed)
    held = np.flatnonzero(np.bincount(columns, minlength=8))
    partner_items, picks = rng.choice(held, 400), rng.random(400)
    firsts, seconds = rng.integers(0, rows.size, 400), rng.integers(0, rows.size, 400)
    fast, slow = columns.copy(), columns.copy()
    found = resolve_clashes(rows, fast, 8, partner_items, picks, 2, firsts, seconds, 10)
    assert found == resolve_clashes_reference(rows, slow, 8, partner_items, picks, 2, firsts, seconds, 10)
    np.testing.assert_array_equal(fast, slow)
    assert found[1] >= 20  # two rounds of switches or more
    np.testing.assert_array_equal(np.bincount(fast, minlength=8), np.bincount(data_columns, minlength=8))
