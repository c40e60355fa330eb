"""mfviz dashboard entry point: declares the pages (titles, icons, order) and runs the chosen one."""

from pathlib import Path

import streamlit as st

from mfviz.dashboard import background, figures, freshness, links, state, ui, workspace
from mfviz.dashboard.cached_warm_up import warm_up_in_background
from mfviz.dashboard.ui import collect_finished_training, guard, prefetch_plotly, sidebar_status

FAVICON = Path(__file__).parent / "mfviz" / "dashboard" / "favicon.png"

# The tab icon is a file: Streamlit fetches a material page icon from fonts.gstatic.com (a request off the
# machine, failing offline), and an emoji is an empty box where no emoji font is installed.
st.set_page_config(page_title="mfviz — what did the recommender learn?", page_icon=str(FAVICON),
                   layout="wide")

# A reload (a new session) takes up this browser's workspace where it was: its data, models and settings.
workspace.restore()

# Each file in pages/ is named unlike its URL path on purpose: Streamlit 1.67 would otherwise
# serve a deep link on a fresh server (e.g. /spectrum) as the bare file of its legacy pages/
# mode, skipping this router, its layout and the sidebar.
PAGES = [
    st.Page("pages/data_page.py", title="Data", icon=":material/table_chart:", url_path="data", default=True),
    st.Page("pages/train_page.py", title="Train", icon=":material/model_training:", url_path="train"),
    st.Page("pages/latent_page.py", title="Latent space", icon=":material/scatter_plot:", url_path="latent"),
    st.Page("pages/neighbours_page.py", title="Neighbours", icon=":material/hub:", url_path="neighbours"),
    st.Page("pages/spectrum_page.py", title="Spectrum", icon=":material/ssid_chart:", url_path="spectrum"),
    st.Page("pages/bias_page.py", title="Popularity bias", icon=":material/balance:", url_path="bias"),
    st.Page("pages/recommend_page.py", title="Recommend", icon=":material/recommend:", url_path="recommend"),
]

for kept in workspace.PAGE_WIDGETS:
    if kept in st.session_state:
        st.session_state[kept] = st.session_state[kept]

# /data, the default page's url_path above, opens it: Streamlit serves the default page at / only and
# answered /data with a "Page not found" dialog.
links.default_page_by_its_name("data")
page = st.navigation(PAGES)
if freshness.changed():
    st.warning("mfviz's code changed on disk after this server started (an update, or another checkout): pages "
               "may fail or behave as before until it is restarted. Stop the server (Ctrl+C) and start it again.",
               icon=":material/update:")
# Room above the title, captions and keyboard focus that can be read (ui.PAGE_STYLE).
st.html(ui.PAGE_STYLE)
first_run = state.STARTED not in st.session_state
background.run_started()  # background precomputation pauses while a page runs
st.session_state[state.STARTED] = True
try:
    if page.title != "Train":  # the Train page reports its own finished job
        collect_finished_training()
    figures.use_model_order(st.session_state.get(state.MODELS, {}))  # each model keeps its colour on every chart
    restored = st.sidebar.container()  # above the sidebar's status: what a reload took up (workspace.say_restored)
    status = st.sidebar.container()
    try:
        with guard(f"The {page.title} page"):  # the last net: whatever a page misses is a message, not a traceback
            page.run()
    except ui.PageStopped:  # the page ended early (an error said, or nothing to show yet): the sidebar still comes
        pass
    finally:  # drawn after the page, so it lists a model the page has just trained
        with status:
            sidebar_status()
        links.one_history_entry_per_page()
        if first_run:
            prefetch_plotly()
        warm_up_in_background()  # after the first page is drawn, so it does not delay it
    workspace.say_restored(restored, page.title)
finally:
    try:  # after a st.stop() (Streamlit's own) every read of the session state raises again: the save is lost, not
        # the run's end, which left the worker counting a page run for ever (each of its steps waited its patience)
        workspace.save(workspace.PAGE_WIDGETS)
    finally:
        background.run_finished(first_run)  # then analyses of new data and models, so first visits are instant
