"""A workspace saved to one file and opened again (mfviz/dashboard/workspace_file.py): the data as loaded,
its Prepare settings, the models with their train/test splits and the settings come back as they were, on
a server that has never seen them; a damaged, edited or foreign file is refused with a DataError that says
so (or, for one model, that model is left out with a note), never with a traceback."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.dashboard import cached_data, data_swap, state, training, workspace_file
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.data.interactions import Interactions
from mfviz.data.report import LoadReport
from mfviz.datasets import load_demo
from mfviz.errors import DataError
from mfviz.models.external import FactorModel

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"
FILTERS = {"min_count": 5, "binarize_at": 4.0, "explicit": None, "drop_zeros": False}
SPLIT = {"split": "random", "test": 0.2, "seed": 0}
USER_SPLIT = {"split": "user", "test": 0.25, "seed": 7}


# ------------------------------------------------------------------ helpers
def entry_of(inter: Interactions, name: str, is_start: bool = False, lines=("Read it.",)) -> DataEntry:
    return DataEntry(inter, name, state.interactions_hash(inter), list(lines), is_start=is_start)


def object_ids(values) -> np.ndarray:
    values = list(values)
    ids = np.empty(len(values), dtype=object)
    ids[:] = values
    return ids


def small_interactions(user_ids, item_ids, items: pd.DataFrame | None = None, seed: int = 0) -> Interactions:
    """Every user rates 4 items (1-5 stars), with timestamps: a tiny upload."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(len(user_ids)), 4)
    cols = np.concatenate([rng.choice(len(item_ids), 4, replace=False) for _ in user_ids])
    matrix = sp.csr_matrix((rng.integers(1, 6, rows.size).astype(np.float32), (rows, cols)),
                           shape=(len(user_ids), len(item_ids)))
    matrix.sort_indices()
    report = LoadReport(source="mine.csv", format="csv", rows_read=rows.size + 1, rows_kept=rows.size,
                        dropped={"a missing rating": 1}, notes=["A note."], columns={"user": "u", "item": "i"},
                        duplicates_policy="last", duplicates_merged=2, merged_values=(1.0, 5.0, "in whole steps"),
                        merged_stamps=True)  # what merging gave the models comes back as said
    return Interactions(matrix, user_ids, item_ids, timestamps=np.arange(matrix.nnz, dtype=np.int64) * 60,
                        items=items, is_explicit=True, report=report)


def fresh_server() -> None:
    """Forget what this process computed, as a server restarted since the file was saved would have."""
    training.split_data.clear()
    cached_data.prepared.clear()


def model_entry(name: str, model, kind: str, data: DataEntry, split_settings=None, **extra) -> ModelEntry:
    return ModelEntry(name=name, model=model, kind=kind, params=model.get_params(),
                      key=state.model_hash(model, data.key), data_key=data.key, split_settings=split_settings,
                      **extra)


def rezipped(content: bytes, change) -> bytes:
    """The file with each member passed through change(name, bytes) -> bytes (None leaves it out)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                archive.writestr(info.filename, data)
    return out.getvalue()


def edited_manifest(content: bytes, edit) -> bytes:
    def change(name, data):
        if name != workspace_file.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return rezipped(content, change)


def flipped_byte(content: bytes, member: str) -> bytes:
    """The file with one byte in the middle of `member`'s stored bytes changed (a bad disk, a cut download)."""
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(member)
    header = content[info.header_offset:info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    damaged = bytearray(content)
    damaged[start + info.compress_size // 2] ^= 0xFF
    return bytes(damaged)


def scalars(column: pd.Series) -> list:
    """A column's values, any missing one (None, NaN: pandas' string columns hold NaN) as None."""
    return [None if pd.isna(value) else value for value in column.tolist()]


def assert_same_interactions(got: Interactions, want: Interactions) -> None:
    for part in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(got.matrix, part), getattr(want.matrix, part))
    assert got.matrix.shape == want.matrix.shape and got.matrix.dtype == want.matrix.dtype
    for kind in ("user_ids", "item_ids"):
        mine, theirs = getattr(got, kind), getattr(want, kind)
        assert mine.dtype.kind == theirs.dtype.kind, kind
        assert [(type(v), v) for v in mine.tolist()] == [(type(v), v) for v in theirs.tolist()], kind
    if want.timestamps is None:
        assert got.timestamps is None
    else:
        np.testing.assert_array_equal(got.timestamps, want.timestamps)
    assert got.is_explicit == want.is_explicit
    assert got.report == want.report


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def demo() -> Interactions:
    return load_demo()


@pytest.fixture(scope="module")
def tiny_start() -> DataEntry:
    """A server's start data that is not the saved data: nothing may be taken from it."""
    return entry_of(small_interactions(object_ids(f"s{u}" for u in range(6)), np.arange(8)), "tiny start",
                    is_start=True)


@pytest.fixture(scope="module")
def saved(demo, tiny_start):
    """The demo as an upload, 5-core and binarised at 4, four models of the prepared data (three trained on
    splits, one of outside factors without a split), a quick default and a model of other data, settings of
    every kind: saved, and opened on a fresh server that starts on other data."""
    fresh_server()
    source = entry_of(demo, "demo_ratings.csv", lines=["Read 100,000 rows.", "Kept 100,000 interactions."])
    data = data_swap.prepared_entry(source, FILTERS)
    train, test = training.split_data(data.key, data.interactions, "random", 0.2, 0)
    user_train, user_test = training.split_data(data.key, data.interactions, "user", 0.25, 7)
    funk = training.make_model("funksvd", {"factors": 4, "epochs": 3, "biases": True, "random_state": 0}).fit(train)
    ials = training.make_model("ials", {"factors": 4, "epochs": 2, "random_state": 0}).fit(train)
    svd = training.make_model("svd", {"factors": 3}).fit(user_train)
    rng = np.random.default_rng(1)
    outside = FactorModel(rng.normal(size=(data.interactions.n_users, 3)).astype(np.float32),
                          rng.normal(size=(data.interactions.n_items, 3)).astype(np.float32), "spark",
                          item_bias=rng.normal(size=data.interactions.n_items).astype(np.float32), global_mean=0.5)
    recipe = {"kind": "funksvd", "params": funk.get_params(), **SPLIT, "k": 10}
    entries = {
        "Funk SVD (f=4)": model_entry("Funk SVD (f=4)", funk, "funksvd", data, dict(SPLIT), train=train, test=test,
                                      metrics={"rmse": np.float64(0.93), "ndcg@10": np.float32(0.125), "n": np.int64(3)},
                                      fit_seconds=1.25, epochs=3, split="random 20% test", recipe=recipe),
        "Implicit ALS (f=4)": model_entry("Implicit ALS (f=4)", ials, "ials", data, dict(SPLIT), train=train, test=test,
                                          metrics={"ndcg@10": 0.2}, fit_seconds=0.5, epochs=2, split="random 20% test",
                                          stopped_early=True),
        "Truncated SVD (f=3)": model_entry("Truncated SVD (f=3)", svd, "svd", data, dict(USER_SPLIT), train=user_train,
                                           test=user_test, epochs=1, split="user 25% test"),
        "spark.npz": model_entry("spark.npz", outside, "loaded", data),
    }
    default = training.make_model("svd", {"factors": 2}).fit(train)
    entries["SVD (quick default)"] = model_entry("SVD (quick default)", default, "svd", data, dict(SPLIT), auto=True)
    other = training.make_model("svd", {"factors": 2}).fit(demo)
    entries["Of the data as loaded"] = model_entry("Of the data as loaded", other, "svd", source)
    settings = {
        state.ACTIVE_MODEL: "Implicit ALS (f=4)",
        state.LAST_SWEEP: ("factors", ["Funk SVD (f=4)", "Implicit ALS (f=4)"]),
        state.TRAIN_PARAMS: {"funksvd": {"factors": np.int64(4), "learning_rate": np.float32(0.25),
                                         "biases": np.bool_(True)}, "ials": {"alpha": 2.0, "random_state": None}},
        state.TRAIN_KIND: "ials",
        state.PROFILE: [np.int64(3), 5, 8],
        "mfviz.profile_dislikes": (1, 2),
        "mfviz.profile_ratings": {3: 4.5, np.int64(5): 1.0},  # {item row: its own rating}
        "latent_subset": ("a1b2c3", [np.int64(2), 4, 9]),  # (data key, item rows) as the Latent space page keeps it
        "latent_subset_of": ("a1b2c3", np.int64(4)),  # (data key, the item whose neighbourhood the subset is)
        "rec_n": np.int64(10),
        "rec_penalty": np.float64(0.75),
        "latent_3d": np.bool_(True),
        "neighbours_compare": ["Funk SVD (f=4)", "a model deleted since"],  # the page drops names it lacks
        "mfviz.min_support": 10,  # Min. interactions (support.KEPT), shared by Neighbours and Latent space
        # not JSON-able: left out, without an error
        "an_object": object(),
        "a_set": {1, 2},
        "mixed_keys": {1: "a", "b": 2},
        "list_with_an_object": [1, object()],
        "tuple_with_a_set": (1, {2}),
        # JSON-able but neither a workspace setting nor a widget key asked for
        "not_asked": "left out",
    }
    values = {state.SOURCE: source, state.FILTERS: dict(FILTERS), state.DATA: data, state.MODELS: entries,
              state.TRAINING: "a running job", **settings}
    widget_keys = ("rec_n", "rec_penalty", "latent_3d", "neighbours_compare", "an_object", "a_set", "mixed_keys",
                   "list_with_an_object", "tuple_with_a_set", "never_set")
    content = workspace_file.write(values, widget_keys)
    fresh_server()
    opened = workspace_file.read(content, "afternoon.mfviz.zip", tiny_start)
    return SimpleNamespace(source=source, data=data, entries=entries, content=content, opened=opened,
                           train=train, test=test, user_test=user_test, settings=settings)


@pytest.fixture(scope="module")
def small_file(tiny_start):
    """A small uploaded workspace with one Funk SVD on a split and one factor model: for damaging."""
    inter = small_interactions(object_ids(f"u{u}" for u in range(40)), np.arange(12), seed=3)
    source = entry_of(inter, "mine.csv")
    train, _ = training.split_data(source.key, inter, "random", 0.2, 0)
    funk = training.make_model("funksvd", {"factors": 2, "epochs": 2, "random_state": 0}).fit(train)
    rng = np.random.default_rng(0)
    outside = FactorModel(rng.normal(size=(40, 2)), rng.normal(size=(12, 2)), "outside")
    models = {"Funk": model_entry("Funk", funk, "funksvd", source, dict(SPLIT)),
              "Outside": model_entry("Outside", outside, "loaded", source)}
    content = workspace_file.write({state.SOURCE: source, state.DATA: source, state.MODELS: models})
    return SimpleNamespace(content=content, source=source, start=tiny_start, funk=funk)


def read_small(small_file, content: bytes):
    return workspace_file.read(content, "mine.mfviz.zip", small_file.start)


# ------------------------------------------------------------------ the round trip
def test_the_data_as_loaded_and_its_preparation_come_back(saved):
    opened, source, data = saved.opened, saved.source, saved.data
    assert opened.source.key == source.key and opened.data.key == data.key
    assert opened.source is not source and opened.source.interactions is not source.interactions  # read, not reused
    assert not opened.source.is_start and not opened.data.is_start
    assert opened.source.name == "demo_ratings.csv" and opened.source.report_lines == source.report_lines
    assert opened.filters == FILTERS and opened.data.filters == data.filters == "binarised at ≥ 4, 5-core"
    assert_same_interactions(opened.source.interactions, source.interactions)
    assert_same_interactions(opened.data.interactions, data.interactions)
    assert opened.data.interactions.nnz < source.interactions.nnz  # Prepare was applied again
    got, want = opened.source.interactions.items, source.interactions.items
    assert list(got.columns) == list(want.columns) == ["item_id", "title", "genres"]
    assert got["item_id"].tolist() == want["item_id"].tolist()
    assert got["title"].tolist() == want["title"].tolist()
    assert all(type(genres) is list for genres in got["genres"])
    assert got["genres"].tolist() == want["genres"].tolist()
    assert opened.data.interactions.items["genres"].tolist() == data.interactions.items["genres"].tolist()
    assert datetime.fromisoformat(opened.saved).tzinfo is not None and opened.notes == []


def test_the_file_holds_no_pickle(saved):
    archive = zipfile.ZipFile(io.BytesIO(saved.content))
    names = set(archive.namelist())
    assert {workspace_file.MANIFEST, "data/interactions.npz", "data/items.parquet", "data/report.json"} <= names
    assert {name for name in names if name.startswith("models/")} == {f"models/{n}.npz" for n in range(4)}
    for name in names:
        if name.endswith(".npz"):
            with np.load(io.BytesIO(archive.read(name)), allow_pickle=False) as npz:
                for key in npz.files:
                    assert npz[key].dtype != object, (name, key)


def stored(opened) -> list:
    """The opened models the file stored (the quick default is trained again, not stored)."""
    return [entry for entry in opened.models if not entry.auto]


def test_every_model_comes_back_with_its_record(saved):
    opened, entries = saved.opened, saved.entries
    assert [entry.name for entry in stored(opened)] == ["Funk SVD (f=4)", "Implicit ALS (f=4)", "Truncated SVD (f=3)",
                                                        "spark.npz"]
    users, items = np.arange(0, saved.data.interactions.n_users, 7), np.arange(0, saved.data.interactions.n_items, 3)
    users, items = users[: min(users.size, items.size)], items[: min(users.size, items.size)]
    for got in stored(opened):
        want = entries[got.name]
        assert type(got.model) is type(want.model)
        for part in ("user_factors", "item_factors", "user_bias", "item_bias"):
            mine, theirs = getattr(got.model, part, None), getattr(want.model, part, None)
            assert (mine is None) == (theirs is None), (got.name, part)
            if theirs is not None:
                np.testing.assert_array_equal(mine, theirs)
        np.testing.assert_array_equal(got.model.predict(users, items), want.model.predict(users, items))
        assert got.key == want.key and got.data_key == saved.data.key
        assert (got.kind, got.params, got.epochs, got.fit_seconds, got.split, got.stopped_early, got.auto) == \
               (want.kind, want.params, want.epochs, want.fit_seconds, want.split, want.stopped_early, False)
        assert got.split_settings == want.split_settings and got.recipe == want.recipe
        # the training matrix, left out of the file when the split is made again, is that split's training part
        mine, theirs = got.model.train_matrix, want.model.train_matrix
        assert (mine is None) == (theirs is None), got.name
        if theirs is not None:
            assert (mine != theirs).nnz == 0 and mine.shape == theirs.shape, got.name
            np.testing.assert_array_equal(got.model.recommend(users[:5], n=5)[0], want.model.recommend(users[:5], n=5)[0])
    archive = zipfile.ZipFile(io.BytesIO(saved.content))
    manifest = json.loads(archive.read(workspace_file.MANIFEST))
    for record in manifest["models"]:
        with np.load(io.BytesIO(archive.read(record["file"]))) as npz:
            had = entries[record["name"]].model.train_matrix is not None
            assert ("train_indptr" in npz.files) == (had and not record["train_from_split"]), record["name"]
    assert sum(record["train_from_split"] for record in manifest["models"]) >= 2
    funk = stored(opened)[0]
    assert funk.model.user_bias is not None and funk.model.item_bias is not None  # biases learnt and kept
    assert funk.metrics == {"rmse": 0.93, "ndcg@10": pytest.approx(0.125), "n": 3}
    assert type(funk.metrics["ndcg@10"]) is float and type(funk.metrics["n"]) is int
    assert funk.recipe["params"] == entries["Funk SVD (f=4)"].model.get_params()
    assert stored(opened)[1].metrics == {"ndcg@10": 0.2} and stored(opened)[1].stopped_early
    assert stored(opened)[3].kind == "loaded" and stored(opened)[3].split_settings is None
    assert stored(opened)[3].model.global_mean == pytest.approx(0.5)


def test_each_models_split_is_made_again_as_it_was(saved):
    funk, ials, svd, outside = stored(saved.opened)
    for entry, want in ((funk, saved.test), (ials, saved.test), (svd, saved.user_test)):
        assert entry.test is not want  # made again (the server's caches were emptied), not reused
        assert entry.test.nnz == want.nnz > 0
        np.testing.assert_array_equal(entry.test.matrix.indptr, want.matrix.indptr)
        np.testing.assert_array_equal(entry.test.matrix.indices, want.matrix.indices)
        np.testing.assert_array_equal(entry.test.matrix.data, want.matrix.data)
        assert entry.train.nnz + entry.test.nnz == saved.data.interactions.nnz
    train_pattern = saved.train.matrix
    np.testing.assert_array_equal(funk.train.matrix.indices, train_pattern.indices)
    # models of one split share one copy of it, as in the session (the Popularity baseline is scored once per split)
    assert funk.test is ials.test and funk.train is ials.train and svd.test is not funk.test
    assert outside.train is None and outside.test is None


def test_settings_come_back_with_their_types(saved):
    got = saved.opened.settings
    assert set(got) == {state.ACTIVE_MODEL, state.LAST_SWEEP, state.TRAIN_PARAMS, state.TRAIN_KIND, state.PROFILE,
                        "mfviz.profile_dislikes", "mfviz.profile_ratings", "latent_subset", "latent_subset_of", "rec_n",
                        "rec_penalty", "latent_3d", "neighbours_compare", "mfviz.min_support"}
    assert got[state.ACTIVE_MODEL] == "Implicit ALS (f=4)" and got[state.TRAIN_KIND] == "ials"
    sweep = got[state.LAST_SWEEP]
    assert type(sweep) is tuple and sweep == ("factors", ["Funk SVD (f=4)", "Implicit ALS (f=4)"])
    assert type(sweep[1]) is list
    params = got[state.TRAIN_PARAMS]
    assert params == {"funksvd": {"factors": 4, "learning_rate": 0.25, "biases": True},
                      "ials": {"alpha": 2.0, "random_state": None}}
    assert [type(v) for v in params["funksvd"].values()] == [int, float, bool]
    assert got[state.PROFILE] == [3, 5, 8] and all(type(v) is int for v in got[state.PROFILE])
    assert got["mfviz.profile_dislikes"] == (1, 2) and type(got["mfviz.profile_dislikes"]) is tuple
    ratings = got["mfviz.profile_ratings"]  # the profile's own ratings, keyed by item row: JSON keys are text
    assert ratings == {3: 4.5, 5: 1.0} and all(type(key) is int for key in ratings)
    assert got["latent_subset"] == ("a1b2c3", [2, 4, 9]) and type(got["latent_subset"]) is tuple
    assert got["latent_subset_of"] == ("a1b2c3", 4) and type(got["latent_subset_of"]) is tuple
    assert got["rec_n"] == 10 and type(got["rec_n"]) is int
    assert got["rec_penalty"] == 0.75 and type(got["rec_penalty"]) is float
    assert got["latent_3d"] is True
    assert got["neighbours_compare"] == ["Funk SVD (f=4)", "a model deleted since"]
    assert got["mfviz.min_support"] == 10 and type(got["mfviz.min_support"]) is int


@pytest.mark.parametrize("value", [np.array([0.5, 1.5], dtype=np.float32), np.array([True, False]),
                                   np.arange(3, dtype=np.int32), [(1, "a"), {"b": (2.5, None)}], np.float64(0.75)])
def test_the_encoding_of_settings_keeps_their_types(value):
    back = workspace_file._decoded(json.loads(json.dumps(workspace_file._encoded(value))))
    if isinstance(value, np.ndarray):
        assert isinstance(back, np.ndarray) and back.dtype == value.dtype
        np.testing.assert_array_equal(back, value)
    else:
        assert back == value and type(back) is type(value.item() if isinstance(value, np.generic) else value)
        if isinstance(value, list):
            assert type(back[0]) is tuple and type(back[1]["b"]) is tuple


@pytest.mark.parametrize("key, value", [("rec_n", "lots"), ("neighbours_item", 2.5), ("latent_3d", "yes"),
                                        (state.PROFILE, [1, "two"]), ("not_a_setting", 1), ("rec_penalty", 7.0),
                                        ("rec_n", 500), ("rec_n", 10.5), (state.PROFILE, [99_999]),
                                        ("neighbours_user", -1), ("mfviz.profile_ratings", {"1": 4.0}),
                                        ("rec_compare", "Funk SVD (f=4)"), ("neighbours_compare", [1, 2]),
                                        # the Train page's hyperparameters: out of the form's bounds, text, unknown
                                        (state.TRAIN_PARAMS, {"funksvd": {"factors": 10**12}}),
                                        (state.TRAIN_PARAMS, {"funksvd": {"learning_rate": "fast"}}),
                                        (state.TRAIN_PARAMS, {"funksvd": {"speed": 3}}),
                                        (state.TRAIN_PARAMS, {"nosuchmodel": {}}),
                                        (state.TRAIN_PARAMS, {"ials": {"_sweep": 5}}),
                                        (state.TRAIN_KIND, "nope"),  # dropped without a word before
                                        ("spectrum_k", 1), ("spectrum_values", "cubed"), ("bias_k", 12),
                                        ("bias_k", 10.0), ("spectrum_null", "on"),
                                        ("mfviz.min_support", -1), ("mfviz.min_support", "10")])
def test_a_setting_of_the_wrong_type_is_left_out_with_a_note(key, value, small_file):
    """A hand-edited "lots" for the list length broke the Recommend page, and a reload brought it back."""
    content = edited_manifest(small_file.content, lambda m: m["settings"].update({key: value}))
    opened = read_small(small_file, content)
    assert key not in opened.settings
    assert any(f"left out ({key})" in note for note in opened.notes), opened.notes


def test_the_quick_default_is_trained_again_and_models_of_other_data_are_not_saved(saved):
    names = {entry.name for entry in saved.opened.models}
    assert "SVD (quick default)" not in names and "Of the data as loaded" not in names
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(saved.content)).read(workspace_file.MANIFEST))
    assert len(manifest["models"]) == 4 and manifest["quick_default"] is True
    # the session had a quick default: the data's own (seeded) comes first on opening, not stored in the file (a
    # workspace of the quick default and a Funk SVD reopened with the Funk SVD alone)
    first = saved.opened.models[0]
    assert first.auto and first is training.default_model(saved.data.key, saved.data.interactions)


# ------------------------------------------------------------------ ids and item tables
@pytest.mark.parametrize("ids", [
    pytest.param(object_ids(f"user {u}" for u in range(30)), id="text"),
    pytest.param(object_ids([7, "7", *(f"u{u}" for u in range(26)), 8, "8"]), id="7-and-text-7"),
    pytest.param(object_ids([2**64 + u * 2**40 for u in range(29)] + [-(2**70)]), id="beyond-int64"),
    pytest.param(np.arange(10**12, 10**12 + 30, dtype=np.int64), id="int64"),
])
def test_ids_of_every_kind_come_back_exactly(ids, tiny_start):
    item_ids = object_ids([5, "5", *(f"film {i}" for i in range(8))]) if ids.dtype == object else np.arange(10)
    inter = small_interactions(ids, item_ids)
    source = entry_of(inter, "ids.csv")
    fresh_server()
    opened = workspace_file.read(workspace_file.write({state.DATA: source}), "ids.mfviz.zip", tiny_start)
    assert opened.source.key == source.key == opened.data.key
    assert_same_interactions(opened.source.interactions, inter)
    got = opened.source.interactions
    if ids.dtype == object and 7 in ids.tolist():
        assert got.user_ids[0] == 7 and type(got.user_ids[0]) is int and got.user_ids[1] == "7"
        assert got.user_index(["7"]).tolist() == [1] and got.user_index([7]).tolist() == [0]  # kept apart
        assert got.item_index(["5"]).tolist() == [1]
    assert got.items["item_id"].tolist() == inter.items["item_id"].tolist()


def test_an_item_table_with_mixed_and_list_columns_survives(tiny_start):
    item_ids = object_ids(f"i{i}" for i in range(6))
    items = pd.DataFrame({
        "item_id": item_ids,
        "title": ["One", "Two", None, "Four", "Five", "Six"],
        "genres": [["Drama"], ["Comedy", "Drama"], [], None, ["War"], ["Drama"]],
        "year": [1999, "unknown", None, 2001, 2003.5, "c. 1950"],  # numbers and text: kept as text
        "score": [1.5, np.nan, 3.0, 4.0, 5.0, 6.0],
        "count": np.arange(6, dtype=np.int64),
    })
    inter = small_interactions(object_ids(f"u{u}" for u in range(10)), item_ids, items=items)
    source = entry_of(inter, "with-items.csv")
    opened = workspace_file.read(workspace_file.write({state.DATA: source}), "items.mfviz.zip", tiny_start)
    got = opened.source.interactions.items
    assert opened.source.key == source.key
    assert list(got.columns) == ["item_id", "title", "genres", "year", "score", "count"]
    assert scalars(got["title"]) == ["One", "Two", None, "Four", "Five", "Six"]
    assert got["genres"].tolist() == [["Drama"], ["Comedy", "Drama"], [], None, ["War"], ["Drama"]]
    assert all(type(g) is list for g in got["genres"] if g is not None)
    assert scalars(got["year"]) == ["1999", "unknown", None, "2001", "2003.5", "c. 1950"]
    np.testing.assert_array_equal(got["score"].to_numpy(), items["score"].to_numpy())
    assert got["count"].tolist() == list(range(6))
    assert opened.source.interactions.titles.tolist() == ["One", "Two", "i2", "Four", "Five", "Six"]


# ------------------------------------------------------------------ the start data
@pytest.fixture(scope="module")
def on_start(demo):
    start = entry_of(demo, "demo catalogue", is_start=True, lines=[])
    data = data_swap.prepared_entry(start, dict(FILTERS, binarize_at=None))
    model = training.make_model("svd", {"factors": 2}).fit(data.interactions)
    values = {state.SOURCE: start, state.DATA: data, state.FILTERS: dict(FILTERS, binarize_at=None),
              state.MODELS: {"SVD": model_entry("SVD", model, "svd", data)}, state.ACTIVE_MODEL: "SVD"}
    uploaded = entry_of(demo, "demo_ratings.csv")  # the same data, as if uploaded
    as_upload = {**values, state.SOURCE: uploaded, state.DATA: data_swap.prepared_entry(uploaded, values[state.FILTERS])}
    return SimpleNamespace(start=start, data=data, content=workspace_file.write(values),
                           uploaded_content=workspace_file.write(as_upload))


def test_the_start_data_is_stored_too_and_opens_as_the_start_on_the_same_server(on_start):
    # a file saved on the server's start data once held no data: it opened on that server only, although its
    # models' files held most of the data anyway
    names = zipfile.ZipFile(io.BytesIO(on_start.content)).namelist()
    assert "data/interactions.npz" in names
    fresh_server()
    opened = workspace_file.read(on_start.content, "demo.mfviz.zip", on_start.start)
    assert opened.source is on_start.start  # the server's own copy: "Back to" it works as before
    assert opened.data.key == on_start.data.key and opened.data.is_start
    assert_same_interactions(opened.data.interactions, on_start.data.interactions)
    assert [entry.name for entry in opened.models] == ["SVD"] and opened.settings == {state.ACTIVE_MODEL: "SVD"}


def test_a_file_saved_on_the_start_data_opens_on_a_server_started_on_other_data(on_start, tiny_start):
    opened = workspace_file.read(on_start.content, "demo.mfviz.zip", tiny_start)
    assert opened.source is not tiny_start and not opened.source.is_start
    assert opened.source.key == state.interactions_hash(opened.source.interactions) == on_start.start.key
    assert opened.data.key == on_start.data.key and not opened.data.is_start  # prepared as it was saved
    assert_same_interactions(opened.data.interactions, on_start.data.interactions)
    [model] = opened.models
    assert model.name == "SVD" and model.data_key == opened.data.key


# ------------------------------------------------------------------ bad files
@pytest.mark.parametrize("content, words", [
    (b"user,item,rating\n1,2,3\n", "not a zip archive"),
    (b"", "not a zip archive"),
    (b"PK\x03\x04" + bytes(200), "not a zip archive"),
])
def test_what_is_not_a_zip_is_refused(content, words, tiny_start):
    with pytest.raises(DataError, match=words):
        workspace_file.read(content, "notes.mfviz.zip", tiny_start)


@pytest.mark.parametrize("keep", [0.5, 0.9, -22])
def test_a_cut_file_is_refused(keep, small_file):
    # Cut, the file may still end in the central directory of a model's .npz (a zip itself, stored whole):
    # either way it is refused as what it is not.
    end = keep if isinstance(keep, int) else int(len(small_file.content) * keep)
    with pytest.raises(DataError, match=r"mine\.mfviz\.zip is not a workspace file") as caught:
        read_small(small_file, small_file.content[:end])
    assert "cut short" in str(caught.value) or "not a zip archive" in str(caught.value)  # what it may be said


def test_a_zip_without_a_manifest_is_refused(small_file):
    content = rezipped(small_file.content, lambda name, data: None if name == workspace_file.MANIFEST else data)
    with pytest.raises(DataError, match=f"not a workspace file, or one cut short or damaged \\(it has no "
                                        f"{workspace_file.MANIFEST}\\)"):
        read_small(small_file, content)


@pytest.mark.parametrize("manifest, words", [
    (b"{not json", "is not JSON"),
    (b"\xff\xfe\x00garbage", "is not JSON"),
    (json.dumps({"format": 2}).encode(), "format 2; this mfviz opens format 1"),
    (json.dumps({"format": "1"}).encode(), "format '1'"),
    (json.dumps([1, 2]).encode(), "is not a workspace's manifest"),  # it said "format None"
    (json.dumps([]).encode(), "is not a workspace's manifest"),
    (json.dumps({"data": {}}).encode(), "is not a workspace's manifest"),
    (json.dumps({"format": 1, "data": {}}).encode(), "has no source record"),
    (json.dumps({"format": 1, "source": {}, "data": []}).encode(), "has no data record"),
])
def test_a_manifest_that_is_not_one_is_refused(manifest, words, small_file):
    content = rezipped(small_file.content, lambda name, data: manifest if name == workspace_file.MANIFEST else data)
    with pytest.raises(DataError, match=words):
        read_small(small_file, content)


def changed_rating(name, data):
    if name != "data/interactions.npz":
        return data
    with np.load(io.BytesIO(data)) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays["data"] = arrays["data"].copy()
    arrays["data"][0] = 5.0 if arrays["data"][0] != 5 else 4.0
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def changed_id(name, data):
    return json.dumps(["someone else", *json.loads(data)[1:]]).encode() if name == "data/user_ids.json" else data


def test_a_changed_rating_or_id_does_not_match(small_file):
    for change in (changed_rating, changed_id):
        with pytest.raises(DataError, match="does not match its own record"):
            read_small(small_file, rezipped(small_file.content, change))


@pytest.mark.parametrize("edit, words", [
    (lambda m: m["source"].__setitem__("content", "0" * 24), "does not match its own record"),
    (lambda m: m["data"].__setitem__("key", "0" * 24), "Prepare settings give other data"),
    (lambda m: m.__setitem__("filters", {"min_count": 1, "binarize_at": None, "explicit": None, "drop_zeros": False}),
     "Prepare settings give other data"),
    (lambda m: m["source"]["ids"].__setitem__("explicit", False), "does not match its own record"),
    (lambda m: m["source"]["ids"].__setitem__("user_ids", "array"), "could not be read"),
])
def test_an_edited_manifest_does_not_match(edit, words, small_file):
    with pytest.raises(DataError, match=words):
        read_small(small_file, edited_manifest(small_file.content, edit))


@pytest.mark.parametrize("member", ["data/items.parquet", "data/report.json", "data/interactions.npz",
                                    "data/user_ids.json"])
def test_a_missing_data_member_is_named(member, small_file):
    content = rezipped(small_file.content, lambda name, data: None if name == member else data)
    with pytest.raises(DataError, match=f"lacks {member}"):
        read_small(small_file, content)


@pytest.mark.parametrize("member", ["data/items.parquet", "data/report.json", "data/interactions.npz"])
def test_a_garbled_data_member_is_a_data_error(member, small_file):
    content = rezipped(small_file.content, lambda name, data: b"garbage" if name == member else data)
    with pytest.raises(DataError, match="could not be read"):
        read_small(small_file, content)


@pytest.mark.parametrize("edit", [{"format": 3}, {"rows_read": "many"}, {"notes": [1, 2]}, {"surprise": 1},
                                  {"columns": {"user": 5}}, {"dropped": {"a": "b"}}])
def test_an_edited_load_report_is_said_damaged_not_a_fault_later(edit, small_file):
    # numbers where the report says words opened, then failed the Data page (AttributeError) (robustness review)
    def changed(name, data):
        return json.dumps(json.loads(data) | edit).encode() if name == "data/report.json" else data

    with pytest.raises(DataError, match=r"load report \(data/report.json\) is damaged or was edited"):
        read_small(small_file, rezipped(small_file.content, changed))


def test_python_internals_are_not_said_of_a_damaged_part(small_file):
    # NumPy's "pickled (object) data ... allow_pickle=" advised loading unsafely; ArrowInvalid named a footer
    pickled = io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for member, garbage in (("data/interactions.npz", pickled.getvalue()), ("data/items.parquet", b"PAR1" * 9)):
        with pytest.raises(DataError) as caught:
            read_small(small_file, rezipped(small_file.content,
                                            lambda name, data, m=member, g=garbage: g if name == m else data))
        assert "could not be read (damaged or edited)" in str(caught.value)
        assert not any(word in str(caught.value) for word in ("allow_pickle", "Arrow", "Error:")), str(caught.value)
    opened = read_small(small_file, rezipped(small_file.content, funk_member(lambda data: pickled.getvalue())))
    note = next(n for n in opened.notes if n.startswith("Funk could not be read"))
    assert "pickled data" in note and "allow_pickle" not in note


@pytest.mark.parametrize("member", ["data/interactions.npz", "data/items.parquet"])
def test_damaged_bytes_in_a_data_member_are_a_data_error(member, small_file):
    with pytest.raises(DataError, match="could not be read"):
        read_small(small_file, flipped_byte(small_file.content, member))


@pytest.mark.parametrize("filters", [
    {**FILTERS, "min_count": 0},
    {**FILTERS, "min_count": "5"},
    {**FILTERS, "min_count": True},
    {**FILTERS, "min_count": 5.0},
    {**FILTERS, "binarize_at": "4"},
    {**FILTERS, "explicit": "yes"},
    {**FILTERS, "drop_zeros": 0},
    {key: value for key, value in FILTERS.items() if key != "drop_zeros"},
    {**FILTERS, "max_count": 10},
])
def test_invalid_prepare_settings_are_refused(filters, small_file):
    content = edited_manifest(small_file.content, lambda m: m.__setitem__("filters", filters))
    with pytest.raises(DataError, match="Prepare settings are not valid"):
        read_small(small_file, content)


def test_a_member_that_would_unpack_far_beyond_the_file_is_refused_before_reading(small_file, monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(workspace_file.MANIFEST, zipfile.ZipFile(io.BytesIO(small_file.content)).read(
            workspace_file.MANIFEST))
        with archive.open("data/interactions.npz", "w") as member:
            for _ in range(48):
                member.write(bytes(1 << 20))  # 48 MiB of zeros
    content = out.getvalue()
    assert len(content) < 1 << 20 and workspace_file.MAX_EXPANSION * (1 << 20) < 48 << 20

    def unpacked(*args, **kwargs):
        raise AssertionError("a member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", unpacked)
    with pytest.raises(DataError, match=r"bomb\.mfviz\.zip would unpack to 0\.1 GB from 0\.\d MB.*not opened"):
        workspace_file.read(content, "bomb.mfviz.zip", small_file.start)


def test_the_unpacking_limit_grows_with_the_file(small_file):
    # A 2 MiB file (incompressible) that unpacks to 50 MiB: within 40x its size, so it is not refused for it.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("noise.bin", np.random.default_rng(0).bytes(2 << 20), zipfile.ZIP_STORED)
        with archive.open("zeros.bin", "w") as member:
            for _ in range(48):
                member.write(bytes(1 << 20))
    with pytest.raises(DataError) as raised:
        workspace_file.read(out.getvalue(), "big.mfviz.zip", small_file.start)
    assert "would unpack" not in str(raised.value) and "has no mfviz_workspace.json" in str(raised.value)


# ------------------------------------------------------------------ a bad model, the rest opened
def funk_member(change):
    return lambda name, data: change(data) if name == "models/0.npz" else data


def other_shape_model() -> bytes:
    model = FactorModel(np.ones((3, 2)), np.ones((4, 2)), "small")
    return workspace_file.model_bytes(model)


@pytest.mark.parametrize("change, words", [
    (lambda content: rezipped(content, funk_member(lambda data: b"not a model")), "Funk could not be read"),
    (lambda content: rezipped(content, funk_member(lambda data: None)), "Funk could not be read"),
    (lambda content: rezipped(content, funk_member(lambda data: other_shape_model())),
     "Funk does not fit the data (other users or items)"),
    (lambda content: edited_manifest(content, lambda m: m["models"][0].__setitem__("key", "f" * 24)),
     "Funk's factors do not match the workspace's record"),
    (lambda content: edited_manifest(content, lambda m: m["models"][0].__setitem__("file", "models/1.npz")),
     "Funk's factors do not match the workspace's record"),
])
def test_a_damaged_or_mismatched_model_is_left_out_with_a_note(change, words, small_file):
    opened = read_small(small_file, change(small_file.content))
    assert [entry.name for entry in opened.models] == ["Outside"]
    assert len(opened.notes) == 1 and words in opened.notes[0] and "left out" in opened.notes[0]
    assert opened.data.key == small_file.source.key


@pytest.mark.parametrize("array", ["user_factors", "item_factors", "user_bias", "item_bias"])
def test_a_changed_factor_or_bias_is_caught_by_the_models_key(small_file, array):
    # the record is checked against the arrays the file holds (every model, not only Truncated SVD): its biases too
    def changed(data):
        with np.load(io.BytesIO(data)) as npz:
            arrays = {key: npz[key] for key in npz.files}
        arrays[array] = arrays[array].copy()
        arrays[array].flat[0] += 1
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    opened = read_small(small_file, rezipped(small_file.content, funk_member(changed)))
    assert [entry.name for entry in opened.models] == ["Outside"]
    assert "Funk's factors do not match" in opened.notes[0]


def test_the_small_file_opens_whole(small_file):
    # the file the damage tests start from: everything in it opens
    opened = read_small(small_file, small_file.content)
    assert [entry.name for entry in opened.models] == ["Funk", "Outside"] and opened.notes == []
    np.testing.assert_array_equal(opened.models[0].model.user_factors, small_file.funk.user_factors)


# ------------------------------------------------------------------ damage: a DataError, or a model left out
def test_damaged_bytes_in_the_manifest_are_a_data_error(small_file):
    with pytest.raises(DataError):
        read_small(small_file, flipped_byte(small_file.content, workspace_file.MANIFEST))


def test_damaged_bytes_in_a_model_member_leave_that_model_out(small_file):
    opened = read_small(small_file, flipped_byte(small_file.content, "models/0.npz"))
    assert [entry.name for entry in opened.models] == ["Outside"]
    assert len(opened.notes) == 1 and "Funk" in opened.notes[0]


@pytest.mark.parametrize("edit", [
    pytest.param(lambda m: m.__setitem__("filters", 5), id="filters-a-number"),
    pytest.param(lambda m: m.__setitem__("filters", [[1]]), id="filters-a-list"),
    pytest.param(lambda m: m.__setitem__("models", 3), id="models-a-number"),
    pytest.param(lambda m: m.__setitem__("models", ["models/0.npz"]), id="model-record-a-string"),
    pytest.param(lambda m: m.__setitem__("settings", [1]), id="settings-a-list"),
    pytest.param(lambda m: m["source"].__setitem__("report_lines", 5), id="report-lines-a-number"),
    pytest.param(lambda m: m["source"].__setitem__("ids", 5), id="ids-a-number"),
])
def test_a_manifest_part_of_the_wrong_type_is_a_data_error(edit, small_file):
    with pytest.raises(DataError):
        read_small(small_file, edited_manifest(small_file.content, edit))


@pytest.mark.parametrize("field, value", [
    pytest.param("split_settings", {"split": "random", "test": "a fifth", "seed": 0}, id="test-share-text"),
    pytest.param("split_settings", {"split": "random", "test": 0.2, "seed": None}, id="seed-null"),
    pytest.param("epochs", "three", id="epochs-text"),
    pytest.param("fit_seconds", "slow", id="fit-seconds-text"),
    pytest.param("split_settings", {"split": "bogus", "test": 0.2, "seed": 0}, id="unknown-split"),
])
def test_a_model_record_with_wrong_values_is_a_data_error_or_a_note(field, value, small_file):
    content = edited_manifest(small_file.content, lambda m: m["models"][0].__setitem__(field, value))
    try:
        opened = read_small(small_file, content)
    except DataError:
        return
    assert [entry.name for entry in opened.models] == ["Outside"] and "Funk" in " ".join(opened.notes)


# ------------------------------------------------------------------ MovieLens 100K, when present
@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K is not in ../shared/datasets")
def test_movielens_100k_round_trips(tiny_start):
    from mfviz import load_interactions

    inter = load_interactions(ML100K)
    source = entry_of(inter, "u.data")
    settings = dict(FILTERS, binarize_at=None)
    data = data_swap.prepared_entry(source, settings)
    train, test = training.split_data(data.key, data.interactions, "time", 0.2, 0)
    model = training.make_model("funksvd", {"factors": 4, "epochs": 2, "random_state": 0}).fit(train)
    entry = model_entry("Funk", model, "funksvd", data, {"split": "time", "test": 0.2, "seed": 0})
    content = workspace_file.write({state.SOURCE: source, state.DATA: data, state.FILTERS: settings,
                                    state.MODELS: {"Funk": entry}})
    fresh_server()
    opened = workspace_file.read(content, "u.data.mfviz.zip", tiny_start)
    assert opened.source.key == source.key and opened.data.key == data.key and opened.notes == []
    assert_same_interactions(opened.source.interactions, inter)
    (got,) = opened.models
    assert got.test.nnz == test.nnz and np.array_equal(got.test.matrix.indices, test.matrix.indices)
    np.testing.assert_array_equal(got.model.predict([0, 5, 9], [0, 5, 9]), model.predict([0, 5, 9], [0, 5, 9]))
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert unpacked < workspace_file.MAX_EXPANSION * len(content)  # a real workspace is far from the limit


def test_the_model_file_not_the_record_says_what_a_model_is(small_file):
    """A record edited by hand cannot pass a model off as another kind, nor put text among the metrics that
    the results table formats as numbers."""
    def edit(manifest):
        manifest["models"][0].update(kind="ials", params={"factors": 999}, metrics={"rmse": "low", "ndcg@10": 0.5})

    funk = read_small(small_file, edited_manifest(small_file.content, edit)).models[0]
    assert funk.kind == "loaded" and funk.params == funk.model.get_params() and funk.params["factors"] != 999
    assert funk.metrics == {"ndcg@10": 0.5}


def test_the_start_datas_ratings_under_other_titles_do_not_take_its_key(on_start, demo):
    """The content key named the ratings and ids only: a file (or an upload) of the start data's ratings with
    other titles took the start data's key, and the analyses cached under it, shared by every session, showed
    its titles to them. The item table's values and the timestamps are in the key now."""
    import copy

    forged = copy.copy(demo)
    forged.items = demo.items.copy()
    forged.items.loc[0, "title"] = "BUY CRYPTO AT evil.example"
    assert state.interactions_hash(forged) != state.interactions_hash(demo)
    shifted = copy.copy(demo)
    shifted.timestamps = demo.timestamps + 1
    assert state.interactions_hash(shifted) != state.interactions_hash(demo)
    values = {state.SOURCE: entry_of(forged, "demo catalogue", is_start=True, lines=[]), state.MODELS: {}}
    values[state.DATA] = values[state.SOURCE]
    opened = workspace_file.read(workspace_file.write(values), "forged.mfviz.zip", on_start.start)
    assert opened.source is not on_start.start and opened.data.key != on_start.start.key
    assert opened.data.interactions.titles[0] == "BUY CRYPTO AT evil.example"


@pytest.mark.parametrize("member", ["data/interactions.npz", "models/0.npz"])
def test_an_array_hidden_in_an_npz_part_that_unpacks_far_beyond_the_file_is_refused(member, small_file):
    """The .npz parts are zips of their own, which np.load unpacks whole: a 0.6 MB file passed the outer
    check and took 620 MB of memory. 64 MB of zeros deflate to ~64 KB here."""
    def padded(name, data):
        if name != member:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as inner, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in inner.infolist():
                z.writestr(info.filename, inner.read(info.filename))
            z.writestr("junk.npy", bytes(64 << 20))
        return out.getvalue()

    content = rezipped(small_file.content, padded)
    assert len(content) < 1 << 20
    with pytest.raises(DataError, match="would unpack to 0.1 GB from 0.1 MB"):
        read_small(small_file, content)


def test_a_recipe_that_does_not_make_its_model_is_dropped(saved):
    """A recipe trains 'the same model' again for a link or reuses it for a training asked the same way: an
    edited one (other hyperparameters) would pass another model off as this one."""
    def edit(manifest):
        record = next(m for m in manifest["models"] if m["name"] == "Funk SVD (f=4)")
        record["recipe"]["params"]["factors"] = 64

    opened = workspace_file.read(edited_manifest(saved.content, edit), "edited.mfviz.zip")
    funk = next(e for e in opened.models if e.name == "Funk SVD (f=4)")
    assert funk.recipe is None and funk.params["factors"] == 4


@pytest.mark.parametrize("edit", [
    lambda m: m["models"][0].__setitem__("epochs", float("inf")),
    lambda m: m["models"][0]["split_settings"].__setitem__("seed", float("inf")),
])
def test_an_infinite_count_in_a_record_leaves_that_model_out(edit, small_file):
    opened = read_small(small_file, edited_manifest(small_file.content, edit))
    assert [entry.name for entry in opened.models] == ["Outside"] and "Funk" in opened.notes[0]


def test_settings_nested_thousands_deep_are_a_data_error(small_file):
    text = "1"
    for _ in range(5000):
        text = "[" + text + "]"
    content = rezipped(small_file.content, lambda name, data: data.replace(b'"settings": {', b'"settings": {"x": '
                                                                             + text.encode() + b", ", 1)
                       if name == workspace_file.MANIFEST else data)
    assert b'"x": [[[' in zipfile.ZipFile(io.BytesIO(content)).read(workspace_file.MANIFEST)
    with pytest.raises(DataError, match="damaged or was edited"):
        read_small(small_file, content)


def test_every_setting_a_workspace_keeps_has_a_rule_for_what_it_may_hold():
    from mfviz.dashboard import workspace

    assert set(workspace_file.SETTINGS) | set(workspace.PAGE_WIDGETS) <= set(workspace_file.VALID)


def test_a_kept_highlight_is_a_short_list_of_genre_names():
    from mfviz.dashboard.map_highlight import HIGHLIGHTED_AT_MOST

    allowed = workspace_file.VALID["latent_highlight"]
    assert allowed([], None) and allowed(["Western", "Film-Noir"], None)
    assert not allowed("Western", None) and not allowed([1], None)  # a hand-edited file
    assert allowed(["a"] * HIGHLIGHTED_AT_MOST, None) and not allowed(["a"] * (HIGHLIGHTED_AT_MOST + 1), None)


# ------------------------------------------------------------------ the last training's curve and replay
@pytest.fixture(scope="module")
def trained_here(tiny_start):
    """Funk SVD trained by the Train page's job on a split with a test set (its per-epoch RMSE), 4 epochs, kept
    as the session's last training next to an outside model: saved, and opened on a fresh server."""
    fresh_server()
    inter = small_interactions(object_ids(f"u{u}" for u in range(40)), np.arange(12), seed=3)
    source = entry_of(inter, "mine.csv")
    train, test = training.split_data(source.key, inter, "random", 0.2, 0)
    job = training.TrainingJob(kind="funksvd", label="Funk SVD (f=3)", params={"factors": 3, "epochs": 4,
                               "random_state": 0}, train=train, test=test, k=5, data_key=source.key,
                               split="random 20% test", split_settings=dict(SPLIT)).start()
    job.thread.join(timeout=120)
    outside = FactorModel(np.ones((40, 2)), np.ones((12, 2)), "outside")
    models = {job.entry.name: job.entry, "Outside": model_entry("Outside", outside, "loaded", source)}
    values = {state.SOURCE: source, state.DATA: source, state.MODELS: models, state.LAST_TRAINING: job}
    content = workspace_file.write(values)
    fresh_server()
    return SimpleNamespace(job=job, values=values, content=content,
                           opened=workspace_file.read(content, "mine.mfviz.zip", tiny_start), start=tiny_start)


def test_the_last_trainings_curve_and_replay_come_back_as_they_were(trained_here):
    job, last = trained_here.job, trained_here.opened.last_training
    assert trained_here.opened.notes == [] and last is not None and last.done and last.error is None
    assert [epoch for epoch, *_ in job.epochs] == [1, 2, 3, 4] and all(rmse is not None for *_, rmse in job.epochs)
    assert last.epochs == job.epochs  # loss, seconds and test RMSE of every epoch, exactly
    # the replay as the page draws it: the items' positions per epoch and the shares of settled neighbours
    assert len(job.snapshots) >= 2 and last.snapshot_labels == job.snapshot_labels
    for got, want in zip(last.replay(), job.replay(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)  # positions kept as float32
    np.testing.assert_array_equal(last.replay_items, job.replay_items)
    assert (last.kind, last.label, last.params, last.k, last.split, last.sweep) == \
        ("funksvd", "Funk SVD (f=3)", job.params, 5, "random 20% test", None)
    assert last.finished_at - last.started == pytest.approx(job.finished_at - job.started)
    assert not last.stop_event.is_set()
    assert last.opened and not job.opened  # the Train page says it was trained before the workspace was saved
    # its model is the session's opened one, scored on the same split
    [model] = [entry for entry in trained_here.opened.models if entry.name == "Funk SVD (f=3)"]
    assert last.entry is model and last.test is model.test and last.test.nnz == job.test.nnz


def test_a_stopped_sweep_comes_back_stopped_with_its_models(trained_here):
    def as_a_stopped_sweep(manifest):
        manifest["last_training"].update(sweep=["factors", [3]], stopped=True,
                                         warnings=[["Funk SVD (f=3)", "It learned little."]])
    opened = workspace_file.read(edited_manifest(trained_here.content, as_a_stopped_sweep), "mine.mfviz.zip",
                                 trained_here.start)
    last = opened.last_training
    assert last.sweep == ("factors", [3]) and last.stop_event.is_set()
    assert last.warnings == [("Funk SVD (f=3)", "It learned little.")]
    assert [variant for variant, _ in last.variants] == ["Funk SVD (f=3)"]


def test_no_training_is_saved_without_its_model(trained_here):
    values = dict(trained_here.values, **{state.MODELS: {"Outside": trained_here.values[state.MODELS]["Outside"]}})
    content = workspace_file.write(values)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(content)).read(workspace_file.MANIFEST))
    assert "last_training" not in manifest
    assert workspace_file.TRAINING_REPLAY not in zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert workspace_file.read(content, "mine.mfviz.zip", trained_here.start).last_training is None


def test_a_training_of_other_data_or_still_running_is_not_saved(trained_here):
    job = trained_here.job
    for changed in (dataclasses_replace(job, data_key="other"), dataclasses_replace(job, finished_at=None)):
        content = workspace_file.write(dict(trained_here.values, **{state.LAST_TRAINING: changed}))
        assert "last_training" not in json.loads(zipfile.ZipFile(io.BytesIO(content)).read(workspace_file.MANIFEST))


def dataclasses_replace(job, **changes):
    import copy

    other = copy.copy(job)
    for name, value in changes.items():
        setattr(other, name, value)
    return other


@pytest.mark.parametrize("change, words", [
    (lambda content: rezipped(content, lambda name, data: None if name == workspace_file.TRAINING_REPLAY else data),
     "damaged or edited"),
    (lambda content: rezipped(content, lambda name, data: b"garbage" if name == workspace_file.TRAINING_REPLAY
                              else data), "training/replay.npz is not an .npz file"),
    (lambda content: edited_manifest(content, lambda m: m["last_training"]["snapshot_labels"].append("9")),
     "the replay does not fit its model or the data"),
    (lambda content: edited_manifest(content, lambda m: m["last_training"].__setitem__("epochs", [["one", 2, 3, 4]])),
     "damaged or edited"),
    (lambda content: edited_manifest(content, lambda m: m["last_training"].pop("seconds")), "damaged or edited"),
])
def test_a_damaged_last_training_is_left_out_with_a_note_and_its_models_kept(change, words, trained_here):
    opened = workspace_file.read(change(trained_here.content), "mine.mfviz.zip", trained_here.start)
    assert opened.last_training is None and [entry.name for entry in opened.models] == ["Funk SVD (f=3)", "Outside"]
    [note] = opened.notes
    assert note.startswith("The last training's loss curve and replay could not be read") and words in note


def test_a_replay_that_names_items_the_data_lacks_is_left_out(trained_here):
    def beyond(name, data):
        if name != workspace_file.TRAINING_REPLAY:
            return data
        with np.load(io.BytesIO(data)) as npz:
            arrays = {key: npz[key] for key in npz.files}
        arrays["items"] = arrays["items"] + 100
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    opened = workspace_file.read(rezipped(trained_here.content, beyond), "mine.mfviz.zip", trained_here.start)
    assert opened.last_training is None and "does not fit its model or the data" in opened.notes[0]


def test_a_training_whose_model_was_left_out_is_said_to_be_left_out_with_it(trained_here):
    content = rezipped(trained_here.content, lambda name, data: b"not a model" if name == "models/0.npz" else data)
    opened = workspace_file.read(content, "mine.mfviz.zip", trained_here.start)
    assert [entry.name for entry in opened.models] == ["Outside"] and opened.last_training is None
    assert opened.notes[-1] == "The last training's loss curve and replay were left out with its model."


def test_a_truncated_svd_saved_before_the_even_split_opens_as_the_same_model(tiny_start):
    """A workspace saved when Truncated SVD kept U Σ and V: its record's hash is of those arrays, and the model,
    split evenly when loaded, opens as the same model (not as damaged)."""
    inter = small_interactions(object_ids(f"u{u}" for u in range(40)), np.arange(12), seed=3)
    source = entry_of(inter, "mine.csv")
    svd = training.make_model("svd", {"factors": 3}).fit(inter)
    content = workspace_file.write({state.SOURCE: source, state.DATA: source,
                                    state.MODELS: {"SVD": model_entry("SVD", svd, "svd", source)}})
    root = np.sqrt(svd.singular_values)
    old_users, old_items = (svd.user_factors * root).astype(np.float32), (svd.item_factors / root).astype(np.float32)

    def as_saved_before(name, data):
        if name != "models/0.npz":
            return data
        with np.load(io.BytesIO(data)) as npz:
            arrays = {key: npz[key] for key in npz.files if key != "extra_item_sigma_power"}
        arrays.update(user_factors=old_users, item_factors=old_items)
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    old = edited_manifest(rezipped(content, as_saved_before), lambda m: m["models"][0].__setitem__(
        "key", state.array_hash(old_users, old_items, extra=source.key)))
    opened = workspace_file.read(old, "old.mfviz.zip", tiny_start)
    assert opened.notes == [] and [entry.name for entry in opened.models] == ["SVD"]
    np.testing.assert_allclose(opened.models[0].model.item_factors, svd.item_factors, rtol=1e-5, atol=1e-6)
    # a changed factor in such a file is still caught
    key = state.array_hash(old_users, old_items, extra=source.key)
    old_items[0, 0] += 1
    edited = edited_manifest(rezipped(content, as_saved_before), lambda m: m["models"][0].__setitem__("key", key))
    assert "SVD's factors do not match" in workspace_file.read(edited, "old.mfviz.zip", tiny_start).notes[0]
