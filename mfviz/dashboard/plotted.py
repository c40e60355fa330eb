"""Which of the session's models a comparison chart plots: all of a few; of many, a chosen handful
(13 models stretched the spectrum's axis to one 1024-factor model and made the bias bars slivers)."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import state

MOST = 6  # models plotted without asking: up to this many, every one


def default_models(names: list[str], active: str | None, most: int = MOST) -> list[str]:
    """The active model and the most recent others, `most` in all, in the session's (training) order."""
    recent = [name for name in reversed(names) if name != active][:most - (active in names)]
    chosen = set(recent) | ({active} if active in names else set())
    return [name for name in names if name in chosen]


def _kept(key: str) -> str:
    return f"mfviz.plotted.{key}"


def keep(key: str) -> None:
    st.session_state[_kept(key)] = (st.session_state.get(state.ACTIVE_MODEL), list(st.session_state[key]))


def plotted_models(names: list[str], key: str, label: str = "Models on the charts", place=st) -> list[str]:
    """`names` when there are at most MOST of them; else a multiselect starting on `default_models`, or on
    the user's own pick while the model active when it was made is still active (a model made active since,
    e.g. just trained, was chosen to be shown). The pick is kept apart from the widget, which Streamlit
    forgets on other pages."""
    if len(names) <= MOST:
        return list(names)
    active = st.session_state.get(state.ACTIVE_MODEL)
    kept = st.session_state.get(_kept(key))
    start = ([name for name in kept[1] if name in names] if kept is not None and kept[0] == active else [])
    start = start or default_models(names, active)
    if st.session_state.get(key) != start:
        st.session_state[key] = start  # before the widget: no `default=` beside it (Streamlit warns of both)
    chosen = place.multiselect(label, names, key=key, on_change=keep, args=(key,),
                               help=f"{len(names)} models are in this session; the charts plot the ones chosen here "
                                    f"(at first the model the pages show and the latest, {MOST} in all).")
    # said where it happens, not only in the help: a reviewer missed the quick default and a Truncated SVD
    if words := left_off_words(names, chosen, label):
        place.caption(words)
    return chosen


def left_off_words(names: list[str], chosen: list[str], label: str = "Models on the charts") -> str:
    """A short line naming how many of the session's models the charts leave off, and how to show them
    ("" when every one is plotted)."""
    left = [name for name in names if name not in chosen]
    if not left:
        return ""
    shown = ", ".join(f"“{name}”" for name in left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
    return (f"{len(left)} of the session's {len(names)} models {'is' if len(left) == 1 else 'are'} not on these charts "
            f"({shown}): add {'it' if len(left) == 1 else 'them'} in “{label}” above.")
