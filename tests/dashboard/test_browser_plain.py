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
# Each sign Streamlit's Markdown reads, where it reads it: emphasis, links, LaTeX, colours, badges, emoji, icons,
# HTML, references, code, tables, headings, lists, quotes and a colon Markdown leaves alone
TEXTS = ["M*A*S*H (1970)", "$9.99 :red[x] [a](b)", "**x**.csv", "# head", "1. list", "10) list", "- item", "+ item",
         "> quote", "= h", "<b>x</b> & AT&amp;T", "a :smile: b :material/star: c :+1: :a:b:", "x_y_z _a_ ~~s~~ `c` | t |",
         "back\\slash \\* end\\", "$$x$$ \\(y\\)", ":red-badge[b] :blue-background[z]", "![i](x)",
         "u.data: 943 users", "ALS #2 (f=64)", "k < 3, R&B, 5 > 3", "user_01668 spark_als.zip"]
# (not -> <= >= or --: Streamlit turns them into → ≤ ≥ — whatever the escapes, see plain.py)
SCRIPT = """import streamlit as st
from mfviz.dashboard.plain import plain
for n, text in enumerate({texts!r}):
    st.caption(plain(text))
    st.button(plain(text), key=str(n))
"""

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


def test_every_sign_reads_as_written_in_a_caption_and_a_button_label(tmp_path):
    """plain's rules in the browser itself: a caption and a button label (both Markdown) read each text as written."""
    playwright = pytest.importorskip("playwright.sync_api")
    script = tmp_path / "signs.py"
    script.write_text(SCRIPT.format(texts=TEXTS))
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    with served_app(command, tmp_path, healthy_within=60) as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.locator("[data-testid='stButton']").nth(len(TEXTS) - 1).wait_for(timeout=WAIT_MS)
            settle(page)
            captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
            labels = page.locator("[data-testid='stButton'] button").all_inner_texts()
        finally:
            browser.close()
    assert captions == TEXTS
    assert labels == TEXTS


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
