"""mfviz dashboard entry point: declares the pages (titles, icons, order) and runs the chosen one."""

import streamlit as st

from mfviz.dashboard.cache import warm_up_in_background
from mfviz.dashboard.ui import collect_finished_training, sidebar_status

st.set_page_config(page_title="mfviz — what did the recommender learn?", page_icon=":material/explore:",
                   layout="wide")

PAGES = [
    st.Page("views/data.py", title="Data", icon=":material/table_chart:", default=True),
    st.Page("views/train.py", title="Train", icon=":material/model_training:"),
    st.Page("views/latent.py", title="Latent space", icon=":material/scatter_plot:"),
    st.Page("views/neighbours.py", title="Neighbours", icon=":material/hub:"),
    st.Page("views/spectrum.py", title="Spectrum", icon=":material/ssid_chart:"),
    st.Page("views/bias.py", title="Popularity bias", icon=":material/balance:"),
    st.Page("views/recommend.py", title="Recommend", icon=":material/recommend:"),
]

page = st.navigation(PAGES)
if page.title != "Train":  # the Train page reports its own finished job
    collect_finished_training()
status = st.sidebar.container()
try:
    page.run()
finally:  # drawn after the page, so it lists a model the page has just trained
    with status:
        sidebar_status()
    warm_up_in_background()  # after the first page is drawn, so it does not delay it
