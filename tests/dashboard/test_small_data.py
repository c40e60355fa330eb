"""The pages on tiny or degenerate but valid data (AppTest on uploaded CSV bytes): maps of a few items,
a selection of a few items mapped on its own, the spectrum of three users, a map of three users, a
model whose vectors are all zero, and the taste axes of a one-factor model. Each says what it can
draw, or a plain message, and the rest of the page goes on."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_pages import new_app, open_page, plotly_array, train_on_page, upload

DATA, LATENT, NEIGHBOURS = "pages/data_page.py", "pages/latent_page.py", "pages/neighbours_page.py"
SPECTRUM, RECOMMEND = "pages/spectrum_page.py", "pages/recommend_page.py"
TINY = b"user,item,rating\na,w,5\na,x,3\na,y,4\na,z,1\nb,w,4\nb,x,2\nc,y,5\nc,z,3\n"  # 3 users x 4 items
# 30 users of 2 items, half of them with both
TWO_ITEMS = ("user,item,rating\n" + "".join(f"u{u},i{u % 2},{1 + u % 5}\n" for u in range(30))
             + "".join(f"u{u},i{(u + 1) % 2},{1 + (u * 3) % 5}\n" for u in range(0, 30, 2))).encode()


def problems(at) -> list[str]:
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def infos(at) -> list[str]:
    return [i.value for i in at.info]


def map_points(at, title_start: str = "") -> np.ndarray:
    """The items (or users) of the points of the first map whose title starts with `title_start`:
    every trace whose customdata rows are (title, value, index), neighbour rings and stars left out."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    spec = next(s for s in specs if s["layout"]["title"]["text"].startswith(title_start))
    traces = [t for t in spec["data"] if t.get("customdata") and len(t["customdata"][0]) == 4
              and t.get("mode") == "markers" and "neighbours" not in t.get("name", "")
              and t.get("marker", {}).get("symbol") != "star"]
    return np.concatenate([np.asarray(t["customdata"])[:, 2].astype(int) for t in traces])


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def tiny():
    """A session on 3 users × 4 items (the quick default model trained on them)."""
    at = new_app()
    upload(at, "tiny.csv", TINY)
    assert at.session_state["mfviz.data"].interactions.n_items == 4
    return at


@pytest.mark.parametrize("method", ["PCA", "UMAP", "Axes", "Dimensions"])
def test_a_map_of_four_items_is_drawn_in_every_mode(tiny, method):
    open_page(tiny, LATENT)
    tiny.radio(key="latent_method").set_value(method).run()
    assert not problems(tiny), problems(tiny)
    assert sorted(map_points(tiny).tolist()) == [0, 1, 2, 3]
    assert metric(tiny, "Items on the map").value == "4"
    # 4 items: the score counts 2 neighbours (with 3, every other item, any map would score 100%)
    assert "2 nearest neighbours" in metric(tiny, "Neighbourhood preservation").help


@pytest.mark.parametrize("method", ["PCA", "UMAP"])
def test_a_map_of_four_items_in_3d(tiny, method):
    """3-D UMAP of 4 points: umap-learn's spectral start needs more than 4 (scipy raised)."""
    open_page(tiny, LATENT)
    tiny.radio(key="latent_method").set_value(method).run()
    tiny.toggle(key="latent_3d").set_value(True).run()
    try:
        assert not problems(tiny), problems(tiny)
        spec = json.loads(tiny.get("plotly_chart")[0].proto.spec)
        assert spec["layout"]["title"]["text"].startswith(f"Item vectors mapped to 3-D by {method}")  # then the model's name
        assert sum(len(plotly_array(t["z"])) for t in spec["data"]) == 4
    finally:
        tiny.toggle(key="latent_3d").set_value(False).run()


def test_the_spectrum_of_three_users_shows_every_value_without_a_slider(tiny):
    open_page(tiny, SPECTRUM)
    assert not problems(tiny), problems(tiny)
    assert not [s for s in tiny.slider if s.key == "spectrum_k"]
    assert any("at most 3 singular values: all of them are shown" in c.value for c in tiny.caption)
    spec = json.loads(tiny.get("plotly_chart")[0].proto.spec)
    values = plotly_array(spec["data"][0]["y"])
    matrix = tiny.session_state["mfviz.data"].interactions.matrix.toarray()
    np.testing.assert_allclose(values, np.linalg.svd(matrix, compute_uv=False), rtol=1e-5)


def test_the_map_of_three_users_is_drawn(tiny):
    """UMAP of 3 user vectors: its spectral start needs more than 3 points (scipy raised)."""
    open_page(tiny, RECOMMEND)
    tiny.toggle(key="rec_users_map_on").set_value(True).run()
    try:
        assert not problems(tiny), problems(tiny)
        assert sorted(set(map_points(tiny, "User").tolist())) == [0, 1, 2]  # (rings repeat the alike users)
    finally:
        tiny.toggle(key="rec_users_map_on").set_value(False).run()


def test_two_items_give_a_plain_message_for_the_map_and_the_new_item_result_stands():
    at = new_app()
    upload(at, "two_items.csv", TWO_ITEMS)
    open_page(at, LATENT)
    assert not problems(at), problems(at)
    assert any("A map needs at least 3 items and this data has 2" in i for i in infos(at)), infos(at)
    assert not at.get("plotly_chart")

    open_page(at, RECOMMEND)
    at.radio(key="rec_mode").set_value("a new item (who gets it)").run()
    at.multiselect(key="rec_new_from").set_value([0]).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]  # a caption says it, not an error box
    assert any(c.value.startswith("No map of the items:") and c.value.endswith("trained on 2 items, and a map needs 3.")
               for c in at.caption), [c.value for c in at.caption]
    assert [m.label for m in at.metric][:2] == ["First users", "In users' top 10"]
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(charts) == 1 and charts[0].startswith("Whose top 10 a new item enters")  # the reach chart, no map
    assert any(c.value.startswith("A new item liked by") for c in at.caption)  # everything after the map


def test_a_selection_of_six_items_is_mapped_on_its_own_in_every_mode():
    at = new_app()
    open_page(at, LATENT)
    first = map_points(at)[:6]
    at.session_state["latent_map"] = {"selection": {  # a box around 6 points of the first trace
        "points": [{"curve_number": 0, "point_index": i} for i in range(6)], "point_indices": list(range(6)),
        "box": [{"x": [0, 1], "y": [0, 1]}], "lasso": []}}
    at.run()
    at.button(key="latent_isolate").click().run()
    for method in ("PCA", "UMAP", "t-SNE", "Axes", "Dimensions"):
        at.radio(key="latent_method").set_value(method).run()
        assert not problems(at), (method, problems(at))
        assert sorted(map_points(at).tolist()) == sorted(first.tolist()), method
        assert metric(at, "Items on the map").value == "6"
        assert "4 nearest neighbours" in metric(at, "Neighbourhood preservation").help
        assert at.button(key="latent_show_all")
    at.radio(key="latent_method").set_value("PCA").run()
    at.button(key="latent_show_all").click().run()
    assert metric(at, "Items on the map").value == "1,500"


def test_a_one_factor_model_says_why_it_has_no_taste_axes_and_show_all_stays_reachable():
    at = new_app()
    train_on_page(at, "svd", factors=1)
    open_page(at, LATENT)
    at.session_state["latent_map"] = {"selection": {
        "points": [{"curve_number": 0, "point_index": i} for i in range(6)], "point_indices": list(range(6)),
        "box": [{"x": [0, 1], "y": [0, 1]}], "lasso": []}}
    at.run()
    at.button(key="latent_isolate").click().run()
    at.radio(key="latent_method").set_value("Axes").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("this model has a single dimension, so every axis is the same line")
    assert "no choice of ends makes an axis" in error
    assert not at.get("plotly_chart")
    at.button(key="latent_show_all").click().run()  # the way back is drawn before the map fails
    assert not any("Only the" in i for i in infos(at))
    # TensorFlow's Embedding Projector refuses one-dimensional vectors: its download is off, and says why
    at.radio(key="latent_method").set_value("PCA").run()
    projector = next(b for b in at.get("download_button") if b.proto.id and "latent_projector" in b.proto.id)
    assert projector.proto.disabled and "at least two dimensions" in projector.proto.help


def test_a_model_with_all_zero_vectors_says_so_and_the_pages_go_on():
    """ALS on explicit data where every rating is the same learns vectors of zeros (no dimensions)."""
    rng = np.random.default_rng(3)
    rows = "".join(f"u{u},i{i},4\n" for u in range(60) for i in rng.choice(30, 8, replace=False))
    at = new_app()
    upload(at, "same.csv", ("user,item,rating\n" + rows).encode())
    next(r for r in at.radio if r.label == "Treat values as").set_value("explicit ratings")
    at.button(key="filters_apply").click().run()
    assert at.session_state["mfviz.data"].interactions.is_explicit
    train_on_page(at, "als")
    entry = at.session_state["mfviz.models"][at.session_state["mfviz.active_model"]]
    assert not np.any(entry.model.item_factors) and not np.any(entry.model.user_factors)
    notice = "This model's vectors are all zero (it scores every item 0 for every user): it learned nothing"

    open_page(at, NEIGHBOURS)
    assert not problems(at), problems(at)
    assert any(i.startswith(notice) for i in infos(at)), infos(at)
    assert at.multiselect(key="neighbours_compare")  # drawn after the profile

    open_page(at, RECOMMEND)
    assert not problems(at), problems(at)
    assert any(i.startswith(notice) for i in infos(at)), infos(at)
    assert at.toggle(key="rec_users_map_on")  # drawn after the profile
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_profile").set_value([0, 1]).run()
    assert not problems(at), problems(at)
    assert any(i.startswith(notice) for i in infos(at)), infos(at)

    open_page(at, LATENT)
    at.radio(key="latent_method").set_value("Dimensions").run()
    assert any(i.startswith(notice) for i in infos(at)), infos(at)


def test_users_of_one_item_each_get_a_quick_default_without_a_test_set_and_every_page_works():
    # Every user's only item fell in the random test part: no test user known to training, so nothing to rank, and
    # every page said "could not train a default model ... split so that each user keeps some interactions in
    # training" (robustness review), though only the Train page has a split. The quick default then trains on all.
    from test_pages import PAGES

    at = upload(new_app(), "one_each.csv", b"user,item\nu1,a\nu2,b\nu3,c\nu4,d\nu5,e\n")
    assert not problems(at), problems(at)
    for page in PAGES:
        open_page(at, page)
        assert not problems(at), (page, problems(at))
    [entry] = [e for e in at.session_state["mfviz.models"].values() if e.kind != "popularity"]
    assert entry.auto and entry.split == "none" and entry.test is None and entry.metrics == {}
    # the Train page's own random split says what is wrong with evaluating on it
    open_page(at, "pages/train_page.py")
    at.selectbox(key="train_model").set_value("ials").run()
    at.button(key="train_submit").click().run()
    assert not at.exception
    assert any("no test user of this split has an interaction in the training part" in e.value for e in at.error), \
        problems(at)
    from mfviz.dashboard import state

    assert state.TRAINING not in at.session_state  # said before any fit, not after one whose model was lost
