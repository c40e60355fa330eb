"""Sessions on the data the server was started on (`mfviz dashboard DATA --model-file M`), through
AppTest: every session opens on that data with those models (no quick default trained over them), an
upload replaces it for that session only, and "Back to" brings both back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_pages import new_app, open_page, upload

from mfviz import load_interactions
from mfviz.dashboard import cache, startup
from mfviz.models import ImplicitALS


def small_data(seed: int = 0, users: int = 60, items: int = 30):
    rng = np.random.default_rng(seed)
    rows = [(f"user{u}", f"film{i}", int(rng.integers(1, 6))) for u in range(users)
            for i in rng.choice(items, size=6 + u % 9, replace=False)]
    return pd.DataFrame(rows, columns=["user", "item", "rating"])


@pytest.fixture
def served(monkeypatch):
    """Serve a small dataset (and, when asked, a model of it) to every new session of this process."""
    monkeypatch.setattr(startup, "_served", None)

    def serve(with_model: bool):
        data = load_interactions(small_data())
        models = (("ials.npz", ImplicitALS(factors=4, epochs=2, random_state=0).fit(data)),) if with_model else ()
        startup.serve(data, "ratings.csv", models)
        cache.start_data.clear()
        return data, models

    yield serve
    cache.start_data.clear()  # the next session starts on the demo again


def test_every_session_starts_on_the_served_data_and_its_models(served):
    data, [(_, model)] = served(with_model=True)
    at = new_app()
    entry = at.session_state["mfviz.data"]
    assert (entry.name, entry.interactions.nnz) == ("ratings.csv", data.nnz)
    assert list(at.session_state["mfviz.models"]) == ["ials.npz (loaded)"]  # no quick default trained
    assert any("data this server was started on, ratings.csv" in m.value for m in at.markdown)
    assert not [b for b in at.button if b.key == "back_to_start"]

    open_page(at, "pages/neighbours_page.py")
    assert at.selectbox(key="model_picker").value == "ials.npz (loaded)"
    assert at.session_state["mfviz.models"]["ials.npz (loaded)"].model is model
    assert not at.error

    # an upload is this session's own; "Back to ratings.csv" returns to the served data and models
    open_page(at, "pages/data_page.py")
    upload(at, "other.csv", small_data(seed=1, users=20).to_csv(index=False).encode())
    assert at.session_state["mfviz.data"].name == "other.csv"
    assert at.session_state["mfviz.models"] == {}
    back = next(b for b in at.button if b.key == "back_to_start")
    assert back.label == "Back to ratings.csv"
    back.click().run()
    assert at.session_state["mfviz.data"].name == "ratings.csv"
    assert list(at.session_state["mfviz.models"]) == ["ials.npz (loaded)"]
    at.run()  # the uploader was emptied: the upload is not read again
    assert at.session_state["mfviz.data"].name == "ratings.csv"
    # and a second upload and return work the same (the uploader is emptied each time)
    at.file_uploader(key="upload_interactions_1").set_value(
        ("third.csv", small_data(seed=2, users=25).to_csv(index=False).encode(), "text/plain"))
    at.run()
    assert at.session_state["mfviz.data"].name == "third.csv"
    next(b for b in at.button if b.key == "back_to_start").click().run()
    at.run()
    assert at.session_state["mfviz.data"].name == "ratings.csv"

    other = new_app()  # another browser session: the served data, whatever the first one uploaded
    assert other.session_state["mfviz.data"].name == "ratings.csv"


def test_served_data_without_models_gets_the_quick_default_as_the_demo_does(served):
    served(with_model=False)
    at = open_page(new_app(), "pages/neighbours_page.py")
    assert at.session_state["mfviz.data"].name == "ratings.csv"
    assert [e.auto for e in at.session_state["mfviz.models"].values()] == [True]
