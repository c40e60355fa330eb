"""mfviz dashboard entry point: declares the pages (titles, icons, order) and runs the chosen one."""

import streamlit as st

from mfviz.dashboard.ui import sidebar_status

st.set_page_config(page_title="mfviz — what did the recommender learn?", page_icon="🧭", layout="wide")

PAGES = [
    st.Page("pages/data.py", title="Data", icon="📂", default=True),
    st.Page("pages/train.py", title="Train", icon="🧠"),
    st.Page("pages/latent.py", title="Latent space", icon="🗺️"),
    st.Page("pages/neighbours.py", title="Neighbours", icon="🔗"),
    st.Page("pages/spectrum.py", title="Spectrum", icon="📉"),
    st.Page("pages/bias.py", title="Popularity bias", icon="⚖️"),
    st.Page("pages/recommend.py", title="Recommend", icon="🎯"),
]

page = st.navigation(PAGES)
sidebar_status(page.title)
page.run()
