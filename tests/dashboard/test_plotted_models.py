"""Which models the Spectrum and Popularity bias charts plot: every one of a few; of many, the active
model and the latest (the baseline always on the bias page), and a pick that lasts until another model
becomes active."""

from __future__ import annotations

import json

import pytest
from test_pages import new_app, open_page, train_on_page

from mfviz.dashboard.plotted import MOST, default_models

SPECTRUM, BIAS = "pages/spectrum_page.py", "pages/bias_page.py"


def test_the_default_is_the_active_model_and_the_latest_in_training_order():
    names = [f"m{i}" for i in range(10)]
    assert default_models(names, "m2", most=4) == ["m2", "m7", "m8", "m9"]
    assert default_models(names, "m9", most=4) == ["m6", "m7", "m8", "m9"]
    assert default_models(names, None, most=4) == ["m6", "m7", "m8", "m9"]
    assert default_models(names[:3], "m0", most=4) == ["m0", "m1", "m2"]


@pytest.fixture(scope="module")
def many_models():
    """The quick default and a sweep of 7 small SVDs: 8 models, more than MOST; the quick default active."""
    at = train_on_page(new_app(), "svd", sweep=("factors", "2, 3, 4, 5, 6, 7, 40"))
    names = [n for n, e in at.session_state["mfviz.models"].items() if e.kind != "popularity"]
    assert len(names) > MOST
    default = next(n for n in names if "quick default" in n)
    open_page(at, "pages/neighbours_page.py").selectbox(key="model_picker").set_value(default).run()
    return at, names, default


def test_the_spectrum_plots_a_few_of_many_models_and_the_axis_follows_them(many_models):
    at, names, default = many_models
    open_page(at, SPECTRUM)
    picked = at.multiselect(key="spectrum_models").value
    assert picked == default_models(names, default) and len(picked) == MOST and default in picked
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if "model" in json.loads(c.proto.spec)["layout"]["title"]["text"].lower())
    plotted = {trace["name"] for trace in chart["data"]}
    assert set(picked) <= plotted and not (set(names) - set(picked)) & plotted
    at.multiselect(key="spectrum_models").set_value([default, names[-1]]).run()
    open_page(at, BIAS)
    open_page(at, SPECTRUM)  # the pick outlives the widget, which Streamlit forgot on the other page
    assert at.multiselect(key="spectrum_models").value == [default, names[-1]]


def test_the_bias_page_plots_the_chosen_models_and_always_the_baseline(many_models):
    at, names, default = many_models
    open_page(at, BIAS)
    picked = at.multiselect(key="bias_models").value
    assert picked == default_models(names, default)
    assert at.dataframe[0].value["model"].tolist() == ["Popularity (baseline)", *picked]
    at.multiselect(key="bias_models").set_value([names[1]]).run()
    assert at.dataframe[0].value["model"].tolist() == ["Popularity (baseline)", names[1]]


def test_few_models_are_all_plotted_without_a_choice():
    at = open_page(new_app(), BIAS)
    assert not [m for m in at.multiselect if m.key == "bias_models"]
    assert len(at.dataframe[0].value) == 1 + len(
        [e for e in at.session_state["mfviz.models"].values() if e.kind != "popularity"])
