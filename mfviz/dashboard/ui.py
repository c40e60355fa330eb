"""Streamlit helpers shared by the pages: error guard, current dataset and models, sidebar, charts."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import logging
import re
from pathlib import Path

import numpy as np
import streamlit as st

from mfviz.dashboard import background, cached_data, figures, startup, state, workspace
from mfviz.dashboard.figures import Chart, counted, export_config
from mfviz.dashboard.load_words import plain_report
from mfviz.dashboard.plain import plain, plain_message
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.errors import DataError, ModelError

log = logging.getLogger("mfviz.dashboard")


class PageStopped(BaseException):
    """The page ends here (`stop`): app.py catches it and still draws the sidebar and saves the workspace, which
    st.stop() prevented (after it every read of the session state raises again: the sidebar lost the data and the
    models under any error message). A BaseException, as st.stop's, so that no `except Exception` swallows it."""


def stop() -> None:
    """End the page's run here, as st.stop() would, but leave app.py its sidebar and its save."""
    raise PageStopped


@contextlib.contextmanager
def guard(what: str = "This step", stop: bool = True):
    """Show a user-caused error as a clear message (never a traceback) and stop the page there.

    DataError / ModelError carry mfviz's own message, which says what to do; anything else is
    logged with its traceback on the server and shown in one sentence. With stop=False, a side
    element fails alone: the rest of its block is skipped and the page goes on after it."""
    try:
        yield
    except (DataError, ModelError) as exc:
        st.error(plain_message(exc), icon=":material/error:")  # it quotes file and column names as read
    except NotImplementedError as exc:
        st.info(f"{what} is not available in this build yet ({plain_message(exc or 'not implemented')}).", icon=":material/build:")
    except Exception as exc:  # noqa: BLE001 - st.stop/st.rerun are BaseExceptions and pass through
        log.exception("%s failed", what)
        st.error(fault_message(what, exc), icon=":material/bug_report:")
    else:
        return
    if stop:
        raise PageStopped


def fault_message(what: str, exc: BaseException) -> str:
    """What a user reads when mfviz itself failed. Anything not a DataError / ModelError is a bug of
    mfviz, not of the user's data or settings: "try other settings or another file" sent a presenter
    hunting in their data for a fault that was ours (an AttributeError after the package was updated
    under a running server). The exception's type is named for a bug report; its traceback stays in
    the server log."""
    return (f"{what} failed because of a fault in mfviz ({type(exc).__name__}), not in your data. Reload the "
            "page; if mfviz was updated while the server ran, restart the server. If it happens again, "
            "please report the steps that led here.")


# Every page's style element (app.py): a tag of its own takes no room on the page.
CAPTION_COLOUR = "#676664"  # Streamlit's caption grey darkened: 5.7:1 on white, 5.4:1 on the sidebar's #f8f8f7 (was 3.9, 3.8)
FOCUS_COLOUR = "#1a5fb4"  # the ring round what the keyboard is on: 6.3:1 on white, 5.9:1 on the sidebar
PAGE_STYLE = (
    "<style>"
    # Streamlit leaves 6rem above every page's title: at 1280×720 (a projector) the Latent space map began at y = 535.
    "[data-testid='stMainBlockContainer']{padding-top:2rem}"
    # Streamlit draws a caption in its text colour at opacity 0.6: rgb(130,129,128) on white
    f".stApp [data-testid='stCaptionContainer']{{color:{CAPTION_COLOUR};opacity:1}}"
    # Streamlit marks keyboard focus by a change of background (1.12:1 on a sidebar link, 1.16:1 on a toggle); a
    # checkbox's or toggle's input is hidden, so its label takes the ring. Boxes typed into keep their own (their
    # border turns the theme's red), as a click on them counts as keyboard focus too.
    f":focus-visible:not(input,textarea),label:has(input:focus-visible)"
    f"{{outline:2px solid {FOCUS_COLOUR}!important;outline-offset:2px}}"
    # The Recommend page's boxes of items (a profile's likes and dislikes, a new item's fans) wrap their chosen
    # titles onto more lines: Streamlit keeps a multiselect one line high and scrolls it sideways, which hid all but
    # the first of three long titles at 1,280 px. (overflow: both ways, as a visible x beside a hidden y reads auto.)
    + "".join(f".st-key-{key} [data-testid='stMultiSelectTagsContainer']{{flex-wrap:wrap;overflow:visible;height:auto;"
              f"min-width:0}}.st-key-{key} div:has(>[data-testid='stMultiSelectTagsContainer'])"
              "{height:auto;max-height:none}" for key in ("rec_profile", "rec_dislikes", "rec_new_from"))
    + "</style>")


def header(title: str, sentence: str) -> None:
    st.title(title)
    st.markdown(sentence)
    say_lost_data()


# Plotly's camera button saved a chart at its size on screen (940 × 560 px on a 1400 px window), blurred on
# a slide: twice the pixels, the same layout. A page may pass its own config (e.g. with a file name).
def renewed(key: str, group: str) -> str:
    """A widget's key, new each time its `group` is renewed (`renew`). Setting a drawn widget back from the
    server needs a new widget: deleting its state is not enough, as the browser sends the old widget's last
    value back with the next run (a reset form kept 1,024 factors). The first keys are the plain ones."""
    count = st.session_state.get(RENEWED, {}).get(group, 0)
    return key + (f"~{count}" if count else "")


def renew(group: str) -> None:
    """Make the widgets of `group` anew on the next run, showing the values their calls give (see `renewed`)."""
    counts = st.session_state.setdefault(RENEWED, {})
    counts[group] = counts.get(group, 0) + 1


RENEWED = "mfviz.widgets_renewed"  # {widget group: times renewed}


def show(chart: Chart, key: str | None = None, note: str | None = None, **kwargs):
    """A Plotly chart at full width with its one-sentence caption under it (after `note`, a line of its own, if
    given); its camera button saves it at twice its size, named after its title (figures.export_config; a page adds
    the data's and model's names)."""
    kwargs.setdefault("config", export_config(chart.figure))
    event = st.plotly_chart(chart.figure, width="stretch", key=key, **kwargs)
    if note:
        st.caption(note)
    st.caption(chart.caption)
    return event


def show_svg(chart) -> None:
    """A chart drawn on the server (svg_charts.SvgChart) with its caption: nothing for the browser to load. In a
    column narrower than the chart (a narrow window, or zoomed in), the chart scrolls sideways rather than shrink
    its text (WCAG's resize text)."""
    st.markdown(f'<div class="mfviz-chart-frame" style="overflow-x:auto">{chart.markup}</div>', unsafe_allow_html=True)
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
        _hold(entry)
        for model in given:
            add_model(model, precompute=False)
        # a served workspace's model shown, profile and pages' choices (rows of this same data): a demonstration
        # prepared the day before opens as it was left, unless the session already chose otherwise (a link)
        for key, value in cached_data.start_data()[0].settings.items():
            if key == state.ACTIVE_MODEL:  # the models just added made the last one active
                if value in st.session_state.get(state.MODELS, {}):
                    st.session_state[key] = value
            elif key == state.LAST_TRAINING:  # a finished training, only read: one for every session
                st.session_state[key] = value
            elif key not in st.session_state:
                st.session_state[key] = copy.deepcopy(value)  # each session's own: a profile's ratings are edited in place
        background.after_new_data(entry, given)
    return entry


# ------------------------------------------------------------------------------ data lost in a restart
# An upload, and the models trained on it, live in the server's memory only. After a restart the browser
# tab reconnects to a new, empty session, which Streamlit starts on the start data without a word (on the
# next click: the tab keeps showing the old page until then). What survives a restart is in the browser:
# - the tab's address: every page keeps the data's key in it (`data=`, as links do) while the session is
#   not on the start data. A click on the same page sends it with the new session's first run. Streamlit
#   drops the address's parameters when another page is opened, so a click on another page does not;
# - a cookie (COOKIE, until the browser closes) with the same key, which the reconnecting tab sends with
#   its first request whatever page it opens (`st.context.cookies`). It is the browser's, not the tab's: a
#   session clears it only when it set it (or it told of it), so another tab on the start data leaves it.
# A new session whose first address (or cookie) names data it does not hold says so. Data that some session
# of this server process has held (an address copied from another tab) is told apart from data the process
# never saw: that was made before a restart (or on another server). Streamlit offers no surer sign: a
# reconnecting tab's old session id is not passed to the script.
ADDRESS_DATA, ADDRESS_CHARS = "data", 8  # the parameter and its length, as links.py writes it
COOKIE = "mfviz_data"
COOKIE_SET = "mfviz.data_cookie_set"  # session-state key: this session wrote COOKIE (so it may clear it)
_HELD: set[str] = set()  # the data keys (ADDRESS_CHARS of them) sessions of this process have held
LOST_SLOT = "mfviz.lost_data_slot"  # this run's placeholder of the notice (a session-state key)
LOST_ADDRESS = "mfviz.lost_data_address"  # the address that named the data, as it came (a session-state key)


def _hold(entry: DataEntry) -> None:
    _HELD.add(entry.key[:ADDRESS_CHARS])


def on_start_data(data: DataEntry) -> bool:
    """Whether a session's data is the start data as every session gets it (not an upload, not filtered)."""
    return data.is_start and not data.filters


def kept_cookie() -> str:
    """COOKIE as the browser sent it when this session connected ("" without one, or with anything but a key)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and re.fullmatch(rf"[0-9a-f]{{{ADDRESS_CHARS}}}", value) else ""


def check_address() -> None:
    """On a session's first run, note (state.LOST_DATA) data its address names but the session does not
    hold, with why: (key, "restarted") when this browser had it (its cookie says so) and this server
    process never held it; (key, "elsewhere") when another session holds it (an upload belongs to the
    session that made it); (key, "unknown") when neither: a link from other data or another server,
    or a browser that closed before the restart (no cookie left to tell)."""
    if st.session_state.get(state.ADDRESS_CHECKED):
        return
    st.session_state[state.ADDRESS_CHECKED] = True
    named = st.query_params.get(ADDRESS_DATA)
    data = current_data()
    key = data.key[:ADDRESS_CHARS]
    kept = kept_cookie()
    if named and named != key:
        why = "elsewhere" if named in _HELD else "restarted" if kept == named else "unknown"
        st.session_state[state.LOST_DATA] = (named, why)
        # the address as it came, to open again once the data is loaded: the page writes its own over it
        from urllib.parse import urlencode

        params = {name: st.query_params[name] for name in st.query_params}
        st.session_state[LOST_ADDRESS] = f"{st.context.url}?{urlencode(params)}" if st.context.url else None
    elif not named:
        if kept and kept != key and kept not in _HELD:  # an open tab of this browser: only a restart says so
            st.session_state[state.LOST_DATA] = (kept, "restarted")
    if state.LOST_DATA in st.session_state:
        st.session_state[COOKIE_SET] = True  # told of: the cookie has done its work


def lost_data_words(named: str, why: str, start: str, address: str | None = None) -> str:
    """The notice of data the address names and the session does not hold (`why`: as `check_address`), with the
    `address` it came with, to open again once the data is loaded (the address bar shows the page's own by then:
    a link opened in a fresh browser was lost on the way)."""
    again = (f" The address it came with, to open again then: `{address}`" if address else "")
    return _lost_words(plain(named), why, start) + again  # `named` comes from the address: any text


def _lost_words(named: str, why: str, start: str) -> str:
    if why == "unknown":  # a link sent from other data must not be told of a restart that never happened
        return (f"This address names data this server does not hold (data {named}): it was made on other data (an "
                "upload or data filtered on the Data page, in another browser or on another server), or before this "
                f"server restarted. The pages show {start} instead. To see that view, load the same file on the Data "
                "page (with the same filters) and open the address again: the same file is the same data; a model "
                "saved as .npz loads back on the Train page.")
    if why == "restarted":
        return (f"This server restarted and no longer holds the data you had here (data {named}: an upload, or "
                f"data filtered on the Data page), nor the models trained on it: the pages show {start} instead. Upload "
                "it again on the Data page (and apply the same filters); a model saved as .npz loads back on the "
                "Train page.")
    return (f"This address names data this browser does not hold (data {named}): an upload belongs to the browser "
            f"that loaded it (its reloads and tabs take it up; this server keeps the work of its {workspace.KEPT} most "
            f"recent browsers with work of their own), so this one shows {start}. Upload the file here on the Data page, then open the address "
            "again: the same file is the same data.")


def say_lost_data() -> None:
    """Under a page's title, while the session is still on the start data: the notice of `check_address`."""
    check_address()
    lost = st.session_state.get(state.LOST_DATA)
    if lost is None:
        return
    if not on_start_data(current_data()):  # loaded again: the notice is done
        st.session_state.pop(state.LOST_DATA, None)
        return
    start = plain(start_name() or "the demo catalogue")  # a file name, in Markdown twice below
    # in a slot, for the end of the run to take away once the page (the Data page) has loaded data again
    st.session_state[LOST_SLOT] = slot = st.empty()
    with slot.container(border=True):
        st.warning(lost_data_words(*lost, start, st.session_state.get(LOST_ADDRESS)), icon=":material/cloud_off:")
        if st.button(f"Go on with {start}", key="lost_data_dismiss"):
            st.session_state.pop(state.LOST_DATA, None)
            st.rerun()


COOKIE_SCRIPT = "<script>document.cookie = 'VALUE';</script>"


def keep_data_in_address(data: DataEntry) -> None:
    """After a page: the address (a link page has written it already) and COOKIE carry the session's data
    key while it is not the start data, so that a new session after a restart can tell (see above). On the
    start data an old key is taken out of the address, unless it names data lost in a restart that the
    session still tells of, and the cookie is cleared if this session set it or told of it."""
    named = st.query_params.get(ADDRESS_DATA)
    key = data.key[:ADDRESS_CHARS]
    slot = st.session_state.pop(LOST_SLOT, None)
    if not on_start_data(data) and st.session_state.pop(state.LOST_DATA, None) and slot is not None:
        slot.empty()  # loaded again in this run: the notice drawn above is done
    if not on_start_data(data):
        if named != key:
            st.query_params[ADDRESS_DATA] = key
        st.session_state[COOKIE_SET] = True
        st.sidebar.html(COOKIE_SCRIPT.replace("VALUE", f"{COOKIE}={key}; path=/; SameSite=Lax"),
                        unsafe_allow_javascript=True)
        return
    if named not in (None, key) and (st.session_state.get(state.LOST_DATA) or ("",))[0] != named:
        del st.query_params[ADDRESS_DATA]
    if st.session_state.pop(COOKIE_SET, False):
        st.sidebar.html(COOKIE_SCRIPT.replace("VALUE", f"{COOKIE}=; path=/; max-age=0; SameSite=Lax"),
                        unsafe_allow_javascript=True)


def start_entries() -> tuple[DataEntry, list[ModelEntry]]:
    """The start data and its models as records of a new session (its own: a session may rename them)."""
    start, key = cached_data.start_data()
    entry = DataEntry(interactions=start.interactions, name=start.name, key=key,
                      report_lines=plain_report(start.interactions.report.lines()), is_start=True, filters=start.filters)
    # a workspace's records keep their metrics and splits; the data's key is the start data's own
    saved = [dataclasses.replace(e) if e.data_key == key else  # served under its own key: no hashing per session
             dataclasses.replace(e, key=state.model_hash(e.model, key), data_key=key) for e in start.entries]
    return entry, [loaded_entry(name, model, key) for name, model in start.models] + saved


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


# Page settings whose start depends on the data (Spectrum's components, its shuffle, off on large data, and its
# values, on log(1 + value) for heavy counts): kept across pages, let go of with the data
DATA_SETTINGS = ("spectrum_k", "spectrum_null", "spectrum_values")


def set_data(entry: DataEntry) -> None:
    """Switch the session to a new dataset; models of the old one no longer apply and are dropped."""
    _hold(entry)
    old = st.session_state.get(state.DATA)
    if old is not None and old.key == entry.key:
        st.session_state[state.DATA] = entry
        return
    st.session_state[state.DATA] = entry
    if old is not None:  # the pickers' choices are rows of the old data: the same ids, where they are now
        from mfviz.dashboard.pickers import follow_ids

        follow_ids(old.interactions, entry.interactions)
    background.after_new_data(entry)
    job = st.session_state.pop(state.TRAINING, None)
    if job is not None and not job.done:  # it trains on the data just replaced: this session stops watching it,
        job.leave(background.current_session())  # and it stops after its epoch unless another tab still does
    st.session_state[state.MODELS] = {}
    st.session_state.pop(state.ACTIVE_MODEL, None)
    for key in DATA_SETTINGS:  # their pages start them again from the new data (a shuffle slow on large data)
        st.session_state.pop(key, None)


# ------------------------------------------------------------------------------ models
def models() -> dict[str, ModelEntry]:
    """The session's models of the current dataset, in training order."""
    data = current_data()
    entries = st.session_state.setdefault(state.MODELS, {})
    return {name: entry for name, entry in entries.items() if entry.data_key == data.key}


def add_model(entry: ModelEntry, activate: bool = True, precompute: bool = True) -> ModelEntry:
    entries = st.session_state.setdefault(state.MODELS, {})
    if entries.get(entry.name) is not entry:  # a model a training reused is listed once, not again as "#2"
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
    from mfviz.dashboard.sweeps import sweep_pick

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
    data = current_data()
    with guard("Training the quick default model"):
        entry = quick_model(data)
    if entry is not None:
        add_model(entry)


def quick_model(data) -> ModelEntry | None:
    """The quick default model of the data (training.default_model), waited on under a progress bar with its stage,
    epoch and time left when it is not ready: trained in a thread of its own here, or by the background worker,
    which usually began it at the upload (39.6 s on 5M ratings behind a spinner that said nothing of how far it was)."""
    from mfviz.dashboard.training import default_model, quick_progress, quick_step
    from mfviz.dashboard.waiting import drawn_while

    name = quick_step(data.key)
    if background.step_finished(name):  # in the cache
        return default_model(data.key, data.interactions)

    def describe(_) -> tuple[float, str] | None:  # whichever thread trains it records how far it is
        progress = background.step_progress(name)
        return None if progress.finished else quick_progress(progress)

    return drawn_while(lambda: default_model(data.key, data.interactions), describe, "mfviz-quick-model")


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
        st.info("No model yet: train one on the **Train** page.", icon=":material/model_training:")
        st.page_link("pages/train_page.py", label="Go to Train", icon=":material/model_training:")
        raise PageStopped
    names = list(entries)
    active = st.session_state.get(state.ACTIVE_MODEL)
    index = names.index(active) if active in names else len(names) - 1
    choice = st.selectbox(label, names, index=index, key=key,
                          help="Every model trained or loaded in this session on the current data. One model "
                               "is shown on every page: choosing it here changes it on the others too (the "
                               "sidebar marks it).")
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
    keep_data_in_address(data)
    inter = data.interactions
    with st.container():
        st.markdown("### Current data")
        # the demo's titles are generated ("A Outlaw Rider (2023)"): said, so that a stakeholder does not read them
        # as broken data
        made_up = " (made-up films)" if data.is_start and start_name() is None else ""
        st.markdown(f"**{plain(data_label(data))}**{made_up}" + (f" · {data.filters}" if data.filters else "") + "  \n"
                    f"{counted(inter.n_users, 'user')} × {counted(inter.n_items, 'item')} · "
                    + (counted(inter.nnz, "rating") if inter.is_explicit else f"{inter.nnz:,} implicit feedback"))
        entries = models()
        st.markdown("### Trained models")
        job = st.session_state.get(state.TRAINING)
        if job is not None and not job.done:
            st.markdown(f":material/hourglass_top: training **{plain(job.label)}** (epoch {len(job.epochs)})")
        if not entries:
            st.caption("none yet: a quick default model, prepared in the background, appears as soon as a page needs one")
        shown = active_name(entries)
        for name, entry in entries.items():
            # Every analysis page shows one model, the session's active one, and choosing a model on any
            # page changes it on all of them: the list says which, so a presenter never has to guess.
            # a fit under 0.05 s read "0.0 s", as if nothing were trained: two decimals below 0.1 s
            took = f"{entry.fit_seconds:.1f}" if entry.fit_seconds >= 0.095 else f"{entry.fit_seconds:.2f}"
            # "fit": the Train page's clock also counts scoring and compiling ("in 0.9 s (0.20 s of fitting…)")
            # the quick default says its size: the Train form's defaults (64 factors for implicit ALS) are another model
            size = ", ".join(f"{entry.params[key]} {word}" for key, word in (("factors", "factors"), ("epochs", "epochs"))
                             if key in entry.params) if entry.auto else ""
            # a model loaded from a file whose fit time it does not keep (factors from implicit or Spark) read "fit 0.00 s"
            fit = f" · fit {took}\u00a0s" if entry.kind != "loaded" or entry.fit_seconds > 0 else " · from a file"
            line = f"{plain(name)}{f' · {size}' if size else ''}{fit}"  # (no break before the unit)
            # grey, not blue: a blue phrase read as a link, and clicking it did nothing
            st.markdown(f"- **{line}** · :gray[shown on every page]" if name == shown else f"- {line}")
        save_workspace_button(data, entries)


def save_workspace_button(data: DataEntry, entries: dict) -> None:
    """The session's work as one file, from every page: a restart of the server loses what is not saved."""
    from mfviz.dashboard import workspace_file

    # References only: the file is written on the click (the models' .npz files take seconds on large data).
    values = {key: st.session_state[key] for key in (*workspace.KEYS, *workspace.PAGE_WIDGETS) if key in st.session_state}
    browser = st.session_state.get(workspace.ID)
    trained = sum(not entry.auto for entry in entries.values())
    st.download_button(
        "Save the workspace", lambda: workspace_file.write(workspace.with_other_tabs(values, browser),
                                                           workspace.PAGE_WIDGETS),
        file_name=figures.file_name("mfviz_workspace", "mfviz.zip", data_label(data)), mime="application/zip",
        key="save_workspace", on_click="ignore", icon=":material/save:",
        help="One file that brings this work back later, after a restart of the server or on another one (the "
             "Data page's “Saved workspace” box): the data (the server's start data too), its "
             f"Prepare settings, {counted(trained, 'model') if trained else 'the models'} trained or loaded, the "
             "Train page's settings, the last training's loss curve and replay, the Recommend profile and the pages' "
             "choices. Until it is saved, a restart loses them.")
    job = st.session_state.get(state.TRAINING)
    if job is not None and not job.done:  # said, not found out on opening the file
        st.caption(f"{plain(job.label)}, still training, is not in it: save again once it is trained.")


def active_name(entries: dict) -> str | None:
    """The model the analysis pages show: the session's active model, or the last trained while
    none was chosen (as the pages' model pickers start)."""
    chosen = st.session_state.get(state.ACTIVE_MODEL)
    if chosen in entries:
        return chosen
    factor_models = [name for name, entry in entries.items() if entry.kind != "popularity"] or list(entries)
    return factor_models[-1] if factor_models else None


def data_label(data: DataEntry) -> str:
    """The data's name as the sidebar and the Data page show it: a known dataset by its own name, with
    the file it was read from ("MovieLens 100K (u.data)"); any other file by its name alone. Only the
    shown words change: data.name stays the file's name (links and messages use it)."""
    from mfviz.data.layouts import LAYOUTS

    fmt = getattr(getattr(data.interactions, "report", None), "format", "") or ""
    # "MovieLens 100K (u.data + u.item)", or "(u.data)" read without its items file: the files are said apart
    layout = next((layout for layout in LAYOUTS if fmt.startswith(layout.dataset + " (")), None)
    if layout is None:
        return data.name
    return data.name if data.name.startswith(layout.dataset) else f"{layout.dataset} ({data.name})"


TICK = "✓"  # a yes in a table: text at the table's contrast (a read-only checkbox drew its tick at 1.92:1)


def ticks(marked) -> list[str]:
    """A table column of yes/no as TICK or blank."""
    return [TICK if flag else "" for flag in np.asarray(marked, bool)]
