"""Pages of a model trained on a split by time (Train page, "the latest interactions overall"), which held out all
the interactions of some users and items: the Popularity bias page, the Neighbours page's "Over many items" and the
Recommend page's new item leave those users and items out of their numbers and say how many."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from test_pages import _brute_force_reach, new_app, open_page, plotly_array, upload

from mfviz.analysis.cold_start import audience
from mfviz.models.sanity import untrained_items, untrained_users


def problems(at) -> list[str]:
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def ratings_csv() -> bytes:
    """300 users × 200 items, 15 ratings each. Users 0-249 rate items 0-149 before t = 1000 and 3 items of any kind
    after t = 2000; users 250-299 only rate after t = 2000, and items 150-199 are only rated then. Holding out the
    latest 35% (a third of the ratings come after t = 2000) leaves those 50 users and 50 items untrained."""
    rng = np.random.default_rng(0)
    rows = []
    for user in range(300):
        early = 0 if user >= 250 else 12
        items = np.concatenate([rng.choice(150, early, replace=False),
                                rng.choice(np.arange(200), 15 - early, replace=False)])
        items = np.unique(items)
        for n, item in enumerate(items):
            when = rng.integers(0, 1000) if n < early and item < 150 and user < 250 else rng.integers(2000, 3000)
            rows.append(f"u{user},i{item},{rng.integers(1, 6)},{when}\n")
    return ("user,item,rating,timestamp\n" + "".join(rows)).encode()


@pytest.fixture(scope="module")
def time_split():
    """Data of users and items seen only late, with an ALS (item biases, as the review's) trained on a split by
    time, the model the pages show."""
    at = new_app()
    upload(at, "late.csv", ratings_csv())
    open_page(at, "pages/train_page.py")
    at.selectbox(key="train_model").set_value("als").run()
    at.number_input(key="hp_als_factors").set_value(8)
    at.number_input(key="hp_als_regularization").set_value(1.0)  # at 15 these few ratings shrink every vector to 0
    at.selectbox(key="split_method").set_value("time")
    at.slider(key="split_size").set_value(0.35)
    at.button(key="train_submit").click().run()
    assert not problems(at), problems(at)
    name = at.session_state["mfviz.active_model"]
    entry = at.session_state["mfviz.models"][name]
    assert (untrained_users(entry.model).sum(), untrained_items(entry.model).sum()) == (50, 52)
    return at, name, entry


def test_the_bias_page_says_which_users_and_items_it_left_out(time_split):
    at, name, entry = time_split
    open_page(at, "pages/bias_page.py")
    assert not problems(at), problems(at)
    users, items = int(untrained_users(entry.model).sum()), int(untrained_items(entry.model).sum())
    said = [c.value for c in at.caption if c.value.startswith(f"**{name}**:")]
    assert said == [f"**{name}**: {users:,} users and {items:,} items the model was never trained on are left out: a "
                    "split held out all their interactions, so their vectors were never fitted and their lists (the "
                    "catalogue in index order) and vector lengths (zero) would say nothing of them."]
    # ρ over the trained items, against the data's popularity (as the page counts it)
    inter = at.session_state["mfviz.data"].interactions
    trained = ~untrained_items(entry.model)
    rho = spearmanr(np.linalg.norm(entry.model.item_factors, axis=1)[trained],
                    inter.item_popularity[trained]).statistic
    table = at.dataframe[0].value.set_index("model")
    assert table.loc[name, "norm–popularity ρ"] == pytest.approx(rho)
    # and the item biases' ρ too: an item held out wholly keeps a bias of 0 that says nothing
    bias_rho = spearmanr(entry.model.item_bias[trained], inter.item_popularity[trained]).statistic
    assert table.loc[name, "bias–popularity ρ"] == pytest.approx(bias_rho, abs=1e-9)
    assert bias_rho != pytest.approx(spearmanr(entry.model.item_bias, inter.item_popularity).statistic, abs=1e-3)
    # the chart of lengths draws the trained items only, and says so
    at.session_state["bias_view"] = "Vector length and popularity"
    at.session_state["bias_norm_model"] = name
    at.run()
    assert not problems(at), problems(at)
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Item vector length"))
    assert plotly_array(spec["data"][0]["y"]).size == int(trained.sum())
    assert any(c.value.startswith(f"{items:,} items the model was never trained on (zero vectors) are left out, of "
                                  f"the chart and of its ρ ({rho:.2f} over the other items)") for c in at.caption)


def test_the_neighbours_page_samples_trained_items_and_says_so(time_split):
    at, name, entry = time_split
    open_page(at, "pages/neighbours_page.py")
    assert not problems(at), problems(at)
    items = int(untrained_items(entry.model).sum())
    sampled = min(1000, entry.model.n_items - items)
    headline = next(m.value for m in at.markdown if m.value.startswith("**Over "))
    assert headline.startswith(f"**Over {sampled:,} sampled items the model was trained on:**"), headline
    assert any(c.value == f"Over {sampled:,} sampled items the model was trained on: {items:,} items absent from its "
                          "training part are left out (a vector never fitted has no direction, so its neighbours "
                          "would be the catalogue in index order)." for c in at.caption)


def test_a_new_items_first_users_and_reach_are_of_the_trained_users(time_split):
    at, name, entry = time_split
    open_page(at, "pages/recommend_page.py")
    at.radio(key="rec_mode").set_value("a new item (who gets it)").run()
    at.multiselect(key="rec_new_from").set_value([0, 3]).run()
    assert not problems(at), problems(at)
    inter, model = at.session_state["mfviz.data"].interactions, entry.model
    fans, values = audience(inter.matrix, [0, 3], at_least=float(np.median(inter.matrix.data)))
    untrained = untrained_users(model)
    kept = ~untrained[fans]
    assert (~kept).any()  # some fans were held out of training
    users, values = fans[kept], values[kept]
    assert at.slider(key="rec_new_size").max == users.size
    size = at.slider(key="rec_new_size").value
    # brute force over the users it can reach: the untrained ones' lists are the item biases alone
    reached = _brute_force_reach(model, inter.matrix, users[:size], values[:size])
    vector, bias = model.fold_in_item(users[:size], values[:size], return_bias=True)
    scores = model.user_factors.astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    scores[inter.matrix.toarray() != 0] = -np.inf
    tenth = -np.sort(-scores, axis=1)[:, 9]
    new = model.user_factors.astype(np.float64) @ vector.astype(np.float64) + bias
    among_untrained = int(np.sum((new > tenth) & untrained))
    cards = {m.label: m for m in at.metric}
    assert cards["In users' top 10"].value == f"{reached - among_untrained:,}"
    assert cards["In users' top 10"].delta == f"{(reached - among_untrained) / (int((~untrained).sum()) - size):.1%} of users"
    left = int(untrained.sum())
    assert any(c.value == f"Counted over the {int((~untrained).sum()):,} users {name} was trained on: {left:,} users a "
                          "split held out entirely are left out, as users to reach (their lists, ranked without a "
                          f"fitted vector, say nothing of them) and as first users ({int((~kept).sum()):,} of those who "
                          "liked the items)." for c in at.caption), [c.value for c in at.caption]


def test_a_loaded_model_file_samples_and_filters_by_the_training_data_it_carries():
    """A model saved after a split by time and loaded (a model file, a workspace) carries its training matrix: the
    Neighbours page's support is that, not all the data, so its untrained items are not sampled either."""
    from mfviz import Interactions, evaluation
    from mfviz.dashboard import support
    from mfviz.dashboard.state import ModelEntry
    from mfviz.models import ImplicitALS

    data = Interactions.from_frame(pd.read_csv(io.BytesIO(ratings_csv())), user="user", item="item",
                                   rating="rating", timestamp="timestamp")
    train, _ = evaluation.split(data, "time", test_size=0.35)
    model = ImplicitALS(factors=4, epochs=2, random_state=0).fit(train)
    entry = ModelEntry(name="loaded", model=model, kind="loaded", params={}, key="loaded-untrained", data_key="d")
    counts = support.item_support(entry, data.item_popularity)
    np.testing.assert_array_equal(counts, train.item_popularity)
    assert (counts == 0).sum() == 52 and (data.item_popularity == 0).sum() == 0
    # factors that came without their training data: all the data, as before
    from mfviz.models.external import FactorModel

    bare = ModelEntry(name="bare", model=FactorModel(model.user_factors, model.item_factors), kind="loaded", params={},
                      key="bare-untrained", data_key="d")
    np.testing.assert_array_equal(support.item_support(bare, data.item_popularity), data.item_popularity)


def test_a_model_compared_that_folds_in_nothing_of_a_profile_is_left_out_with_why(time_split):
    """Side by side for a profile, a model compared may fold nothing of it in: every item of it held out of its own
    split (by time), or, for a model of choices, nothing but dislikes. Its list was empty, with no word of why; it is
    left out of the side by side, and the caption says why (as for a user it never trained on)."""
    at, by_time, entry = time_split
    models = at.session_state["mfviz.models"]
    choices = next(name for name, e in models.items() if e.auto)  # the quick default: implicit ALS
    assert models[choices].kind == "ials" and not untrained_items(models[choices].model).any()
    late = np.flatnonzero(untrained_items(entry.model))[:2]
    open_page(at, "pages/recommend_page.py")
    at.selectbox(key="model_picker").set_value(choices).run()
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_compare").set_value([by_time]).run()
    at.multiselect(key="rec_profile").set_value(late.tolist()).run()
    assert not problems(at), problems(at)
    assert "**Side by side**" not in [m.value for m in at.markdown]
    said = [c.value for c in at.caption if c.value.startswith("Not side by side")]
    assert said == [f"Not side by side: {by_time}, which never trained on any item of this profile (its evaluation "
                    "split held out all their interactions), so their vectors were never fitted and the profile would "
                    "fold in to a zero vector, whose list says nothing of this taste."]
    # disliked only: ALS, a model of ratings, turns away from them; implicit ALS learns nothing from dislikes alone
    at.multiselect(key="rec_profile").set_value([]).run()
    at.selectbox(key="model_picker").set_value(by_time).run()
    at.multiselect(key="rec_compare").set_value([choices]).run()
    at.multiselect(key="rec_dislikes").set_value([int(np.flatnonzero(~untrained_items(entry.model))[0])]).run()
    assert not problems(at), problems(at)
    assert any(d for d in at.dataframe if "because of" in d.value.columns)  # the list of the model shown
    assert "**Side by side**" not in [m.value for m in at.markdown]
    said = [c.value for c in at.caption if c.value.startswith("Not side by side")]
    assert said == [f"Not side by side: {choices}, which learns only from what people chose, and this profile's items "
                    "are all dislikes, which tell it nothing."]
    # with a liked item too, both lists are side by side, and nothing is said
    at.multiselect(key="rec_profile").set_value([int(np.flatnonzero(~untrained_items(entry.model))[1])]).run()
    assert not problems(at), problems(at)
    assert "**Side by side**" in [m.value for m in at.markdown]
    assert not any(c.value.startswith("Not side by side") for c in at.caption)
    for key, value in (("rec_dislikes", []), ("rec_profile", []), ("rec_compare", [])):
        at.multiselect(key=key).set_value(value).run()


def test_a_rerun_of_the_latent_space_and_bias_pages_counts_no_untrained_items_again(time_split, monkeypatch):
    """The items a model never trained on come of a bincount over its whole training matrix, which the Latent space
    and Popularity bias pages did again on every rerun; a model's training part never changes, so it is counted once
    per model (cached_models.untrained_items, keyed by the model as the other caches are)."""
    from mfviz.dashboard import cached_models
    from mfviz.models import sanity

    at, name, entry = time_split
    counted, count = [], sanity.untrained_items
    monkeypatch.setattr(sanity, "untrained_items", lambda model: counted.append(model) or count(model))
    np.testing.assert_array_equal(cached_models.untrained_items(entry.key, entry.model),
                                  np.bincount(entry.train.matrix.indices, minlength=entry.model.n_items) == 0)
    open_page(at, "pages/latent_page.py")  # the first visit may count them (once per model)
    counted.clear()
    at.run()
    assert not problems(at), problems(at)
    assert [m.value for m in at.metric if m.label == "Items on the map"] == [f"{(~untrained_items(entry.model)).sum():,}"]
    assert not counted
    open_page(at, "pages/bias_page.py")
    at.session_state["bias_view"] = "Vector length and popularity"
    at.session_state["bias_norm_model"] = name
    at.run()
    counted.clear()
    at.run()
    assert not problems(at), problems(at)
    assert any(c.value.startswith(f"{int(untrained_items(entry.model).sum()):,} items the model was never trained on "
                                  "(zero vectors) are left out") for c in at.caption)
    assert not counted


def test_a_model_compared_that_skips_some_of_a_profile_says_which(time_split):
    """A model compared side by side that never trained on some items of a profile (its own split held them out)
    folded in the rest and said nothing of those it skipped, while the shown model's caption names its own
    (stakeholder demo): the side by side names them too."""
    at, by_time, entry = time_split
    models = at.session_state["mfviz.models"]
    choices = next(name for name, e in models.items() if e.auto)  # the quick default: trained on every item
    late = np.flatnonzero(untrained_items(entry.model))[:2]
    known = int(np.flatnonzero(~untrained_items(entry.model))[0])
    titles = at.session_state["mfviz.data"].interactions.titles
    open_page(at, "pages/recommend_page.py")
    at.selectbox(key="model_picker").set_value(choices).run()
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_compare").set_value([by_time]).run()
    at.multiselect(key="rec_profile").set_value([known, *late.tolist()]).run()
    assert not problems(at), problems(at)
    assert "**Side by side**" in [m.value for m in at.markdown]
    said = [c.value for c in at.caption if c.value.startswith("Left out of the fold-in side by side")]
    assert said == [f"Left out of the fold-in side by side: {by_time} left out {', '.join(str(titles[i]) for i in late)}: "
                    "items that model never trained on (its evaluation split held out all their interactions), so "
                    "their vectors were never fitted and would move nothing; its list is of the rest of the profile."]
    # a profile of items it trained on: nothing to say
    at.multiselect(key="rec_profile").set_value([known]).run()
    assert not any(c.value.startswith("Left out of the fold-in side by side") for c in at.caption)
    for key, value in (("rec_profile", []), ("rec_compare", [])):
        at.multiselect(key=key).set_value(value).run()
