"""In a real Chromium (see test_browser.py), on MovieLens 100K: a title with Markdown's signs reads on screen as
written. "M*A*S*H (1970)" was set as "M<em>A</em>S*H (1970)" in the Neighbours page's "← Back to …" button.

Run: .venv/bin/pytest -m browser tests/dashboard/test_browser_plain.py
"""

from __future__ import annotations

import re
import sys

import pytest
from app_server import served_app
from test_browser import CHROMIUM, FLAGS, ML100K, WAIT_MS, errors, exceptions, settle, tick_row

MASH = "M*A*S*H (1970)"  # item 211 of MovieLens 100K

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not ML100K.is_file(), reason=f"MovieLens 100K is not at {ML100K}"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """A Chromium page beside the dashboard started on MovieLens 100K (`mfviz dashboard u.data`, u.item beside it)."""
    playwright = pytest.importorskip("playwright.sync_api")
    command = [sys.executable, "-m", "mfviz", "dashboard", str(ML100K)]
    with served_app(command, tmp_path_factory.mktemp("streamlit"), healthy_within=180) as url, \
            playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.url_of_app = url
            yield page
        finally:
            browser.close()


def test_a_title_with_asterisks_reads_as_written_on_the_neighbours_page(page):
    page.goto(page.url_of_app + "/neighbours?item=211")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)
    settle(page)
    item = page.get_by_role("combobox", name="Item", exact=True)
    assert item.input_value().startswith(f"{MASH} · "), item.input_value()
    tick_row(page, 0, 0)  # to its closest cosine neighbour: the way back names M*A*S*H, in Markdown
    assert not exceptions(page) and not errors(page), errors(page)
    back = page.get_by_role("button", name=re.compile(r"^← Back to "))
    assert back.inner_text().strip() == f"← Back to {MASH}"
    assert f"Back to {MASH}" in page.locator("[data-testid='stMain']").inner_text()
    markdown = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']").evaluate_all(
        "nodes => nodes.map(n => n.innerHTML)")
    assert not [m for m in markdown if "<em>A</em>" in m or "katex" in m], "a title set as Markdown"
