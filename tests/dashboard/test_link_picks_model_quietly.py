"""A link naming a model that is not the picker's first, opened in a session restored from a workspace (several
models, none of the link's values seen yet), picks it without Streamlit's 'created with a default value but also
had its value set via the Session State API' (the server log's warning at pages/recommend_page.py:48)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from test_links import RECOMMEND
from test_pages import APP, TIMEOUT, new_app, open_page, train_on_page

from mfviz.dashboard import workspace


def test_a_link_to_the_second_model_in_a_restored_session_picks_it_without_streamlits_warning(monkeypatch):
    from streamlit.elements.lib import policies

    warned = []

    def record(message, *args, **kwargs):
        warned.append(message % args)
        policies._shown_default_value_warning = False  # Streamlit says it once per process: every time here

    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", record)
    before = train_on_page(new_app(), "svd", factors=8)
    first, second = list(before.session_state["mfviz.models"])  # the quick default, then the model trained here
    open_page(before, RECOMMEND)
    before.selectbox(key="model_picker").set_value(first).run()  # the first shown when the browser was closed
    data = before.query_params["data"]
    # a new session taking the workspace up, as workspace.restore does (its keys, the pages' settings)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key in (*workspace.KEYS, *workspace.PAGE_WIDGETS):
        if key in before.session_state:
            at.session_state[key] = before.session_state[key]
    assert at.session_state["mfviz.active_model"] == first
    at.query_params = {"data": data, "model": second}
    at.switch_page(RECOMMEND).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="model_picker").value == second == at.session_state["mfviz.active_model"]
    assert not [m for m in warned if "model_picker" in m], warned
    # the picker still moves by hand afterwards
    at.selectbox(key="model_picker").set_value(first).run()
    assert at.session_state["mfviz.active_model"] == first == at.selectbox(key="model_picker").value
