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
    left = [name for name in names if name not in picked]
    assert left_off_caption(at) == (f"{len(left)} of the session's {len(names)} models are not on these charts "
                                    f"({', '.join(f'“{n}”' for n in left)}): add them in “Models on the charts” above.")
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
    assert left_off_caption(at).startswith(f"{len(names) - MOST} of the session's {len(names)} models are not on these")
    at.multiselect(key="bias_models").set_value([names[1]]).run()
    assert at.dataframe[0].value["model"].tolist() == ["Popularity (baseline)", names[1]]
    assert left_off_caption(at).startswith(f"{len(names) - 1} of the session's {len(names)} models are not on these")
    assert "“" + names[0] + "”" in left_off_caption(at) and "more): add them in" in left_off_caption(at)
    at.multiselect(key="bias_models").set_value(names).run()
    assert left_off_caption(at) is None  # every model on the charts: nothing to say


def left_off_caption(at) -> str | None:
    said = [c.value for c in at.caption if "not on these charts" in c.value]
    assert len(said) <= 1, said
    return said[0] if said else None


def on_tab_with_one_charted(at, names, view: str) -> None:
    """Popularity bias with only the last model on the charts, on the tab `view`."""
    open_page(at, BIAS)
    at.multiselect(key="bias_models").set_value([names[-1]]).run()
    at.session_state["bias_view"] = view
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_the_tradeoff_picker_offers_every_model_with_held_out_data_not_only_the_charted(many_models):
    """The quick default and a Truncated SVD left off the charts could not be re-ranked either."""
    at, names, default = many_models
    on_tab_with_one_charted(at, names, "What less popular lists cost")
    entries = at.session_state["mfviz.models"]
    assert at.multiselect(key="bias_tradeoff_models").options == [n for n in names if entries[n].test is not None]
    assert len(at.multiselect(key="bias_tradeoff_models").options) == len(names)  # every one here has a test part
    at.multiselect(key="bias_tradeoff_models").set_value([names[1]]).run()  # not on the charts
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(m.value.startswith(f"**{names[1]}**") for m in at.markdown)


def test_few_models_are_all_plotted_without_a_choice():
    at = open_page(new_app(), BIAS)
    assert not [m for m in at.multiselect if m.key == "bias_models"]
    assert len(at.dataframe[0].value) == 1 + len(
        [e for e in at.session_state["mfviz.models"].values() if e.kind != "popularity"])


def test_the_vector_length_picker_offers_every_model_not_only_the_charted(many_models):
    at, names, default = many_models
    on_tab_with_one_charted(at, names, "Vector length and popularity")
    assert at.selectbox(key="bias_norm_model").options == names
    at.selectbox(key="bias_norm_model").set_value(names[1]).run()  # not on the charts
    assert not at.exception and not at.error, [e.value for e in at.error]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert f"({names[1]})" in spec["layout"]["title"]["text"]  # its lengths, not a charted model's
