"""Model pickers that start on the session's active model (the one every page shows) and keep a pick the
user made there: a picker inside a tab is not drawn while another tab is open, and Streamlit forgets a
widget's value after a run that does not draw it, so the pick is kept apart from the widget."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import state


def _kept(key: str) -> str:
    return f"mfviz.picked.{key}"


def starting_models(key: str, options: list[str]) -> list[str]:
    """The models a picker keyed `key` over `options` starts on: the user's own pick there, if it was made
    while today's active model was already active and its models are still offered; else the active model
    (else the last model, as before there was one)."""
    active = st.session_state.get(state.ACTIVE_MODEL)
    kept = st.session_state.get(_kept(key))
    # a pick made before another model became active gives way to it: the presenter trained or chose
    # that model to show it
    if kept is not None and kept[0] == active and kept[1] and all(name in options for name in kept[1]):
        return list(kept[1])
    return [active] if active in options else list(options[-1:])


def keep_pick(key: str) -> None:
    """on_change of the picker keyed `key`: remember its value with the model active at the time."""
    value = st.session_state.get(key)
    picked = list(value) if isinstance(value, (list, tuple)) else [value]
    st.session_state[_kept(key)] = (st.session_state.get(state.ACTIVE_MODEL), picked)


def model_selectbox(label: str, options: list[str], key: str, **kwargs) -> str:
    """st.selectbox over model names, starting on the active model unless the user picked another here."""
    start = starting_models(key, options)
    index = options.index(start[0]) if start else 0
    return st.selectbox(label, options, index=index, key=key, on_change=keep_pick, args=(key,), **kwargs)


def model_multiselect(label: str, options: list[str], key: str, **kwargs) -> list[str]:
    """st.multiselect over model names, starting on the active model unless the user picked others here."""
    start = starting_models(key, options)
    max_selections = kwargs.get("max_selections")
    return st.multiselect(label, options, default=start[:max_selections] if max_selections else start, key=key,
                          on_change=keep_pick, args=(key,), **kwargs)
