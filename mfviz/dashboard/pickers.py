"""Pickers of items and users on data of any size: the most popular (or active) listed, any other
found by typing its title or id.

A select box sends every option to the browser on every run of its page: on 138,000 users and 27,000
items that was 4-5 s per click on the Neighbours and Recommend pages. These list `LISTED` options,
plus whatever is chosen (from a link, a map click or a typed search), and accept typed text, which
a callback turns into the item or user it names before the page runs again. Typing filters the listed
options by substring ("contains"): a fuzzy match would offer listed items for an unlisted id's digits. The
callback matches titles in natural word order too: "The Godfather" finds "Godfather, The (1972)", which the
browser's own filter does not list."""

from __future__ import annotations

import functools
import hashlib
import json

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard.plain import plain
from mfviz.dashboard.title_search import natural_titles
from mfviz.errors import DataError

LISTED = 2_000  # options sent with each run (ML-100K, 1,682 items and 943 users, lists them all)
MISSED = "mfviz.picker_missed"  # {widget key: the text that matched nothing}, shown once by the picker
KINDS = "mfviz.picker_kinds"  # {widget key: "item" or "user"} of every picker drawn in the session
GONE = "mfviz.picker_gone"  # {widget key: titles of its choices that the new data lacks}, shown once
NOTED = "mfviz.picker_noted"  # {widget key: [what a typed text picked, when titles hold it too]}, shown once


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
    (case-insensitive; as written or in natural word order, see `titles_containing`). An exact id wins over
    titles that contain it ("1995": item 1995, not the most popular film of 1995; `titles_containing` counts
    those)."""
    return _find(interactions, kind, text, ranked)[0]


def _find(interactions, kind: str, text: str, ranked: np.ndarray) -> tuple[int | None, str]:
    """`find`, and the text as it was looked up (without the picker's label, "item 50" → "50")."""
    text = text.strip()
    if not text:
        return None, text
    # The id as typed first ("user 5" may be an id itself), then without the label the picker shows.
    found = by_id(interactions, kind, text)
    if found is None and text.lower().startswith(f"{kind} "):
        text = text[len(kind) + 1:].strip()
        found = by_id(interactions, kind, text) if text else None
    if found is not None or not text:
        return found, text
    hits = titles_containing(interactions, kind, text, ranked)
    return (int(ranked[hits[0]]) if hits.size else None), text


def titles_containing(interactions, kind: str, text: str, ranked: np.ndarray) -> np.ndarray:
    """The positions in `ranked` of the items whose title contains `text` (case-insensitive); none for users.
    Anywhere in the title, as the picker's own list filters (filter_mode="contains"), so that Enter picks
    what the browser would have; the map's search matches anywhere too (title_search.title_search). The
    title as written or in natural word order (title_search.natural_title): MovieLens writes "Godfather, The
    (1972)", and "The Godfather" matched nothing."""
    if kind != "item" or not text:
        return np.zeros(0, np.int64)
    titles = interactions.titles.astype(str)
    text = text.lower()
    hits = np.zeros(len(ranked), bool)
    for form in (titles, natural_titles(titles).astype(str)):
        hits |= np.char.find(np.char.lower(form[ranked]), text) >= 0
    return np.flatnonzero(hits)


def id_note(interactions, kind: str, text: str, ranked: np.ndarray, found: int) -> str | None:
    """When typed `text` picked the item of that id while titles contain the text too: which was picked,
    and how to reach the titles instead (None otherwise)."""
    if kind != "item" or "title" not in interactions.items.columns:  # no titles: the "titles" are the ids
        return None
    others = titles_containing(interactions, kind, text, ranked)
    others = others[ranked[others] != found]
    if not others.size or by_id(interactions, kind, text) != found:
        return None
    count = f"{others.size:,} title{'s' if others.size != 1 else ''} contain{'s' if others.size == 1 else ''}"
    first = interactions.titles[ranked[others[0]]]
    return (f"id {plain(text)} picked ({plain(interactions.titles[found])}): an id typed in full wins. {count} "
            f"“{plain(text)}” too, the most popular {plain(first)}: type more of the title to pick one of them.")


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
    resolved, missed, noted = [], [], []
    for entry in values:
        if isinstance(entry, str):
            found, looked_up = _find(interactions, kind, entry, ranked)
            # what was looked up: without the "item " the page puts before typed text on Enter ("item Star Warz")
            (missed.append(looked_up or entry) if found is None else resolved.append(found))
            if found is not None and (note := id_note(interactions, kind, looked_up, ranked, found)):
                noted.append(note)
        elif entry is not None:
            resolved.append(entry)
    if missed:
        st.session_state.setdefault(MISSED, {})[key] = missed
    if noted:
        st.session_state.setdefault(NOTED, {})[key] = noted
    if many:
        st.session_state[key] = list(dict.fromkeys(resolved))
    else:
        st.session_state[key] = resolved[0] if resolved else st.session_state.get(f"{key}.last")


def follow(key: str, kind: str, said_by: str | None = None) -> None:
    """Have `follow_ids` move the state `key` with the data: it holds row indices of `kind` ("item" or
    "user"): one, a list, or a dict keyed by them. `said_by`: the picker that says which of them the new
    data lacks (the key's own, by default)."""
    st.session_state.setdefault(KINDS, {})[key] = (kind, said_by or key)


SAME_SHARE = 0.5  # of a sample of one data's interactions found in the other: the same catalogue, prepared


def _share_held(source, target, sample: int) -> float:
    """The share of a sample of `source`'s stored interactions (by user and item id) that `target` stores too, by
    its sparsity pattern: a stored rating of 0 counts (most of Book-Crossing's are)."""
    coo = source.matrix.tocoo()
    if coo.nnz == 0 or target.matrix.nnz == 0:
        return 0.0
    take = np.random.default_rng(0).choice(coo.nnz, min(sample, coo.nnz), replace=False)
    users = pd.Index(target.user_ids).get_indexer(source.user_ids[coo.row[take]])
    items = pd.Index(target.item_ids).get_indexer(source.item_ids[coo.col[take]])
    known = (users >= 0) & (items >= 0)
    matrix = target.matrix.tocsr()
    # each stored (row, column) as one sorted number: a pair is stored when its number is among them
    stored = np.sort(np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr)) * matrix.shape[1]
                     + matrix.indices)
    wanted = users[known].astype(np.int64) * matrix.shape[1] + items[known]
    found = np.searchsorted(stored, wanted)
    held = (found < stored.size) & (stored[np.minimum(found, stored.size - 1)] == wanted)
    return float(held.sum()) / take.size


def same_catalogue(old, new, sample: int = 2_000) -> bool:
    """Whether the data `new` is `old` prepared (filtered, binarised, given an item table) or `old` is `new` prepared
    (a filter loosened, back to the start data), not another dataset whose ids look alike: at least half of a sample
    of the interactions of one, by user and item id, are stored in the other. (The demo's item 165 and MovieLens'
    share an id and nothing else: a profile built on the demo, followed by id, became "Relic, The (1997) · Aliens
    (1986)" after an upload of MovieLens.)"""
    return max(_share_held(new, old, sample), _share_held(old, new, sample)) >= SAME_SHARE


def follow_ids(old, new) -> None:
    """Move every followed choice (see `follow`) from the data `old` to the data `new` (Interactions) by
    id: a choice is a row index, and after a filter or another upload row 49 is another item (Star Wars
    became The Santa Clause after a k-core filter that kept Star Wars). A choice whose id the new data
    lacks is dropped, and its picker says so once. Data that is not `old` prepared (`same_catalogue`) drops
    every choice without a word: its ids name other users and items. Called while no picker is drawn (on the
    Data page): Streamlit lets the state set a widget's value only before the widget is drawn."""
    if not same_catalogue(old, new):
        for key in st.session_state.get(KINDS, {}):
            st.session_state.pop(key, None)
        return
    for key, (kind, said_by) in st.session_state.get(KINDS, {}).items():
        value = st.session_state.get(key)
        if value is None:
            continue
        rows = list(value) if isinstance(value, (list, dict)) else [value]
        where, gone = {}, []
        for row in rows:
            if isinstance(row, (int, np.integer)) and 0 <= row < getattr(old, f"{kind}_ids").size:
                found = by_id(new, kind, str(getattr(old, f"{kind}_ids")[row]))
                (gone.append(_name(old, kind, int(row))) if found is None else where.__setitem__(row, found))
        if isinstance(value, dict):
            st.session_state[key] = {where[row]: v for row, v in value.items() if row in where}
        elif isinstance(value, list):
            st.session_state[key] = [where[row] for row in value if row in where]
        elif value in where:
            st.session_state[key] = where[value]
        else:  # gone: as if never chosen, so that a picker starts on its default again
            del st.session_state[key]
        if gone and not key.endswith(".last"):
            said = st.session_state.setdefault(GONE, {}).setdefault(said_by, [])
            said += [name for name in gone if name not in said]


def _name(interactions, kind: str, index: int) -> str:
    """An item's title (its id when it has none) or a user's id, as a sentence names it."""
    if kind == "item" and getattr(interactions, "titles", None) is not None:
        return str(interactions.titles[index])
    return f"{kind} {getattr(interactions, f'{kind}_ids')[index]}"


def _help(help: str | None, ranked: np.ndarray, kind: str) -> str | None:
    if len(ranked) <= LISTED:
        return help
    how = "a title or an id" if kind == "item" else "an id"
    return ((help + " ") if help else "") + (f"The {LISTED:,} {'most popular' if kind == 'item' else 'most active'} "
                                             f"are listed; type {how} to find any other.")


def _say_missed(key: str, kind: str) -> None:
    follow(key, kind)  # drawn: its choice moves with the data
    gone = st.session_state.get(GONE, {}).pop(key, None)
    if gone:
        st.info(f"{plain(' and '.join(gone))}, picked before, {'is' if len(gone) == 1 else 'are'} not in this data (the "
                "data changed since).", icon=":material/info:")
    missed = st.session_state.get(MISSED, {}).pop(key, None)
    if missed:
        st.warning(f"No {kind} matches {plain(', '.join(repr(m) for m in missed))}; type a "
                   f"{'title or an id' if kind == 'item' else 'user id'} of this data.", icon=":material/search_off:")
    for note in st.session_state.get(NOTED, {}).pop(key, []):
        st.info(note, icon=":material/pin:")


# Streamlit's multiselect lists the options matching typed text before its "Add: …" row, and Enter takes
# the first: "200" took the most popular film of 2005, never item 200, which only the server can tell
# (the browser knows the listed titles, not the data's ids). This hands typed text to the server instead,
# as the select box does by itself (its "Add: …" row comes first): Enter, unless a row was chosen with the
# arrow keys, turns the text into "item 200" — which no title holds, so "Add: item 200" is the only row —
# and presses Enter again. `find` reads it without the label: the item of that id, else the most popular
# title containing the text, the one the browser would have taken. Installed once per tab; PICKERS lists
# the widget keys it applies to (their containers carry Streamlit's class st-key-KEY).
TYPED_ENTER = """<script>
(() => {
  window.mfvizPickers = Object.assign(window.mfvizPickers || {}, PICKERS);
  if (window.mfvizTypedEnter) return;
  window.mfvizTypedEnter = true;
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.mfvizOwn || !(input instanceof HTMLInputElement)) return;
    const holder = input.closest("[data-testid='stMultiSelect']")?.closest("[class*='st-key-']");
    const key = holder && [...holder.classList].find(name => name.startsWith("st-key-"));
    const label = key && window.mfvizPickers[key.slice("st-key-".length)];
    if (!label) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") { input.dataset.mfvizArrowed = input.value; return; }
    const text = input.value.trim();
    if (event.key !== "Enter" || event.isComposing || !text || input.dataset.mfvizArrowed === input.value) return;
    if (text.toLowerCase().startsWith(label)) return;  // labelled already: Streamlit adds it as it is
    event.preventDefault();
    event.stopImmediatePropagation();
    setValue.call(input, label + text);
    input.dispatchEvent(new Event("input", {bubbles: true}));
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const enter = new KeyboardEvent("keydown", {key: "Enter", code: "Enter", keyCode: 13, bubbles: true,
                                                  cancelable: true});
      enter.mfvizOwn = true;
      input.dispatchEvent(enter);
    }));
  }, true);
})();
</script>"""


# Streamlit's row for typed text reads "Add: …", first in a select box (and taken by Enter), last in a multiselect,
# and no option of the widgets renames or removes it: without it no typed text reaches the server, and an unlisted
# item or an id could not be found. Nothing is added: `find` looks the text up (an id, a title as written or in
# natural word order), so the row says so: "Find: The Godfather". The text node is renamed in place (React sets it
# again as the text changes, and this renames it again before the browser paints), in the pickers only.
FIND_ROW = """<script>
(() => {
  window.mfvizPickers = Object.assign(window.mfvizPickers || {}, PICKERS);
  if (window.mfvizFindRow) return;
  window.mfvizFindRow = true;
  const rename = () => {
    const holder = document.activeElement?.closest("[class*='st-key-']");
    const key = holder && [...holder.classList].find(name => name.startsWith("st-key-"));
    if (!key || !window.mfvizPickers[key.slice("st-key-".length)]) return;
    for (const row of document.querySelectorAll("[role='option'][data-key='__creatable__'] [data-item-hl]")) {
      const text = row.firstChild;
      if (text?.nodeType === Node.TEXT_NODE && text.nodeValue.startsWith("Add: ")) {
        text.nodeValue = "Find: " + text.nodeValue.slice("Add: ".length);
      }
    }
  };
  new MutationObserver(rename).observe(document.body, {childList: true, subtree: true, characterData: true});
})();
</script>"""


def _scripts(key: str, kind: str, typed_enter: bool) -> None:
    """The pickers' scripts (installed once per tab) in the sidebar, which they now apply to the picker `key` too."""
    pickers = json.dumps({key: f"{kind} "})
    st.sidebar.html(((TYPED_ENTER if typed_enter else "") + FIND_ROW).replace("PICKERS", pickers),
                    unsafe_allow_javascript=True)


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
    _scripts(key, kind, typed_enter=False)  # a select box sends typed text by itself: its "Add: …" row comes first
    choice = where.selectbox(label, values, index=None, key=key, format_func=format_func, accept_new_options=True,
                             filter_mode="contains", on_change=_resolve, args=(key, interactions, kind, ranked, False),
                             help=_help(options.pop("help", None), ranked, kind), **options)
    if choice is None and default is not None:  # cleared: the default again
        choice = int(default)
    st.session_state[f"{key}.last"] = choice
    follow(f"{key}.last", kind)
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
    # Without it Enter picks the first match listed, the most popular (or, matching none, the typed text);
    # TYPED_ENTER makes it send the typed text, so that an id typed in full wins.
    _scripts(key, kind, typed_enter=True)
    return where.multiselect(label, _options(ranked, current, n), key=key, format_func=format_func,
                             accept_new_options=True, filter_mode="contains", select_all=False, on_change=_resolve,
                             args=(key, interactions, kind, ranked, True),
                             help=_help(options.pop("help", None), ranked, kind), **options)


def stepping_table(where, frame, items: np.ndarray, key: str, target: str, **options) -> None:
    """A list of items as a table whose rows are steps, as the Embedding Projector's neighbour list: a click on
    a row makes its item (`items[row]`) the choice of the picker `target`, so a chain of neighbours is followed
    without typing a title. The table's key holds the target's current choice and the items listed: another
    item's table, or another list (a new search listing the item already chosen), starts with no row ticked
    (Streamlit keeps a table's selection by its key, whatever rows it then shows)."""
    items = np.asarray(items, np.int64)
    key = f"{key}.{st.session_state.get(target)}.{hashlib.sha1(items.tobytes()).hexdigest()[:10]}"
    where.dataframe(frame, key=key, on_select=functools.partial(_step, key, items, target),
                    selection_mode="single-row", **options)


def _step(key: str, items: np.ndarray, target: str) -> None:
    rows = st.session_state[key]["selection"]["rows"]
    if rows:  # a callback: runs before the picker is drawn
        trail = _trail(target)
        if st.session_state.get(target) is not None:
            trail["from"] = [*trail["from"], int(st.session_state[target])][-TRAIL_LENGTH:]
        st.session_state[target] = trail["to"] = int(items[rows[0]])


TRAIL = "mfviz.step_trail"  # {picker key: {"from": items stepped from, oldest first, "to": the item stepped to}}
TRAIL_LENGTH = 20


def _trail(target: str) -> dict:
    """The steps that led the picker `target` to its item; forgotten once the item was chosen another way."""
    trails = st.session_state.setdefault(TRAIL, {})
    trail = trails.setdefault(target, {"from": [], "to": None})
    if trail["to"] != st.session_state.get(target):
        trail.update({"from": [], "to": None})
    return trail


def step_back(where, target: str, titles: np.ndarray) -> None:
    """A "← Back to …" button when the picker `target`'s item was reached by ticking a neighbour: the browser's
    Back left the app (a step changes the address, adding no history entry), and no trail led back."""
    trail = _trail(target)
    if trail["from"]:
        where.button(f"← Back to {plain(titles[trail['from'][-1]])}", key=f"{target}.back", on_click=_back, args=(target,),
                     help=f"The item before the last step ({len(trail['from'])} step"
                          f"{'s' if len(trail['from']) > 1 else ''} back to the first).")


def _back(target: str) -> None:
    trail = _trail(target)
    if not trail["from"]:  # the item changed another way since the button was drawn
        return
    *trail["from"], previous = trail["from"]
    st.session_state[target] = previous
    trail["to"] = previous if trail["from"] else None
