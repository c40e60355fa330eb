"""In a real Chromium (see test_browser.py): a point clicked on the Latent space map is the item the Neighbours page
shows when the analyst goes there next from the navigation, and the map then draws the item Neighbours showed.

Run: .venv/bin/pytest -m browser tests/dashboard/test_browser_looked_at.py -s
"""

from __future__ import annotations

import test_browser
from test_browser import (
    POINT_TO_CLICK,
    WAIT_MS,
    after_action,
    errors,
    exceptions,
    open_page,
    settle,
)

pytestmark = test_browser.pytestmark
browser_page, server = test_browser.browser_page, test_browser.server  # its fixtures: a Chromium, a server on the demo


def test_the_point_clicked_on_the_map_is_the_item_neighbours_opens_on(browser_page, server):
    page = browser_page
    url, _ = server
    page.goto(url + "/latent?map=pca")  # PCA: instant, whatever numba has compiled
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=WAIT_MS)
    settle(page)
    x, y, near = page.evaluate(POINT_TO_CLICK)
    page.mouse.move(x, y)  # Plotly clicks the point under the hover
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    star = page.locator("[data-testid='stMarkdownContainer']", has_text="★").first
    star.wait_for(timeout=WAIT_MS)
    after_action(page)
    clicked = star.inner_text().removeprefix("★ ").split(" · ")[0]
    assert clicked in near, (clicked, near)

    open_page(page, "Neighbours")  # from the navigation, not the "Open in Neighbours" button
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)
    assert not exceptions(page) and not errors(page), errors(page)
    item = page.get_by_role("combobox", name="Item", exact=True)
    assert item.input_value().startswith(f"{clicked} · "), (item.input_value(), clicked)
    assert "item=" in page.url

    # another item picked on Neighbours is the one the map draws next
    item.click()
    option = page.get_by_role("option").nth(3)
    picked = option.inner_text().split(" · ")[0]
    option.click()
    after_action(page)
    assert item.input_value().startswith(f"{picked} · ") and picked != clicked
    open_page(page, "Latent space")
    star.wait_for(timeout=WAIT_MS)
    assert star.inner_text().removeprefix("★ ").split(" · ")[0] == picked
    assert not exceptions(page) and not errors(page), errors(page)
