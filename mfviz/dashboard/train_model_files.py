"""The Train page's save and load boxes: a model of the session downloaded as .npz (and its HTML report), and a model
file read back (mfviz's own .npz, factors from implicit, a zipped Spark ALSModel) and checked against the data."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import cached_exports, cached_models, figures, served, state, ui
from mfviz.dashboard.plain import plain, plain_message
from mfviz.models.sanity import loaded_warnings


def show(entries: dict, data) -> None:
    """The save box beside the load box, for the models `entries` of the data `data`."""
    left, right = st.columns(2)
    with left, st.container(border=True):
        save(entries, data)
    with right, st.container(border=True):
        load(entries, data)


def save(entries: dict, data) -> None:
    """A model picked (the one shown, until another is picked here) offered as .npz, and as an HTML report."""
    inter = data.interactions
    st.markdown("**Save a model**")
    # The active model (just trained, or picked on a page) is the one offered, until another is chosen here
    active = st.session_state.get(state.ACTIVE_MODEL)
    # Streamlit drops the box's value on pages that do not draw it while "follows" stays: back from another page,
    # the box fell to its first model (the quick default) and "Download .npz" saved that one, not the model shown
    if active in entries and (st.session_state.get("save_pick_follows") != active
                              or st.session_state.get("save_pick") not in entries):
        st.session_state["save_pick"] = st.session_state["save_pick_follows"] = active
    chosen = st.selectbox("Model to save", list(entries), key="save_pick") if entries else None
    if chosen is not None:
        entry = entries[chosen]
        # One above the other: side by side in this half of the page, "Download a report (HTML)" was cut at 1,280 px
        buttons = [st.container(), st.container()]
        # Written on the click, not with the page: the file carries the training matrix (to leave out
        # seen items after loading), which took 14 s to compress on 16M ratings.
        buttons[0].download_button("Download .npz", lambda: cached_exports.model_file(entry.key, entry.model),
                                   file_name=figures.file_name("model", "npz", ui.data_label(data), entry.name),
                                   on_click="ignore",
                                   mime="application/octet-stream", key="save_model")
        if entry.test is not None and served.metric_k(entry) is not None:
            buttons[1].download_button(
                "Download a report (HTML)", lambda: cached_exports.model_report(
                    entry.key, entry.name, entry.model, entry.train, entry.test, inter, data.name,
                    served.metric_k(entry)),
                file_name=figures.file_name("mfviz_report", "html", ui.data_label(data), entry.name),
                mime="text/html", key="save_report",
                on_click="ignore", help="One HTML file to share: the data and the model, the map of its items, its test "
                                        "metrics next to the Popularity baseline, which users it serves, how much a new user must "
                                        "tell it, its popularity bias and the nearest items of the most popular ones.")


def load(entries: dict, data) -> None:
    """A model file read, checked against the data's users and items, and added to the session's models."""
    inter = data.interactions
    st.markdown("**Load a model**")
    uploaded = st.file_uploader("A model .npz saved by mfviz, factors from implicit (.npz), or a Spark ALSModel "
                                "folder as .zip", type=["npz", "zip"], key="load_model",
                                help="Spark's model.save(path) writes a folder; zip it (userFactors/ and "
                                     "itemFactors/ inside). Its rows are matched to this data by user and item id.")
    if uploaded is not None:
        content = uploaded.getvalue()
        missing = None
        with ui.guard("Loading the model"):
            model = cached_models.read_model(state.bytes_hash(content), content, uploaded.name)
            if hasattr(model, "aligned_to") and (model.user_ids is not None or model.item_ids is not None):
                # Spark's rows carry ids (an implicit .npz may, as arrays): matched to the data's; the warnings below
                model = model.aligned_to(inter, warn_missing=False, warn_order=False)
                missing = model.missing_users, model.missing_items
                if missing[1] == inter.n_items:
                    from mfviz.errors import ModelError

                    raise ModelError(f"none of {uploaded.name}'s item ids are in the current data; load the data "
                                     "it was trained on first (Data page), then the model.")
            if model.item_factors.shape[0] != inter.n_items or model.user_factors.shape[0] != inter.n_users:
                from mfviz.errors import ModelError

                raise ModelError(
                    f"{uploaded.name} has {model.user_factors.shape[0]:,} users × {model.item_factors.shape[0]:,} "
                    f"items but the current data has {inter.n_users:,} × {inter.n_items:,}; load the data it "
                    "was trained on first (Data page), then the model.")
            if hasattr(model, "aligned_to") and getattr(model, "train_matrix", None) is None:
                model = model.aligned_to(inter, warn_order=False)  # implicit's rows, in order (said below)
        loaded = ui.loaded_entry(uploaded.name, model, data.key)
        same = next((e for e in entries.values() if e.key == loaded.key), None)
        if same is None:
            ui.add_model(loaded)
            st.rerun()
        if same.name != loaded.name:  # the same factors as a model of the session: not listed twice, but said
            shown = st.session_state.get(state.ACTIVE_MODEL) == same.name
            st.info(f"{plain(uploaded.name)} holds the same factors as “{plain(same.name)}”, already in this session, "
                    "so it is not listed again" + (": that model is the one the pages show." if shown else
                                                   f"; pick “{plain(same.name)}” on a page to show it."),
                    icon=":material/content_copy:")
        # factors from elsewhere: how their fold-in (the Recommend page's profiles) reads them
        st.success(f"{plain(uploaded.name)} is loaded. {getattr(model, 'fold_in_note', '')}".strip(),
                   icon=":material/check_circle:")
        if getattr(model, "order_note", ""):  # rows without ids, taken in the data's sorted order: right only if so
            st.warning(model.order_note, icon=":material/warning:")
        for why in loaded_warnings(model):  # what its fit warned of, which the file does not keep
            st.warning(f"{plain(uploaded.name)}: {plain_message(why)}", icon=":material/warning:")
        if missing and any(missing):
            st.warning(f"{missing[0]:,} of the data's {inter.n_users:,} users and {missing[1]:,} of its "
                       f"{inter.n_items:,} items have no factors in {plain(uploaded.name)} (ids it was not trained on); "
                       "they get zero vectors, so they score 0 and sit at the centre of every map.", icon=":material/warning:")
