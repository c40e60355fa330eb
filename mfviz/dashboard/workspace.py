"""A browser's workspace (its data, models and settings) kept by the server across a page reload."""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict

import streamlit as st

from mfviz.dashboard import background, state

# A reload, a dropped connection or a second tab opens a new Streamlit session, which started on the
# start data: an hour's upload, sweeps and comparisons were gone, and the notice blamed "another browser
# session". The browser now carries a random workspace id in a cookie (until it closes), and the server
# keeps the last state of each of the KEPT most recent browsers' workspaces (those holding work of their own
# kept before those holding only the start); a new session whose browser names one takes it up. Only the same
# browser can: the id is random, and links carry none.
COOKIE = "mfviz_workspace"
KEPT = 4  # browsers whose workspace the server keeps after their session ends (each holds its data and models)
ID = "mfviz.workspace_id"  # session-state key: this session's workspace id
RESTORED = "mfviz.workspace_restored"  # session-state key: what the first run took up, said once
SAID = "mfviz.workspace_restored_said"  # session-state key: (those words, the page they are said on)
# What a workspace is: the data and its preparation, the models, the Train page's settings and the
# Recommend page's profile; the pages' widgets (PAGE_WIDGETS) are added by the caller.
KEYS = (state.SOURCE, state.FILTERS, state.DATA, state.MODELS, state.ACTIVE_MODEL, state.TRAINING, state.LAST_TRAINING,
        state.LAST_SWEEP, state.TRAIN_PARAMS, state.TRAIN_KIND, state.PROFILE, state.UPLOAD_KEY, state.MAPPING,
        state.ITEMS_JOINED, "mfviz.profile_dislikes", "mfviz.profile_ratings", "mfviz.picker_kinds", "latent_subset",
        "latent_subset_of", "mfviz.min_support")  # (the last: Min. interactions, support.KEPT; a new tab lost it)

# Settings a presenter goes back to, kept while other pages are shown: Streamlit drops a widget's value
# after a run that does not draw it, so leaving Recommend and coming back reset its mode and its
# popularity penalty, and Latent space went back to UMAP. Written back before every run (Streamlit's own
# advice), which makes them values of the session rather than of a widget. Only widgets that take no
# default in their call and whose choices do not depend on the data or the models (or are checked
# against them, as the pickers are) are listed.
PAGE_WIDGETS = ("rec_mode", "rec_n", "rec_penalty", "rec_user", "rec_users_map_on", "latent_method",
                "latent_3d", "latent_colour", "latent_highlight", "latent_search", "latent_anchor", "axis_up", "dims_users",
                "axis_left_item", "axis_right_item", "axis_kind", "axis_left_search", "axis_right_search",
                "neighbours_k", "neighbours_item", "neighbours_user", "rec_new_from", "rec_new_who", "rec_stars", "rec_hits",
                "neighbours_more_columns",  # (the last was off again after a reload)
                # the Projector's settings of the map (map_projection): the same map on coming back
                "latent_neighbours", "latent_min_dist", "latent_perplexity", "latent_spherize", "latent_label", "latent_k",
                "latent_pca_x", "latent_pca_y", "latent_pca_z",
                # the models side by side on Neighbours and Recommend, checked against the session's models before
                # each box is drawn (links.keep_compared): a visit to Spectrum emptied both
                "neighbours_compare", "rec_compare",
                # Spectrum's and Popularity bias' settings, started by their pages within this data's range (the
                # first three follow the data: ui.set_data lets them go)
                "spectrum_k", "spectrum_null", "spectrum_values", "bias_k")

_STORE: OrderedDict[str, dict] = OrderedDict()
_LOCK = threading.Lock()


def restore() -> None:
    """On a session's first run: give it an id (the browser's, from its cookie, or a new one it is sent)
    and take up the workspace the server keeps under it, if any."""
    if ID in st.session_state:
        return
    sent = sent_id()
    known = sent is not None
    st.session_state[ID] = workspace = sent if known else secrets.token_hex(16)
    if not known:  # the browser keeps it until it closes; a new session (a reload) sends it back
        st.sidebar.html(f"<script>document.cookie = '{COOKIE}={workspace}; path=/; SameSite=Lax';</script>",
                unsafe_allow_javascript=True)
        return
    with _LOCK:
        saved = _STORE.get(workspace)
        if saved is not None:
            _STORE.move_to_end(workspace)
    if not saved:
        return
    for key, value in saved.items():
        # its own containers: two tabs of one browser share the records, not the lists they are kept in
        st.session_state[key] = type(value)(value) if isinstance(value, (dict, list)) else value
    job = st.session_state.get(state.TRAINING)
    kept = list((st.session_state.get(state.MODELS) or {}).values())
    if job is not None and job.done and all(any(e is k for k in kept) for e in job.entries):
        st.session_state.pop(state.TRAINING)  # collected already: taken up again, it would make its model active
    elif job is not None and not job.done:  # a reload during a training: it goes on for this session too
        job.followers.append(background.current_session())
    data, trained = saved.get(state.DATA), [e for e in (saved.get(state.MODELS) or {}).values() if not e.auto]
    training = job.label if job is not None and not job.done else None
    if (data is not None and not data.is_start) or trained or training:  # more than every session starts with
        st.session_state[RESTORED] = (data.name if data is not None else "the data", len(trained), training,
                                      len(saved.get(state.MODELS) or {}))


def sent_id() -> str | None:
    """The workspace id the browser sent with this session's connection (None without a well-formed one)."""
    sent = st.context.cookies.get(COOKIE)
    return sent if isinstance(sent, str) and re.fullmatch(r"[0-9a-f]{32}", sent) else None


def save(widget_keys: tuple[str, ...] = ()) -> None:
    """After every run: the workspace as the session holds it now (its records, not copies of them)."""
    workspace = st.session_state.get(ID)
    if workspace is None:
        return
    snapshot = {key: st.session_state[key] for key in (*KEYS, *widget_keys) if key in st.session_state}
    with _LOCK:
        snapshot = _with_kept_models(snapshot, _STORE.get(workspace))
        _STORE[workspace] = snapshot
        _STORE.move_to_end(workspace)
        while len(_STORE) > KEPT:
            # the least recent other browser that holds nothing of its own goes first: five viewers opening an
            # analyst's link (each falls back to the demo) pushed the analyst's upload and models out of the store;
            # the browser saving now stays (a presenter on the demo keeps the view set up across a reload)
            idle = next((key for key, kept in _STORE.items() if key != workspace and not holds_work(kept)), None)
            _STORE.pop(idle) if idle is not None else _STORE.popitem(last=False)


def holds_work(snapshot: dict) -> bool:
    """Whether a workspace holds more than every session starts with: data other than the start data, a model
    trained or loaded (not the quick default), a training, or a profile built on Recommend."""
    data = snapshot.get(state.DATA)
    trained = any(not entry.auto for entry in (snapshot.get(state.MODELS) or {}).values())
    return bool((data is not None and not data.is_start) or trained or snapshot.get(state.TRAINING) is not None
                or snapshot.get(state.PROFILE))


def with_other_tabs(values: dict, workspace: str | None) -> dict:
    """`values` (a session's state) with the models the browser's other tabs trained on the same data, as the
    server keeps them: the workspace file saved from a tab holds them too (a second tab's left them out)."""
    with _LOCK:
        return _with_kept_models(dict(values), _STORE.get(workspace) if workspace else None)


def _with_kept_models(snapshot: dict, kept: dict | None) -> dict:
    """Two tabs of one browser share the workspace, each saving its own state: a tab opened before a model was
    trained in the other must not drop that model (the later reload lost it). Models of the same data are
    merged; the rest is the snapshot's."""
    data = snapshot.get(state.DATA)
    if kept is not None and data is not None and state.MODELS in snapshot:
        merged = {name: entry for name, entry in (kept.get(state.MODELS) or {}).items() if entry.data_key == data.key}
        snapshot[state.MODELS] = merged | snapshot[state.MODELS]
    return snapshot


def say_restored(where, page: str) -> None:
    """After a reload took a workspace up: what came back (the page looks as before, which is the point; a word says
    why an upload is still there although the file box is empty), as a line in `where` (the top of the sidebar) for
    as long as the session stays on `page`, the page it opened on, with the same data and models: a toast covered the
    page's top-right controls for its seconds on every new tab, a line of the first run alone flashed by under a
    training's reruns, and a line kept after new data was loaded or a training ended told of what was gone."""
    data, models_now = st.session_state.get(state.DATA), tuple(st.session_state.get(state.MODELS) or ())
    now = (page, getattr(data, "key", None), models_now)
    restored = st.session_state.pop(RESTORED, None)
    if restored is not None:
        name, models, training, listed = restored
        if data is not None and data.name == name:
            from mfviz.dashboard.ui import data_label

            name = data_label(data)  # as the sidebar names it: "MovieLens 100K (u.data)", not "u.data"
        # the sidebar lists the quick default too: a count of 5 beside a list of 6 read as a model lost (demo review)
        also = f" ({listed} with the quick default, as the sidebar lists them)" if models and listed > models else ""
        st.session_state[SAID] = (f"Picked up where this browser left off: {name}"
                                  + (f" and {models} model{'s' if models != 1 else ''} trained or loaded here{also}"
                                     if models else "")
                                  + (f"; the training of {training} goes on" if training else "") + ".", now)
    said = st.session_state.get(SAID)
    if said is not None and said[1] == now:
        where.info(said[0], icon=":material/restore:")
    else:
        st.session_state.pop(SAID, None)  # said until the first move to another page, new data or a model more
