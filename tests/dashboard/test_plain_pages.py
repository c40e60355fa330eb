"""Titles and file names with Markdown's signs appear on the pages as written (AppTest): each element that renders
Markdown carries them escaped (plain.plain), never raw, where "M*A*S*H (1970)" read "M<em>A</em>S*H"."""

from __future__ import annotations

import numpy as np
from test_pages import new_app, open_page, upload

from mfviz.dashboard import pickers
from mfviz.dashboard.plain import plain

MASH, PRICE, FILE = "M*A*S*H (1970)", "$9.99 :red[x] [a](b)", "**x**.csv"
TITLES = [MASH, PRICE] + [f"Film {n}" for n in range(3, 21)]


def ratings_csv() -> bytes:
    """40 users rating 20 items, the two titled with Markdown's signs by everyone (the most popular)."""
    rng = np.random.default_rng(0)
    rows = ["user,item,rating"]
    for user in range(1, 41):
        for item in [1, 2, *rng.choice(np.arange(3, 21), 8, replace=False)]:
            rows.append(f"u{user},{item},{rng.integers(1, 6)}")
    return "\n".join(rows).encode()


def items_csv() -> bytes:
    return ("item,title\n" + "\n".join(f"{n},{title}" for n, title in enumerate(TITLES, 1))).encode()


def rendered(at) -> list[str]:
    """The values of the elements that render Markdown: text, captions, headings, alerts, metric labels and values,
    and widget labels and help texts. Not the charts drawn as SVG in an HTML block (unsafe_allow_html), which Markdown
    leaves alone: their text is HTML-escaped (svg_charts), and the browser test reads what is on screen."""
    texts = [e.value for kind in ("markdown", "caption", "subheader", "header", "title", "info", "warning", "error",
                                  "success") for e in getattr(at, kind)]
    texts += [str(getattr(m, attr)) for m in at.metric for attr in ("label", "value", "help")]
    for kind in ("button", "selectbox", "multiselect", "checkbox", "toggle", "radio", "number_input", "slider"):
        texts += [str(getattr(w, attr, "") or "") for w in getattr(at, kind) for attr in ("label", "help")]
    return [t for t in texts if not t.startswith("<div")]


def shown_raw(texts: list[str], *raw: str) -> list[str]:
    """The texts holding any of `raw` unescaped (each would render as Markdown)."""
    return [t for t in texts if any(r in t.replace(plain(r), "") for r in raw)]


def loaded():
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("items.csv", items_csv(), "text/plain"))
    at = upload(at, FILE, ratings_csv())
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_the_file_name_is_shown_as_written_on_the_data_page_and_the_sidebar():
    at = loaded()
    texts = rendered(at)
    assert plain(f"Loaded {FILE}: 40 users, 20 items, 400 interactions.") in texts  # the notice, and the heading
    assert any(t == f"What is loaded: {plain(FILE)}" for t in texts), texts
    assert any(t.startswith(f"**{plain(FILE)}**") for t in texts), texts  # the sidebar, its own bold kept
    assert not shown_raw(texts, FILE)


def test_titles_with_markdown_signs_are_shown_as_written_on_the_neighbours_page():
    at = loaded()
    open_page(at, "pages/neighbours_page.py")
    # a step from M*A*S*H (index 0) to "$9.99 …" (index 1), as a tick on its row makes it (pickers._step): the way
    # back names M*A*S*H in its button, which renders Markdown
    at.selectbox(key="neighbours_item").set_value(1)
    at.session_state[pickers.TRAIL] = {"neighbours_item": {"from": [0], "to": 1}}
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.button(key="neighbours_item.back").label == f"← Back to {plain(MASH)}"
    assert not shown_raw(rendered(at), MASH, PRICE, FILE)


def test_titles_with_markdown_signs_are_shown_as_written_under_the_latent_space_map():
    at = loaded()
    open_page(at, "pages/latent_page.py")
    at.selectbox(key="latent_anchor").set_value(1).run()  # "$9.99 :red[x] [a](b)", the inspected item
    assert not at.exception and not at.error, [e.value for e in at.error]
    texts = rendered(at)
    assert any(t.startswith(f"**★ {plain(PRICE)}** · ") for t in texts), [t for t in texts if "★" in t]
    assert not shown_raw(texts, MASH, PRICE, FILE)
