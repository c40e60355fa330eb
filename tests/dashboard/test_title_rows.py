"""Long titles wrap in the Neighbours page's tables (title_rows): rows tall enough for a second line when a title
would be cut at its column's edge, none when every title fits; the same for both lists, so their rows stay level."""

from test_pages import new_app, open_page

from mfviz.dashboard import title_rows

NEIGHBOURS = "pages/neighbours_page.py"


def test_a_title_wraps_only_when_it_would_be_cut():
    # 180 px at 1,280 px: "Lawrence of Arabia (1962)" fits; "Operation Dumbo Drop (1995)" was seen cut (the estimate
    # errs toward wrapping: "2001: A Space Odyssey (1968)", one character more but narrower ones, just fitted)
    assert title_rows.fits(["Star Wars (1977)", "Lawrence of Arabia (1962)"], 180)
    assert not title_rows.fits(["Star Wars (1977)", "Operation Dumbo Drop (1995)"], 180)
    assert title_rows.fits([], 180)
    assert title_rows.sizing(10, (["Star Wars (1977)"], 180), (["Fargo (1996)"], 180)) == {}
    wrapped = title_rows.sizing(10, (["Star Wars (1977)"], 180), (["Far From Home: The Adventures of Yellow Dog"], 180))
    assert wrapped == {"row_height": 65, "height": 35 + 65 * 10 + 3}
    assert title_rows.sizing(50, (["x" * 60], 180))["height"] == 35 + 65 * 10 + 3  # ten rows shown, the rest scrolled
    assert title_rows.sizing(3, (["x" * 60], 180))["height"] == 35 + 65 * 3 + 3


def test_the_neighbours_tables_wrap_long_titles_and_keep_short_ones_on_one_line():
    at = open_page(new_app(), NEIGHBOURS)
    titles = at.session_state["mfviz.data"].interactions.titles
    seen = set()
    at.number_input(key="neighbours_k").set_value(3).run()  # short lists: some hold no long title (on the demo, 1 in 4 is)
    for item in range(40):  # items whose lists hold a long title, and one whose lists hold none
        at.selectbox(key="neighbours_item").set_value(item).run()
        assert not at.exception
        tables = [frame for frame in at.dataframe if "title" in frame.value.columns and "together" in frame.value.columns]
        shown = [str(title) for frame in tables for title in frame.value["title"]]
        heights = {frame.proto.row_height for frame in tables}
        assert len(tables) == 2 and len(heights) == 1, heights  # both lists alike
        assert heights == ({65} if not title_rows.fits(shown, 180) else {0}), (titles[item], shown)
        seen |= heights
    assert seen == {0, 65}  # both cases met
