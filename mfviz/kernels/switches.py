"""Item swaps between entries that keep every user's and item's count and never put one item twice on a user.

An entry is a (user, item) pair at a position of `rows`/`columns`; a swap of entries e = (u, i) and f = (v, j) gives
(u, j) and (v, i): both users keep their counts and both items theirs. A swap is allowed only when neither new pair
is one its user already holds, so no value ever has to be merged. Which pairs are held lives in an open-addressing
hash table of pair keys (user · n_items + item) with a count each (a count above one is a clash).
"""

import numpy as np
from numba import njit

from mfviz.kernels.csr import _row_order

_EMPTY = -1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads consecutive keys over the table


@njit(cache=True, nogil=True)
def _table(rows, columns, n_items):
    """(keys, counts) of a hash table holding each pair's count; at least twice as many slots as entries."""
    size = 16
    while size < 2 * rows.shape[0]:
        size *= 2
    keys = np.full(size, _EMPTY, np.int64)
    counts = np.zeros(size, np.int64)
    for e in range(rows.shape[0]):
        _add(keys, counts, rows[e] * n_items + columns[e], 1)
    return keys, counts


@njit(cache=True, nogil=True)
def _home(keys, key):
    mixed = np.uint64(key) * _GOLDEN
    mixed ^= mixed >> np.uint64(32)  # the high bits hold most of the mixing: fold them into the slot's low bits
    return np.int64(mixed & np.uint64(keys.shape[0] - 1))


@njit(cache=True, nogil=True)
def _slot(keys, key):
    """The slot holding `key`, or the empty slot where it would go."""
    mask = keys.shape[0] - 1
    slot = _home(keys, key)
    while keys[slot] != _EMPTY and keys[slot] != key:
        slot = (slot + 1) & mask
    return slot


@njit(cache=True, nogil=True)
def _count(keys, counts, key):
    return counts[_slot(keys, key)]


@njit(cache=True, nogil=True)
def _add(keys, counts, key, step):
    """Change the count of `key` by `step` (±1); a key whose count reaches 0 leaves the table (backward-shift
    deletion, so that the table never fills with dead keys however many swaps are made)."""
    mask = keys.shape[0] - 1
    slot = _slot(keys, key)
    keys[slot] = key
    counts[slot] += step
    if counts[slot] > 0:
        return
    hole, probe = slot, slot
    while True:
        probe = (probe + 1) & mask
        if keys[probe] == _EMPTY:
            break
        home = _home(keys, keys[probe])
        # the key at `probe` may fill the hole only if its home is not cyclically within (hole, probe]
        if (hole < probe and hole < home <= probe) or (hole > probe and (home > hole or home <= probe)):
            continue
        keys[hole], counts[hole] = keys[probe], counts[probe]
        hole = probe
    keys[hole], counts[hole] = _EMPTY, 0


@njit(cache=True, nogil=True)
def _swap_if_allowed(rows, columns, n_items, keys, counts, e, f):
    """Swap the items of entries e and f when neither new pair is already held; True when swapped."""
    u, i, v, j = rows[e], columns[e], rows[f], columns[f]
    if i == j or u == v:
        return False
    if _count(keys, counts, u * n_items + j) > 0 or _count(keys, counts, v * n_items + i) > 0:
        return False
    _add(keys, counts, u * n_items + i, -1)
    _add(keys, counts, v * n_items + j, -1)
    _add(keys, counts, u * n_items + j, 1)
    _add(keys, counts, v * n_items + i, 1)
    columns[e], columns[f] = j, i
    return True


@njit(cache=True, nogil=True)
def _by_item(columns, n_items):
    """(starts (n_items + 1,), entries ordered by item, each entry's place in that order): the CSR builder's
    counting sort, and its inverse."""
    starts, order = _row_order(columns, n_items)
    place = np.empty(columns.shape[0], np.int64)
    for k in range(order.shape[0]):
        place[order[k]] = k
    return starts, order, place


@njit(cache=True, nogil=True)
def _swap_indexed(rows, columns, n_items, keys, counts, order, place, e, f):
    """`_swap_if_allowed`, keeping the entries-by-item index (`_by_item`) up to date: each item keeps its count, so
    its range of places, and the two entries trade places."""
    if not _swap_if_allowed(rows, columns, n_items, keys, counts, e, f):
        return False
    order[place[e]], order[place[f]] = f, e
    place[e], place[f] = place[f], place[e]
    return True


@njit(cache=True, nogil=True)
def resolve_clashes(rows, columns, n_items, partner_items, partner_picks, tries, firsts, seconds, stir):
    """Move every entry whose pair is held more than once (all but one of each duplicate, in entry order) by
    swapping its item with a partner entry that allows the swap: for each next draw k, the entry at
    position floor(partner_picks[k] · count) among those now on item partner_items[k]. Round after round: each
    clashing entry uses at most `tries` draws a round, then `stir` switches (the next pairs of `firsts` and
    `seconds`, made where allowed, as `switch_entries`) change who holds what around the clashes left, until none
    is left or either kind of draw runs out.

    Partners are drawn by item, not by entry, because on skewed data a clash is a heavy user's second copy of a
    popular item: an entry drawn at random mostly belongs to another heavy user who holds that item too, while an
    item drawn at random is mostly one the user lacks, held by someone who lacks the popular one.

    rows, columns: int64 (n,) user and item of each entry; columns is changed in place. partner_items: integer items
    that hold entries; partner_picks: floats in [0, 1), as many; firsts, seconds: integer entry positions. Returns
    (partner draws used, switches used, clashes left: the entries beyond the first of each pair, 0 when resolved).
    """
    keys, counts = _table(rows, columns, n_items)
    starts, order, place = _by_item(columns, n_items)
    clashing = np.empty(rows.shape[0], np.int64)
    listed = 0
    for e in range(rows.shape[0]):
        if _count(keys, counts, rows[e] * n_items + columns[e]) > 1:
            clashing[listed] = e
            listed += 1
    used, switched = 0, 0
    while listed:
        for k in range(listed):
            e = clashing[k]
            stop = min(used + tries, partner_items.shape[0])
            while used < stop and _count(keys, counts, rows[e] * n_items + columns[e]) > 1:
                item = partner_items[used]
                f = order[starts[item] + int(partner_picks[used] * (starts[item + 1] - starts[item]))]
                used += 1
                _swap_indexed(rows, columns, n_items, keys, counts, order, place, e, f)
        kept = 0  # a swap never makes a clash, so the clashes left are among those listed
        for k in range(listed):
            if _count(keys, counts, rows[clashing[k]] * n_items + columns[clashing[k]]) > 1:
                clashing[kept] = clashing[k]
                kept += 1
        listed = kept
        if listed == 0 or used >= partner_items.shape[0] or switched + stir > firsts.shape[0]:
            break
        for k in range(switched, switched + stir):
            _swap_indexed(rows, columns, n_items, keys, counts, order, place, firsts[k], seconds[k])
        switched += stir
    left = 0
    for slot in range(keys.shape[0]):
        if counts[slot] > 1:
            left += counts[slot] - 1
    return used, switched, left


def resolve_clashes_reference(rows, columns, n_items, partner_items, partner_picks, tries, firsts, seconds, stir):
    """Slow reference of `resolve_clashes` (a Python Counter of pairs, entries by item in Python lists), changing
    `columns` in place the same way."""
    from collections import Counter

    held = Counter(zip(rows.tolist(), columns.tolist(), strict=True))
    on_item = [[] for _ in range(n_items)]
    for e in np.argsort(columns, kind="stable").tolist():
        on_item[columns[e]].append(e)

    def clashes(e):
        return held[(int(rows[e]), int(columns[e]))] > 1

    def swap(e, f):
        u, i, v, j = int(rows[e]), int(columns[e]), int(rows[f]), int(columns[f])
        if i != j and u != v and held[(u, j)] == 0 and held[(v, i)] == 0:
            held.update({(u, j): 1, (v, i): 1})
            held.subtract({(u, i): 1, (v, j): 1})
            columns[e], columns[f] = j, i
            on_item[i][on_item[i].index(e)], on_item[j][on_item[j].index(f)] = f, e

    clashing = [e for e in range(rows.size) if clashes(e)]
    used = switched = 0
    while clashing:
        for e in clashing:
            stop = min(used + tries, partner_items.size)
            while used < stop and clashes(e):
                holders = on_item[partner_items[used]]
                f = holders[int(partner_picks[used] * len(holders))]
                used += 1
                swap(e, f)
        clashing = [e for e in clashing if clashes(e)]
        if not clashing or used >= partner_items.size or switched + stir > firsts.size:
            break
        for k in range(switched, switched + stir):
            swap(int(firsts[k]), int(seconds[k]))
        switched += stir
    return used, switched, sum(count - 1 for count in held.values() if count > 1)


@njit(cache=True, nogil=True)
def switch_entries(rows, columns, n_items, firsts, seconds):
    """Try a swap between entries firsts[k] and seconds[k] for each k in order (the edge-switch chain of
    degree-preserving null models), making it when allowed. rows, columns: int64 (n,), columns changed in place,
    holding no pair twice on entry; firsts, seconds: int64 entry positions. Returns the number of swaps made."""
    keys, counts = _table(rows, columns, n_items)
    made = 0
    for k in range(firsts.shape[0]):
        if _swap_if_allowed(rows, columns, n_items, keys, counts, firsts[k], seconds[k]):
            made += 1
    return made


def switch_entries_reference(rows, columns, n_items, firsts, seconds):
    """Slow reference of `switch_entries` (a Python set of pairs)."""
    held = set(zip(rows.tolist(), columns.tolist(), strict=True))
    made = 0
    for e, f in zip(firsts.tolist(), seconds.tolist(), strict=True):
        u, i, v, j = int(rows[e]), int(columns[e]), int(rows[f]), int(columns[f])
        if i != j and u != v and (u, j) not in held and (v, i) not in held:
            held -= {(u, i), (v, j)}
            held |= {(u, j), (v, i)}
            columns[e], columns[f] = j, i
            made += 1
    return made
