"""Pickers of items and users on data of any size: the most popular (or active) listed, any other
found by typing its title or id.

A select box sends every option to the browser on every run of its page: on 138,000 users and 27,000
items that was 4-5 s per click on the Neighbours and Recommend pages. These list `LISTED` options,
plus whatever is chosen (from a link, a map click or a typed search), and accept typed text, which
a callback turns into the item or user it names before the page runs again. Typing filters the listed
options by substring ("contains"): a fuzzy match would offer listed items for an unlisted id's digits."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.errors import DataError

LISTED = 2_000  # options sent with each run (ML-100K, 1,682 items and 943 users, lists them all)
MISSED = "mfviz.picker_missed"  # {widget key: the text that matched nothing}, shown once by the picker


def by_id(interactions, kind: str, text: str) -> int | None:
    """The index of the `kind` ("item" or "user") whose id, as the data writes it, is `text`."""
    ids = getattr(interactions, f"{kind}_ids")
    try:
        value = int(text) if np.issubdtype(ids.dtype, np.integer) else text
        return int(getattr(interactions, f"{kind}_index")([value])[0])
    except (ValueError, DataError):
        return None


def find(interactions, kind: str, text: str, ranked: np.ndarray) -> int | None:
    """The index of the `kind` ("item" or "user") that typed `text` names: its id as the data writes
    it ("user 554" or "554"); for items also the first of `ranked` whose title contains the text
    (case-insensitive)."""
    text = text.strip()
    if not text:
        return None
    # The id as typed first ("user 5" may be an id itself), then without the label the picker shows.
    found = by_id(interactions, kind, text)
    if found is None and text.lower().startswith(f"{kind} "):
        text = text[len(kind) + 1:].strip()
        found = by_id(interactions, kind, text) if text else None
    if found is not None or not text:
        return found
    if kind == "item":
        titles = np.char.lower(interactions.titles.astype(str)[ranked])
        hits = np.flatnonzero(np.char.find(titles, text.lower()) >= 0)
        if hits.size:
            return int(ranked[hits[0]])
    return None


def _options(ranked: np.ndarray, chosen, n: int) -> list[int]:
    """The first LISTED of `ranked`, then the chosen indices (valid on this data) not among them."""
    listed = ranked[:LISTED].tolist()
    present = set(listed)
    extra = [int(c) for c in chosen if isinstance(c, (int, np.integer)) and 0 <= c < n and c not in present]
    return listed + list(dict.fromkeys(extra))


def _resolve(key: str, interactions, kind: str, ranked: np.ndarray, many: bool) -> None:
    """Callback: typed text in the widget's value becomes the index it names (or is dropped, and
    remembered for the picker to say so)."""
    value = st.session_state.get(key)
    if value is None:  # cleared
        return
    values = list(value) if many else [value]
    resolved, missed = [], []
    for entry in values:
        if isinstance(entry, str):
            found = find(interactions, kind, entry, ranked)
            (missed.append(entry) if found is None else resolved.append(found))
        elif entry is not None:
            resolved.append(entry)
    if missed:
        st.session_state.setdefault(MISSED, {})[key] = missed
    if many:
        st.session_state[key] = list(dict.fromkeys(resolved))
    else:
        st.session_state[key] = resolved[0] if resolved else st.session_state.get(f"{key}.last")


def _help(help: str | None, ranked: np.ndarray, kind: str) -> str | None:
    if len(ranked) <= LISTED:
        return help
    how = "a title or an id" if kind == "item" else "an id"
    return ((help + " ") if help else "") + (f"The {LISTED:,} {'most popular' if kind == 'item' else 'most active'} "
                                             f"are listed; type {how} to find any other.")


def _say_missed(key: str, kind: str) -> None:
    missed = st.session_state.get(MISSED, {}).pop(key, None)
    if missed:
        st.warning(f"No {kind} matches {', '.join(repr(m) for m in missed)}; type a "
                   f"{'title or an id' if kind == 'item' else 'user id'} of this data.", icon=":material/search_off:")


def pick_one(where, label: str, kind: str, ranked: np.ndarray, interactions, key: str, format_func,
             default: int | None = None, **options) -> int | None:
    """A select box over the `ranked` indices (most popular first); `default` preselects one when the
    session has no choice yet (None: nothing chosen). Returns the chosen index."""
    if key not in st.session_state and default is not None:
        st.session_state[key] = int(default)  # through the state, like a link or a click would
    n = len(getattr(interactions, f"{kind}_ids"))
    current = st.session_state.get(key)
    values = _options(ranked, [] if current is None else [current], n)
    if current is not None and current not in values:  # stale (other data): back to the default
        st.session_state[key] = current = None if default is None else int(default)
        values = _options(ranked, [] if current is None else [current], n)
    _say_missed(key, kind)
    choice = where.selectbox(label, values, index=None, key=key, format_func=format_func, accept_new_options=True,
                             filter_mode="contains", on_change=_resolve, args=(key, interactions, kind, ranked, False),
                             help=_help(options.pop("help", None), ranked, kind), **options)
    if choice is None and default is not None:  # cleared: the default again
        choice = int(default)
    st.session_state[f"{key}.last"] = choice
    return choice


def pick_many(where, label: str, kind: str, ranked: np.ndarray, interactions, key: str, format_func,
              **options) -> list[int]:
    """A multiselect over the `ranked` indices (most popular first); its value lives in the state."""
    n = len(getattr(interactions, f"{kind}_ids"))
    current = [c for c in st.session_state.get(key, []) if isinstance(c, (int, np.integer)) and 0 <= c < n]
    if key in st.session_state:
        st.session_state[key] = current
    _say_missed(key, kind)
    # No "Select all" / "Select N matches" row: Streamlit puts it first when 1,000 or fewer options
    # match the typed text, so a word and Enter picked every title containing it ('Harbor': 101 items).
    # Without it Enter picks the first match listed, the most popular (or, matching none, the typed text).
    return where.multiselect(label, _options(ranked, current, n), key=key, format_func=format_func,
                             accept_new_options=True, filter_mode="contains", select_all=False, on_change=_resolve,
                             args=(key, interactions, kind, ranked, True),
                             help=_help(options.pop("help", None), ranked, kind), **options)
