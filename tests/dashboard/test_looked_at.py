"""The item last looked at on Latent space is the item Neighbours shows next, and the other way round
(mfviz/dashboard/looked_at.py), through AppTest on the demo; a choice on the page itself or a link still wins."""

from __future__ import annotations

from test_links import open_link
from test_pages import new_app, open_page

NEIGHBOURS, LATENT, SPECTRUM = "pages/neighbours_page.py", "pages/latent_page.py", "pages/spectrum_page.py"


def visit(at, page: str):
    """Open `page` from the navigation: the browser drops the last page's address (AppTest keeps it, which then
    read as a link to the next page)."""
    at.query_params.clear()
    return open_page(at, page)


def test_the_item_drawn_on_the_map_is_the_item_neighbours_opens_on_and_back():
    at = open_page(new_app(), NEIGHBOURS)
    opening = at.selectbox(key="neighbours_item").value
    visit(at, LATENT)
    # the Neighbours page's own opening item was not looked at: the map draws no neighbours until asked
    assert at.selectbox(key="latent_anchor").value is None
    other = 7 if opening != 7 else 8
    at.selectbox(key="latent_anchor").set_value(other).run()  # as a click on its point sets it
    visit(at, SPECTRUM)  # another page between: the item waits
    visit(at, NEIGHBOURS)
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="neighbours_item").value == other
    # its own picker rules on the page afterwards
    at.selectbox(key="neighbours_item").set_value(3).run()
    assert at.selectbox(key="neighbours_item").value == 3
    at.run()
    assert at.selectbox(key="neighbours_item").value == 3
    # and the map then draws the neighbours of the item Neighbours showed last
    visit(at, LATENT)
    assert at.selectbox(key="latent_anchor").value == 3
    # a map let go of its item (Clear) leaves Neighbours on its own
    at.session_state["latent_anchor"] = None
    at.run()
    visit(at, NEIGHBOURS)
    assert at.selectbox(key="neighbours_item").value == 3


def test_a_link_naming_an_item_wins_over_the_item_looked_at_on_the_map():
    at = open_page(new_app(), NEIGHBOURS)
    data = at.query_params["data"]
    item_ids = at.session_state["mfviz.data"].interactions.item_ids
    visit(at, LATENT)
    at.selectbox(key="latent_anchor").set_value(11).run()
    open_link(at, NEIGHBOURS, data=data, item=item_ids[20])
    assert at.selectbox(key="neighbours_item").value == 20
    visit(at, LATENT)  # the link's item is the one looked at last
    assert at.selectbox(key="latent_anchor").value == 20


def test_an_item_looked_at_with_another_model_is_not_taken_up():
    at = open_page(new_app(), NEIGHBOURS)
    opening = at.selectbox(key="neighbours_item").value
    visit(at, LATENT)
    other = 7 if opening != 7 else 8
    at.selectbox(key="latent_anchor").set_value(other).run()
    at.session_state["mfviz.looked_at"] = {**at.session_state["mfviz.looked_at"], "model": "another model's key"}
    visit(at, NEIGHBOURS)
    assert at.selectbox(key="neighbours_item").value == opening
