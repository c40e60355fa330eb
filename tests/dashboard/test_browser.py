"""End to end in a real headless Chromium: `streamlit run app.py`, upload, train ImplicitALS, open
every page, check headings and charts, save a screenshot per page, click a point of the Latent space
map (the inspected item must be a point under the mouse) and select points with the box and the
lasso tool (the listed items must match the points inside the dragged rectangle), and print how
long things took.

Run: .venv/bin/pytest -m browser tests/dashboard/test_browser.py -s
Timings are printed, never asserted: this machine is shared and slow machines must not fail it.
"""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from app_server import SERVE, served_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ML100K = ROOT.parent / "shared" / "datasets" / "ml-100k" / "u.data"
# Where the pages' pictures go: a scratch folder, so that running the tests leaves the checkout as it was;
# `make screenshots` (MFVIZ_SCREENSHOTS=docs/screenshots) refreshes the README's.
SHOTS = ROOT / os.environ.get("MFVIZ_SCREENSHOTS", "/tmp/mfviz-screenshots")
# what came of a training: a success, or one warning when it ranks below the baseline or the model shown before
# (case-sensitive, unlike a plain has_text: the form's "last trained with" note is no outcome; a \b before it matched
# no alert in Chromium, the text running on, it seems, from the icon's name)
TRAINED, TRAINED_WORDS = "[data-testid='stMain'] [data-testid='stAlert']", re.compile("Trained ")
WAIT_MS = 240_000  # generous: the first runs compile numba kernels on a shared 2-core machine
PLOTLY, SVG = "[data-testid='stPlotlyChart']", "svg.mfviz-chart"  # Plotly charts; the Data page's SVG charts
# (page title in the navigation, file name of its screenshot, the kind of chart it must show)
PAGES = [("Data", "data", SVG), ("Train", "train", PLOTLY), ("Latent space", "latent_space", PLOTLY),
         ("Neighbours", "neighbours", PLOTLY), ("Spectrum", "spectrum", PLOTLY),
         ("Popularity bias", "popularity_bias", PLOTLY), ("Recommend", "recommend", None)]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"),
]


def settle(page) -> None:
    """Wait until the script run has finished and no spinner is left."""
    page.wait_for_selector(IDLE, timeout=WAIT_MS)
    page.wait_for_selector("[data-testid='stSpinner']", state="detached", timeout=WAIT_MS)
    page.wait_for_selector(IDLE, timeout=WAIT_MS)


def after_action(page) -> None:
    """After a click or upload: let the rerun start (it may be too quick to see), then settle."""
    try:
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=1500)
    except Exception:  # noqa: BLE001 - a run shorter than the polling interval
        pass
    settle(page)


def heading(page) -> str:
    return page.locator("[data-testid='stMainBlockContainer'] h1").first.inner_text().strip()


def exceptions(page) -> list[str]:
    return [e.inner_text()[:300] for e in page.query_selector_all("[data-testid='stException']")]


def errors(page) -> list[str]:
    return [e.inner_text()[:300] for e in page.query_selector_all("[data-testid='stAlertContentError']")]


def open_page(page, title: str) -> float:
    """Click the page's link in the navigation; seconds until its heading shows and the run ends."""
    started = time.perf_counter()
    page.locator("[data-testid='stSidebarNavLink']", has_text=title).first.click()
    page.wait_for_function(
        "t => { const h = document.querySelector(\"[data-testid='stMainBlockContainer'] h1\");"
        " return h && h.innerText.trim().startsWith(t); }", arg=title, timeout=WAIT_MS)
    settle(page)
    return time.perf_counter() - started


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit select box by its label and the option's text."""
    page.get_by_role("combobox", name=label, exact=True).first.click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


# Items of the map whose points' centres lie in a rectangle of page pixels, counted from the figure's
# own data and axes (not from Plotly's selection code): [inside by 2 px, within 2 px of it]. An item
# drawn twice (a neighbour ring over its point, the star) counts once, as the page lists it once.
POINTS_IN_RECTANGLE = """([left, top, right, bottom]) => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  const layout = gd._fullLayout, svg = gd.querySelector('.main-svg').getBoundingClientRect();
  const inside = new Set(), near = new Set();
  for (const trace of gd._fullData) {
    if (trace.visible !== true || trace.hoverinfo === 'skip' || !trace.customdata) continue;  // not items
    const xa = layout[trace.xaxis.replace('x', 'xaxis')], ya = layout[trace.yaxis.replace('y', 'yaxis')];
    for (let i = 0; i < trace.x.length; i++) {
      const x = svg.left + xa._offset + xa.c2p(trace.x[i]), y = svg.top + ya._offset + ya.c2p(trace.y[i]);
      const item = String(trace.customdata[i][2]);  // the item index, third (see map_points.item_data)
      if (x > left + 2 && x < right - 2 && y > top + 2 && y < bottom - 2) inside.add(item);
      if (x > left - 2 && x < right + 2 && y > top - 2 && y < bottom + 2) near.add(item);
    }
  }
  return [inside.size, near.size];
}"""


# Page pixels of the middle point of the map's first item trace, and the titles of every item point
# within 6 px of it (Plotly picks the closest point to the mouse, which may be one of those).
POINT_TO_CLICK = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  const layout = gd._fullLayout, svg = gd.querySelector('.main-svg').getBoundingClientRect();
  const page = (trace, i) => [svg.left + layout.xaxis._offset + layout.xaxis.c2p(trace.x[i]),
                              svg.top + layout.yaxis._offset + layout.yaxis.c2p(trace.y[i])];
  const items = gd._fullData.filter(t => t.visible === true && t.customdata && t.x.length);
  const [x, y] = page(items[0], Math.floor(items[0].x.length / 2));
  const near = [];
  for (const trace of items)
    for (let i = 0; i < trace.x.length; i++) {
      const [px, py] = page(trace, i);
      if (Math.hypot(px - x, py - y) <= 6) near.push(trace.customdata[i][0]);
    }
  return [x, y, near];
}"""


def select_on_map(page, tool: str, region: tuple[float, float, float, float]) -> tuple[int, int, int]:
    """Pick the map's box or lasso tool in its mode bar and drag a rectangle over `region` (fractions
    of the plot area: left, top, right, bottom). Returns the number of points inside the rectangle
    (strictly, and within 2 px) and the number of selected items the page then lists."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.scroll_into_view_if_needed()
    chart.hover()  # the mode bar shows on hover
    chart.locator(f".modebar-btn[data-val='{tool}']").first.click()
    area = chart.locator(".nsewdrag").first.bounding_box()
    left, top = area["x"] + area["width"] * region[0], area["y"] + area["height"] * region[1]
    right, bottom = area["x"] + area["width"] * region[2], area["y"] + area["height"] * region[3]
    inside, near = page.evaluate(POINTS_IN_RECTANGLE, [left, top, right, bottom])
    before = page.locator("h3", has_text="selected items").all_inner_texts()
    page.mouse.move(left, top)
    page.mouse.down()
    path = [(right, bottom)] if tool == "select" else [(right, top), (right, bottom), (left, bottom), (left, top + 1)]
    for x, y in path:  # Plotly's drag handlers need the moves in between
        page.mouse.move(x, y, steps=12)
    page.mouse.up()
    after_action(page)
    shown = page.locator("h3", has_text="selected items").first
    shown.wait_for(timeout=WAIT_MS)
    if before:  # a second selection: wait for the list to change (unless the counts happen to agree)
        try:
            page.wait_for_function("t => { const h = [...document.querySelectorAll('h3')].find("
                                   "e => e.innerText.includes('selected items')); return h && h.innerText !== t; }",
                                   arg=before[0], timeout=5_000)
        except Exception:  # noqa: BLE001 - same count as before
            pass
    listed = int(shown.inner_text().split()[0].replace(",", ""))
    return inside, near, listed


@pytest.fixture(scope="module")
def browser_page():
    """A page of headless Chromium, opened before the server starts (a user's browser is already
    open), so "server start → first page" counts the server and the page, not the browser's start."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            # every request the dashboard makes, to anything but this machine: it must work offline
            page.off_machine = []
            page.on("request", lambda request: page.off_machine.append(request.url)
                    if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost", None) else None)
            yield page
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(browser_page, tmp_path_factory):
    started = time.perf_counter()
    with served_app(SERVE, tmp_path_factory.mktemp("streamlit"), healthy_within=120) as url:
        print(f"\n  server start → health check answers: {time.perf_counter() - started:.2f} s")
        yield url, started


def test_upload_train_and_every_page_in_chromium(browser_page, server, tmp_path):
    url, server_started = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    page = browser_page
    try:
        requested = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=WAIT_MS)
        timings["first request → heading shown (s)"] = time.perf_counter() - requested
        # complete = its three charts drawn and the script run ended (the app can report "not running"
        # before its first run has started, so the charts are waited for first)
        page.wait_for_function(f"() => document.querySelectorAll({SVG!r}).length >= 4", timeout=WAIT_MS)
        settle(page)
        timings["first request → first page complete (s)"] = time.perf_counter() - requested
        timings["server start → first page complete (Chromium already running) (s)"] = \
            time.perf_counter() - server_started
        assert heading(page) == "Data"
        # the title near the top, not 96 px down (Streamlit's own padding): the page fits a 720 px projector
        assert page.locator("[data-testid='stMainBlockContainer'] h1").bounding_box()["y"] < 60
        assert page.locator(SVG).count() == 4  # rating histogram, long tail, user activity, timeline
        assert page.locator("[data-testid='stSidebarNavLink']", has_text="Latent space").count() == 1
        assert page.locator("[data-testid='stSidebar']", has_text="Current data").count() == 1
        assert not exceptions(page)
        page.screenshot(path=str(SHOTS / "data_demo.png"))

        # ---------------------------------------------------------------- upload
        if ML100K.is_file():
            source, users = ML100K, "943"
        else:  # a small file in the same layout, so the test still uploads through the browser
            source, users = tmp_path / "ratings.csv", "50"
            source.write_text("user,item,rating\n" + "".join(
                f"{u},{i},{1 + (u * i) % 5}\n" for u in range(50) for i in range(40) if (u + 2 * i) % 3))
        uploaders = page.locator("[data-testid='stFileUploader'] input[type='file']")
        if (ML100K.parent / "u.item").is_file() and source == ML100K:  # titles and genres
            uploaders.nth(1).set_input_files(str(ML100K.parent / "u.item"))
            after_action(page)
        started = time.perf_counter()
        uploaders.first.set_input_files(str(source))
        page.locator("[data-testid='stMetricValue']", has_text=users).first.wait_for(timeout=WAIT_MS)
        settle(page)
        timings[f"upload + parse of {source.name} (s)"] = time.perf_counter() - started
        assert not exceptions(page) and not errors(page), errors(page)
        assert page.locator("[data-testid='stSidebar']", has_text=source.name).count() == 1

        # ---------------------------------------------------------------- train ImplicitALS
        timings["open Train (quick default model on the new data) (s)"] = open_page(page, "Train")
        choose(page, "Model", "Implicit ALS")
        after_action(page)
        started = time.perf_counter()
        page.get_by_role("button", name="Train", exact=True).click()
        page.locator(TRAINED, has_text=TRAINED_WORDS).first.wait_for(timeout=WAIT_MS)
        settle(page)
        timings["ImplicitALS training, click → done, default hyperparameters (s)"] = time.perf_counter() - started
        reported = page.locator(TRAINED, has_text=TRAINED_WORDS).first.inner_text()
        print("\n  train page says:", reported.strip().splitlines()[-1])
        assert not exceptions(page) and not errors(page), errors(page)
        assert page.locator(PLOTLY).count() >= 1  # the loss curve
        page.screenshot(path=str(SHOTS / "train.png"))
        # which users each model serves: the trained model and the quick default, with the baseline
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")]"
                               ".some(gd => gd._fullData && gd._fullData.some(t => t.name === 'Popularity (baseline)'))",
                               timeout=WAIT_MS)
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")]"
                               ".some(gd => gd._fullLayout && gd._fullLayout.title.text.includes('known only by'))",
                               timeout=WAIT_MS)
        page.get_by_text("Which users each model serves").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "train_users.png"))
        # the replay of the training: an animation with a frame per epoch, played once
        page.get_by_text("Replay how the items moved while it trained").click()
        after_action(page)
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")]"
                               ".some(gd => gd._transitionData && gd._transitionData._frames && "
                               "gd._transitionData._frames.length >= 2)", timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        page.get_by_text("How the items moved while").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.get_by_text("▶ Play").click()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "train_replay.png"))
        page.get_by_text("❚❚ Pause").click()  # an animation left running would slow the page switches below
        with page.expect_download(timeout=WAIT_MS) as download:  # the model's report, one HTML file
            page.get_by_role("button", name="Download a report (HTML)").click()
        shared = Path(download.value.path()).read_text()
        # named after the data and the model, so that several models' files do not overwrite each other
        data_slug = "movielens-100k-u-data" if source == ML100K else "ratings-csv"
        assert download.value.suggested_filename == f"mfviz_report_{data_slug}_implicit-als-f-64.html"
        # the model just trained (the active one), not the quick default listed first
        assert "<h1>Implicit ALS (f=64)</h1>" in shared and shared.count('class="plotly-graph-div"') == 3
        assert "<h2>Map of the items</h2>" in shared
        with page.expect_download(timeout=WAIT_MS) as download:  # the model file, written on the click
            page.get_by_role("button", name="Download .npz").click()
        from mfviz.models import load_model

        saved = load_model(download.value.path())
        assert saved.item_factors.shape == (1682 if source == ML100K else 40, 64)  # the trained model's 64 factors
        assert saved.train_matrix is not None and saved.train_matrix.nnz > 0

        # ---------------------------------------------------------------- every page
        for title, slug, chart in PAGES:
            seconds = open_page(page, title)
            timings[f"page switch → {title} (first visit) (s)"] = seconds
            assert heading(page) == title
            assert not exceptions(page), f"{title}: {exceptions(page)}"
            assert not errors(page), f"{title}: {errors(page)}"
            if chart:
                page.locator(chart).first.wait_for(timeout=WAIT_MS)
            assert page.locator("[data-testid='stSidebar']", has_text="Implicit ALS").count() == 1
            if title != "Train":  # train.png was taken right after training, with the loss curve
                page.wait_for_timeout(800)  # let Plotly finish drawing before the picture
                page.screenshot(path=str(SHOTS / f"{slug}.png"))
        # ---------------------------------------------------------------- every user's list, as CSV
        with page.expect_download(timeout=WAIT_MS) as download:
            page.get_by_role("button", name=re.compile("Download every user's top 10")).click()
        exported = Path(download.value.path()).read_text().splitlines()
        assert download.value.suggested_filename == f"recommendations_top10_{data_slug}_implicit-als-f-64.csv"
        assert exported[0] == "user_id,rank,item_id,title,score"
        if source == ML100K:  # every MovieLens 100K user has at least 10 unseen items
            assert len(exported) - 1 == 10 * 943
        assert not exceptions(page) and not errors(page), errors(page)
        # ---------------------------------------------------------------- stakeholder demo: fold-in
        page.get_by_text("a profile I build").click()
        after_action(page)
        profile = page.get_by_role("combobox", name="Items this person likes")
        chips = page.locator("[data-testid='stMultiSelect'] [data-tag]")
        if (ML100K.parent / "u.item").is_file() and source == ML100K:
            # A word of a title and Enter add the most popular title holding it, one item: Streamlit's
            # "Select 20 matches" row, first in the list, took every one (Star Wars, Star Trek...).
            profile.click()
            page.keyboard.type("Star")
            page.keyboard.press("Enter")
            after_action(page)
            assert chips.all_inner_texts() == ["Star Wars (1977)"]
        while chips.count() < 3:
            profile.click()
            page.get_by_role("option").first.click()
            after_action(page)
        page.locator("[data-testid='stMarkdownContainer']", has_text="fold-in").first.wait_for(timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "recommend_profile.png"))

        # ---------------------------------------------------------------- a popularity penalty, and its cost
        slider = page.get_by_role("slider", name="Popularity penalty β")
        # steps of 0.05 until it reads 0.5: on a busy machine a rerun started by one key press could take
        # the next press's value back (a full test run once stopped at another β and waited 4 minutes)
        for _ in range(40):
            value = float(slider.input_value())
            if abs(value - 0.5) < 1e-9:
                break
            slider.focus()
            page.keyboard.press("ArrowRight" if value < 0.5 else "ArrowLeft")
            page.wait_for_timeout(150)
        after_action(page)
        assert float(slider.input_value()) == 0.5
        page.locator("[data-testid='stCaptionContainer']", has_text="With the popularity penalty β = 0.5").first \
            .wait_for(timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        page.get_by_text("Show where this taste sits among the users").click()  # the map of users
        after_action(page)
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")]"
                               ".some(gd => gd._fullData && gd._fullData.some(t => t.marker && t.marker.symbol === "
                               "'star') && gd._fullData.some(t => t.name === 'most alike users'))", timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        page.locator("[data-testid='stPlotlyChart']").last.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "recommend_users.png"))
        # ---------------------------------------------------------------- a new item: whose lists it enters
        page.get_by_text("a new item (who gets it)").click()
        after_action(page)
        fans = page.get_by_role("combobox", name="Its first users are the fans of")
        fans.click()
        page.get_by_role("option").first.click()  # the most popular item
        after_action(page)
        page.keyboard.press("Escape")
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")]"
                               ".some(gd => gd._fullData && gd._fullData.some(t => t.name === 'the new item'))",
                               timeout=WAIT_MS)
        assert page.locator("[data-testid='stMetric']", has_text="In users' top 10").count() == 1
        assert not exceptions(page) and not errors(page), errors(page)
        page.locator("[data-testid='stMetric']").first.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "recommend_new_item.png"))
        page.get_by_text("Who gets it:").scroll_into_view_if_needed()  # the map and the reach chart above it
        page.wait_for_timeout(800)
        page.screenshot(path=str(tmp_path / "recommend_new_item_map.png"), full_page=True)
        print(f"\n  the new item's map and reach: {tmp_path / 'recommend_new_item_map.png'}")
        open_page(page, "Popularity bias")
        page.get_by_role("tab", name="What less popular lists cost").click()
        after_action(page)
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")]"
                               ".some(gd => gd._fullLayout && gd._fullLayout.yaxis.title.text.startsWith('NDCG@'))",
                               timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "popularity_tradeoff.png"))

        for title, _, _ in PAGES[2:]:  # second visits: everything is cached now
            timings[f"page switch → {title} (cached) (s)"] = open_page(page, title)
            assert not exceptions(page)

        # ---------------------------------------------------------------- a reload keeps the work
        # (a new session: it started on the demo, the upload and the trained model gone)
        started = time.perf_counter()
        page.reload()
        page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=WAIT_MS)
        page.locator("[data-testid='stSidebar']", has_text=source.name).first.wait_for(timeout=WAIT_MS)
        settle(page)
        timings["reload → the same page, its data and models taken up (s)"] = time.perf_counter() - started
        assert heading(page) == PAGES[-1][0]
        assert page.locator("[data-testid='stSidebar']", has_text="Implicit ALS (f=64)").count() == 1
        assert page.locator("[data-testid='stAlertContentWarning']", has_text="does not hold").count() == 0
        assert not exceptions(page) and not errors(page), errors(page)

        # ---------------------------------------------------------------- a click on a point, then box and lasso
        open_page(page, "Latent space")
        chart = page.locator("[data-testid='stPlotlyChart']").first
        chart.scroll_into_view_if_needed()
        x, y, near = page.evaluate(POINT_TO_CLICK)
        page.mouse.move(x, y)  # Plotly clicks the point under the hover
        page.wait_for_timeout(300)
        started = time.perf_counter()
        page.mouse.click(x, y)
        inspected = page.locator("[data-testid='stMarkdownContainer']", has_text="★").first
        inspected.wait_for(timeout=WAIT_MS)
        after_action(page)
        timings["map click → the item's neighbours listed (s)"] = time.perf_counter() - started
        assert not exceptions(page) and not errors(page), errors(page)
        title = inspected.inner_text().removeprefix("★ ").split(" · ")[0]
        assert title in near, (title, near)
        page.get_by_text("Nearest by cosine (blue lines)").wait_for(timeout=WAIT_MS)
        page.wait_for_function("() => { const gd = document.querySelector(\"[data-testid='stPlotlyChart'] "
                               ".js-plotly-plot\"); return gd && gd._fullData.some(t => t.marker && "
                               "t.marker.symbol === 'star'); }", timeout=WAIT_MS)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "latent_click.png"))
        # two regions apart: a drag starting on an old selection's outline would edit that outline
        for tool, region in (("select", (0.15, 0.2, 0.45, 0.6)), ("lasso", (0.55, 0.3, 0.85, 0.8))):
            started = time.perf_counter()
            inside, near, listed = select_on_map(page, tool, region)
            timings[f"map {tool} drag → selected items listed (s)"] = time.perf_counter() - started
            assert not exceptions(page) and not errors(page), errors(page)
            assert 0 < listed and inside <= listed <= near, (tool, inside, near, listed)
            # the table of those items (its heading counts its rows; the grid draws on a canvas and its
            # hidden accessibility table holds only the rows near the view, so it cannot be counted)
            page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)
            if (ML100K.parent / "u.item").is_file():  # genres known: what the selection has in common
                page.locator("[data-testid='stMarkdownContainer']", has_text="over-represented").first \
                    .wait_for(timeout=WAIT_MS)
        page.screenshot(path=str(tmp_path / "latent_space_selection.png"))
        settle(page)  # a click during a rerun can meet the button of the run being replaced
        with page.expect_download(timeout=WAIT_MS) as download:
            page.get_by_role("button", name="Download the map coordinates (CSV)").click()
        lines = Path(download.value.path()).read_text().splitlines()
        assert lines[0].startswith("x,y") and len(lines) - 1 == int(
            page.locator("[data-testid='stMetricValue']").nth(2).inner_text().replace(",", ""))  # items on the map
        after_action(page)
        assert not exceptions(page)
        settle(page)
        with page.expect_download(timeout=WAIT_MS) as download:
            page.get_by_role("button", name="Download for TensorFlow's Embedding Projector (zip)").click()
        with zipfile.ZipFile(download.value.path()) as archive:
            vectors = archive.read("vectors.tsv").decode().splitlines()
            metadata = archive.read("metadata.tsv").decode().splitlines()
            config = json.loads(archive.read("projector_config.json"))  # the standalone Projector's ?config=
        assert config["embeddings"][0]["tensorShape"] == [len(vectors), 64]
        assert len(vectors) == len(lines) - 1 == len(metadata) - 1  # one row per item (metadata: + header)
        assert len(vectors[0].split("\t")) == 64 and metadata[0].startswith("item_id\ttitle")  # ImplicitALS f=64
        after_action(page)
        assert not exceptions(page)

        # ---------------------------------------------------------------- the lasso's items mapped on their own
        settle(page)
        page.get_by_role("button", name=re.compile(r"^Map only these [\d,]+ items$")).click()
        after_action(page)
        page.locator("[data-testid='stAlertContentInfo']", has_text="items you selected are on the map").first \
            .wait_for(timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        assert int(page.locator("[data-testid='stMetricValue']").nth(2).inner_text().replace(",", "")) == listed
        page.wait_for_timeout(800)
        page.screenshot(path=str(tmp_path / "latent_subset.png"))
        page.get_by_role("button", name="Show all items").click()
        after_action(page)

        # ---------------------------------------------------------------- the map in 3-D
        started = time.perf_counter()
        page.get_by_text("3-D", exact=True).click()
        after_action(page)
        page.wait_for_function("() => { const gd = document.querySelector(\"[data-testid='stPlotlyChart'] "
                               ".js-plotly-plot\"); return gd && gd._fullLayout && gd._fullLayout.scene && "
                               "gd._fullData.some(t => t.type === 'scatter3d'); }", timeout=WAIT_MS)
        timings["3-D toggle → UMAP in 3-D drawn (s)"] = time.perf_counter() - started
        assert not exceptions(page) and not errors(page), errors(page)
        page.wait_for_timeout(1500)  # WebGL draws after Plotly's data are in place
        page.screenshot(path=str(SHOTS / "latent_3d.png"))
        page.get_by_text("3-D", exact=True).click()
        after_action(page)

        # ---------------------------------------------------------------- taste axes, neighbour lines
        page.get_by_text("Axes", exact=True).click()
        after_action(page)
        if (ML100K.parent / "u.item").is_file():  # genres: Horror → Romance; else two items
            for label, genre in (("Left end ←", "Horror"), ("Right end →", "Romance")):
                page.get_by_role("combobox", name=label, exact=True).click()
                page.get_by_role("option", name=genre, exact=True).click()
                after_action(page)
        choose(page, "Draw the neighbours of", "Star Wars" if (ML100K.parent / "u.item").is_file() else "")
        after_action(page)
        page.locator("[data-testid='stCaptionContainer']", has_text="cosine neighbours are among").first.wait_for(
            timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        # the axis title names the chosen ends, and the anchor's star is drawn
        page.wait_for_function("() => { const gd = document.querySelector(\"[data-testid='stPlotlyChart'] "
                               ".js-plotly-plot\"); return gd && gd._fullData.some(t => t.marker && "
                               "t.marker.symbol === 'star'); }", timeout=WAIT_MS)
        x_title = page.evaluate("() => document.querySelector(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")"
                                "._fullLayout.xaxis.title.text")
        assert "cosine with the axis" in x_title
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "latent_axes.png"))

        # ---------------------------------------------------------------- the model's own dimensions
        page.get_by_text("Dimensions", exact=True).click()
        after_action(page)
        page.get_by_role("heading", name="What the strongest dimensions mean").wait_for(timeout=WAIT_MS)
        assert not exceptions(page) and not errors(page), errors(page)
        page.wait_for_function("() => { const gd = document.querySelector(\"[data-testid='stPlotlyChart'] "
                               ".js-plotly-plot\"); return gd && gd._fullLayout.xaxis.title.text.startsWith("
                               "'dimension 1 (') && gd._fullData.some(t => t.mode === 'text'); }", timeout=WAIT_MS)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "latent_dimensions.png"))
        settle(page)
        with page.expect_download(timeout=WAIT_MS) as download:
            page.get_by_role("button", name="Download every item's coordinates on every dimension (CSV)").click()
        rows = Path(download.value.path()).read_text().splitlines()
        assert rows[0].startswith("item_id,title,dim_1,dim_2,")
        if source == ML100K:
            assert len(rows) - 1 == 1682
        assert not exceptions(page) and not errors(page), errors(page)
        # (the tab icon was fetched from fonts.gstatic.com once it was a material icon: refused offline)
        assert not page.off_machine, page.off_machine[:5]
    except BaseException:
        failure = tmp_path / "failure.png"
        page.screenshot(path=str(failure))
        print(f"\n  screenshot of the failure: {failure}")
        raise
    print("\n  timings (shared 2-core machine; printed, not asserted):")
    for what, seconds in timings.items():
        print(f"    {what:<70} {seconds:6.2f}")


def test_back_and_forward_step_through_the_pages_visited(browser_page, server):
    """A page that writes its view into the address adds no second history entry (Streamlit pushes one
    for the page and, without the app's fix, another for its parameters), so Back goes to the page
    visited before and Forward returns; each page keeps its parameters in the address."""
    page = browser_page
    url, _ = server
    page.goto(url)
    settle(page)
    visited = ["Latent space", "Neighbours", "Spectrum", "Recommend"]
    lengths = []
    for title in visited:
        open_page(page, title)
        lengths.append(page.evaluate("history.length"))
    assert lengths == list(range(lengths[0], lengths[0] + len(visited))), lengths  # one entry per page
    assert "/recommend?" in page.url and "model=" in page.url

    def step(direction: str, expected: str) -> None:
        getattr(page, direction)()
        page.wait_for_function(
            "t => { const h = document.querySelector(\"[data-testid='stMainBlockContainer'] h1\");"
            " return h && h.innerText.trim() === t; }", arg=expected, timeout=WAIT_MS)
        settle(page)
        assert heading(page) == expected and not exceptions(page)

    for expected in reversed(visited[:-1]):  # Spectrum, Neighbours, Latent space
        step("go_back", expected)
    assert "/latent?" in page.url and "model=" in page.url
    step("go_forward", "Neighbours")
    assert "/neighbours?" in page.url and "item=" in page.url


def tick_row(page, table: int, row: int) -> str:
    """Tick the box of row `row` (0-based) of the page's `table`-th table; the title in that row. The grid draws on
    a canvas: the box is clicked where it is drawn (under a header of 35 px, rows of 35 px, or 65 px where long titles
    wrap (title_rows), the table as tall as 10 rows at most; the box column 32 px wide); the title comes from the
    grid's accessibility table."""
    grid = page.locator("[data-testid='stDataFrame']").nth(table)
    grid.scroll_into_view_if_needed()
    grid.locator("[role=columnheader]").first.wait_for(state="attached", timeout=WAIT_MS)  # after the grid
    headers = [h.strip() for h in grid.locator("[role=columnheader]").all_inner_texts()]
    title = grid.locator("[role=row]").nth(row + 1).locator("[role=gridcell]").nth(headers.index("title")).inner_text()
    box = grid.bounding_box()
    shown = min(grid.locator("[role=row]").count() - 1, 10)
    height = round((box["height"] - 38) / shown)  # 35 + rows + 3 px of border
    page.mouse.click(box["x"] + 16, box["y"] + 35 + height * row + height // 2)
    after_action(page)
    return title


def test_a_tick_on_a_neighbour_steps_to_its_own_neighbours(browser_page, server):
    """As in the Embedding Projector's list of neighbours, a neighbour is one click from its own neighbours:
    on the Neighbours page (both lists) and under the Latent space map, without typing its title."""
    page = browser_page
    url, _ = server
    page.goto(url + "/neighbours")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)
    settle(page)
    item = page.get_by_role("combobox", name="Item", exact=True)
    first = item.input_value()
    for table, row in ((0, 2), (1, 4)):  # the cosine list, then the dot-product list
        before = item.input_value()
        middle = before
        title = tick_row(page, table, row)
        assert not exceptions(page) and not errors(page), errors(page)
        assert item.input_value().startswith(f"{title} · ") and item.input_value() != before, (title, before)
        assert title not in page.locator("[data-testid='stDataFrame']").first.inner_text()  # its own neighbours
    # and back, one step at a time (the browser's Back left the app: a step adds no history entry)
    page.get_by_role("button", name=re.compile(r"^← Back to ")).click()
    after_action(page)
    assert item.input_value() == middle, (item.input_value(), middle)
    page.get_by_role("button", name=re.compile(r"^← Back to ")).click()
    after_action(page)
    assert item.input_value() == first and page.get_by_role("button", name=re.compile(r"^← Back to ")).count() == 0
    tick_row(page, 0, 2)
    tick_row(page, 1, 4)
    # the address names the item stepped to: a link reopens it
    page.reload()
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)
    settle(page)
    assert page.get_by_role("combobox", name="Item", exact=True).input_value().startswith(f"{title} · ")

    page.get_by_role("button", name="Show on the map →").click()  # the Latent space page with the item drawn
    page.locator("[data-testid='stMarkdownContainer']", has_text="★").first.wait_for(timeout=WAIT_MS)
    settle(page)
    assert page.locator("[data-testid='stMarkdownContainer']", has_text="★").first.inner_text() \
        .removeprefix("★ ").startswith(title)
    stepped = tick_row(page, 1, 1)  # the second of its dot-product neighbours
    star = page.locator("[data-testid='stMarkdownContainer']", has_text="★").first
    assert star.inner_text().removeprefix("★ ").split(" · ")[0] == stepped
    assert not exceptions(page) and not errors(page), errors(page)


def list_on_screen(page) -> bool:
    """Whether the Recommend page's list heading and its first four rows (a header and rows of 35 px) lie above
    the bottom of a 720 px screen, the page scrolled to its top (three, before the side-by-side box joined the
    model's row and the mode's choices took one line: a profile of MovieLens 100K's ratings then showed none)."""
    heading = page.locator("[data-testid='stMarkdownContainer']", has_text="Recommended by").first
    heading.wait_for(timeout=WAIT_MS)
    page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0)")
    return heading.bounding_box()["y"] + 24 + 5 * 35 < 720


def test_the_recommendations_start_on_a_projectors_screen(browser_page, server, tmp_path):
    """At 1,280 × 720 the Recommend page shows its list without scrolling, for a user of the data and for a profile
    of three items (the history, or the profile's table, above it pushed it below the screen's edge)."""
    url, _ = server
    # a browser of its own (no cookie): the tests before leave this one's workspace with a profile of six items
    context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(url + "/recommend")
        settle(page)
        page.get_by_text("a user in the data", exact=True).click()
        after_action(page)
        assert list_on_screen(page)
        page.get_by_text("a profile I build", exact=True).click()
        after_action(page)
        likes = page.get_by_role("combobox", name="Items this person likes", exact=True)
        for k in range(3):  # three items of the list the box offers (each pick leaves it)
            likes.click()
            page.get_by_role("option").nth(k).click()
            after_action(page)
            page.keyboard.press("Escape")
        page.locator("[data-testid='stMarkdownContainer']", has_text="fold-in and ranking").first.wait_for(
            timeout=WAIT_MS)
        assert list_on_screen(page)
        page.screenshot(path=str(tmp_path / "recommend_profile_1280x720.png"))
        assert not exceptions(page) and not errors(page), errors(page)
    finally:
        context.close()


def test_a_profile_of_long_titles_shows_each_title_in_its_box_at_1280(browser_page, server):
    """The box of liked items wraps its titles one under the other: at 1,280 px it scrolled sideways and showed
    the first of three long titles only. The list still starts on a 1,280 × 720 screen."""
    from mfviz.datasets import load_demo

    url, _ = server
    demo = load_demo()  # the data the server starts on
    longest = sorted(range(demo.n_items), key=lambda i: -len(str(demo.titles[i])))[:3]
    context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(url + "/recommend?items=" + ",".join(str(demo.item_ids[i]) for i in longest))
        settle(page)
        page.locator("[data-testid='stMarkdownContainer']", has_text="fold-in and ranking").first.wait_for(
            timeout=WAIT_MS)
        box = page.locator(".st-key-rec_profile [data-testid='stMultiSelectTagsContainer']")
        scrolled, shown = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scrolled <= shown + 1, (scrolled, shown)  # nothing off to the side
        frame = page.locator(".st-key-rec_profile div:has(> [data-testid='stMultiSelectTagsContainer'])").bounding_box()
        chips = box.locator("[data-tag]")  # a chosen title's chip
        assert chips.count() == 3
        for n in range(3):  # each title's chip inside the box, one a line (they are too long to share one)
            chip = chips.nth(n).bounding_box()
            assert frame["x"] <= chip["x"] and chip["x"] + chip["width"] <= frame["x"] + frame["width"]
            assert frame["y"] <= chip["y"] and chip["y"] + chip["height"] <= frame["y"] + frame["height"]
        assert len({round(chips.nth(n).bounding_box()["y"]) for n in range(3)}) == 3
        assert list_on_screen(page)
        assert not exceptions(page) and not errors(page), errors(page)
    finally:
        context.close()


def test_an_address_naming_data_this_browser_lacks_is_given_back_to_open_again(browser_page, server):
    """A link to an upload, opened in another browser, says to load the file and open the address again: the
    address bar by then shows the page's own address, so the notice gives the one that came."""
    url, _ = server
    context = browser_page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url + "/neighbours?data=0badc0de&item=50&k=7")
        notice = page.locator("[data-testid='stAlertContentWarning']", has_text="names data")
        notice.first.wait_for(timeout=WAIT_MS)
        settle(page)
        said = notice.first.inner_text()
        assert "The address it came with, to open again then:" in said, said
        assert f"{url}/neighbours?data=0badc0de&item=50&k=7" in said, said
        assert not exceptions(page)
    finally:
        context.close()


def test_a_saved_workspace_opens_in_another_browser(browser_page, server, tmp_path):
    """An analyst's upload, its preparation and a trained model, saved as one file from the sidebar, open in
    another browser (another workspace, which starts on the demo) as they were: what a server restart loses."""
    url, _ = server
    browser = browser_page.context.browser
    source = tmp_path / "plays.csv"
    source.write_text("user,item,rating\n" + "".join(
        f"u{u},i{i},{1 + (u * i) % 5}\n" for u in range(60) for i in range(40) if (u + 2 * i) % 3))
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1200}) for _ in range(2)]
    try:
        page = contexts[0].new_page()
        page.goto(url)
        page.wait_for_function(f"() => document.querySelectorAll({SVG!r}).length >= 3", timeout=WAIT_MS)
        settle(page)
        page.locator("[data-testid='stFileUploader']", has_text="Interactions file").locator(
            "input[type='file']").set_input_files(str(source))
        page.locator("[data-testid='stSidebar']", has_text="plays.csv").wait_for(timeout=WAIT_MS)
        settle(page)
        page.get_by_role("spinbutton", name="k-core: keep users and items").fill("20")
        page.get_by_role("button", name="Apply").click()
        page.get_by_role("heading", name=re.compile(r"What is loaded: plays\.csv \(20-core\)")).wait_for(timeout=WAIT_MS)
        settle(page)
        open_page(page, "Train")
        page.get_by_role("button", name="Train", exact=True).click()
        page.locator(TRAINED, has_text=TRAINED_WORDS).first.wait_for(timeout=WAIT_MS)
        settle(page)
        open_page(page, "Recommend")  # a page's choice goes with the workspace too
        page.get_by_role("spinbutton", name="List length (k)").fill("15")
        page.get_by_role("spinbutton", name="List length (k)").press("Enter")
        after_action(page)
        # the model side by side, kept across a change of page (the box was empty, compare= gone from the address)
        page.get_by_role("combobox", name="Side by side with").click()
        page.get_by_role("option", name=re.compile(r"\(quick default\)")).first.click()
        page.keyboard.press("Escape")
        after_action(page)
        compared = page.locator(".st-key-rec_compare [data-tag]")
        assert "(quick default)" in compared.inner_text()
        open_page(page, "Spectrum")
        assert "compare=" not in page.url
        open_page(page, "Recommend")
        assert compared.count() == 1 and "(quick default)" in compared.inner_text()
        assert "compare=" in page.url
        with page.expect_download(timeout=WAIT_MS) as download:  # in the sidebar, on every page
            page.locator("[data-testid='stSidebar']").get_by_role("button", name="Save the workspace").click()
        assert download.value.suggested_filename == "mfviz_workspace_plays-csv.mfviz.zip"
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)

        other = contexts[1].new_page()  # another browser: its own workspace, on the demo
        other.goto(url)
        other.wait_for_function(f"() => document.querySelectorAll({SVG!r}).length >= 3", timeout=WAIT_MS)
        settle(other)
        assert other.locator("[data-testid='stSidebar']", has_text="plays.csv").count() == 0
        other.locator("[data-testid='stFileUploader']", has_text="Saved workspace").locator(
            "input[type='file']").set_input_files(str(saved))
        opened = other.locator("[data-testid='stAlertContentSuccess']", has_text="Opened")
        opened.first.wait_for(timeout=WAIT_MS)
        settle(other)
        # the model trained and the quick default (trained again on opening: it was dropped once)
        assert "plays.csv (20-core)" in opened.first.inner_text() and "2 models" in opened.first.inner_text()
        assert other.get_by_role("heading", name=re.compile(r"What is loaded: plays\.csv \(20-core\)")).count() == 1
        sidebar = other.locator("[data-testid='stSidebar']")
        assert sidebar.filter(has_text="Implicit ALS (f=64)").count() == 1
        assert sidebar.filter(has_text="(quick default)").count() == 1
        assert not exceptions(other) and not errors(other), errors(other)
        open_page(other, "Recommend")  # the model and its data work as trained
        assert not exceptions(other) and not errors(other), errors(other)
        assert other.get_by_role("spinbutton", name="List length (k)").input_value() == "15"
        assert "(quick default)" in other.locator(".st-key-rec_compare [data-tag]").inner_text()
        assert sidebar.filter(has_text="Implicit ALS (f=64)").count() == 1
    finally:
        for context in contexts:
            context.close()


def test_a_reload_during_a_training_lets_it_finish_in_the_reloaded_tab(browser_page, server):
    """F5 during a training stopped it (its session was gone) and lost its model."""
    url, _ = server
    context = browser_page.context.browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        page = context.new_page()
        page.goto(url + "/train")
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=WAIT_MS)
        settle(page)
        choose(page, "Model", "ALS — made for explicit")
        after_action(page)
        page.get_by_role("spinbutton", name="Factors").fill("160")
        page.get_by_role("spinbutton", name="Epochs").fill("60")
        page.get_by_role("button", name="Train", exact=True).click()
        # on a busy machine the once-per-process calibration can estimate this over 2 minutes: asked first
        under_way, anyway = page.get_by_text(re.compile(r"epoch [1-9]\d* of 60")).first, \
            page.get_by_role("button", name="Train anyway")
        under_way.or_(anyway).first.wait_for(timeout=WAIT_MS)
        if anyway.count():
            anyway.click()
        under_way.wait_for(timeout=WAIT_MS)
        page.reload()
        page.locator(TRAINED, has_text=TRAINED_WORDS).first.wait_for(timeout=WAIT_MS)
        settle(page)
        assert page.get_by_text("epoch 60 of 60").count() >= 1  # every epoch, not stopped at the reload
        assert page.locator("[data-testid='stSidebar']", has_text="ALS (f=160, epochs=60)").count() == 1
        # what the reload took up is said in the sidebar, still there after the training's reruns, and not as a toast
        assert page.locator("[data-testid='stSidebar'] [data-testid='stAlert']",
                            has_text="Picked up where this browser left off").count() == 1
        assert page.locator("[data-testid='stToast']").count() == 0
        assert not exceptions(page) and not errors(page), errors(page)
    finally:
        context.close()


def test_a_click_draws_as_many_neighbours_as_asked_on_points_labelled_by_genre(browser_page, server):
    """The Projector's neighbour count and "Label by" in a real browser: a link asks for 5 neighbours and genre
    labels; a click on a point draws and lists 5 by each measure, and the point hovers with its title in bold (as
    its legend entry), its genres named under it."""
    page = browser_page
    url, _ = server
    page.goto(url + "/latent?map=pca&k=5&label=genres")
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=WAIT_MS)
    settle(page)
    # "Label by" sits in the "Map settings" popover, whose button says the link set something there
    settings = page.locator("[data-testid='stPopover'] button").first
    assert "Map settings (changed)" in settings.inner_text()
    settings.click()
    assert page.get_by_role("combobox", name="Label by", exact=True).input_value() == "genres (combination)"
    page.keyboard.press("Escape")  # the popover shut again, the map clickable
    page.get_by_role("combobox", name="Label by", exact=True).wait_for(state="hidden", timeout=WAIT_MS)
    x, y, _ = page.evaluate(POINT_TO_CLICK)
    near = page.evaluate("""([x, y]) => {
      const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
      const layout = gd._fullLayout, svg = gd.querySelector('.main-svg').getBoundingClientRect();
      const found = [];
      for (const t of gd._fullData.filter(t => t.visible === true && t.customdata && t.x.length))
        for (let i = 0; i < t.x.length; i++) {
          const px = svg.left + layout.xaxis._offset + layout.xaxis.c2p(t.x[i]);
          const py = svg.top + layout.yaxis._offset + layout.yaxis.c2p(t.y[i]);
          if (Math.hypot(px - x, py - y) <= 6) found.push([t.customdata[i][0], t.customdata[i][3].split('<br>')[1]]);
        }
      return found;
    }""", [x, y])
    page.mouse.move(x, y)  # Plotly clicks the point under the hover
    page.wait_for_timeout(300)
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=10_000)
    lines = hover.evaluate("e => [...e.querySelectorAll('tspan.line')].map(t => t.textContent)")
    assert [lines[0], lines[2]] in [list(pair) for pair in near], (lines, near)  # title, colour value, label
    page.mouse.click(x, y)
    inspected = page.locator("[data-testid='stMarkdownContainer']", has_text="★").first
    inspected.wait_for(timeout=WAIT_MS)
    after_action(page)
    assert not exceptions(page) and not errors(page), errors(page)
    # the point clicked is the one hovered: its title (the star's), its genres named under it
    assert inspected.inner_text().removeprefix("★ ").split(" · ")[0] == lines[0]
    assert lines[2].startswith("genres (combination): ")
    page.get_by_text("of its 5 cosine neighbours are among its 5 nearest points", exact=False).first \
        .wait_for(timeout=WAIT_MS)
    for table in (0, 1):  # the cosine and the dot-product list: a header and 5 rows each
        grid = page.locator("[data-testid='stDataFrame']").nth(table)
        grid.locator("[role=columnheader]").first.wait_for(state="attached", timeout=WAIT_MS)
        assert grid.locator("[role=row]").count() == 6


def test_the_train_button_is_on_a_presenters_first_screen(browser_page, server):
    """At 1,280 × 720 (a presenter's laptop) the Train button sat at 1,115-1,154 px: below the model's note, a caption,
    Reset, nine fields of implicit ALS and the sweep. It and the model box are on the first screen now, on the demo and
    on MovieLens 100K, for every model of the list."""
    from mfviz.models import MODELS

    url, _ = server
    context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(url + "/train")
        train = page.get_by_role("button", name="Train", exact=True)
        train.wait_for(timeout=WAIT_MS)
        settle(page)

        def tops() -> tuple[float, float]:
            """The page-pixel tops of the Train button and of the model box, the page scrolled to its top."""
            page.evaluate("() => { window.scrollTo(0, 0); document.querySelector(\"[data-testid='stMain']\")?.scrollTo(0, 0); }")
            return (train.bounding_box()["y"], page.locator(".st-key-train_model").bounding_box()["y"])

        button, model = tops()
        print(f"\n  demo, Implicit ALS: Train button top {button:.0f} px, model box top {model:.0f} px")
        assert button + 40 <= 720 and model < button  # the whole button, under the model box
        if ML100K.is_file():
            open_page(page, "Data")
            page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(ML100K))
            page.locator("[data-testid='stMetricValue']", has_text="943").first.wait_for(timeout=WAIT_MS)
            settle(page)
            open_page(page, "Train")
            button, _ = tops()
            print(f"  MovieLens 100K, Implicit ALS: Train button top {button:.0f} px")
            assert button + 40 <= 720
        for kind in MODELS:
            page.get_by_role("combobox", name="Model", exact=True).first.click()  # "ALS —" is in "Implicit ALS —"
            page.get_by_role("option", name=re.compile("^" + re.escape(MODELS[kind].label + " —"))).first.click()
            after_action(page)
            button, _ = tops()
            print(f"  {MODELS[kind].label}: Train button top {button:.0f} px")
            assert button < 720, kind
        assert not exceptions(page) and not errors(page), errors(page)
    finally:
        context.close()
