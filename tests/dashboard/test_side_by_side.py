"""Comparing models for one user on MovieLens 100K, as RecTools' visual apps do: held-out items a list can hit,
each list side by side with its scores and popularity, the model shown and the models compared swapping places,
and tables that show their columns at 1,280-1,440 px. Through AppTest, with models trained on the data."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from test_pages import ML100K, history, new_app, open_page, recommended, train_on_page, upload

from mfviz.analysis.tradeoff import popularity_z, score_spread
from mfviz.evaluation.metrics import ranking_metrics

RECOMMEND, NEIGHBOURS = "pages/recommend_page.py", "pages/neighbours_page.py"
SHADE = "#a9d4a0"  # an item on every list side by side (compared_lists.SHARED_SHADE)
PAGE_AT_1280, PAGE_AT_1440 = 820, 980  # px of page content with the sidebar open (measured in Chromium)

LIGHT_SHADE = "#cfe6c9"  # of three lists or more, an item on some other list but not on every one (compared_lists.PARTLY_SHADE)


def ticked(marked) -> list[str]:
    """A hit column as the page shows it: a tick as text (✓) or blank."""
    return ["✓" if flag else "" for flag in marked]


def problems(at) -> list[str]:
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


@pytest.fixture(scope="module")
def movielens():
    """One session on MovieLens 100K (u.data + u.item) with the quick default (implicit ALS, random 20% split,
    seed 0) and a Funk SVD trained on the Train page (the same split: its defaults)."""
    if not ML100K.is_file():  # here, not for the module: the tests without MovieLens run everywhere
        pytest.skip(f"MovieLens 100K not found at {ML100K}")
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("u.item", (ML100K.parent / "u.item").read_bytes(), "text/plain"))
    upload(at, "u.data", ML100K.read_bytes())
    assert not problems(at)
    train_on_page(at, "funksvd", factors=16, epochs=10)
    return at


def entries(at) -> dict:
    return at.session_state["mfviz.models"]


def names(at) -> tuple[str, str]:
    """(the quick default's name, the Funk SVD's)."""
    default = next(name for name, entry in entries(at).items() if entry.auto)
    return default, next(name for name in entries(at) if name != default)


def on_recommend(at, shown: str, compared: list[str], hits: bool, beta: float = 0.0):
    """The Recommend page for a user of the data: `shown` as the model, `compared` side by side."""
    open_page(at, RECOMMEND)
    at.radio(key="rec_mode").set_value("a user in the data")
    at.selectbox(key="model_picker").set_value(shown).run()
    at.multiselect(key="rec_compare").set_value(compared)
    at.slider(key="rec_penalty").set_value(beta)
    if hits or "rec_hits" in at.session_state:  # off: as the page opens
        at.toggle(key="rec_hits").set_value(hits)
    at.run()
    assert not problems(at), problems(at)
    return at


def expected_list(entry, user: int, leave_out, popularity=None, beta: float = 0.0, n: int = 10) -> np.ndarray:
    """A user's top n by brute force: every item scored (dot product, plus item biases), `leave_out` items
    removed, then (beta > 0) the model's best 10·n re-ranked by score − β σ z (z: the standardised log
    `popularity`), as the page's penalty says."""
    model = entry.model
    scores = model.user_factors[user].astype(np.float64) @ model.item_factors.T.astype(np.float64)
    if getattr(model, "item_bias", None) is not None:
        scores = scores + model.item_bias
    scores[np.asarray(leave_out, np.int64)] = -np.inf
    if beta <= 0:
        return np.argsort(-scores, kind="stable")[:n]
    change = -beta * score_spread(model) * popularity_z(popularity)
    candidates = np.argsort(-scores, kind="stable")[:10 * n]
    return candidates[np.argsort(-(scores + change)[candidates], kind="stable")[:n]]


def side_tables(at) -> dict[str, object]:
    """The lists side by side: {model name: its dataframe element}, by the heading drawn above each."""
    headings = [m.value for m in at.markdown]
    start = headings.index("**Side by side**")
    names_drawn = [re.match(r"\*\*(.+?)\*\*", h).group(1) for h in headings[start + 1:]
                   if h.startswith("**") and (" hit" in h or h.endswith("**") or h.endswith("no held-out items")
                                              or "users behind them" in h)][:4]
    frames = [d for d in at.dataframe if d.value.index.name == "rank"]
    return dict(zip(names_drawn, frames, strict=False))


def shaded_rows(frame, shade: str = SHADE) -> set[int]:
    """Rows (0-based) whose title cell is shaded as "in every list" (or by `shade`: pandas writes one CSS rule per
    style, its selector listing the cells)."""
    rows = set()
    for selectors, style in re.findall(r"([^{}]+)\{([^}]*)\}", frame.proto.arrow_data.styler.styles):
        if shade in style:
            rows |= {int(row) for row, col in re.findall(r"row(\d+)_col(\d+)", selectors) if col == "0"}
    return rows


def assert_one_score_format(elements) -> None:
    """Every list side by side shows its scores with one count of decimals: 3 significant digits of the largest
    score of them all (each table its own format read 0.929 next to 0.0712 as if of different precision)."""
    from mfviz.dashboard.figures import fixed_decimals

    elements = list(elements)
    formats = {json.loads(e.proto.columns)["score"]["type_config"]["format"] for e in elements}
    assert formats == {fixed_decimals(np.concatenate([e.value["score"].to_numpy() for e in elements]))}


# ------------------------------------------------------------------ 1. held-out hits
def test_held_out_items_can_be_recommended_and_each_hit_is_marked_and_counted(movielens):
    at = movielens
    default, funk = names(at)
    inter = at.session_state["mfviz.data"].interactions

    # Off by default: nothing the user has in the data is recommended, so nothing can be a hit.
    open_page(at, RECOMMEND)
    assert at.toggle(key="rec_hits").value is False and not at.toggle(key="rec_hits").disabled
    assert "held-out" in at.toggle(key="rec_hits").help.lower() or "held out" in at.toggle(key="rec_hits").help
    user = at.selectbox(key="rec_user").value
    titles = inter.titles
    off = recommended(at).value
    assert "hit" not in off.columns
    assert not set(off["title"]) & set(titles[inter.matrix[user].indices])

    on_recommend(at, default, [funk], hits=True)
    entry = entries(at)[default]
    held = np.setdiff1d(inter.matrix[user].indices, entry.train.matrix[user].indices)
    assert held.size > 0  # the quick default holds a fifth of the interactions out
    expected = expected_list(entry, user, entry.train.matrix[user].indices)
    table = recommended(at).value
    assert table["title"].tolist() == [str(t) for t in titles[expected]]
    assert table["hit"].tolist() == ticked(np.isin(expected, held))
    found = int(np.isin(expected, held).sum())
    assert found > 0, "user 554's list hits held-out films on MovieLens 100K (9 of 10 when measured)"
    # the count is the one user's precision@10 and recall@10, as the evaluation computes them
    relevant = entry.test.matrix[[user]]
    metrics = ranking_metrics(expected[None, :], relevant, 10)
    assert metrics["precision@10"] == pytest.approx(found / 10)
    said = next(m.value for m in at.markdown if m.value.startswith("**Hits:"))
    assert said.startswith(f"**Hits: {found} of these 10** are among the {held.size} items user "
                           f"{inter.user_ids[user]} has")
    assert f"precision@10 = {found / 10:.2f}" in said
    assert f"recall@10 = {found}/{held.size} = {metrics['recall@10']:.2f}" in said
    assert any(c.value.startswith(f"Only the items {default} was trained on are left out") for c in at.caption)

    # side by side: each model leaves out its own training items; its hits ticked and counted in its heading
    sides = side_tables(at)
    assert list(sides) == [default, funk]
    other = entries(at)[funk]
    other_held = np.setdiff1d(inter.matrix[user].indices, other.train.matrix[user].indices)
    other_expected = expected_list(other, user, other.train.matrix[user].indices)
    funk_table = sides[funk].value
    assert funk_table["title"].tolist() == [str(t) for t in titles[other_expected]]
    assert funk_table["hit"].tolist() == ticked(np.isin(other_expected, other_held))
    funk_found = int(np.isin(other_expected, other_held).sum())
    assert any(m.value == f"**{funk}** · {funk_found} hit{'s' if funk_found != 1 else ''} in 10" for m in at.markdown)
    assert any(m.value == f"**{default}** · {found} hit{'s' if found != 1 else ''} in 10" for m in at.markdown)
    assert sides[default].value["hit"].tolist() == table["hit"].tolist()
    caption = next(c.value for c in at.caption if c.value.startswith("Shaded: in every list"))
    assert "Hit (ticked)" in caption and "precision for this one user" in caption

    # under a popularity penalty the lists are re-ranked from the same candidates: held-out items still hit
    on_recommend(at, default, [funk], hits=True, beta=0.5)
    popularity = np.diff(inter.matrix.tocsc().indptr)  # counted on all the data, as the page says
    penalised = expected_list(entry, user, entry.train.matrix[user].indices, popularity, beta=0.5)
    table = recommended(at).value
    assert table["title"].tolist() == [str(t) for t in titles[penalised]]
    assert table["hit"].tolist() == ticked(np.isin(penalised, held))
    assert "ranked by" in side_tables(at)[default].value.columns
    said = next(m.value for m in at.markdown if m.value.startswith("**Hits:"))
    assert f"**Hits: {int(np.isin(penalised, held).sum())} of these 10**" in said
    assert "without a popularity penalty" in said


def test_the_hits_switch_is_disabled_with_why_for_a_model_trained_on_all_the_data(movielens):
    at = movielens
    default, _ = names(at)
    open_page(at, "pages/train_page.py")
    at.selectbox(key="train_model").set_value("als").run()
    at.selectbox(key="split_method").set_value("none")
    at.button(key="train_submit").click().run()
    assert not problems(at)
    everything = next(name for name, entry in entries(at).items() if entry.test is None)
    on_recommend(at, default, [], hits=True)
    at.selectbox(key="model_picker").set_value(everything).run()
    assert not problems(at)
    switch = at.toggle(key="rec_hits_none")
    assert switch.disabled and switch.value is False and "no item was held out of its training" in switch.help
    inter = at.session_state["mfviz.data"].interactions
    user = at.selectbox(key="rec_user").value
    table = recommended(at).value
    assert "hit" not in table.columns and not any(m.value.startswith("**Hits:") for m in at.markdown)
    assert not set(table["title"]) & set(inter.titles[inter.matrix[user].indices])
    # beside a model with a split, its list leaves out all the user has, and says why it has no hits; the switch,
    # turned on for the model with a split, is still on when that model is shown again (it was turned off for good)
    at.selectbox(key="model_picker").set_value(default).run()
    assert at.toggle(key="rec_hits").value is True
    at.multiselect(key="rec_compare").set_value([everything]).run()
    assert not problems(at)
    sides = side_tables(at)
    assert "hit" not in sides[everything].value.columns and "hit" in sides[default].value.columns
    assert f"**{everything}** · no held-out items" in [m.value for m in at.markdown]  # said at the list too
    assert not set(sides[everything].value["title"]) & set(inter.titles[inter.matrix[user].indices])
    caption = next(c.value for c in at.caption if c.value.startswith("Shaded: in every list"))
    assert f"{everything} holds no item out of training" in caption
    del entries(at)[everything]  # the other tests compare two models
    at.session_state["mfviz.active_model"] = default


# ------------------------------------------------------------------ 2. scores and popularity side by side
def test_each_list_side_by_side_has_its_scores_and_popularity_and_the_shared_items_shaded(movielens):
    at = movielens
    default, funk = names(at)
    on_recommend(at, default, [funk], hits=False)
    inter = at.session_state["mfviz.data"].interactions
    user = at.selectbox(key="rec_user").value
    popularity = np.diff(inter.matrix.tocsc().indptr)
    sides = side_tables(at)
    lists = {}
    for name, element in sides.items():
        frame = element.value
        assert list(frame.columns) == ["title", "lists", "score", "popularity"]
        assert frame.index.tolist() == list(range(1, 11))  # the rank
        ids, scores = entries(at)[name].model.recommend([user], n=10, exclude=inter.matrix)
        assert frame["title"].tolist() == [str(t) for t in inter.titles[ids[0]]]
        np.testing.assert_allclose(frame["score"], scores[0], rtol=1e-5)
        assert frame["popularity"].tolist() == popularity[ids[0]].tolist()
        lists[name] = ids[0]
        # readable at 1,280 px: two tables to a row, each within half the page
        widths = {column: spec["width"] for column, spec in json.loads(element.proto.columns).items()}
        assert sum(widths[c] for c in ("_index", *frame.columns)) <= (PAGE_AT_1280 - 16) // 2
        # 194 px: "pop." (44 px) became "popularity" (68 px), the one name of the pages; "lists" gave 4 px back
        assert widths["title"] >= 194
    assert_one_score_format(sides.values())
    # right under the main list, above the user's history (the history came between them)
    frames = [d.value for d in at.dataframe]
    first_side = next(n for n, f in enumerate(frames) if f.index.name == "rank")
    assert "because of" in frames[0].columns and first_side < next(n for n, f in enumerate(frames)
                                                                  if "held out" in f.columns)
    # the main list's scores are the page's own
    np.testing.assert_allclose(sides[default].value["score"], recommended(at).value["score"], atol=5e-4)
    everywhere = set(lists[default].tolist()) & set(lists[funk].tolist())
    for name, element in sides.items():
        assert shaded_rows(element) == {r for r, i in enumerate(lists[name].tolist()) if i in everywhere}
        # and said in words, for whoever does not see the shading
        assert element.value["lists"].tolist() == ["both" if i in everywhere else "" for i in lists[name].tolist()]
    assert any(c.value.startswith(f"Shaded: in every list ({len(everywhere)} of 10), “both” under lists")
               for c in at.caption)

    # Neighbours: the cosine similarities in each model
    open_page(at, NEIGHBOURS)
    at.multiselect(key="neighbours_compare").set_value([funk]).run()
    assert not problems(at)
    item, k = at.selectbox(key="neighbours_item").value, at.number_input(key="neighbours_k").value
    shown = at.selectbox(key="model_picker").value
    for name, element in side_tables(at).items():
        ids, scores = entries(at)[name].model.similar_items([item], n=k, metric="cosine")
        frame = element.value
        assert list(frame.columns) == ["title", "lists", "score", "popularity", "together"], name
        # still two to a row at 1,280 px with the shared users: 134 px of title, wrapping onto a second line
        widths = {column: spec["width"] for column, spec in json.loads(element.proto.columns).items()}
        assert sum(widths[c] for c in ("_index", *frame.columns)) <= (PAGE_AT_1280 - 16) // 2
        assert widths["title"] >= 130
        assert frame["title"].tolist() == [str(t) for t in inter.titles[ids[0]]]
        np.testing.assert_allclose(frame["score"], scores[0], atol=1e-4)
        assert frame["popularity"].tolist() == popularity[ids[0]].tolist()
    assert set(side_tables(at)) == {shown, funk}
    assert_one_score_format(side_tables(at).values())


# ------------------------------------------------------------------ 3. the model shown swaps with one compared
@pytest.mark.parametrize("page, picker", [(RECOMMEND, "rec_compare"), (NEIGHBOURS, "neighbours_compare")])
def test_showing_a_model_compared_puts_the_one_shown_before_in_its_place(movielens, page, picker):
    at = movielens
    default, funk = names(at)
    open_page(at, page)
    at.selectbox(key="model_picker").set_value(default).run()
    at.multiselect(key=picker).set_value([funk]).run()
    at.selectbox(key="model_picker").set_value(funk).run()
    assert not problems(at)
    assert at.multiselect(key=picker).value == [default]
    at.selectbox(key="model_picker").set_value(default).run()
    assert at.multiselect(key=picker).value == [funk]


# ------------------------------------------------------------------ 3b. the data's evidence beside each model's neighbours
def test_each_models_neighbours_side_by_side_show_the_users_behind_them_and_warn_of_rare_items(movielens):
    """A reviewer read Truncated SVD's side-by-side list of Star Wars with Temptress Moon (3 interactions) second,
    no users shared, no warning: each list side by side shows its shared users (and lift), each model its "users
    behind them", and a rare item high in any list is warned of. Counted here by NumPy on the dense matrix."""
    from mfviz.analysis import neighbour_popularity_summary
    from mfviz.analysis.neighbours import exact_search

    at = movielens
    default, funk = names(at)
    inter = at.session_state["mfviz.data"].interactions
    has = inter.matrix.toarray() > 0  # users × items
    training = {name: np.bincount(entries(at)[name].train.matrix.indices, minlength=inter.n_items)
                for name in (default, funk)}
    vectors = entries(at)[funk].model.item_factors
    # an item of 50+ users whose Funk SVD cosine list has an item under 10 training interactions among its 5 first
    popular = np.flatnonzero(has.sum(axis=0) >= 50)
    lists, _ = exact_search(vectors[popular], vectors, 10, "cosine", exclude_self_ids=popular)
    item = int(popular[np.flatnonzero((training[funk][lists[:, :5]] < 10).any(axis=1))[0]])
    open_page(at, NEIGHBOURS)
    at.selectbox(key="model_picker").set_value(default).run()
    at.session_state["neighbours_item"] = item
    at.multiselect(key="neighbours_compare").set_value([funk]).run()
    assert not problems(at), problems(at)
    headings = [m.value for m in at.markdown if m.value.startswith(("**" + default, "**" + funk))]
    for more in (False, True):
        at.toggle(key="neighbours_more_columns").set_value(more).run()
        assert not problems(at), problems(at)
        tables = side_tables(at)
        assert set(tables) == {default, funk}
        for name, table in tables.items():
            ids = exact_search(entries(at)[name].model.item_factors[[item]], entries(at)[name].model.item_factors, 10,
                               "cosine", exclude_self_ids=[item])[0][0]
            assert table.value["title"].tolist() == inter.titles[ids].tolist()
            together = (has[:, [item]] & has[:, ids]).sum(axis=0)
            assert table.value["together"].tolist() == together.tolist()
            if more:  # lift as the shown model's own list has it: users with both / users × share of each
                users, count = has.shape[0], has.sum(axis=0)
                np.testing.assert_allclose(table.value["lift"], together * users / (count[item] * count[ids]))
            else:
                assert "lift" not in table.value.columns
    # each model's users behind them: the card's figure of its own lists over 1,000 sampled items
    for name in (default, funk):
        summary = neighbour_popularity_summary(entries(at)[name].model.item_factors, inter.item_popularity, k=10,
                                               sample=1000, interactions=inter.matrix, support=training[name])
        said = (f"users behind them {summary['median_lift_cosine']:.1f}× (random as popular "
                f"{summary['median_lift_null_cosine']:.1f}×)")
        assert any(h.startswith(f"**{name}**") and said in h for h in headings), headings
    caption = next(c.value for c in at.caption if "in every list" in c.value)
    assert "Users behind them (as the card of that name under *Over many items*" in caption and f"; {funk} " in caption
    # the rare item warned of, by its rank in the Funk SVD list; the button beside it sets the filter to 10
    funk_ids = exact_search(vectors[[item]], vectors, 10, "cosine", exclude_self_ids=[item])[0][0]
    rare = np.flatnonzero(training[funk][funk_ids] < 10)
    warning = next(w.value for w in at.warning if f" in {funk} (" in w.value)
    assert f"{rare.size} of the 10 in {funk} (" in warning and f"#{rare[0] + 1}, " in warning
    at.button(key="neighbours_min_support_few_side").click().run()
    assert not problems(at), problems(at)
    assert at.number_input(key="neighbours_min_support").value == 10
    assert not any("fewer than 10 interactions" in w.value for w in at.warning)
    at.number_input(key="neighbours_min_support").set_value(0)
    at.toggle(key="neighbours_more_columns").set_value(False).run()


# ------------------------------------------------------------------ 4. widths
def test_the_history_and_the_recommendations_show_their_columns_at_1440_px(movielens):
    at = movielens
    default, _ = names(at)
    on_recommend(at, default, [], hits=False)
    past, listed = history(at), recommended(at)
    assert "held out" in past.value.columns and "genres" in past.value.columns
    # when each was rated (RecTools' apps show a history in time order; a click on the column orders it)
    import pandas as pd

    inter = at.session_state["mfviz.data"].interactions
    user = at.selectbox(key="rec_user").value
    start, end = inter.matrix.indptr[user], inter.matrix.indptr[user + 1]
    expected = sorted(zip([str(t) for t in inter.titles[inter.matrix.indices[start:end]]],
                          pd.to_datetime(inter.timestamps[start:end], unit="s"), strict=True))
    assert sorted(zip(past.value["title"], past.value["when"], strict=True)) == expected
    # each table at the page's width, not in a column beside the other (there the history had ~350 px at 1,440)
    assert not [d for column in at.columns for d in column.dataframe]
    widths = {name: spec.get("width") for name, spec in json.loads(past.proto.columns).items()}
    sizes = {"small": 75, "medium": 200, "large": 400}
    shown = [widths[c] if isinstance(widths[c], int) else sizes[widths[c]] for c in past.value.columns]
    assert sum(shown) <= PAGE_AT_1280  # every column of the history at 1,280 px
    assert widths["title"] >= 260  # "Empire Strikes Back, The (1980)": 183 px of text at 14 px, plus padding
    widths = {name: spec.get("width") for name, spec in json.loads(listed.proto.columns).items()}
    before_genres = list(listed.value.columns[:list(listed.value.columns).index("genres") + 1])
    shown = [widths[c] if isinstance(widths[c], int) else sizes[widths[c]] for c in before_genres]
    assert sum(shown) <= PAGE_AT_1440, dict(zip(before_genres, shown, strict=True))


def test_of_three_lists_an_item_on_some_other_list_is_lightly_shaded():
    # Three lists of which two share 7 items, none on all three: only "in every list" was shaded (0 of 10), so
    # the 7 the caption counted were not to be seen (stakeholder review).
    from mfviz.dashboard.compared_lists import PARTLY_SHADE, SHARED_SHADE, shared_shades

    a, b, c = np.array([1, 2, 3, 4]), np.array([2, 3, 9, 8]), np.array([3, 7, 6, 5])
    shades = shared_shades({"a": a, "b": b, "c": c})
    assert shades == {"a": ["", PARTLY_SHADE, SHARED_SHADE, ""], "b": [PARTLY_SHADE, SHARED_SHADE, "", ""],
                      "c": [SHARED_SHADE, "", "", ""]}
    # two lists: an item on the other list is on every list
    assert shared_shades({"a": a, "b": b}) == {"a": ["", SHARED_SHADE, SHARED_SHADE, ""],
                                               "b": [SHARED_SHADE, SHARED_SHADE, "", ""]}


def _side_by_side_script(lists):
    import numpy as np

    from mfviz.dashboard import compared_lists

    compared_lists.side_by_side({name: compared_lists.SideList(np.array(items), np.linspace(1.0, 0.5, len(items))) for name, items in lists.items()},
                    np.array([f"title {i}" for i in range(10)], dtype=object), 10 * np.arange(1, 11), n=4)


@pytest.mark.parametrize("lists, every, some, words, said", [
    # two lists: an item on the other list is on every list; nothing is lightly shaded, and the caption says none
    ({"a": [1, 2, 3, 4], "b": [2, 3, 9, 8]}, {"a": {1, 2}, "b": {0, 1}}, {"a": set(), "b": set()},
     {"a": ["", "both", "both", ""], "b": ["both", "both", "", ""]},
     "Shaded: in every list (2 of 4), “both” under lists. Items two lists share: a ∩ b: 2."),
    # three lists: item 3 on all three, item 2 on a and b only
    ({"a": [1, 2, 3, 4], "b": [2, 3, 9, 8], "c": [3, 7, 6, 5]}, {"a": {2}, "b": {1}, "c": {0}},
     {"a": {1}, "b": {0}, "c": set()},
     {"a": ["", "2 of 3", "all 3", ""], "b": ["2 of 3", "all 3", "", ""], "c": ["all 3", "", "", ""]},
     "Shaded: in every list (1 of 4), “all 3” under lists; lightly shaded: in some of the others, “2 of 3”. Items "
     "two lists share: a ∩ b: 2; a ∩ c: 1; b ∩ c: 1.")])
def test_each_list_side_by_side_shades_its_own_rows_and_the_caption_counts_them(lists, every, some, words, said):
    # without MovieLens: the shading of each list's own rows and the caption's counts, for two lists and for three
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_side_by_side_script, args=(lists,)).run()
    assert not problems(at), problems(at)
    tables = side_tables(at)
    assert list(tables) == list(lists)
    assert {name: shaded_rows(table) for name, table in tables.items()} == every
    assert {name: shaded_rows(table, LIGHT_SHADE) for name, table in tables.items()} == some
    assert {name: table.value["lists"].tolist() for name, table in tables.items()} == words  # the shading in words
    assert any(c.value.startswith(said) for c in at.caption), [c.value for c in at.caption]


def test_a_model_compared_that_was_trained_on_none_of_the_users_interactions_is_left_out_with_why():
    """A model compared may come of a split by time, which held out all of a user's interactions: its list there
    was the catalogue in index order (all scores 0); it is left out of the side by side, and the caption says why."""
    at = train_on_page(new_app(), "ials", factors=8)  # the quick default's split: by user, everyone trained
    open_page(at, "pages/train_page.py")
    at.selectbox(key="train_model").set_value("svd").run()
    at.selectbox(key="split_method").set_value("time")
    at.button(key="train_submit").click().run()
    shown, by_time = (next(name for name, e in entries(at).items() if e.kind == kind and not e.auto)
                      for kind in ("ials", "svd"))
    untrained = np.flatnonzero(np.diff(entries(at)[by_time].train.matrix.indptr) == 0)
    assert untrained.size
    at = on_recommend(at, shown, [by_time], hits=False)
    at.selectbox(key="rec_user").set_value(int(untrained[0])).run()
    assert not problems(at), problems(at)
    assert "**Side by side**" not in [m.value for m in at.markdown]
    said = [c.value for c in at.caption if c.value.startswith("Not side by side")]
    assert said == [f"Not side by side: {by_time}, trained on none of this user's interactions (its evaluation split "
                    "held them all out), so its list would say nothing of them."]
    at.selectbox(key="rec_user").set_value(int(np.flatnonzero(np.diff(entries(at)[by_time].train.matrix.indptr))[0]))
    at.run()  # a user both models know: side by side as before
    assert "**Side by side**" in [m.value for m in at.markdown]
    assert not any(c.value.startswith("Not side by side") for c in at.caption)
