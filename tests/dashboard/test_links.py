"""Links to a view (mfviz/dashboard/links.py) through AppTest: a URL's parameters pick the model, the
item, the user or the profile; the page keeps its URL in step with what it shows; links made on other
data, or naming what this session lacks, say so instead of showing something else silently."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_pages import chart_titled, new_app, open_page, recommended, train_on_page

from mfviz.dashboard.plain import plain
from mfviz.data.id_lists import join_ids, split_ids

NEIGHBOURS, LATENT, RECOMMEND = "pages/neighbours_page.py", "pages/latent_page.py", "pages/recommend_page.py"


def open_link(at, page: str, **params):
    """Open `page` as a browser opening a link with these query parameters would."""
    at.query_params = {name: str(value) for name, value in params.items()}
    return open_page(at, page)


def warnings(at) -> list[str]:
    """The page's warnings, but for the Neighbours page's note on lists of rarely seen items, which the
    small data of these tests gives (it is about the data, not the link)."""
    return [w.value for w in at.warning if "fewer than 10 interactions" not in w.value]


@pytest.fixture(scope="module")
def app():
    """A session on the demo, on the Neighbours page once (so the URL carries its data's key)."""
    return open_page(new_app(), NEIGHBOURS)


def ids_of(at):
    inter = at.session_state["mfviz.data"].interactions
    return inter.item_ids, inter.user_ids


def test_a_link_opens_the_neighbours_of_its_item_and_the_url_follows_the_page(app):
    item_ids, _ = ids_of(app)
    data = app.query_params["data"]
    open_link(app, NEIGHBOURS, data=data, item=item_ids[123])
    assert app.selectbox(key="neighbours_item").value == 123
    assert not warnings(app)
    title = app.session_state["mfviz.data"].interactions.titles[123]
    assert title in chart_titled(app, "Popularity of the neighbours of")["layout"]["title"]["text"]
    assert app.query_params["item"] == str(item_ids[123])
    assert app.query_params["model"] == app.selectbox(key="model_picker").value

    # a choice on the page wins over the URL, and the URL follows it
    app.selectbox(key="neighbours_item").set_value(7).run()
    assert app.selectbox(key="neighbours_item").value == 7
    assert app.query_params["item"] == str(item_ids[7])
    app.run()
    assert app.selectbox(key="neighbours_item").value == 7


def test_a_link_made_on_other_data_is_not_applied_and_says_why(app):
    item_ids, _ = ids_of(app)
    before = app.selectbox(key="neighbours_item").value
    other = next(i for i in range(len(item_ids)) if i != before)
    open_link(app, NEIGHBOURS, data="0000ffff", item=item_ids[other])
    assert app.selectbox(key="neighbours_item").value == before
    assert any("made on other data" in w and "gone when the server restarts" in w for w in warnings(app)), warnings(app)
    assert app.query_params["data"] != "0000ffff"  # the URL shows this page's own view again


def test_an_unknown_item_or_model_in_a_link_is_named_in_a_warning(app):
    data = app.query_params["data"]
    open_link(app, NEIGHBOURS, data=data, item="no-such-item", model="A model nobody trained")
    said = " ".join(warnings(app))
    assert "item no-such-item is not in this data" in said
    assert "“A model nobody trained” is not in this session" in said
    assert not app.exception


def test_a_link_picks_one_of_the_sessions_models():
    at = train_on_page(new_app(), "svd", factors=8)
    names = list(at.session_state["mfviz.models"])
    assert len(names) == 2
    open_page(at, NEIGHBOURS)
    shown = at.selectbox(key="model_picker").value
    other = next(name for name in names if name != shown)
    open_link(at, NEIGHBOURS, data=at.query_params["data"], model=other)
    assert at.selectbox(key="model_picker").value == other
    assert at.query_params["model"] == other


def test_a_link_to_the_popularity_baseline_opens_on_recommend_only():
    at = train_on_page(new_app(), "popularity")
    baseline = next(name for name, e in at.session_state["mfviz.models"].items() if e.kind == "popularity")
    open_page(at, NEIGHBOURS)
    data = at.query_params["data"]
    open_link(at, NEIGHBOURS, data=data, model=baseline)
    assert at.selectbox(key="model_picker").value != baseline
    assert any("has no item vectors to show on this page" in w for w in warnings(at)), warnings(at)
    open_link(at, RECOMMEND, data=data, model=baseline)
    assert at.selectbox(key="model_picker").value == baseline
    assert not warnings(at)


def test_links_to_the_map_and_to_recommendations(app):
    item_ids, user_ids = ids_of(app)
    data = app.query_params["data"]

    open_link(app, LATENT, data=data, map="dimensions", item=item_ids[5])
    assert app.radio(key="latent_method").value == "Dimensions"
    assert app.selectbox(key="latent_anchor").value == 5
    assert (app.query_params["map"], app.query_params["item"]) == ("dimensions", str(item_ids[5]))

    open_link(app, RECOMMEND, data=data, user=user_ids[42])
    assert app.radio(key="rec_mode").value == "a user in the data"
    assert app.selectbox(key="rec_user").value == 42
    assert app.query_params["user"] == str(user_ids[42])

    profile = [item_ids[3], item_ids[11]]
    open_link(app, RECOMMEND, data=data, items=",".join(map(str, profile)))
    assert app.radio(key="rec_mode").value == "a profile I build"
    assert app.multiselect(key="rec_profile").value == [3, 11]
    assert app.query_params["items"] == ",".join(map(str, profile))
    assert "user" not in app.query_params

    open_link(app, RECOMMEND, data=data, fans=item_ids[0])
    assert app.radio(key="rec_mode").value == "a new item (who gets it)"
    assert app.multiselect(key="rec_new_from").value == [0]
    assert app.query_params["fans"] == str(item_ids[0])
    assert not app.exception and not [e.value for e in app.error]


def test_a_link_carries_the_list_lengths_and_the_popularity_penalty(app):
    item_ids, user_ids = ids_of(app)
    data = app.query_params["data"]
    open_link(app, NEIGHBOURS, data=data, item=item_ids[4], k=5)
    assert app.number_input(key="neighbours_k").value == 5
    assert len(app.dataframe[0].value) == 5  # the cosine list
    assert app.query_params["k"] == "5"
    for wrong in ("500", "inf", "-inf", "nan", "abc"):  # the default, not the session's 5 (a link fixes the view)
        open_link(app, NEIGHBOURS, data=data, item=item_ids[4], k=wrong)
        # the address's value as written: escaped for Markdown (plain), "-inf" read as a list item else
        assert any(f"k = {plain(wrong)} is not a number from 3 to 50; the page uses 10" in w for w in warnings(app)), \
            warnings(app)
        assert app.number_input(key="neighbours_k").value == 10 and not app.exception

    open_link(app, RECOMMEND, data=data, user=user_ids[8], n=7, beta=0.5)
    assert app.number_input(key="rec_n").value == 7
    assert len(recommended(app).value) == 7
    assert app.slider(key="rec_penalty").value == 0.5
    assert (app.query_params["n"], app.query_params["beta"]) == ("7", "0.5")
    assert not warnings(app) and not app.exception
    app.slider(key="rec_penalty").set_value(0.0).run()
    assert "beta" not in app.query_params  # no penalty: left out

    # a link without β was made on the model's own lists: opened in a session whose slider is at 0.9, β is 0
    # (the opener's β leaked into the view and into the address: a presenter's bookmarks reopened penalised)
    app.slider(key="rec_penalty").set_value(0.9).run()
    open_link(app, RECOMMEND, data=data, user=user_ids[11], n=10)
    assert app.slider(key="rec_penalty").value == 0.0 and "beta" not in app.query_params
    assert not warnings(app) and not app.exception
    # and one whose β cannot be read: named, and 0 as without one (the opener's 0.9 was kept)
    app.slider(key="rec_penalty").set_value(0.9).run()
    open_link(app, RECOMMEND, data=data, user=user_ids[12], n=10, beta="abc")
    assert any("beta = abc is not a number from 0 to 1.5; the page uses 0" in w for w in warnings(app)), warnings(app)
    assert app.slider(key="rec_penalty").value == 0.0 and not app.exception


def test_a_link_carries_the_min_interactions_filter_and_one_without_it_lists_every_item(app):
    # The filter was in no link: a colleague opening one saw rare items the maker had filtered out, or the
    # other way round.
    item_ids, _ = ids_of(app)
    data = app.query_params["data"]
    open_link(app, NEIGHBOURS, data=data, item=item_ids[4])
    app.number_input(key="neighbours_min_support").set_value(20).run()
    assert app.query_params["min"] == "20"
    sent = dict(app.query_params)
    support = app.session_state["mfviz.data"].interactions.matrix.getnnz(axis=0)  # the quick default: all data
    other = first_visit(NEIGHBOURS, **sent)  # another browser
    assert other.number_input(key="neighbours_min_support").value == 20 and not warnings(other)
    listed = other.dataframe[0].value  # the cosine list
    titles = other.session_state["mfviz.data"].interactions.titles
    assert len(listed) > 0 and all(support[np.flatnonzero(titles == t)[0]] >= 20 for t in listed["title"])
    # the quick default is trained on a split: the filter counts its training part, the pop. column all the data
    entry = other.session_state["mfviz.models"][other.selectbox(key="model_picker").value]
    trained = entry.train.matrix.getnnz(axis=0)
    below = np.flatnonzero((support >= 20) & (trained < 20))
    top = below[np.argmax(support[below])]
    caption = next(c.value for c in other.caption if c.value.startswith("Only items with at least 20"))
    assert (f"so {below.size:,} items with a popularity of 20 or more are left out (the most popular: "
            f"{plain(titles[top])}, {support[top]:,} interactions, {trained[top]:,} in training)") in caption, caption
    # the filter is the Latent space page's too, in its links as well
    open_page(other, LATENT)
    assert other.number_input(key="latent_min_support").value == 20 and other.query_params["min"] == "20"

    # a link without it: no filter, whatever this session had set
    open_link(app, NEIGHBOURS, data=data, item=item_ids[66])  # items no other test of this session opened
    assert app.number_input(key="neighbours_min_support").value == 0 and "min" not in app.query_params
    assert app.session_state["mfviz.min_support"] == 0
    # a link whose min= this session wrote before still applies it (only the new item made it a new link)
    open_link(app, NEIGHBOURS, data=data, item=item_ids[77], min=20)
    assert app.number_input(key="neighbours_min_support").value == 20 and app.query_params["min"] == "20"
    for wrong in ("-1", "abc", "20000"):
        open_link(app, NEIGHBOURS, data=data, item=item_ids[4], min=wrong)
        assert any(f"min = {plain(wrong)} is not a number from 0 to 10000" in w for w in warnings(app)), warnings(app)
        assert app.number_input(key="neighbours_min_support").value == 0 and not app.exception


def test_a_hand_written_link_without_the_data_key_still_opens_its_item(app):
    item_ids, _ = ids_of(app)
    app.query_params = {}
    open_link(app, NEIGHBOURS, item=item_ids[9])
    assert app.selectbox(key="neighbours_item").value == 9
    assert "data" in app.query_params


def sent_from_a_trained_model(page: str = NEIGHBOURS) -> tuple[dict, object]:
    """The address of `page` in a session that trained a seeded implicit ALS on the Train page, and the model."""
    sender = train_on_page(new_app(), "ials", factors=8, epochs=4)
    open_page(sender, page)
    sent = dict(sender.query_params)
    assert sent["model"] == sender.selectbox(key="model_picker").value and "recipe" in sent
    if page == NEIGHBOURS:
        assert sender.selectbox(key="neighbours_item").value is not None
    return sent, sender


def test_a_link_to_a_model_trained_in_another_session_trains_the_same_model_on_opening():
    # A stakeholder opening a shared link saw the quick default model and an offer to click; a model that
    # trains in seconds is now trained at once, so the link opens on its own view.
    sent, sender = sent_from_a_trained_model()
    name = sent["model"]
    receiver = new_app()
    open_link(receiver, NEIGHBOURS, **sent)
    assert not receiver.exception and not receiver.error, [e.value for e in receiver.error]
    assert not any(b.key == "link_train" for b in receiver.button)  # nothing to click
    assert receiver.selectbox(key="model_picker").value == name
    trained = receiver.session_state["mfviz.models"][name].model
    original = sender.session_state["mfviz.models"][name].model
    np.testing.assert_array_equal(trained.item_factors, original.item_factors)  # seeded: the same model
    assert receiver.selectbox(key="neighbours_item").value == sender.selectbox(key="neighbours_item").value
    said = [s.value for s in receiver.success if "The link's model" in s.value]
    assert len(said) == 1 and f"“{name}” was trained here as it was made (Implicit ALS, factors=8" in said[0]
    receiver.run()  # said once
    assert not any("The link's model" in s.value for s in receiver.success)
    assert name in receiver.session_state["mfviz.models"] and receiver.selectbox(key="model_picker").value == name


def test_a_link_to_a_model_that_takes_long_to_train_offers_it_with_an_estimate(monkeypatch):
    from mfviz.dashboard import links

    sent, sender = sent_from_a_trained_model()
    name = sent["model"]
    monkeypatch.setattr(links, "LINK_TRAIN_SECONDS", 0.0)  # as if this model took minutes here
    receiver = new_app()
    open_link(receiver, NEIGHBOURS, **sent)
    assert receiver.selectbox(key="model_picker").value != name  # not there yet: offered, not shown
    offer = next(i.value for i in receiver.info if f"The link's model “{name}” is not in this session yet" in i.value)
    assert "Training it takes roughly under a second here." in offer
    next(b for b in receiver.button if b.key == "link_train").click().run()
    assert not receiver.exception and not receiver.error, [e.value for e in receiver.error]
    assert receiver.selectbox(key="model_picker").value == name
    np.testing.assert_array_equal(receiver.session_state["mfviz.models"][name].model.item_factors,
                                  sender.session_state["mfviz.models"][name].model.item_factors)
    assert not any("not in this session" in i.value for i in receiver.info)
    assert any(f"“{name}” was trained here as it was made" in s.value for s in receiver.success)


def test_the_time_a_link_s_model_takes_is_estimated_from_its_size():
    from types import SimpleNamespace

    from mfviz.dashboard.fit_time import fit_seconds

    ratings = SimpleNamespace(n_users=50_000, n_items=20_000, nnz=1_000_000)  # all an estimate reads of the data
    # Funk SVD at Surprise's defaults on a million ratings: 2.5e-9 s × 1e6 ratings × 100 factors × 20 epochs
    assert fit_seconds("funksvd", {"factors": 100, "epochs": 20}, ratings) == pytest.approx(5.0)
    assert fit_seconds("svdpp", {"factors": 20, "epochs": 20}, ratings) == pytest.approx(6.0)
    assert fit_seconds("als", {"factors": 512, "epochs": 15}, ratings) > 60  # exact solves: cubic in the factors
    assert fit_seconds("popularity", {}, ratings) == 0
    # every model at its defaults on MovieLens 100K's size is trained on opening its link (as the README says)
    from mfviz.dashboard.links import LINK_TRAIN_SECONDS
    from mfviz.models import MODELS

    ml100k = SimpleNamespace(n_users=943, n_items=1682, nnz=100_000)
    for kind, cls in MODELS.items():
        assert fit_seconds(kind, {n: p.default for n, p in cls.params.items()}, ml100k) <= LINK_TRAIN_SECONDS, kind


def test_a_recipe_the_dashboard_cannot_follow_is_a_message_and_the_page_goes_on():
    at = new_app()
    open_page(at, NEIGHBOURS)
    recipe = '{"kind":"ials","params":{"factors":-3},"split":"random","test":0.2,"seed":0,"k":10}'
    open_link(at, NEIGHBOURS, data=at.query_params["data"], model="Broken", recipe=recipe)
    said = "The link's model “Broken” cannot be trained here: factors must be >= 1"
    assert any(w.value.startswith(said) for w in at.warning), [w.value for w in at.warning]
    assert not at.exception and not at.error
    assert at.selectbox(key="neighbours_item").value is not None  # the page under it still shows a model
    at.run()  # said once, not on every run
    assert not any(w.value.startswith(said) for w in at.warning)
    # a factor count too large to estimate (OverflowError in the time estimate failed the page) and one that is text
    for name, params, why in (("Huge", '{"factors":1e300}', "factors must be <= 4096"),
                              ("Text", '{"factors":"abc"}', "must be an integer")):
        recipe = json.dumps({"kind": "ials", "params": json.loads(params), "split": "random", "test": 0.2, "seed": 0,
                             "k": 10})
        open_link(at, LATENT, data=at.query_params["data"], model=name, recipe=recipe)
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any("cannot be trained here" in w.value and why in w.value for w in at.warning), why
        assert all(len(w.value) < 400 for w in at.warning)  # 1e+300, not the 301 digits of the integer it was read as


def test_a_popularity_recipe_on_a_page_of_item_vectors_says_the_page_shows_another():
    at = new_app()
    open_page(at, NEIGHBOURS)
    recipe = '{"kind":"popularity","params":{},"split":"random","test":0.2,"seed":0,"k":10}'
    open_link(at, NEIGHBOURS, data=at.query_params["data"], model="Pop", recipe=recipe)
    assert not at.exception and not at.error
    assert any("was trained here" in w.value and "no item vectors to show on this page" in w.value
               for w in at.warning), [w.value for w in at.warning]
    assert not any("the view is the link's" in s.value for s in at.success)
    assert "Pop" in at.session_state["mfviz.models"] and at.selectbox(key="model_picker").value != "Pop"


def test_a_recipe_the_train_page_could_not_have_written_is_no_recipe():
    from mfviz.dashboard.links import _recipe

    good = {"kind": "ials", "params": {"factors": 8}, "split": "random", "test": 0.2, "seed": 0, "k": 10}
    assert _recipe(json.dumps(good)) == good
    for field, value in (("seed", -5), ("test", True), ("test", 0.9), ("k", 0), ("seed", 1.5), ("params", []),
                         ("k", 10**20), ("k", 101), ("seed", 10_001)):
        assert _recipe(json.dumps(good | {field: value})) is None, (field, value)
    assert _recipe("{not json") is None


def test_a_link_to_a_model_trained_on_all_the_data_says_so():
    at = new_app()
    open_page(at, NEIGHBOURS)
    recipe = '{"kind":"ials","params":{"factors":8},"split":"none","test":0.0,"seed":0,"k":10}'
    open_link(at, NEIGHBOURS, data=at.query_params["data"], model="Everything", recipe=recipe)
    said = next(s.value for s in at.success if "“Everything” was trained here" in s.value)
    assert "on all the data (no test split)" in said and "none split" not in said


def test_a_hits_link_to_a_model_without_held_out_items_says_it_cannot_count_them():
    # hits=1 was dropped from the address without a word, unlike every other part of a link not applied.
    at = new_app()
    open_page(at, RECOMMEND)
    _, user_ids = ids_of(at)
    recipe = '{"kind":"ials","params":{"factors":8},"split":"none","test":0.0,"seed":0,"k":10}'
    open_link(at, RECOMMEND, data=at.query_params["data"], model="Everything", recipe=recipe, user=user_ids[3],
              hits=1)
    assert at.selectbox(key="model_picker").value == "Everything" and not at.exception
    said = [w for w in warnings(at) if "hits=1" in w]
    assert len(said) == 1 and "Everything holds no item out of its training" in said[0], warnings(at)
    assert at.toggle(key="rec_hits_none").disabled and "hits" not in at.query_params


def test_the_address_to_copy_keeps_the_servers_host_and_path_prefix():
    from mfviz.dashboard.links import address

    params = {"data": "ab12cd34", "model": "Implicit ALS (f=64)", "item": "50"}
    assert address("http://localhost:8501/neighbours?x=1", "latent", params) == \
        "http://localhost:8501/latent?data=ab12cd34&model=Implicit+ALS+%28f%3D64%29&item=50"
    assert address("https://example.org/mfviz/", "recommend", {"user": "7"}) == "https://example.org/mfviz/recommend?user=7"
    assert address(None, "neighbours", {"item": "5"}) == "/neighbours?item=5"  # no address known: relative


def test_an_old_address_arriving_with_a_rerun_does_not_undo_a_choice(app):
    """The browser may ask for a rerun with the address of a few runs ago (a slider moved with the
    arrow keys sends several); a value the session wrote itself is never applied again."""
    _, user_ids = ids_of(app)
    open_link(app, RECOMMEND, data=app.query_params["data"], user=user_ids[3])
    app.slider(key="rec_penalty").set_value(0.1).run()
    app.slider(key="rec_penalty").set_value(0.2).run()
    assert app.query_params["beta"] == "0.2"
    app.slider(key="rec_penalty").set_value(0.3)
    app.query_params["beta"] = "0.1"  # the address of two runs ago
    app.run()
    assert app.slider(key="rec_penalty").value == 0.3
    assert app.query_params["beta"] == "0.3"


def test_ids_holding_commas_or_backslashes_survive_a_link():
    from mfviz.data.id_lists import join_ids, split_ids

    for ids in (["50"], ["Smith, John", "c"], ["x\\y", ",", "\\,"], ["", "q"], ["ends in \\"]):
        assert split_ids(join_ids(ids)) == ids
    assert join_ids(["Smith, John", "a\\b"]) == "Smith\\, John,a\\\\b"
    assert split_ids("50,181") == ["50", "181"]  # as written by hand
    assert split_ids("a\\b") == ["a\\b"]  # a lone backslash is kept


def test_links_to_items_and_users_whose_ids_hold_commas():
    from test_pages import upload

    rng = np.random.default_rng(3)
    items = ["Smith, John", "a\\b", "plain", "x,y,z"] + [f"item {i}" for i in range(16)]
    users = ["u,1", "u\\2"] + [f"user {u}" for u in range(38)]
    rows = {(users[u], items[i]) for u in range(len(users)) for i in rng.choice(len(items), 6, replace=False)}
    rows |= {(u, items[i]) for u in users[:2] for i in range(4)}  # every odd id has interactions
    csv = "user,item,rating\n" + "".join(f'"{u}","{i}",{1 + (hash((u, i)) % 5)}\n' for u, i in sorted(rows))
    at = upload(new_app(), "odd_ids.csv", csv.encode())
    assert not at.exception and not at.error
    inter = at.session_state["mfviz.data"].interactions
    index = {str(i): n for n, i in enumerate(inter.item_ids)}
    open_page(at, NEIGHBOURS)
    data = at.query_params["data"]
    for item in ("Smith, John", "a\\b", "x,y,z"):
        open_link(at, NEIGHBOURS, data=data, item=links_escape(item))
        assert at.selectbox(key="neighbours_item").value == index[item], item
        assert not warnings(at) and at.query_params["item"] == links_escape(item)
    profile = [index["x,y,z"], index["Smith, John"], index["a\\b"]]
    open_link(at, RECOMMEND, data=data, items=",".join(links_escape(inter.item_ids[i]) for i in profile))
    assert at.session_state["mfviz.profile"] == profile and not warnings(at)
    user = int(np.flatnonzero(inter.user_ids == "u,1")[0])
    open_link(at, RECOMMEND, data=data, user="u\\,1")
    assert at.radio(key="rec_mode").value == "a user in the data"
    assert at.selectbox(key="rec_user").value == user and not warnings(at)
    assert at.query_params["user"] == "u\\,1"


def links_escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(",", "\\,")


def edit_rating(at, row: int, rating: float):
    """Set a profile item's own rating in the profile table, as a double-click in the browser does."""
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": {row: {"rating": rating}}, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_a_link_to_a_profile_carries_each_items_own_rating():
    # A profile of a loved and a hated film opened elsewhere as two loved films: the link carried the items only.
    at = new_app()
    open_page(at, RECOMMEND)
    item_ids, _ = ids_of(at)
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_profile").set_value([0, 3]).run()
    assert "ratings" not in at.query_params  # every item at the default: the link stays as it always was
    edit_rating(at, 1, 1.0)
    assert at.query_params["items"] == f"{item_ids[0]},{item_ids[3]}" and at.query_params["ratings"] == "5,1"
    sent = dict(at.query_params)
    shown = recommended(at).value["title"].tolist()

    other = new_app()  # another session, whose own slider says 4 for every item
    open_page(other, RECOMMEND)
    other.radio(key="rec_mode").set_value("a profile I build").run()
    other.multiselect(key="rec_profile").set_value([5]).run()
    other.select_slider(key="rec_stars").set_value(4.0).run()
    open_link(other, RECOMMEND, **sent)
    assert not other.exception and not other.error and not warnings(other), warnings(other)
    # the item rated the lowest opens in the dislikes box, the rest as liked
    assert other.multiselect(key="rec_profile").value == [0] and other.multiselect(key="rec_dislikes").value == [3]
    assert other.data_editor[0].value["rating"].tolist() == [5.0, 1.0]
    assert recommended(other).value["title"].tolist() == shown  # the same recommendations
    assert other.query_params["ratings"] == "5,1"

    # a link written before ratings= (or with every item at the top): each item at the top rating
    open_link(other, RECOMMEND, data=sent["data"], items=f"{item_ids[3]},{item_ids[0]}")
    assert other.multiselect(key="rec_profile").value == [3, 0]
    assert other.data_editor[0].value["rating"].tolist() == [5.0, 5.0]
    # this session's slider says 4: both items hold their own 5
    assert other.select_slider(key="rec_stars").value == 4.0
    assert any(c.value.startswith("2 of the liked items have their own rating here") for c in other.caption)
    # an item the data lacks takes its rating with it; the others keep theirs, in order
    open_link(other, RECOMMEND, data=sent["data"], items=f"{item_ids[3]},no such item,{item_ids[0]}", ratings="2,4,1")
    assert other.multiselect(key="rec_profile").value == [3] and other.multiselect(key="rec_dislikes").value == [0]
    assert other.data_editor[0].value["rating"].tolist() == [2.0, 1.0]
    assert any("no such item" in w for w in warnings(other))
    # the slider reads 4 while the liked item holds its own 2: said under the table
    assert other.select_slider(key="rec_stars").value == 4.0
    assert any(c.value.startswith("1 of the liked items has its own rating here") for c in other.caption)


@pytest.mark.parametrize("ratings, why", [("5", "1 rating for 2 items"), ("5,9", "run from 1 to 5"),
                                          ("5,nan", "run from 1 to 5"), ("five,1", "not all numbers")])
def test_ratings_a_link_cannot_apply_are_named_and_the_items_still_open(app, ratings, why):
    item_ids, _ = ids_of(app)
    open_link(app, RECOMMEND, data=app.query_params["data"], items=f"{item_ids[7]},{item_ids[8]}", ratings=ratings)
    assert not app.exception and not app.error
    assert app.multiselect(key="rec_profile").value == [7, 8]
    said = [w for w in warnings(app) if "ratings" in w]
    assert said and why in said[0] and ratings in said[0], warnings(app)
    assert app.data_editor[0].value["rating"].tolist() == [5.0, 5.0]


def test_an_item_a_profile_link_lists_twice_is_taken_once_and_named(app):
    # items=1,1 stopped the page at a fold-in error naming "item 0", every control greyed out (robustness review)
    item_ids, _ = ids_of(app)
    open_link(app, RECOMMEND, data=app.query_params["data"], items=f"{item_ids[4]},{item_ids[9]},{item_ids[4]}",
              ratings="4,2,1")
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.multiselect(key="rec_profile").value == [4, 9]
    assert any(f"lists item {item_ids[4]} more than once; it is taken once" in w for w in warnings(app)), warnings(app)
    assert app.data_editor[0].value["rating"].tolist() == [4.0, 2.0]  # the first rating given
    assert recommended_rows(app) > 0


def recommended_rows(at) -> int:
    return len(next(d.value for d in at.dataframe if "because of" in d.value.columns))


def test_rating_lists_are_written_only_where_an_item_differs_from_the_top():
    from mfviz.dashboard import links

    assert links.rating_list(None, 5.0) is None
    assert links.rating_list(np.array([5.0, 5.0], np.float32), 5.0) is None
    assert links.rating_list(np.array([4.5, 1.0, 5.0], np.float32), 5.0) == "4.5,1,5"


def first_visit(page: str, **params):
    """A new browser session whose first address carries these parameters: a tab reconnecting to a restarted
    server, or an address pasted into a new tab. AppTest runs a page asked before the first run without the
    router (app.py), so the session's first run is the Data page's, then `page` with the same address."""
    from streamlit.testing.v1 import AppTest
    from test_pages import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["latent_method"] = "PCA"
    at.query_params = {name: str(value) for name, value in params.items()}
    at.run()
    if page != "pages/data_page.py":
        at.query_params = {name: str(value) for name, value in params.items()}
        open_page(at, page)
    return at


def ratings_upload(at, seed: int = 0):
    from test_pages import upload

    rng = np.random.default_rng(seed)
    rows = {(f"u{u}", f"i{i}") for u in range(40) for i in rng.choice(25, 6, replace=False)}
    return upload(at, "mine.csv", ("user,item,rating\n" + "".join(f"{u},{i},{1 + len(u + i) % 5}\n"
                                                                   for u, i in sorted(rows))).encode())


def test_every_page_keeps_an_uploads_key_in_the_address_and_the_demo_none():
    at = new_app()
    open_page(at, "pages/train_page.py")
    assert "data" not in at.query_params  # the start data: addresses stay bare
    at = ratings_upload(open_page(at, "pages/data_page.py"))
    key = at.session_state["mfviz.data"].key[:8]
    assert at.query_params["data"] == key
    for page in ("pages/train_page.py", "pages/spectrum_page.py", "pages/bias_page.py", NEIGHBOURS):
        open_page(at, page)
        assert at.query_params["data"] == key, page
    open_page(at, "pages/data_page.py")
    at.button(key="back_to_start").click().run()
    assert "data" not in at.query_params  # back on the demo: no other data named


def test_a_tab_whose_data_a_restart_lost_says_so_instead_of_showing_the_demo_silently(monkeypatch):
    from mfviz.dashboard import ui

    monkeypatch.setattr(ui, "kept_cookie", lambda: "0123abcd")  # the tab's browser had that data
    at = first_visit("pages/train_page.py", data="0123abcd")  # a key this server process never held
    assert not at.exception and not at.error
    said = [w.value for w in at.warning if "restarted" in w.value]
    assert len(said) == 1 and "no longer holds the data you had here (data 0123abcd" in said[0], warnings(at)
    assert "the pages show the demo catalogue instead. Upload it again on the Data page" in said[0]
    open_page(at, "pages/spectrum_page.py")  # on every page until it is dealt with
    assert any("data 0123abcd" in w for w in warnings(at)) and at.query_params["data"] == "0123abcd"
    at.button(key="lost_data_dismiss").click().run()
    assert not any("0123abcd" in w for w in warnings(at)) and "data" not in at.query_params

    again = ratings_upload(first_visit("pages/data_page.py", data="0123abcd"))  # uploaded again: done
    assert any("data 0123abcd" in w for w in warnings(again)) is False
    open_page(again, "pages/train_page.py")
    assert not any("0123abcd" in w for w in warnings(again))


def test_a_link_made_on_data_this_server_never_held_does_not_claim_a_restart():
    # A colleague's link from another dataset was told "This server restarted and no longer holds the data you had
    # here": without this browser's cookie for that data, the server cannot know which it is, and says both.
    at = first_visit(NEIGHBOURS, data="deadbeef", item="50")
    said = [w for w in warnings(at) if "deadbeef" in w]
    assert len(said) == 1 and "names data this server does not hold (data deadbeef)" in said[0], warnings(at)
    assert "made on other data" in said[0] and "This server restarted" not in said[0]
    assert not at.exception and not at.error


def test_a_link_page_reopened_after_a_restart_says_so_once():
    at = first_visit(NEIGHBOURS, data="0123abcd", item="50")
    said = warnings(at)
    assert sum("data 0123abcd" in w for w in said) == 1, said
    assert not any("This link was made on other data" in w for w in said), said


def test_an_address_copied_from_another_sessions_upload_is_told_apart_from_a_restart():
    sender = ratings_upload(new_app(), seed=1)
    key = sender.session_state["mfviz.data"].key[:8]
    receiver = first_visit("pages/bias_page.py", data=key)
    said = [w for w in warnings(receiver) if key in w]
    assert len(said) == 1 and "names data this browser does not hold" in said[0] and "restarted" not in said[0]


def test_a_tab_that_opens_another_page_after_a_restart_is_told_by_the_browsers_cookie(monkeypatch):
    # Streamlit drops the address's parameters when another page is opened: the cookie still tells.
    from mfviz.dashboard import ui

    monkeypatch.setattr(ui, "kept_cookie", lambda: "0badc0de")
    at = new_app()
    said = [w for w in warnings(at) if "restarted" in w]
    assert len(said) == 1 and "(data 0badc0de" in said[0]
    sender = ratings_upload(new_app(), seed=2)  # a tab of this browser, on data this server holds: no restart
    monkeypatch.setattr(ui, "kept_cookie", lambda: sender.session_state["mfviz.data"].key[:8])
    assert not [w for w in warnings(new_app()) if "data " in w]


def opened_with_a_model_compared(page: str, picker: str) -> tuple[dict, object, str, dict, object]:
    """A link from a session that trained a model and compares the quick default with it on `page` (its
    side-by-side picker: `picker`), opened in a new session; (sent, sender, the default's name, link, receiver)."""
    sent, sender = sent_from_a_trained_model(page)
    default = next(name for name, e in sender.session_state["mfviz.models"].items() if e.auto)
    sender.multiselect(key=picker).set_value([default]).run()
    link = dict(sender.query_params)
    assert split_ids(link["compare"]) == [default]
    receiver = new_app()
    open_link(receiver, page, **link)
    assert receiver.selectbox(key="model_picker").value == sent["model"]  # trained on opening, shown
    assert receiver.multiselect(key=picker).value == [default]
    return sent, sender, default, link, receiver


def test_a_recommend_link_keeps_the_models_side_by_side():
    # The link kept the profile but not the models compared with it.
    sent, sender, default, link, receiver = opened_with_a_model_compared(RECOMMEND, "rec_compare")
    assert not any("also compared" in i.value for i in receiver.info)
    # a model the session lacks (trained in another session: only the shown one travels, as its recipe)
    open_link(receiver, RECOMMEND, **(link | {"compare": join_ids([default, "Funk SVD (f=3)"])}))
    said = [i.value for i in receiver.info if "also compared" in i.value]
    assert len(said) == 1 and "“Funk SVD (f=3)”" in said[0] and default not in said[0]
    assert receiver.multiselect(key="rec_compare").value == [default]
    # a link without models side by side opens without them (the session's choice leaked into the view)
    open_link(receiver, RECOMMEND, **{name: value for name, value in link.items() if name != "compare"} | {"n": 12})
    assert receiver.multiselect(key="rec_compare").value == [] and "compare" not in receiver.query_params
    assert not receiver.exception


def test_a_profile_link_to_a_model_trained_in_another_session_opens_on_the_profile():
    # Trained on opening, the model came back with a rerun that had already used up the link: the page showed
    # a user of the data, not the profile.
    sent, sender = sent_from_a_trained_model(RECOMMEND)
    sender.radio(key="rec_mode").set_value("a profile I build").run()
    sender.multiselect(key="rec_profile").set_value([3, 7]).run()
    link = dict(sender.query_params)
    assert "items" in link and "recipe" in link
    receiver = new_app()
    open_link(receiver, RECOMMEND, **link)
    assert not receiver.exception and not receiver.error, [e.value for e in receiver.error]
    assert receiver.selectbox(key="model_picker").value == sent["model"]
    assert receiver.radio(key="rec_mode").value == "a profile I build"
    assert receiver.multiselect(key="rec_profile").value == [3, 7]
    assert any("was trained here as it was made" in s.value for s in receiver.success)


def test_a_neighbours_link_keeps_the_models_side_by_side():
    # The Neighbours link carried the item but not the models compared with it (the Recommend one did).
    sent, sender, default, link, receiver = opened_with_a_model_compared(NEIGHBOURS, "neighbours_compare")
    assert receiver.selectbox(key="neighbours_item").value == sender.selectbox(key="neighbours_item").value


@pytest.mark.parametrize("page, picker", [(RECOMMEND, "rec_compare"), (NEIGHBOURS, "neighbours_compare")])
def test_a_link_comparing_more_models_than_fit_side_by_side_shows_three_and_names_the_rest(page, picker):
    # A link naming four models failed the page ("max_selections is set to 3"): a fault, not a view.
    from mfviz.dashboard import state, training

    at = new_app()
    open_page(at, page)
    data = at.session_state["mfviz.data"]
    for factors in (2, 3, 4, 5):
        model = training.make_model("svd", {"factors": factors}).fit(data.interactions)
        entry = state.ModelEntry(name=f"SVD {factors}", model=model, kind="svd", params=model.get_params(),
                                 key=state.model_hash(model, data.key), data_key=data.key)
        at.session_state["mfviz.models"][entry.name] = entry
    shown = at.session_state["mfviz.active_model"]
    open_link(at, page, data=data.key[:8], model=shown, compare=join_ids(["SVD 2", "SVD 3", "SVD 4", "SVD 5"]))
    assert not at.exception and not at.error
    assert at.multiselect(key=picker).value == ["SVD 2", "SVD 3", "SVD 4"]
    [said] = [i.value for i in at.info if "side by side at a time" in i.value]
    assert said.startswith("The link compared 4 models; 3 are shown") and "“SVD 5” left out" in said


@pytest.mark.parametrize("page, picker", [(RECOMMEND, "rec_compare"), (NEIGHBOURS, "neighbours_compare")])
def test_a_link_brings_the_models_compared_side_by_side_trained_in_another_session(page, picker):
    # Only the shown model travelled (as its recipe): "The link also compared “ALS (f=4, epochs=3)”, which this
    # session does not have", and the comparison the link was sent for was lost.
    sender = train_on_page(new_app(), "als", factors=4, epochs=3)
    train_on_page(sender, "ials", factors=8, epochs=4)
    names = list(sender.session_state["mfviz.models"])
    default, als, ials = (next(n for n in names if "quick default" in n), *(n for n in names if "quick" not in n))
    open_page(sender, page)
    assert sender.selectbox(key="model_picker").value == ials
    sender.multiselect(key=picker).set_value([als, default]).run()
    link = dict(sender.query_params)
    assert split_ids(link["compare"]) == [als, default]
    assert set(json.loads(link["compare_recipes"])) == {als}  # the quick default has none: every session has it
    receiver = new_app()
    open_link(receiver, page, **link)
    assert not receiver.exception and not receiver.error, [e.value for e in receiver.error]
    assert receiver.selectbox(key="model_picker").value == ials
    assert receiver.multiselect(key=picker).value == [als, default]
    assert not any("also compared" in i.value for i in receiver.info)
    said = [s.value for s in receiver.success if "compared model" in s.value]
    assert len(said) == 1 and f"“{als}” was trained here as made" in said[0]
    np.testing.assert_array_equal(receiver.session_state["mfviz.models"][als].model.item_factors,
                                  sender.session_state["mfviz.models"][als].model.item_factors)  # seeded: the same


def test_a_links_compared_models_that_take_long_are_offered_and_put_side_by_side_once_trained(monkeypatch):
    from mfviz.dashboard import links

    sender = train_on_page(new_app(), "als", factors=4, epochs=3)
    open_page(sender, RECOMMEND)
    default = next(n for n in sender.session_state["mfviz.models"] if "quick default" in n)
    als = next(n for n in sender.session_state["mfviz.models"] if n != default)
    sender.selectbox(key="model_picker").set_value(default).run()
    sender.multiselect(key="rec_compare").set_value([als]).run()
    link = dict(sender.query_params)
    monkeypatch.setattr(links, "LINK_TRAIN_SECONDS", 0.0)  # as if it took minutes here
    receiver = new_app()
    open_link(receiver, RECOMMEND, **link)
    assert not receiver.exception and not receiver.error
    assert als not in receiver.session_state["mfviz.models"]
    assert not any(m.key == "rec_compare" for m in receiver.multiselect)  # nothing to compare with yet
    [offer] = [i.value for i in receiver.info if "The link compared" in i.value]
    assert offer.startswith(f"The link compared “{als}”, not in this session yet") and "roughly" in offer
    assert not any("also compared" in i.value for i in receiver.info)  # offered, not said to be missing
    receiver.button(key="rec_compare_link_train").click().run()
    assert not receiver.exception and not receiver.error
    assert receiver.multiselect(key="rec_compare").value == [als]
    assert not any(b.key == "rec_compare_link_train" for b in receiver.button)


def test_a_compared_model_whose_recipe_fails_here_is_named_and_the_others_still_come():
    # One failing recipe ended the loop: the next compared model was never trained, and the page then said it
    # travelled "only as the one it shows" although the link carried its recipe.
    sender = train_on_page(new_app(), "als", factors=4, epochs=3)
    train_on_page(sender, "svd", factors=4)
    names = list(sender.session_state["mfviz.models"])
    default = next(n for n in names if "quick default" in n)
    als, svd = (n for n in names if n != default)
    open_page(sender, RECOMMEND)
    sender.selectbox(key="model_picker").set_value(default).run()
    sender.multiselect(key="rec_compare").set_value([als, svd]).run()
    link = dict(sender.query_params)
    recipes = json.loads(link["compare_recipes"])
    recipes[als]["split"] = "bogus"  # an edited link: a split this dashboard does not make
    link["compare_recipes"] = json.dumps(recipes)
    receiver = new_app()
    open_link(receiver, RECOMMEND, **link)
    assert not receiver.exception
    [error] = [e.value for e in receiver.error]
    assert error.startswith(f"The link's compared model “{als}” could not be trained here:")
    assert receiver.multiselect(key="rec_compare").value == [svd]  # the next one still trained, and shown
    assert not any("also compared" in i.value for i in receiver.info)  # the error said it; no wrong reason
