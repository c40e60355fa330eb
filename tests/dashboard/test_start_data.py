"""Sessions on the data the server was started on (`mfviz dashboard DATA --model-file M`), through
AppTest: every session opens on that data with those models (no quick default trained over them), an
upload replaces it for that session only, and "Back to" brings both back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_pages import new_app, open_page, upload

from mfviz import load_interactions
from mfviz.dashboard import cached_data, startup
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
        cached_data.start_data.clear()
        return data, models

    yield serve
    cached_data.start_data.clear()  # the next session starts on the demo again


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


def saved_workspace(path, filters: dict | None = None, settings: dict | None = None, second: bool = False,
                    trained_here: bool = False) -> tuple:
    """A workspace file of an upload of small_data(), prepared with `filters`, holding an implicit ALS model
    trained on a seeded split and scored there (`trained_here`: by the Train page's job, kept as the last
    training, 3 epochs); returns (the file, the data entry, the model entry)."""
    from mfviz.dashboard import data_swap, state, training, workspace_file

    inter = load_interactions(small_data())
    source = state.DataEntry(interactions=inter, name="ratings.csv", key=state.interactions_hash(inter))
    data = data_swap.prepared_entry(source, filters) if filters else source
    split = {"split": "random", "test": 0.2, "seed": 0}
    train, test = training.split_data(data.key, data.interactions, "random", 0.2, 0)
    if trained_here:
        job = training.TrainingJob(kind="ials", label="Implicit ALS (f=4)", params={"factors": 4, "epochs": 3,
                                   "random_state": 0}, train=train, test=test, k=10, data_key=data.key,
                                   split="random 20% test", split_settings=split).start()
        job.thread.join(timeout=120)
        entry = job.entry
        settings = {**(settings or {}), state.LAST_TRAINING: job}
    else:
        model = ImplicitALS(factors=4, epochs=2, random_state=0).fit(train)
        entry = state.ModelEntry(name="Implicit ALS (f=4)", model=model, kind="ials", params=model.get_params(),
                                 key=state.model_hash(model, data.key), data_key=data.key,
                                 metrics=training.evaluate(model, train, test, 10), fit_seconds=0.5, epochs=2,
                                 split="random 20% test", train=train, test=test, split_settings=split)
    models = {entry.name: entry}
    if second:  # trained after it: the model a session would show unless told otherwise
        other = ImplicitALS(factors=2, epochs=1, random_state=1).fit(train)
        models["Implicit ALS (f=2)"] = state.ModelEntry(
            name="Implicit ALS (f=2)", model=other, kind="ials", params=other.get_params(),
            key=state.model_hash(other, data.key), data_key=data.key, train=train, test=test, split_settings=split)
    values = {state.SOURCE: source, state.DATA: data, state.FILTERS: filters or {}, state.MODELS: models,
              **(settings or {})}
    path.write_bytes(workspace_file.write(values, tuple(key for key in settings or () if key != state.LAST_TRAINING)))
    return path, data, entry


def test_a_workspace_served_to_every_session_keeps_its_models_scores(tmp_path, monkeypatch):
    """`mfviz dashboard --workspace FILE`: every session opens on the workspace's data as prepared, with its
    models as they were trained (their test scores and splits, not bare loaded factors)."""
    from mfviz.cli import main
    from mfviz.dashboard import serve

    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: 0)
    path, data, entry = saved_workspace(tmp_path / "w.mfviz.zip", {"min_count": 8, "binarize_at": None,
                                                                    "explicit": None, "drop_zeros": False})
    try:
        assert main(["dashboard", "--workspace", str(path), "--quiet"]) == 0
        cached_data.start_data.clear()
        at = new_app()
        session_data = at.session_state["mfviz.data"]
        assert (session_data.name, session_data.filters) == ("ratings.csv", "8-core") and session_data.is_start
        assert session_data.interactions.nnz == data.interactions.nnz < load_interactions(small_data()).nnz
        [model] = at.session_state["mfviz.models"].values()
        assert (model.name, model.kind, model.metrics) == (entry.name, "ials", entry.metrics)
        assert model.test.nnz == entry.test.nnz and model.data_key == session_data.key
        # the keys of the session it was saved from, so that links to its views made there apply here
        assert (session_data.key, model.key) == (data.key, entry.key)
        assert any("8-core" in m.value for m in at.sidebar.markdown)
        # Prepare's boxes start empty on served data that is prepared already: said, not left to be guessed
        assert any(c.value.startswith("The data this server serves was prepared before it was saved (8-core)")
                   for c in at.caption)
        open_page(at, "pages/train_page.py")
        assert not at.error
        table = next(frame.value for frame in at.dataframe if "model" in frame.value.columns)
        row = table[table["model"] == entry.name]  # in the results table, with its scores
        assert len(row) == 1 and row["ndcg@10"].iloc[0] == pytest.approx(entry.metrics["ndcg@10"], abs=1e-4)
        open_page(at, "pages/recommend_page.py")
        assert not at.error
    finally:
        cached_data.start_data.clear()


def test_a_served_workspace_shows_its_last_trainings_curve_and_replay(tmp_path, monkeypatch):
    """A demonstration prepared the day before: the Train page of every session shows the loss curve of the
    training it ended on, and its replay, as the session that trained it did."""
    from mfviz.cli import main
    from mfviz.dashboard import serve

    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: 0)
    path, data, entry = saved_workspace(tmp_path / "w.mfviz.zip", trained_here=True)
    try:
        assert main(["dashboard", "--workspace", str(path), "--quiet"]) == 0
        cached_data.start_data.clear()
        for _ in range(2):  # every session, each from the one file read once
            at = new_app()
            open_page(at, "pages/train_page.py")
            assert not at.exception and not at.error
            assert "**Implicit ALS (f=4)** (trained before the workspace was saved)" in [m.value for m in at.markdown]
            assert any(s.value.startswith("Before the workspace was saved: trained **Implicit ALS (f=4)** in ")
                       for s in [*at.success, *at.warning])  # not "Trained …", read as a training just run
            replay = at.toggle(key="train_replay")
            assert replay.label == "Replay how the items moved while it trained"
            replay.set_value(True).run()
            assert not at.exception and not at.error
    finally:
        cached_data.start_data.clear()


@pytest.mark.parametrize("extra, message", [
    (["--model-file", "{path}"], "--model-file and --workspace cannot be combined"),
    (["--workspace", "missing.mfviz.zip"], "no such workspace file"),
])
def test_dashboard_refuses_a_bad_workspace_before_the_server_starts(tmp_path, monkeypatch, capsys, extra, message):
    from mfviz.cli import main
    from mfviz.dashboard import serve

    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: pytest.fail("the server must not start"))
    path, _, _ = saved_workspace(tmp_path / "w.mfviz.zip")
    data = tmp_path / "ratings.csv"
    small_data().to_csv(data, index=False)
    argv = ["dashboard", *(["--workspace", str(path)] if "--workspace" not in extra else []),
            *[part.format(path=path) for part in extra], "--quiet"]
    if "--model-file" in extra:
        argv.insert(1, str(data))
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert startup.served() is None


def test_a_workspace_saved_on_the_demo_is_served_with_its_own_data_and_no_data_file(tmp_path, monkeypatch, capsys):
    from mfviz import datasets
    from mfviz.cli import main
    from mfviz.dashboard import serve, state, workspace_file

    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: 0)
    demo = datasets.load_demo()
    start = state.DataEntry(interactions=demo, name="demo catalogue", key=state.interactions_hash(demo), is_start=True)
    path = tmp_path / "demo.mfviz.zip"
    path.write_bytes(workspace_file.write({state.DATA: start, state.MODELS: {}}))
    assert main(["dashboard", "--workspace", str(path), "--quiet"]) == 0
    assert startup.served().interactions.nnz == demo.nnz
    monkeypatch.setattr(startup, "_served", None)
    data = tmp_path / "ratings.csv"
    small_data().to_csv(data, index=False)
    assert main(["dashboard", str(data), "--workspace", str(path), "--quiet"]) == 2  # the file holds its data
    assert "--workspace brings its own data: leave out DATA" in capsys.readouterr().err
    assert startup.served() is None


def test_a_link_made_on_an_opened_workspace_opens_on_the_server_of_that_workspace(tmp_path, monkeypatch):
    """A presenter prepares a view in their own session (the workspace opened there), copies its link, and
    serves the workspace with `mfviz dashboard --workspace`: the link opens on that view."""
    from test_links import open_link

    from mfviz.cli import main
    from mfviz.dashboard import serve

    path, data, entry = saved_workspace(tmp_path / "w.mfviz.zip", {"min_count": 8, "binarize_at": None,
                                                                    "explicit": None, "drop_zeros": False})
    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: 0)
    cached_data.start_data.clear()
    prepared = open_page(new_app(), "pages/data_page.py")
    prepared.file_uploader(key="open_workspace").set_value(("w.mfviz.zip", path.read_bytes(), "application/zip"))
    prepared.run()
    assert prepared.session_state["mfviz.data"].key == data.key
    open_page(prepared, "pages/neighbours_page.py")
    prepared.selectbox(key="neighbours_item").set_value(5).run()
    link = dict(prepared.query_params)
    assert link["model"] == entry.name and link["item"] == str(data.interactions.item_ids[5])
    try:
        assert main(["dashboard", "--workspace", str(path), "--quiet"]) == 0
        cached_data.start_data.clear()
        audience = open_link(new_app(), "pages/neighbours_page.py", **link)
        assert not at_fault(audience)
        assert audience.selectbox(key="neighbours_item").value == 5
        assert audience.selectbox(key="model_picker").value == entry.name
    finally:
        cached_data.start_data.clear()


def at_fault(at) -> list[str]:
    """Errors, and warnings that a link was not applied (other data, an unknown model or id)."""
    return [e.value for e in at.error] + [w.value for w in at.warning if "link" in w.value.lower()]


def test_a_served_workspace_opens_every_session_on_its_settings(tmp_path, monkeypatch):
    """The model shown, the profile with its own ratings and the pages' choices, for tomorrow's demonstration:
    `--workspace` served the data and the models only (a loaded model was shown, the profile was gone)."""
    from mfviz.cli import main
    from mfviz.dashboard import serve

    settings = {"rec_mode": "a profile I build", "mfviz.profile": [2, 5], "mfviz.profile_ratings": {5: 2.0},
                "neighbours_item": 7, "rec_n": 15}
    path, data, entry = saved_workspace(tmp_path / "w.mfviz.zip", settings=settings | {"mfviz.active_model":
                                                                                    "Implicit ALS (f=4)"}, second=True)
    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: 0)
    try:
        assert main(["dashboard", "--workspace", str(path), "--quiet"]) == 0
        cached_data.start_data.clear()
        at = open_page(new_app(), "pages/recommend_page.py")
        assert not at.error, [e.value for e in at.error]
        assert at.session_state["mfviz.active_model"] == entry.name
        assert at.radio(key="rec_mode").value == "a profile I build"
        assert at.multiselect(key="rec_profile").value == [2, 5] and at.number_input(key="rec_n").value == 15
        at.session_state["mfviz.profile_ratings"][2] = 1.0  # edited in one session...
        other = open_page(new_app(), "pages/neighbours_page.py")
        assert other.selectbox(key="neighbours_item").value == 7
        assert other.session_state["mfviz.profile_ratings"] == {5: 2.0}  # ...not in another
        started = cached_data.start_data()[0].settings["mfviz.profile_ratings"]
        assert other.session_state["mfviz.profile_ratings"] is not started
        from test_links import open_link

        linked = open_link(new_app(), "pages/neighbours_page.py", item=data.interactions.item_ids[3])
        assert linked.selectbox(key="neighbours_item").value == 3  # a link's own choice wins
    finally:
        cached_data.start_data.clear()
