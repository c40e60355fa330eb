"""The Recommend page's lists: top-n with an optional popularity penalty, the model dimension each
item's score comes from most, and the users around a taste on the map of users."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.dashboard import cached_data, cached_dimensions, cached_maps, cached_popularity
from mfviz.dashboard.state import ModelEntry

SHARE = "share"  # the Recommend list's column: the "because of" item's part as a share of the personal part

def penalty_change(entry: ModelEntry, data_key: str, popularity: np.ndarray, strength: float) -> np.ndarray | None:
    """How a popularity penalty of this strength changes each item's score under a model (None: no
    penalty, or the Popularity baseline, which a popularity penalty would simply turn upside down)."""
    if strength <= 0 or entry.kind == "popularity":
        return None
    from mfviz.analysis.tradeoff import item_offsets

    offsets = cached_popularity.penalty_offsets(entry.key, entry.model, data_key, popularity, float(strength))
    return offsets - item_offsets(entry.model)


def penalised_list(model, vector: np.ndarray, seen, change: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-n items for a user vector after the penalty `change` (re-ordering the model's own top
    10·n), `seen` items left out; the scores returned are the model's own (the penalty is shown apart)."""
    from mfviz.analysis.tradeoff import reranked_top_k

    seen = np.unique(np.asarray(seen, np.int64))
    exclude = sp.csr_matrix((np.ones(seen.size), seen, [0, seen.size]), shape=(1, change.size))
    ids, ranked = reranked_top_k(vector, model, change, int(n), exclude)
    keep = ids[0] >= 0
    return ids[0][keep], ranked[0][keep] - change[ids[0][keep]]


def can_hit(entry: ModelEntry) -> bool:
    """Whether the model was trained on a split with a test part: items held out of its training that a
    list of it could recommend (a hit, as the Train page's precision@k and recall@k count them)."""
    return entry.train is not None and entry.test is not None and entry.test.nnz > 0


def left_out(entry: ModelEntry, interactions, hits: bool) -> sp.csr_matrix:
    """What a model's lists leave out for each user: everything the user has in the data, or with `hits` (and
    a split with a test part) only the model's training part, so that held-out items can be recommended."""
    return entry.train.matrix if hits and can_hit(entry) else interactions.matrix


def held_out(entry: ModelEntry, interactions, user: int) -> np.ndarray:
    """The user's items in the data that the model was not trained on (its test part), sorted; none for a
    model trained on all of the data."""
    if not can_hit(entry):
        return np.zeros(0, np.int64)
    return np.setdiff1d(interactions.matrix[user].indices, entry.train.matrix[user].indices).astype(np.int64)


def swap_compared(chosen: list[str], shown: str, before: str | None, offered: list[str]) -> list[str]:
    """The side-by-side choice after the model shown changed from `before` to `shown`: a model taken from
    the choice to be shown gives its place to the one shown before (a swap), if that one can be compared
    (`offered`); otherwise the choice is left as it is."""
    if before is None or before == shown or shown not in chosen or before not in offered or before in chosen:
        return list(chosen)
    return [before if name == shown else name for name in chosen]


def for_user(entry: ModelEntry, user: int, matrix: sp.csr_matrix, n: int, change: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray]:
    """A user's top-n by a model, leaving out everything the user has in `matrix` (the data: a model
    trained on a split only knows its training part), after the penalty `change` if any."""
    if change is not None:
        return penalised_list(entry.model, entry.model.user_factors[user], matrix[user].indices, change, n)
    ids, scores = entry.model.recommend(np.array([user]), n=int(n), exclude=matrix)
    keep = ids[0] >= 0
    return ids[0][keep], scores[0][keep]


def for_profile(entry: ModelEntry, profile: np.ndarray, values, n: int, change: np.ndarray | None,
                vector: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-n for a profile by fold-in (the vector given, or folded in here), the profile's items left
    out, after the penalty `change` if any."""
    vector = entry.model.fold_in(profile, values) if vector is None else vector
    if change is not None:
        return penalised_list(entry.model, vector, profile, change, n)
    ids, scores = entry.model.recommend_for_vector(vector, n=int(n), exclude=np.asarray(profile).tolist())
    ids, scores = np.asarray(ids), np.asarray(scores)
    return ids[ids >= 0], scores[ids >= 0]


def taste_coords(entry: ModelEntry, user: int | None = None, vector: np.ndarray | None = None) -> np.ndarray | None:
    """A user's (or a folded-in vector's) coordinates on the model's dimensions; None for the
    Popularity baseline, which has none."""
    if entry.kind == "popularity":
        return None
    dims = cached_dimensions.dimensions(entry.key, entry.model)
    return dims.user_coords[user] if user is not None else dims.place(vector)[0]


def dimension_labels(entry: ModelEntry, data, items: np.ndarray, taste: np.ndarray) -> list[str]:
    """For each item, what lifts its score above the average item's for this taste (`lifts_of`): the fewest
    dimensions carrying most of it, each named by the end the item leans to, and their share ("2 · War, Sci-Fi
    (64%)"; "all of it" when the rest pull the item down); "item bias" when the item's own bias lifts it more than the taste; "spread over many dimensions";
    "—" when nothing lifts it above the average item."""
    from mfviz.analysis.dimensions import end_names, lifts_of

    dims = cached_dimensions.dimensions(entry.key, entry.model)
    lifts = lifts_of(dims, taste, items, getattr(entry.model, "item_bias", None))
    names = dict(enumerate(end_names(cached_dimensions.described_dimensions(entry.key, data.key, dims,
                                                                            data.interactions))))
    weaker = tuple(sorted({d for lift in lifts if not lift.by_bias for d in lift.dims} - set(names)))
    if weaker:  # a recommendation leaning along a weak dimension: its ends named too ("+ end" said nothing)
        names |= cached_dimensions.dimension_end_names(entry.key, data.key, dims, data.interactions, weaker)
    labels = []
    for lift in lifts:
        if lift.by_bias:
            labels.append(f"item bias {lift.bias_gap:+.2f} (taste {lift.gap:+.2f})")
        elif lift.spread:
            labels.append("spread over many dimensions")
        elif not lift.dims:
            labels.append("—")
        else:
            along = " + ".join(f"{d + 1} · {names[d][1 if side > 0 else 0]}" for d, side in zip(lift.dims, lift.sides,
                                                                                             strict=True))
            labels.append(f"{along} ({'all of it' if lift.share >= 1 else format(lift.share, '.0%')})")
    return labels


def users_around(entry: ModelEntry, data, who: str, user: int | None = None, vector: np.ndarray | None = None,
                 profile: np.ndarray | None = None, k: int = 10) -> tuple[pd.DataFrame, int, list[int], str]:
    """The map of users (cached_maps.user_map) with this user or profile on it — a row of its own, placed
    among its nearest mapped users, when it is not in the sample (a profile is item -2) — its id on
    the map, the k mapped users most like it (cosine) and its distinctive genre. Users the model never
    trained on (`untrained_users`: zero vectors, no direction) are neither mapped nor among the most alike."""
    from mfviz.analysis.users import favourite_groups, place_on_map
    from mfviz.models.sanity import untrained_users

    inter, model = data.interactions, entry.model
    groups = cached_data.genre_groups(data.key, inter.items)
    never = untrained_users(model)
    table = cached_maps.user_map(entry.key, data.key, model.user_factors, inter.matrix, groups, inter.user_ids,
                                 np.flatnonzero(~never) if never.any() else None)
    sample = table["item"].to_numpy()
    focus = user if user is not None else -2
    vector = model.user_factors[user] if vector is None else vector
    position, nearest = place_on_map(vector, model.user_factors[sample], table[["x", "y"]].to_numpy(), k + 1)
    similar = [int(u) for u in sample[nearest[0][nearest[0] >= 0]] if u != focus][:k]
    if focus not in set(sample.tolist()):
        items = inter.matrix[user].indices if user is not None else np.asarray(profile, np.int64)
        row = sp.csr_matrix((np.ones(items.size), items, [0, items.size]), shape=(1, inter.n_items))
        own = favourite_groups(row, groups, min_count=1)[0][0]  # a profile has a few items
        table = pd.concat([table, pd.DataFrame({
            "x": position[:, 0], "y": position[:, 1], "item": [focus], "title": [who], "distinctive genre": [own],
            "lift": [0.0], "popularity": [inter.matrix[user].nnz if user is not None else items.size]})],
            ignore_index=True)
    mine = str(table.loc[table["item"] == focus, "distinctive genre"].iloc[0])
    return table, focus, similar, mine


def item_frame(inter, popularity: np.ndarray, items, scores: np.ndarray | None = None,
               reasons: tuple[list[str], np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """A list of items as the Recommend page shows it: title, why (item, part, its share where the model's parts
    add up: a column only then), score, popularity, genres."""
    items = np.asarray(items, np.int64)
    frame = pd.DataFrame({"title": inter.titles[items]})
    if reasons is not None:
        frame["because of"], frame["adds"] = reasons[0], np.round(reasons[1], 6)  # shown to 3 significant digits
        if not np.isnan(reasons[2]).all():
            frame[SHARE] = reasons[2]
    if scores is not None:
        frame["score"] = scores  # unrounded: the page's format gives the decimals (rounded here, 0.00412 read 0.00400)
    frame["popularity"] = popularity[items]
    if "genres" in inter.items.columns:
        frame["genres"] = [", ".join(map(str, g)) if isinstance(g, list | np.ndarray) else str(g)
                           for g in inter.items["genres"].to_numpy()[items]]
    return frame


def rating_values(histogram: pd.DataFrame) -> np.ndarray:
    """The ratings the data gives (its histogram's values) within the scale that holds the bulk of them: typos
    kept on loading (a -1 or a 99 among 1-5 stars) are no rating for a profile or a new item to get."""
    from mfviz.data.scale import rating_scale

    values = histogram["value"].to_numpy(np.float64)
    scale = rating_scale(values, histogram["count"].to_numpy())
    return values if scale is None else values[(values >= scale[0]) & (values <= scale[1])]
