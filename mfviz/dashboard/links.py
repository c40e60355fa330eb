"""Links to a view: the Latent space, Neighbours and Recommend pages keep what they show in their URL
(`/neighbours?model=…&item=50`), so that a view can be bookmarked or sent, and it opens the same for
whoever has the same data and model (the data the server starts on and its seeded quick default
model, or the models given to `mfviz dashboard DATA --model-file`)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import state, ui
from mfviz.errors import DataError

SEEN = "mfviz.link_seen"  # {parameter: the URL's value this session last applied or wrote}
DATA = "data"  # the first characters of the data's content hash: a link says which data it was made on
DATA_CHARS = 8


def opened(data) -> dict[str, str]:
    """The URL's parameters this session has not applied yet (a link just opened, or an edited URL),
    so that the URL never undoes a choice made on the page. None of them when the link was made on
    other data: item 50 there may be another item here."""
    params = {name: st.query_params[name] for name in st.query_params}
    seen = st.session_state.setdefault(SEEN, {})
    fresh = {name: value for name, value in params.items() if seen.get(name) != value}
    seen.update(fresh)
    made_on = params.get(DATA)  # a hand-written link may leave it out
    if not fresh:
        return {}
    if made_on is not None and made_on != data.key[:DATA_CHARS]:
        st.warning(f"This link was made on other data than this session's ({data.name}), so it is not "
                   "applied: its items and users could be others here. A link opens the same view on the data "
                   "the server starts every session on (the demo, or `mfviz dashboard DATA`); an upload "
                   "belongs to the browser session that made it.", icon=":material/link_off:")
        return {}
    fresh.pop(DATA, None)
    return fresh


def pick_model(fresh: dict[str, str], factor_models_only: bool = True) -> None:
    """Preselect the link's model in the page's model picker (before the picker is drawn; the same
    `factor_models_only` as the picker's)."""
    name = fresh.get("model")
    if name is None:
        return
    ui.ensure_model()
    if name in ui.pickable_models(factor_models_only):
        st.session_state["model_picker"] = name
        st.session_state[state.ACTIVE_MODEL] = name
    elif name in ui.models():
        st.warning(f"The link's model “{name}” has no item vectors to show on this page, so the page shows "
                   "another.", icon=":material/link_off:")
    else:
        st.warning(f"The link's model “{name}” is not in this session (models live in the browser session "
                   "that trained them), so the page shows another. Train it on the Train page, or start the "
                   "server with it: `mfviz dashboard DATA --model-file MODEL.npz`.", icon=":material/link_off:")


def number(fresh: dict[str, str], name: str, key: str, low: float, high: float, default: float) -> None:
    """Set the widget `key` (a number between `low` and `high`) from the link's `name`, before the
    widget is drawn; a value out of range or not a number is named in a warning. Without one, the
    widget starts at `default` (through the state, so that a link can set it too)."""
    st.session_state.setdefault(key, default)
    if name not in fresh:
        return
    try:
        value = type(default)(float(fresh[name]))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        st.warning(f"The link's {name} = {fresh[name]} is not a number from {low:g} to {high:g}; the page keeps "
                   f"{st.session_state[key]:g}.", icon=":material/link_off:")
        return
    st.session_state[key] = value


def indices(interactions, kind: str, text: str) -> list[int]:
    """The indices of comma-separated original `kind` ("user" or "item") ids, as the data writes
    them; a warning names those not in the data."""
    ids = getattr(interactions, f"{kind}_ids")
    numeric = np.issubdtype(ids.dtype, np.integer)
    found, missing = [], []
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        try:
            found.append(int(getattr(interactions, f"{kind}_index")([int(part) if numeric else part])[0]))
        except (ValueError, DataError):
            missing.append(part)
    if missing:
        st.warning(f"The link's {kind} {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in this "
                   "data; the page shows what it would otherwise.", icon=":material/link_off:")
    return found


def id_list(interactions, kind: str, picked) -> str | None:
    """The original ids of these `kind` indices, comma-separated (None for none): `indices`' inverse."""
    ids = getattr(interactions, f"{kind}_ids")
    return ",".join(str(ids[i]) for i in picked) if picked else None


def show(data, **values) -> None:
    """Put the page's view in its URL (after its widgets are drawn): `None` leaves a parameter out.
    Only a change is sent to the browser."""
    wanted = {DATA: data.key[:DATA_CHARS]}
    wanted.update({name: str(value) for name, value in values.items() if value is not None})
    current = {name: st.query_params[name] for name in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
    st.session_state.setdefault(SEEN, {}).update(wanted)
