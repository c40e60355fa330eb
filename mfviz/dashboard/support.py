"""The "at least N interactions" filter of neighbour lists, shared by the Neighbours and Latent space
pages: one setting for both, kept apart from its widgets (Streamlit forgets a widget's value after a
run of another page), and the notice when a list leans on items the model barely saw."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import verdicts
from mfviz.dashboard.plain import plain

KEPT = "mfviz.min_support"  # the setting itself, whichever page set it
# Off by default: the lists show what the model learned, rare items included (cosine lists full of them
# are a finding about the model, and the cosine/dot contrast the pages exist to show); a notice offers
# FEW when they crowd a list. Under 10 interactions an item's vector rests on a handful of users.
FEW = 10
HELP = ("Only items with at least this many interactions in the data the model was trained on may be "
        "neighbours; the lists keep their length (the search goes deeper). An item seen by a handful of users "
        "gets a vector that is mostly noise, and cosine, which ignores length, ranks such items high. 0 = no filter.")


def keep(key: str) -> None:
    st.session_state[KEPT] = int(st.session_state[key])


def set_to(value: int, *keys: str) -> None:
    st.session_state[KEPT] = value
    for key in keys:
        st.session_state[key] = value  # a callback: runs before the widgets are drawn


def min_support_input(place, key: str, label: str = "Min. interactions") -> int:
    """A number input (in `place`) for the filter, starting on the kept setting; returns it."""
    if key not in st.session_state or st.session_state[key] != st.session_state.get(KEPT, 0):
        st.session_state[key] = int(st.session_state.get(KEPT, 0))
    # no `value=`: the setting comes through the session state only (both warned Streamlit)
    return int(place.number_input(label, min_value=0, max_value=10_000, step=1, key=key, on_change=keep,
                                  args=(key,), help=HELP))


def from_link(view: dict[str, str], key: str) -> None:
    """Set the filter (and its widget `key`) to an opened link's `min`, before the widget is drawn; 0 (no
    filter) when the link has none: the lists it was made on, not the opener's own filter."""
    from mfviz.dashboard import links

    st.session_state[key] = 0
    links.number(view, "min", key, 0, 10_000, 0)
    st.session_state[KEPT] = int(st.session_state[key])


def link_value(min_support: int) -> int | None:
    """The filter as a link writes it: left out when off."""
    return int(min_support) or None


def item_support(entry, popularity: np.ndarray) -> np.ndarray:
    """Each item's interactions in the data the model was trained on: its split's training part, or for a model
    loaded from a file the training matrix the file keeps (all the data when it keeps none)."""
    from mfviz.dashboard import cached_neighbours

    train = entry.train.matrix if entry.train is not None else getattr(entry.model, "train_matrix", None)
    if train is not None and train.shape[1] == len(popularity):
        return cached_neighbours.training_popularity(entry.key, train)
    return np.asarray(popularity)


def compared(entry, data, popularity: np.ndarray, item: int, k: int, min_support: int = 0):
    """An item's cosine and dot lists (cached_neighbours.compare), asked with the same arguments by the Neighbours and
    Latent space pages and by the background's precompute, so that all three hit one cache entry (the
    background once left the filter's 0 out: another key, and the page computed the lists again)."""
    from mfviz.dashboard import cached_neighbours

    inter = data.interactions
    return cached_neighbours.compare(entry.key, entry.model.item_factors, int(item), int(k), data.key, popularity,
                                     inter.titles, inter.matrix, int(min_support), item_support(entry, popularity))


def summarised(entry, data, popularity: np.ndarray, k: int, min_support: int = 0):
    """The lists over many items (cached_neighbours.neighbour_summary), asked as `compared` asks for one item's."""
    from mfviz.dashboard import cached_neighbours

    return cached_neighbours.neighbour_summary(entry.key, entry.model.item_factors, data.key, popularity, int(k),
                                               data.interactions.matrix, int(min_support),
                                               item_support(entry, popularity))


SUMMARY_SAMPLE = 1000  # items cached_neighbours.neighbour_summary samples (test_neighbours_opening.py checks the two agree)


def opening_item(entry, data, popularity: np.ndarray, k: int) -> int:
    """The item the Neighbours page opens on (cached_neighbours.opening_item), given the lists' mean overlap over many items:
    the overlap of `summarised`'s lists (the same sample), without waiting for its lifts, which the page shows only
    further down (they were most of the ~2 s before a first visit drew the item's tables)."""
    from mfviz.dashboard import cached_neighbours

    shared = typical_overlap(entry.key, entry.model.item_factors, data.key, int(k), item_support(entry, popularity))
    return cached_neighbours.opening_item(entry.key, entry.model, data.key, popularity, int(k), shared)


@st.cache_data(show_spinner=False, max_entries=64)
def typical_overlap(model_key: str, _vectors: np.ndarray, data_key: str, k: int, _support: np.ndarray) -> float:
    """`mean_list_overlap` as `summarised` samples it (no filter): its "mean_overlap" (`_support` is fixed by the
    model and the data keys)."""
    from mfviz.analysis.neighbours import mean_list_overlap

    return mean_list_overlap(_vectors, k=k, sample=SUMMARY_SAMPLE, support=_support)


def notice(comparison, support: np.ndarray, key: str, popularity: np.ndarray | None = None,
           titles: np.ndarray | None = None) -> None:
    """Say when the lists hold items with fewer than FEW interactions (`thin_notice`: a warning with a way to leave
    them out when one is high in a list or many are, else a caption); what the filter left out when on,
    and, with the data's `popularity` (the lists' pop. column) and `titles`, the items it counts lower."""
    if comparison.min_support:
        least = comparison.min_support
        kept = int((support >= least).sum())
        words = (f"Only items with at least {least:,} interactions in the training data are listed "
                 f"({kept:,} of {support.size:,} items).")
        if popularity is not None and titles is not None:
            # pop. counts all the data; the filter what the model saw: an item with pop. over the bar can be out
            below = np.flatnonzero((np.asarray(popularity) >= least) & (support < least))
            if below.size:
                top = below[np.argmax(np.asarray(popularity)[below])]
                words += (f" The lists' popularity counts all the data, the filter only the part the model was trained "
                          f"on, so {below.size:,} item{'s' if below.size != 1 else ''} with a popularity of {least:,} or "
                          f"more {'are' if below.size != 1 else 'is'} left out (the most popular: "
                          f"{plain(titles[top])}, {int(popularity[top]):,} interactions, "
                          f"{int(support[top]):,} in training).")
        st.caption(words)
        if comparison.min_support >= FEW:  # below FEW, the filter still lets thin neighbours in
            return
    lists = {f"by {metric}": frame["item"].to_numpy() for metric, frame in (("cosine", comparison.cosine),
                                                                           ("dot", comparison.dot))}
    thin_notice({words: thin_list(ids, support, titles) for words, ids in lists.items()}, key)


def thin_list(ids: np.ndarray, support: np.ndarray, titles: np.ndarray | None) -> tuple[int, int, int, str, int]:
    """A neighbour list (item indices, best first) for verdicts.thin_lists: its length, how many of its items have
    fewer than FEW interactions in `support` (the model's training counts), the rank of the first (0: none), its
    title and its interactions."""
    ids = np.asarray(ids, np.int64)
    ids = ids[ids >= 0]
    rare = np.flatnonzero(np.asarray(support)[ids] < FEW)
    if not rare.size:
        return ids.size, 0, 0, "", 0
    first = int(ids[rare[0]])
    title = plain(str(titles[first])) if titles is not None else f"item {first}"
    return ids.size, rare.size, int(rare[0]) + 1, title, int(support[first])


TOP_RANKS = 5  # a thin neighbour this high in a list is warned of
MANY_THIN = 3  # as are this many thin neighbours anywhere in a list


def crowded(lists: dict[str, tuple[int, int, int, str, int]]) -> bool:
    """Whether thin neighbours call for a warning: one among a list's TOP_RANKS first (where a reader looks: MovieLens
    100K's Star Wars, Truncated SVD, had Temptress Moon, 3 interactions, second) or MANY_THIN in a list."""
    return any(count and (rank <= TOP_RANKS or count >= MANY_THIN) for _, count, rank, _, _ in lists.values())


def thin_notice(lists: dict[str, tuple[int, int, int, str, int]], key: str, button_key: str | None = None) -> None:
    """Say when neighbour lists (`thin_list`s by their words) hold items with fewer than FEW interactions: a warning
    with a button setting the filter (widget `key`) to FEW when they are `crowded`, else a caption."""
    words = verdicts.thin_lists(lists, FEW, crowded(lists))
    if words is None:
        return
    if crowded(lists):
        columns = st.columns([5, 1.2])
        columns[0].warning(words, icon=":material/warning:")
        columns[1].button(f"Only items with ≥ {FEW}", key=button_key or f"{key}_few", on_click=set_to,
                          args=(FEW, key), help=HELP)
    else:
        st.caption(words)
