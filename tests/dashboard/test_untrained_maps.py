"""Items and users a model never trained on (a split by time held out all of theirs): off the Latent space map and
the Recommend page's map of users, out of a profile's fold-in, each time said; unchanged when it trained on all."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mfviz.dashboard import map_figures, untrained

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
ML100K = ROOT.parent / "shared" / "datasets" / "ml-100k" / "u.data"
TIMEOUT = 300  # seconds per script run; the first run compiles numba kernels
os.environ["MFVIZ_NO_WARM_UP"] = "1"  # (as in test_pages) no UMAP compilation thread competing with the test
os.environ["MFVIZ_NO_PRECOMPUTE"] = "1"

LATE_ITEMS = range(35, 40)  # items first seen after the time cut: every interaction of theirs is held out
LATE_USERS = range(70, 80)  # users first seen after it


def late_data() -> bytes:
    """A CSV of 80 users × 40 items with timestamps: users 0-69 and items 0-34 early (t < 1,000), then users
    70-79 and items 35-39 only later, every late interaction after every early one."""
    rng = np.random.default_rng(7)
    rows = [(u, i, int(rng.integers(0, 1000))) for u in range(70) for i in range(35) if rng.random() < 0.3]
    late = [(u, i) for u in range(80) for i in LATE_ITEMS if rng.random() < 0.3]
    late += [(u, i) for u in LATE_USERS for i in range(35) if rng.random() < 0.3]
    rows += [(u, i, 1000 + t) for t, (u, i) in enumerate(late)]
    return ("user,item,timestamp\n" + "".join(f"u{u},i{i},{t}\n" for u, i, t in rows)).encode()


def trained_on(at: AppTest, test_share: float, data: bytes | None = None, items: bytes | None = None) -> AppTest:
    """A session on `data` (the late data by default) with implicit ALS trained on a split by time holding out
    the latest `test_share` of the interactions, on the Latent space page's PCA map."""
    if items is not None:
        at.file_uploader(key="upload_items").set_value(("u.item", items, "text/plain"))
    at.file_uploader(key="upload_interactions").set_value(("late.csv" if data is None else "u.data",
                                                           late_data() if data is None else data, "text/plain"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.switch_page("pages/train_page.py").run()
    at.selectbox(key="train_model").set_value("ials").run()
    at.selectbox(key="split_method").set_value("time")
    at.slider(key="split_size").set_value(test_share)
    at.button(key="train_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def new_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["latent_method"] = "PCA"  # UMAP's first call compiles for ~40 s
    return at.run()


def shown_entry(at: AppTest):
    return at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]


def items_with_training(entry) -> np.ndarray:
    """The items with at least one interaction in the model's training part, from its columns (not untrained_items)."""
    return np.flatnonzero(np.diff(entry.train.matrix.tocsc().indptr) > 0)


def map_spec(at: AppTest) -> dict:
    """The item map's figure (2-D or 3-D) as JSON."""
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith(("Item", "Items")))


def items_drawn(spec: dict) -> list[int]:
    """The items drawn as points on a map (each once, sorted): the traces that hover with item data."""
    return sorted({int(c[2]) for t in spec["data"] if t.get("mode") == "markers" and t.get("hovertemplate")
                   and t.get("customdata") and len(t["customdata"][0]) == 4 for c in t["customdata"]})


def plotly_array(value) -> np.ndarray:
    """A data array of a Plotly figure's JSON: a list, or Plotly's typed-array form {dtype, bdata[, shape]}."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def positions(spec: dict) -> dict[int, tuple[float, float]]:
    """Where a 2-D map draws each item: {item: (x, y)}."""
    return {int(c[2]): (float(x), float(y)) for t in spec["data"] if t.get("customdata")
            and len(t["customdata"][0]) == 4
            for c, x, y in zip(t["customdata"], plotly_array(t["x"]), plotly_array(t["y"]), strict=True)}


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


# ------------------------------------------------------------------------------------------------ no Streamlit
def test_mapped_rows_are_the_trained_items_and_none_when_every_item_was_trained():
    never = np.array([False, True, False, False, True, False])
    assert untrained.mapped_rows(never).tolist() == [0, 2, 3, 5]
    assert untrained.mapped_rows(never, np.array([5, 4, 1, 0])).tolist() == [5, 0]  # a selection keeps its order
    assert untrained.mapped_rows(np.zeros(6, bool)) is None  # every item: mapped as before, no copy
    assert untrained.mapped_rows(np.zeros(6, bool), np.array([3, 1])).tolist() == [3, 1]


def test_the_words_for_what_is_left_off():
    assert untrained.left_off(0) == ""
    assert untrained.left_off(1).startswith(" 1 item the model never trained on (none of its interactions in its "
                                            "training part) is left off the map: its vector was never fitted")
    assert untrained.left_off(452, "user").startswith(" 452 users the model never trained on (none of their")
    assert untrained.item_note("X", 3, "M", ".") == ("X has 3 interactions in the data, but all were held out for "
                                                      "testing M, so the model learned nothing about it.")
    assert untrained.item_note("X", 0, "M", ".").startswith("Nobody in the data has X")
    assert untrained.selection_left_off(0, "M") == ""
    assert untrained.selection_left_off(1, "M") == (" 1 more item of the selection was never trained on by M (“none in "
                                                     "training”) and is left off: its vector was never fitted, so it "
                                                     "carries nothing to place.")
    assert untrained.selection_left_off(5, "M").startswith(" 5 more items of the selection were never trained on by M")


def test_a_highlighted_genre_says_how_many_of_it_are_left_off():
    import pandas as pd
    import plotly.graph_objects as go

    table = pd.DataFrame({"item": [0, 2, 3, 5]})  # items 1 and 4 left off
    highlighted = {"Drama": np.array([0, 1, 2, 4]), "War": np.array([3])}
    said = map_figures.highlight_note(go.Figure(), table, highlighted, left_off=np.array([1, 4]))
    assert "Drama: 2 of 4 items on the map, 2 more never trained on and left off it (" in said
    assert "War: 1 of 4 items (" in said  # none of it left off: nothing more said
    plain = map_figures.highlight_note(go.Figure(), table, highlighted)
    assert "Drama: 2 of 4 items (" in plain and "never trained" not in plain


def test_a_sample_among_every_user_is_the_sample_of_all_of_them():
    from mfviz.analysis.users import sample_users

    # the map of users of a model that trained on every user is the same map as before
    assert sample_users(10_000, 50).tolist() == sample_users(10_000, 50, among=np.arange(10_000)).tolist()
    among = np.arange(0, 10_000, 3)
    picked = sample_users(10_000, 50, among=among)
    assert len(picked) == 50 and set(picked.tolist()) <= set(among.tolist()) and (np.diff(picked) > 0).all()
    assert sample_users(100, 50, among=among[:20]).tolist() == among[:20].tolist()  # fewer than asked: all


# ------------------------------------------------------------------------------------------------ Latent space
@pytest.fixture(scope="module")
def late() -> AppTest:
    """Implicit ALS on the late data, its latest 30% held out: the late items and users are never trained on."""
    return trained_on(new_app(), 0.3)


def test_items_never_trained_on_are_left_off_every_map_and_said(late):
    from mfviz.analysis import neighbourhood_preservation, project

    at = late
    at.switch_page("pages/latent_page.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    entry, inter = shown_entry(at), at.session_state["mfviz.data"].interactions
    trained = items_with_training(entry)
    late_rows = [int(np.flatnonzero(inter.item_ids == f"i{i}")[0]) for i in LATE_ITEMS]
    assert set(late_rows) <= set(range(inter.n_items)) - set(trained.tolist())  # the data is as meant
    left = inter.n_items - trained.size
    assert items_drawn(map_spec(at)) == trained.tolist()  # PCA
    assert [m.value for m in at.metric if m.label == "Items on the map"] == [f"{trained.size:,}"]
    assert f"of {inter.n_items}: {left} never trained on, left off" in captions(at)
    assert f"{left} items the model never trained on (none of their interactions in its training part) are left " \
           "off the map" in captions(at)
    # fitted on the trained items alone: the PCA of their vectors, and the preservation of those
    vectors = entry.model.item_factors[trained]
    coords = project(vectors, "pca", 2, cache_dir=False).coords
    spec = map_spec(at)
    drawn = positions(spec)
    np.testing.assert_allclose([drawn[i] for i in trained], coords, rtol=1e-4, atol=1e-5)
    score = neighbourhood_preservation(vectors, coords, k=10, sample=500)
    assert [m.value for m in at.metric if m.label == "Neighbourhood preservation"] == [f"{score:.0%}"]
    # in 3-D, on the model's dimensions and on taste axes too
    at.toggle(key="latent_3d").set_value(True).run()
    assert not at.exception and items_drawn(map_spec(at)) == trained.tolist()
    at.toggle(key="latent_3d").set_value(False)
    users = np.flatnonzero(np.diff(entry.train.matrix.indptr) > 0)  # users with a training interaction
    assert users.size <= entry.model.n_users - len(LATE_USERS)
    for method in ("Dimensions", "Axes"):
        at.radio(key="latent_method").set_value(method).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert items_drawn(map_spec(at)) == trained.tolist(), method
    # the users drawn beside the items are those it trained on (the others sat at 0 on every axis)
    histogram = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                     if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Users along the same axis"))
    assert len(plotly_array(histogram["data"][0]["x"])) == users.size
    at.radio(key="latent_method").set_value("Dimensions").run()
    at.checkbox(key="dims_users").check().run()
    cloud = next(t for t in map_spec(at)["data"] if t.get("name") == "users")
    assert len(plotly_array(cloud["x"])) == users.size
    at.checkbox(key="dims_users").uncheck()
    at.radio(key="latent_method").set_value("PCA").run()


def test_an_item_never_trained_on_is_marked_and_gets_a_note_not_neighbours(late):
    at = late
    at.switch_page("pages/latent_page.py").run()
    entry, inter = shown_entry(at), at.session_state["mfviz.data"].interactions
    stranger = int(np.flatnonzero(inter.item_ids == "i37")[0])
    picker = at.selectbox(key="latent_anchor")
    assert picker.format_func(stranger).endswith(", none in training")
    assert not picker.format_func(int(items_with_training(entry)[0])).endswith(", none in training")
    picker.set_value(stranger).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    held = int(inter.matrix[:, stranger].nnz)
    said = [i.value for i in at.info if "held out for testing" in i.value]
    assert said == [f"i37 has {held} interactions in the data, but all were held out for testing {entry.name}, so "
                    "the model learned nothing about it: its vector was never fitted, so it is not on the map and "
                    "any neighbours would be the catalogue in index order. Pick an item it was trained on (one not "
                    "marked “none in training”)."]
    spec = map_spec(at)
    assert not any("neighbours" in str(t.get("name")) for t in spec["data"])  # no lines to index-order items
    assert not any("Nearest by cosine" in m.value for m in at.markdown)
    # a title search says where a match left off the map went
    at.text_input(key="latent_search").input("i37").run()
    assert "No title on the map matches “i37”. 1 more title matches: an item" in captions(at)
    at.text_input(key="latent_search").input("").run()
    at.selectbox(key="latent_anchor").set_value(None).run()
    # nor can it be an end of a taste axis: said, not "its items point every way"
    at.radio(key="latent_method").set_value("Axes").run()
    assert at.selectbox(key="axis_left_item").format_func(stranger).endswith(", none in training")
    at.selectbox(key="axis_left_item").set_value(stranger).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(i.value.startswith("i37 has") and "no direction to make an end of the axis" in i.value for i in at.info)
    at.selectbox(key="axis_left_item").set_value(int(items_with_training(entry)[0])).run()
    at.radio(key="latent_method").set_value("PCA").run()


def test_a_selection_kept_from_another_model_is_counted_as_mapped_and_its_untrained_items_said(late):
    """"Map only the matches" under a model that trained on every item, then the model of the split by time shown:
    the selection keeps the late items, which that model never trained on. The notice counts the points drawn
    (it counted the whole selection: 11 items said, 6 drawn) and says how many were left off."""
    at = late
    at.switch_page("pages/latent_page.py").run()
    by_time = at.selectbox(key="model_picker").value
    everyone = next(name for name, e in at.session_state["mfviz.models"].items() if e.auto)
    at.selectbox(key="model_picker").set_value(everyone).run()
    inter = at.session_state["mfviz.data"].interactions
    matches = sorted(int(i) for i in np.flatnonzero([str(t).startswith("i3") for t in inter.titles]))
    assert len(matches) == 11 and not untrained_rows(shown_entry(at)).any()  # i3, i30-i39, all trained here
    at.text_input(key="latent_search").input("i3").run()
    at.button(key="latent_isolate_search").click().run()
    assert items_drawn(map_spec(at)) == matches
    at.text_input(key="latent_search").input("").run()
    at.selectbox(key="model_picker").set_value(by_time).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    kept = [i for i in matches if i in set(items_with_training(shown_entry(at)).tolist())]
    late_ones = len(matches) - len(kept)
    assert late_ones == len(LATE_ITEMS) and items_drawn(map_spec(at)) == kept
    said = [i.value for i in at.info if i.value.startswith("Only the")]
    assert said == [f"Only the {len(kept)} items you selected are on the map (of {inter.n_items}): mapped again on "
                    f"their own, so the map spreads their differences. {late_ones} more items of the selection were "
                    f"never trained on by {by_time} (“none in training”) and are left off: their vectors were never "
                    "fitted, so they carry nothing to place. A link to this view opens the map of all the items."]
    assert [m.value for m in at.metric if m.label == "Items on the map"] == [f"{len(kept)}"]
    at.button(key="latent_show_all").click().run()
    assert items_drawn(map_spec(at)) == items_with_training(shown_entry(at)).tolist()


def untrained_rows(entry) -> np.ndarray:
    """Which items (a bool per item) have no interaction in the model's training part, from its columns (none for a
    model trained on all the data)."""
    if entry.train is None:
        return np.zeros(entry.model.n_items, bool)
    return np.diff(entry.train.matrix.tocsc().indptr) == 0


# ------------------------------------------------------------------------------------------------ Recommend
def test_the_new_items_map_is_of_the_items_the_model_trained_on_and_says_so(late):
    """The Recommend page's map of a new item is the Latent space page's: of the trained items only (it drew every
    item, the untrained ones in an island of zero vectors), the star among the ten nearest of them, and said."""
    from mfviz.analysis import project
    from mfviz.analysis.cold_start import audience

    at = late
    at.switch_page("pages/recommend_page.py").run()
    at.radio(key="rec_mode").set_value("a new item (who gets it)").run()
    entry, inter = shown_entry(at), at.session_state["mfviz.data"].interactions
    seeds = [int(np.flatnonzero(inter.item_ids == f"i{i}")[0]) for i in (2, 7)]
    at.multiselect(key="rec_new_from").set_value(seeds).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Where the new item lands"))
    trained = items_with_training(entry)
    drawn = {int(c[2]) for t in spec["data"] if t.get("customdata") and len(t["customdata"][0]) == 4
             for c in t["customdata"]}
    assert drawn - {-2} == set(trained.tolist())  # -2: the new item's star
    # the star: the mean place of its ten nearest trained items by cosine on the PCA of the trained vectors
    users, values = audience(inter.matrix, seeds, at_least=None)
    model = entry.model
    kept = np.diff(entry.train.matrix.indptr)[users] > 0
    size = at.slider(key="rec_new_size").value
    vector = model.fold_in_item(users[kept][:size], values[kept][:size]).astype(np.float64)
    vectors = model.item_factors[trained].astype(np.float64)
    cosine = vectors @ vector / np.linalg.norm(vectors, axis=1) / np.linalg.norm(vector)
    coords = project(model.item_factors[trained], "pca", 2, cache_dir=False).coords
    star = next(t for t in spec["data"] if t.get("name") == "★ the new item")
    np.testing.assert_allclose([plotly_array(star["x"])[0], plotly_array(star["y"])[0]],
                               coords[np.argsort(-cosine, kind="stable")[:10]].mean(axis=0), rtol=1e-4, atol=1e-6)
    left = inter.n_items - trained.size
    assert f"{left} items the model never trained on (none of their interactions in its training part) are left " \
           "off the map" in captions(at)


def profile_mode(at: AppTest):
    """The Recommend page building a profile: (at, the model's entry, the data, two late items never trained on, a
    trained item)."""
    at.switch_page("pages/recommend_page.py").run()
    at.radio(key="rec_mode").set_value("a profile I build").run()
    entry, inter = shown_entry(at), at.session_state["mfviz.data"].interactions
    strangers = [int(np.flatnonzero(inter.item_ids == f"i{i}")[0]) for i in (36, 38)]
    return at, entry, inter, strangers, int(items_with_training(entry)[0])


def test_the_profile_table_marks_the_items_the_model_never_trained_on(late):
    """As the pickers mark them: the table of the profile's items said nothing of the two left out of its fold-in."""
    at, entry, inter, strangers, known = profile_mode(late)
    at.multiselect(key="rec_profile").set_value([strangers[0], known, strangers[1]]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (table,) = [d.value for d in at.dataframe if "because of" not in d.value.columns and len(d.value) == 3]
    assert table["title"].tolist() == [f"i36{untrained.MARK}", inter.titles[known], f"i38{untrained.MARK}"]
    at.multiselect(key="rec_profile").set_value([]).run()


def test_users_never_trained_on_are_off_the_map_of_users_and_never_most_alike(late):
    at = late
    at.switch_page("pages/recommend_page.py").run()
    at.radio(key="rec_mode").set_value("a user in the data").run()
    at.toggle(key="rec_users_map_on").set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    entry = shown_entry(at)
    trained = np.flatnonzero(np.diff(entry.train.matrix.indptr) > 0)  # users with a training interaction
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if "among the users" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    drawn = {int(c[2]) for t in spec["data"] if t.get("customdata") for c in t["customdata"]}
    assert drawn == set(trained.tolist())  # the user shown is a trained one, on the map
    rings = next(t for t in spec["data"] if t.get("name") == "most alike users")
    alike = {int(c[2]) for c in rings["customdata"]}
    assert len(alike) == 10 and alike <= set(trained.tolist())
    left = entry.model.n_users - trained.size
    assert left >= len(LATE_USERS)
    assert f"{left} users the model never trained on (none of their interactions in its training part) are left " \
           "off the map" in captions(at) and "Nor are they among the most alike." in captions(at)
    at.toggle(key="rec_users_map_on").set_value(False).run()


def test_a_profile_leaves_out_the_items_the_model_never_trained_on(late):
    at, entry, inter, strangers, known = profile_mode(late)
    picker = at.multiselect(key="rec_profile")
    assert picker.format_func(strangers[0]) == f"i36{untrained.MARK}" and picker.format_func(known) == inter.titles[known]
    # only items it never trained on: a note, no list (it was the catalogue in index order, every score 0)
    picker.set_value(strangers).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    said = [i.value for i in at.info if "never trained on any item of this profile" in i.value]
    assert len(said) == 1 and said[0].startswith(f"{entry.name} never trained on any item of this profile (i36, i38)")
    assert not any("because of" in d.value.columns for d in at.dataframe)
    # with an item it trained on: the list is that item's fold-in alone, the others named
    at.multiselect(key="rec_profile").set_value([known, *strangers]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    model = entry.model
    ids, _ = model.recommend_for_vector(model.fold_in(np.array([known])), n=10, exclude=[known, *strangers])
    listed = next(d.value for d in at.dataframe if "because of" in d.value.columns)
    assert listed["title"].tolist() == inter.titles[np.asarray(ids)].tolist()
    assert "Left out of the fold-in: i36, i38, which" in captions(at)
    assert any("its 1 liked item (mean)" in d.value.columns for d in at.dataframe)  # the taste's items: trained ones


def test_the_reports_map_is_the_pages_map_of_the_trained_items(monkeypatch):
    """The model's HTML report draws the map as the Latent space page opens it: of the items it trained on."""
    import io

    from mfviz import evaluation, load_interactions
    from mfviz.dashboard import cached_exports
    from mfviz.models import ImplicitALS

    data = load_interactions(io.BytesIO(late_data()))
    train, test = evaluation.split(data, "time", test_size=0.3)
    model = ImplicitALS(factors=8, epochs=5, random_state=0).fit(train)
    trained = np.flatnonzero(np.diff(train.matrix.tocsc().indptr) > 0)
    assert trained.size <= data.n_items - len(LATE_ITEMS)
    asked = []
    projection = cached_exports.projection  # as model_report finds it
    monkeypatch.setattr(cached_exports, "projection",
                        lambda *args, **kw: asked.append(args) or projection(*args, **kw))
    text = cached_exports.model_report("report-untrained-test", "iALS", model, train, test, data, "late.csv", 5).decode()
    (args,) = asked
    np.testing.assert_array_equal(args[1], model.item_factors[trained])
    assert f"{data.n_items - trained.size} items the model never trained on (none of their interactions in its " \
           "training part) are left off the map" in text


# ------------------------------------------------------------------------------------------------ all trained
def test_a_model_trained_on_every_item_and_user_is_mapped_as_before():
    """The demo's quick default trains on every user and item: the map is the PCA of every item vector, the
    users' map every user, and nothing says "never trained on"."""
    from mfviz.analysis import project

    at = new_app()
    at.switch_page("pages/latent_page.py").run()
    assert not at.exception and not at.error
    entry, inter = shown_entry(at), at.session_state["mfviz.data"].interactions
    assert entry.train is None or items_with_training(entry).size == inter.n_items
    spec = map_spec(at)
    assert items_drawn(spec) == list(range(inter.n_items))
    coords = project(entry.model.item_factors, "pca", 2, cache_dir=False).coords
    drawn = positions(spec)
    np.testing.assert_allclose([drawn[i] for i in range(inter.n_items)], coords, rtol=1e-4, atol=1e-5)
    assert "never trained" not in captions(at)
    at.selectbox(key="latent_anchor").set_value(0).run()
    assert not any("held out for testing" in i.value for i in at.info)
    assert any(re.search(r"cosine neighbours are among", c.value) for c in at.caption)


# ------------------------------------------------------------------------------------------------ MovieLens 100K
@pytest.mark.skipif(not ML100K.is_file(), reason=f"MovieLens 100K not found at {ML100K}")
def test_movielens_time_split_half_leaves_216_items_and_452_users_off_the_maps():
    """The review's case: implicit ALS on MovieLens 100K with the latest half held out; 216 items (Good Will
    Hunting among them) and 452 users have no training interaction."""
    at = trained_on(new_app(), 0.5, ML100K.read_bytes(), (ML100K.parent / "u.item").read_bytes())
    at.switch_page("pages/latent_page.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    entry, inter = shown_entry(at), at.session_state["mfviz.data"].interactions
    trained = items_with_training(entry)
    assert (inter.n_items - trained.size, trained.size) == (216, 1466)
    assert items_drawn(map_spec(at)) == trained.tolist()
    assert [m.value for m in at.metric if m.label == "Items on the map"] == ["1,466"]
    # a highlighted genre: its items on the map, and how many of it are left off
    genres = inter.items["genres"].to_numpy()
    drama = np.flatnonzero([isinstance(g, list | np.ndarray) and "Drama" in list(g) for g in genres])
    on_map = np.intersect1d(drama, trained).size
    at.multiselect(key="latent_highlight").set_value(["Drama"]).run()
    assert f"Drama: {on_map:,} of 1,466 items on the map, {drama.size - on_map} more never trained on and left off " \
           "it" in captions(at)
    at.multiselect(key="latent_highlight").set_value([]).run()
    hunting = int(np.flatnonzero(inter.titles == "Good Will Hunting (1997)")[0])
    assert hunting not in set(trained.tolist())
    at.selectbox(key="latent_anchor").set_value(hunting).run()
    assert any(i.value.startswith("Good Will Hunting (1997) has") and "held out for testing" in i.value
               for i in at.info)
    # Recommend: a profile of three items it never trained on, and the map of users
    at.switch_page("pages/recommend_page.py").run()
    at.radio(key="rec_mode").set_value("a profile I build").run()
    profile = [int(np.flatnonzero(inter.titles == t)[0]) for t in ("Good Will Hunting (1997)", "Apt Pupil (1998)",
                                                                  "Wag the Dog (1997)")]
    at.multiselect(key="rec_profile").set_value(profile).run()
    assert any("never trained on any item of this profile (Good Will Hunting (1997), Apt Pupil (1998), Wag the Dog "
               "(1997))" in i.value for i in at.info)
    (table,) = [d.value for d in at.dataframe if "rating" in d.value.columns]  # the profile's editable table
    assert table["title"].tolist() == [f"{t}{untrained.MARK}" for t in ("Good Will Hunting (1997)", "Apt Pupil (1998)",
                                                                         "Wag the Dog (1997)")]
    assert not any("because of" in d.value.columns for d in at.dataframe)
    at.radio(key="rec_mode").set_value("a user in the data").run()
    at.toggle(key="rec_users_map_on").set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "452 users the model never trained on" in captions(at)
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if "among the users" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    drawn = {int(c[2]) for t in spec["data"] if t.get("customdata") for c in t["customdata"]}
    assert drawn == set(np.flatnonzero(np.diff(entry.train.matrix.indptr) > 0).tolist()) and len(drawn) == 491
