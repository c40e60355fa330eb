"""The sidebar says what every page shows: the data by its dataset's name and the one active model."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"


def sidebar_app(data_path: str | None, active: str | None, seconds=(1.0, 1.0), kind: str = "ials") -> AppTest:
    """ui.sidebar_status alone, on a session holding the given data (the demo if None) and two models (fitted in
    `seconds`, of `kind`)."""

    def script(data_path, active, seconds, kind):
        from pathlib import Path

        import streamlit as st

        from mfviz import load_interactions
        from mfviz.dashboard import state, ui
        from mfviz.dashboard.state import DataEntry, ModelEntry
        from mfviz.datasets import load_demo

        inter = load_interactions(data_path) if data_path else load_demo()
        name = Path(data_path).name if data_path else "demo catalogue"
        st.session_state[state.DATA] = DataEntry(interactions=inter, name=name, key="k" * 24)
        st.session_state[state.MODELS] = {
            model: ModelEntry(name=model, model=None, kind=kind, params={}, key=model, data_key="k" * 24,
                              fit_seconds=took) for model, took in zip(("ALS (f=8)", "Implicit ALS (f=16)"), seconds, strict=True)}
        if active:
            st.session_state[state.ACTIVE_MODEL] = active
        ui.sidebar_status()

    at = AppTest.from_function(script, args=(data_path, active, seconds, kind), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def lines(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.markdown]


def test_the_active_model_is_marked_in_the_trained_models_list():
    at = sidebar_app(None, "ALS (f=8)")
    rows = [line for line in lines(at) if line.startswith("- ")]
    assert rows[0].startswith("- **ALS (f=8)") and "shown on every page" in rows[0]
    assert "shown on every page" not in rows[1] and "**" not in rows[1]
    # with none chosen yet, the pages show the last model trained: the sidebar marks that one
    rows = [line for line in lines(sidebar_app(None, None)) if line.startswith("- ")]
    assert "shown on every page" in rows[1] and "shown on every page" not in rows[0]


def test_a_fit_under_a_tenth_of_a_second_is_not_said_to_take_none():
    # the quick default on the demo fits in about 0.04 s once compiled: "0.0 s" read as if nothing had trained
    rows = [line for line in lines(sidebar_app(None, None, seconds=(0.04, 2.345))) if line.startswith("- ")]
    assert rows[0] == "- ALS (f=8) · fit 0.04\u00a0s" and rows[1].startswith("- **Implicit ALS (f=16) · fit 2.3\u00a0s**")


def test_a_model_loaded_from_a_file_without_its_fit_time_says_so():
    # factors from implicit or Spark keep no fit time: "fit 0.00 s" read as a model that trained in no time
    rows = [line for line in lines(sidebar_app(None, None, seconds=(0.0, 1.5), kind="loaded")) if line.startswith("- ")]
    assert rows[0] == "- ALS (f=8) · from a file" and rows[1].startswith("- **Implicit ALS (f=16) · fit 1.5\u00a0s**")


def test_the_quick_default_says_its_size():
    # a reviewer found the quick default (32 factors, 8 epochs) above the Train form's implicit ALS (64, 15) without
    # a word of how they differ
    def script():
        import streamlit as st

        from mfviz.dashboard import state, ui
        from mfviz.dashboard.state import DataEntry, ModelEntry
        from mfviz.datasets import load_demo

        st.session_state[state.DATA] = DataEntry(interactions=load_demo(), name="demo catalogue", key="k" * 24)
        st.session_state[state.MODELS] = {name: ModelEntry(name=name, model=None, kind=kind, params=params, key=name,
                                                           data_key="k" * 24, fit_seconds=0.4, auto=auto)
                                          for name, kind, params, auto in (
            ("Implicit ALS (quick default)", "ials", {"factors": 32, "epochs": 8, "random_state": 0}, True),
            ("Implicit ALS (f=64)", "ials", {"factors": 64, "epochs": 15}, False))}
        ui.sidebar_status()

    at = AppTest.from_function(script, default_timeout=120)
    at.run()
    rows = [line for line in lines(at) if line.startswith("- ")]
    assert rows[0] == "- Implicit ALS (quick default) · 32 factors, 8 epochs · fit 0.4\u00a0s"
    assert rows[1].startswith("- **Implicit ALS (f=64) · fit 0.4\u00a0s**")


@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K is not in ../shared/datasets")
def test_a_known_dataset_is_named_with_its_file():
    at = sidebar_app(str(ML100K), None)
    assert any(line.startswith("**MovieLens 100K (u.data)**") for line in lines(at)), lines(at)
    assert at.session_state["mfviz.data"].name == "u.data"  # the name links and messages use is unchanged


def test_an_unknown_file_is_named_by_its_file_alone():
    at = sidebar_app(None, None)
    assert any(line.startswith("**demo catalogue**") for line in lines(at)), lines(at)


def test_a_known_dataset_read_without_its_items_file_is_still_named(tmp_path):
    """u.data alone: the load now says "MovieLens 100K (u.data)" (it said "(u.data + u.item)" and then that u.item
    was not found), and the sidebar still knows the dataset."""
    (tmp_path / "u.data").write_text("".join(f"{u}\t{i}\t{1 + (u + i) % 5}\t88{u}{i}\n" for u in range(1, 6)
                                             for i in range(1, 5)))
    at = sidebar_app(str(tmp_path / "u.data"), None)
    assert at.session_state["mfviz.data"].interactions.report.format == "MovieLens 100K (u.data)"
    assert any(line.startswith("**MovieLens 100K (u.data)**") for line in lines(at)), lines(at)
