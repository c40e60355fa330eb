"""mfviz dashboard entry point: declares the pages (titles, icons, order) and runs the chosen one."""

import streamlit as st

st.set_page_config(page_title="mfviz — what did the recommender learn?", page_icon="🧭",
                   layout="wide")

# The browser loads Plotly (4.7 MB of JavaScript: 1-3 s to evaluate on a 2-core machine) only when
# a first chart arrives. On a session's first run an empty chart goes out before mfviz is imported
# and the data loaded, so the browser does that meanwhile; it is removed when the page is drawn.
first_run = "mfviz.started" not in st.session_state  # state.STARTED; mfviz is imported below
plotly_prefetch = st.empty() if first_run else None
if plotly_prefetch is not None:
    plotly_prefetch.plotly_chart({"data": [{"type": "scatter", "x": [], "y": []}],
                                  "layout": {"height": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                                             "xaxis": {"visible": False}, "yaxis": {"visible": False}}},
                                 config={"displayModeBar": False, "staticPlot": True})

from mfviz.dashboard import background, state  # noqa: E402 - after the prefetch on purpose
from mfviz.dashboard.cache import warm_up_in_background  # noqa: E402
from mfviz.dashboard.ui import collect_finished_training, sidebar_status  # noqa: E402

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

page = st.navigation(PAGES)
background.run_started()  # background precomputation pauses while a page runs
st.session_state[state.STARTED] = True
try:
    if page.title != "Train":  # the Train page reports its own finished job
        collect_finished_training()
    status = st.sidebar.container()
    try:
        page.run()
    finally:  # drawn after the page, so it lists a model the page has just trained
        with status:
            sidebar_status()
        warm_up_in_background()  # after the first page is drawn, so it does not delay it
finally:
    if plotly_prefetch is not None:
        plotly_prefetch.empty()
    background.run_finished(first_run)  # then analyses of new data and models, so first visits are instant
