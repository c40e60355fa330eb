"""Streamlit helpers shared by the pages: error guard, current dataset and models, sidebar, charts."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import background, cache, startup, state
from mfviz.dashboard.figures import Chart
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.data import report
from mfviz.errors import DataError, ModelError

log = logging.getLogger("mfviz.dashboard")


@contextlib.contextmanager
def guard(what: str = "This step", stop: bool = True):
    """Show a user-caused error as a clear message (never a traceback) and stop the page there.

    DataError / ModelError carry mfviz's own message, which says what to do; anything else is
    logged with its traceback on the server and shown in one sentence. With stop=False, a side
    element fails alone: the rest of its block is skipped and the page goes on after it."""
    try:
        yield
    except (DataError, ModelError) as exc:
        st.error(str(exc), icon="⚠️")
    except NotImplementedError as exc:
        st.info(f"{what} is not available in this build yet ({exc or 'not implemented'}).", icon="🛠️")
    except Exception as exc:  # noqa: BLE001 - st.stop/st.rerun are BaseExceptions and pass through
        log.exception("%s failed", what)
        st.error(f"{what} failed: {type(exc).__name__}: {exc}. Try other settings or another file.",
                 icon="⚠️")
    else:
        return
    if stop:
        st.stop()


def header(title: str, sentence: str) -> None:
    st.title(title)
    st.markdown(sentence)


def show(chart: Chart, key: str | None = None, **kwargs):
    """A Plotly chart at full width with its one-sentence caption under it."""
    event = st.plotly_chart(chart.figure, width="stretch", key=key, **kwargs)
    st.caption(chart.caption)
    return event


def show_svg(chart) -> None:
    """A chart drawn on the server (svg_charts.SvgChart) with its caption: nothing for the browser to load."""
    st.markdown(chart.markup, unsafe_allow_html=True)
    st.caption(chart.caption)


@functools.cache
def plotly_chunk() -> str | None:
    """The file name of Streamlit's lazily loaded Plotly chart code (hashed per Streamlit build), or
    None if this build has not exactly one."""
    found = list((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


# Loads the chunk the way Streamlit's frontend does (same URL, so the browser evaluates it once)
# once the user has left the app alone for 1.5 s with no script running: evaluating it blocks the
# page for about a second, which must not land on an upload or a click.
PREFETCH_SCRIPT = """<script>(() => {
  const main = document.querySelector('script[type="module"][src*="static/js/index."]');
  if (!main || window.mfvizPlotlyPrefetch) return;
  window.mfvizPlotlyPrefetch = true;
  const app = document.querySelector("[data-testid='stApp']");
  const activity = ["pointerdown", "keydown", "wheel", "dragenter", "drop"];
  let timer = null;
  const load = () => {
    watcher.disconnect();
    activity.forEach(kind => removeEventListener(kind, wait, true));
    import(new URL("CHUNK", main.src).href).catch(() => {});
  };
  const wait = () => {
    clearTimeout(timer);
    timer = setTimeout(() => (app && app.dataset.testScriptState === "running" ? wait() : load()), 1500);
  };
  const watcher = new MutationObserver(wait);
  if (app) watcher.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  activity.forEach(kind => addEventListener(kind, wait, true));
  wait();
})();</script>"""


def prefetch_plotly() -> None:
    """On a session's first run, let the browser load Plotly (4.7 MB of JavaScript, about 1 s to
    evaluate here) while the user reads the first page, instead of on the first visit to a chart
    page. The Data page has no Plotly chart, so the first page is drawn without waiting for it.
    Without a known chunk nothing is sent, and the first chart loads Plotly as usual."""
    chunk = plotly_chunk()
    if chunk is not None:
        st.sidebar.html(PREFETCH_SCRIPT.replace("CHUNK", chunk), unsafe_allow_javascript=True)


# ------------------------------------------------------------------------------ dataset
def current_data() -> DataEntry:
    """The session's dataset: until the user loads something else, the data the server starts every
    session on (the built-in demo, or `mfviz dashboard DATA`), with the models given with it."""
    entry = st.session_state.get(state.DATA)
    if entry is None:
        with guard("Loading the data"):
            entry, given = start_entries()
        st.session_state[state.DATA] = entry
        for model in given:
            add_model(model, precompute=False)
        background.after_new_data(entry, given)
    return entry


def start_entries() -> tuple[DataEntry, list[ModelEntry]]:
    """The start data and its models as records of a new session (its own: a session may rename them)."""
    start, key = cache.start_data()
    entry = DataEntry(interactions=start.interactions, name=start.name, key=key,
                      report_lines=plain_report(start.interactions.report.lines()), is_start=True)
    return entry, [loaded_entry(name, model, key) for name, model in start.models]


def precompute_start() -> None:
    """Queue the analyses of the start data (the quick default model, unless models came with it,
    and what every page opens with) before anyone opens a page. The launcher calls it for
    `mfviz dashboard DATA`: on 20M ratings a first visit waited ~40 s for the quick default model."""
    entry, given = start_entries()
    background.after_new_data(entry, given)
    background.start()


def start_name() -> str | None:
    """The name of the data the server was started on (`mfviz dashboard DATA`), None for the demo."""
    start = startup.served()
    return None if start is None else start.name


# The loader's advice names load_interactions' keywords; on the Data page the same choices are widgets.
PAGE_WORDS = {
    report.DROP_BAD_ROWS: "Or set bad rows to “drop them and count them” under Column mapping below.",
    report.DELIMITER_OR_DROP: "pick the delimiter, or set bad rows to “drop them and count them”, under Column "
                              "mapping below.",
    report.ADD_ITEMS: "add them with Item metadata (optional) on the Data page.",
    report.NAME_COLUMNS: "Pick which column is which under Column mapping below.",
    report.USE_COLUMN: "To use one, pick it under Column mapping below.",
    report.ITEM_TABLE_HINT: "It looks like an item table (titles or genres, no user column): drop it on Item "
                            "metadata (optional) instead, next to an interactions file of user, item and rating "
                            "columns.",
}


def page_words(text: str) -> str:
    """A loader message with the Data page's names for the choices it advises."""
    for advice, words in PAGE_WORDS.items():
        text = text.replace(advice, words)
    return text


def plain_report(lines) -> list[str]:
    """The load report for the page: server-side folders cut down to file names, the page's words."""
    # a path starts after a space or a bracket: a date's slashes (13/02/2020) are not folders
    return [page_words(re.sub(r"(?<![\w/.])(?:/[^\s/()]+)+/([^\s/()]+)", r"\1", line)) for line in lines]


def set_data(entry: DataEntry) -> None:
    """Switch the session to a new dataset; models of the old one no longer apply and are dropped."""
    old = st.session_state.get(state.DATA)
    if old is not None and old.key == entry.key:
        st.session_state[state.DATA] = entry
        return
    st.session_state[state.DATA] = entry
    background.after_new_data(entry)
    job = st.session_state.pop(state.TRAINING, None)
    if job is not None and not job.done:  # it trains on the data just replaced: stop it after its epoch
        job.stop_event.set()
    st.session_state[state.MODELS] = {}
    st.session_state.pop(state.ACTIVE_MODEL, None)
    st.session_state.pop(state.PROFILE, None)


# ------------------------------------------------------------------------------ models
def models() -> dict[str, ModelEntry]:
    """The session's models of the current dataset, in training order."""
    data = current_data()
    entries = st.session_state.setdefault(state.MODELS, {})
    return {name: entry for name, entry in entries.items() if entry.data_key == data.key}


def add_model(entry: ModelEntry, activate: bool = True, precompute: bool = True) -> ModelEntry:
    entries = st.session_state.setdefault(state.MODELS, {})
    if not entry.auto:
        entry.name = state.unique_name(entry.name, entries)
    entries[entry.name] = entry
    data = st.session_state.get(state.DATA)
    if precompute and data is not None and data.key == entry.data_key:
        background.after_new_model(entry, data)
    if activate:
        st.session_state[state.ACTIVE_MODEL] = entry.name
    return entry


def add_trained(job) -> None:
    """Add the models a finished training job made. Of a sweep's, the one `sweep_pick` picks (the best
    on the test set; of seeds, the first) becomes the model the pages show (and the only one whose
    analyses are worked out ahead), and the sweep is remembered for its chart."""
    from mfviz.dashboard.training import sweep_pick

    if not job.entries:
        return
    best = sweep_pick(job.entries, job.sweep[0])[0] if job.sweep else job.entries[-1]
    for entry in job.entries:
        add_model(entry, activate=entry is best, precompute=entry is best)
    if job.sweep:
        st.session_state[state.LAST_SWEEP] = (job.sweep[0], [entry.name for entry in job.entries])


def loaded_entry(name: str, model, data_key: str) -> ModelEntry:
    """A model loaded from a file (not trained in the session), as the session lists it."""
    return ModelEntry(name=f"{name} (loaded)", model=model, kind="loaded",
                      params=getattr(model, "get_params", dict)(), key=state.model_hash(model, data_key),
                      data_key=data_key, fit_seconds=float(getattr(model, "fit_seconds", 0.0)),
                      epochs=len(getattr(model, "history", [])))


def ensure_model() -> None:
    """Make sure the session has at least one model: the quick default, cached per dataset."""
    if models():
        return
    from mfviz.dashboard.training import default_model

    data = current_data()
    with guard("Training the quick default model"):
        entry = default_model(data.key, data.interactions)
    if entry is not None:
        add_model(entry)


def pickable_models(factor_models_only: bool = True) -> dict[str, ModelEntry]:
    """The models a page's model picker offers: without the Popularity baseline where item vectors
    are needed (unless it is the only model)."""
    entries = models()
    if factor_models_only:
        entries = {n: e for n, e in entries.items() if e.kind != "popularity"} or entries
    return entries


def model_picker(label: str = "Model", key: str = "model_picker", factor_models_only: bool = True
                 ) -> ModelEntry:
    """A select box over the session's models (the active one preselected); returns the choice."""
    ensure_model()
    entries = pickable_models(factor_models_only)
    if not entries:
        st.info("No model yet: train one on the **Train** page.", icon="🧠")
        st.page_link("pages/train_page.py", label="Go to Train", icon="🧠")
        st.stop()
    names = list(entries)
    active = st.session_state.get(state.ACTIVE_MODEL)
    index = names.index(active) if active in names else len(names) - 1
    choice = st.selectbox(label, names, index=index, key=key,
                          help="Every model trained or loaded in this session on the current data.")
    st.session_state[state.ACTIVE_MODEL] = choice
    return entries[choice]


# ------------------------------------------------------------------------------ sidebar
def collect_finished_training() -> None:
    """Add the models of a training job that finished while the user was on another page (one that
    failed stays for the Train page to report)."""
    job = st.session_state.get(state.TRAINING)
    if job is not None and job.done and job.entries and not job.error:
        st.session_state.pop(state.TRAINING, None)
        add_trained(job)
        st.session_state[state.LAST_TRAINING] = job  # the Train page still shows its curve and any notes


def sidebar_status() -> None:
    """What the session is working on: the dataset and its trained models (on every page)."""
    data = current_data()
    inter = data.interactions
    with st.container():
        st.markdown("### Current data")
        kind = "ratings" if inter.is_explicit else "implicit feedback"
        st.markdown(f"**{data.name}**" + (f" · {data.filters}" if data.filters else "") + "  \n"
                    f"{inter.n_users:,} users × {inter.n_items:,} items · {inter.nnz:,} {kind}")
        entries = models()
        st.markdown("### Trained models")
        job = st.session_state.get(state.TRAINING)
        if job is not None and not job.done:
            st.markdown(f"⏳ training **{job.label}** (epoch {len(job.epochs)})")
        if not entries:
            st.caption("none yet: a quick default model, prepared in the background, appears as soon as a page needs one")
        for name, entry in entries.items():
            st.markdown(f"- {name} · {entry.fit_seconds:.1f}\u00a0s")  # no break before the unit


def side_by_side(lists: dict, titles: np.ndarray, popularity: np.ndarray, n: int) -> None:
    """Several models' item lists as columns (rank = row), items on every list shaded; underneath,
    how many items each pair of lists shares and each list's mean popularity."""
    frame = pd.DataFrame({name: pd.Series(titles[ids]) for name, ids in lists.items()})
    frame.index = np.arange(1, len(frame) + 1)
    everywhere = set.intersection(*(set(np.asarray(ids).tolist()) for ids in lists.values()))
    shared = set(titles[sorted(everywhere)].tolist())
    st.markdown("**Side by side**")
    st.dataframe(frame.style.map(lambda title: "background-color: #dcefd9" if title in shared else ""),
                 width="stretch")
    names = list(lists)
    pairs = [f"{a} ∩ {b}: {len(set(lists[a].tolist()) & set(lists[b].tolist()))}"
             for k, a in enumerate(names) for b in names[k + 1:]]
    means = [f"{name} {popularity[ids].mean():,.0f}" for name, ids in lists.items() if len(ids)]
    st.caption(f"Shaded: in every list ({len(everywhere)} of {n}). Items two lists share: " + "; ".join(pairs)
               + ". Mean popularity (interactions) of each list: " + "; ".join(means) + ".")


# ------------------------------------------------------------------------------ dimensions
PROFILE_DIMENSIONS = 6  # rows of a dimension profile
NO_DIMENSIONS = ("This model's vectors are all zero (it scores every item 0 for every user): it learned nothing to "
                 "place items on, so it has no dimensions to show. Retrain it (other data or settings) or pick "
                 "another model.")


def dimension_profile(entry: ModelEntry, data, title: str, columns: dict[str, tuple[np.ndarray, str]],
                      caption: str) -> None:
    """A table of the model's strongest dimensions, each with its two ends named (genres
    over-represented there, or first titles) and, between them, one bar per entry of `columns`
    ({name: (percentiles 0–100, help)}, e.g. of a user among the users)."""
    from mfviz.analysis.dimensions import end_names

    with guard("Placing it on the model's dimensions"):
        dims = cache.dimensions(entry.key, entry.model)
        if dims.empty:  # a notice in place of the table; the rest of the page goes on
            st.info(NO_DIMENSIONS, icon="🧭")
            return
        shown = min(PROFILE_DIMENSIONS, dims.item_coords.shape[1])
        described = cache.described_dimensions(entry.key, data.key, dims, data.interactions).head(shown)
    ends = end_names(described)
    frame = pd.DataFrame({"dimension": [f"{d + 1} ({dims.energy_share[d]:.0%})" for d in range(shown)],
                          "− end": [minus for minus, _ in ends]})
    config = {"dimension": st.column_config.TextColumn(width="small", help="Its share of the model's score energy."),
              "− end": st.column_config.TextColumn(width="medium"), "+ end": st.column_config.TextColumn(width="medium")}
    for name, (percentiles, help_text) in columns.items():
        frame[name] = np.asarray(percentiles, float)[:shown]
        config[name] = st.column_config.ProgressColumn(min_value=0.0, max_value=100.0, format="%.0f", width="medium",
                                                       help=help_text)
    frame["+ end"] = [plus for _, plus in ends]
    st.markdown(f"**{title} on the model's {shown} strongest dimensions**")
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    st.caption(caption + " The ends are named by the genres over-represented there, or by their first titles; a "
               "dimension that sorts the items by popularity, by \"popular items\" and \"rare items\" (Latent space → "
               "Map: Dimensions shows them with their items).")
