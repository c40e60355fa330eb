"""The fast launcher (mfviz/dashboard/serve.py): its command line, a real server on a free port that
answers its health check after preloading, and (with Chromium) the first page it serves.

Timings are printed with -s, never asserted.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mfviz.dashboard import serve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
WAIT_MS = 240_000  # generous: a shared 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start(port: int, log_path: Path, **env) -> subprocess.Popen:
    """The launcher as `make run` starts it (by path), on 127.0.0.1:port, logging to log_path."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "mfviz" / "dashboard" / "serve.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env})


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def demo_server_and_browser(tmp_path: Path):
    """(headless Chromium, the address of a fresh launcher on the demo, its log at tmp_path/server.log); both stopped
    after."""
    playwright = pytest.importorskip("playwright.sync_api")
    port, log_path = free_port(), tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    process = start(port, log_path)
    try:
        assert wait_for(lambda: healthy(url) or process.poll() is not None), log_path.read_text()
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                yield browser, url
            finally:
                browser.close()
    finally:
        stop(process)


def wait_for(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_command_line_runs_the_app_with_user_options_last():
    argv = serve.streamlit_argv(["--server.port", "8600", "--server.headless", "false"])
    assert argv[:3] == ["streamlit", "run", str(serve.APP)]
    assert serve.APP.is_file() and serve.APP.name == "app.py"
    # the launcher's defaults come first, so the user's (last) win
    assert argv.index("--server.headless") < len(argv) - 4
    assert argv[-4:] == ["--server.port", "8600", "--server.headless", "false"]
    assert argv[argv.index("--runner.magicEnabled") + 1] == "false"


def test_streamlit_still_ships_the_plotly_chunk_that_the_first_page_prefetches():
    """A canary: with another chunk layout the prefetch sends nothing and the first chart page
    would pay for loading Plotly again (about a second)."""
    from mfviz.dashboard import ui

    chunk = ui.plotly_chunk()
    assert chunk is not None and chunk.startswith("PlotlyChart.") and chunk.endswith(".js")


def test_a_real_server_answers_after_preloading(tmp_path):
    port, log_path = free_port(), tmp_path / "server.log"
    started = time.perf_counter()
    process = start(port, log_path, MFVIZ_NO_PRECOMPUTE="1", MFVIZ_NO_WARM_UP="1")
    try:
        assert wait_for(lambda: healthy(f"http://127.0.0.1:{port}") or process.poll() is not None)
        assert process.poll() is None, log_path.read_text()
        print(f"\n  launcher start → health check answers: {time.perf_counter() - started:.2f} s")
        assert wait_for(lambda: "preloaded in" in log_path.read_text()), log_path.read_text()
        print(f"  launcher start → preload done: {time.perf_counter() - started:.2f} s")
        log = log_path.read_text()
        assert "preloading the dashboard failed" not in log and "Traceback" not in log, log
        assert "No runtime found" not in log  # the cached wrappers were imported after the runtime
        assert "missing ScriptRunContext" not in log  # mfviz's own threads are expected to have none
    finally:
        stop(process)


def click_until_downloaded(page, button, saved: Path, tries: int = 4) -> None:
    """Click a deferred download button until its file arrives. A click that lands while the page
    is being redrawn can be dropped (one CI run waited 240 s for a download that never started; alone
    the test passed in 25 s), so each try waits for the page to settle and a minute for the file."""
    for attempt in range(1, tries + 1):
        page.wait_for_selector(IDLE, timeout=WAIT_MS)
        try:
            with page.expect_download(timeout=60_000) as download:
                button.click()
            download.value.save_as(saved)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; try again, then say so
            if attempt == tries:
                raise


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
def test_first_page_renders_in_chromium_and_the_demo_downloads(tmp_path):
    """Chromium is launched first (a user's browser is already open); then server start → first page
    complete: the script run has ended and the Data page's three charts are drawn. Afterwards the
    browser loads Plotly by itself, before any chart page is opened."""
    playwright = pytest.importorskip("playwright.sync_api")
    port, log_path = free_port(), tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1500}, accept_downloads=True)
        started = time.perf_counter()
        process = start(port, log_path)
        try:
            assert wait_for(lambda: healthy(url) or process.poll() is not None), log_path.read_text()
            health = time.perf_counter() - started
            page.goto(url)
            page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=WAIT_MS)
            page.wait_for_selector(IDLE, timeout=WAIT_MS)
            page.wait_for_selector("[data-testid='stSpinner']", state="detached", timeout=WAIT_MS)
            page.wait_for_selector(IDLE, timeout=WAIT_MS)
            settled = time.perf_counter() - started
            page.wait_for_function("() => document.querySelectorAll('svg.mfviz-chart').length >= 3",
                                   timeout=WAIT_MS)
            drawn = time.perf_counter() - started
            print(f"\n  server start → health {health:.2f} s, → script done {settled:.2f} s, → charts drawn "
                  f"{drawn:.2f} s (load average {os.getloadavg()[0]:.1f})")
            heading = page.locator("[data-testid='stMainBlockContainer'] h1").first.inner_text().strip()
            assert heading == "Data"
            assert page.locator("[data-testid='stException']").count() == 0
            users = page.locator("[data-testid='stMetricValue']", has_text="3,000")  # the demo's users
            try:
                users.first.wait_for(timeout=30_000)
            except Exception:  # noqa: BLE001 - say what the page shows instead
                main = page.locator("[data-testid='stMainBlockContainer']").first.inner_text()
                pytest.fail(f"the demo's 3,000 users are not shown; the page reads:\n{main[:1500]}")
            assert users.count() == 1
            # the first page has no Plotly chart; the browser fetches Plotly's code once it is drawn
            assert page.locator("[data-testid='stPlotlyChart']").count() == 0
            page.wait_for_function("() => performance.getEntriesByType('resource')"
                                   ".some(e => /PlotlyChart\\.[^/]+\\.js$/.test(e.name))", timeout=30_000)

            # the demo files download on click (read then, not shipped with the page)
            page.get_by_text("Download the demo files to see the expected format").click()
            button = page.get_by_role("button", name="Download demo_ratings.csv")
            saved = tmp_path / "demo_ratings.csv"
            click_until_downloaded(page, button, saved)
            assert saved.read_bytes() == (ROOT / "data" / "demo_ratings.csv").read_bytes()
        finally:
            stop(process)
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
@pytest.mark.parametrize("path, title", [("/recommend", "Recommend"), ("/data", "Data"),
                                         ("/latent?map=axes&left=Horror&right=Romance", "Latent space"),
                                         ("/latent?map=dimensions&across=2&up=3&depth=4&3d=on", "Latent space")])
def test_a_deep_link_opened_first_on_a_fresh_server_shows_its_page_without_a_dialog(tmp_path, path, title):
    """A bookmarked /recommend as the server's very first visitor: Streamlit's legacy pages/ mode
    answered it with a "Page not found" dialog before app.py's router ran (plain `streamlit run`
    still does, once per server); the launcher routes every session through app.py. /data, the
    default page's own path, got the dialog in every session (Streamlit serves that page at the root
    only), first or not: a second visitor checks that too. Links to the taste axes and the model's
    dimensions set select boxes that had their own defaults too, and Streamlit logged a warning with a
    stack (once per server, so each link gets its own)."""
    with demo_server_and_browser(tmp_path) as (browser, url):
        for visitor in range(2 if path == "/data" else 1):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + path)
            page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=WAIT_MS)
            page.wait_for_selector(IDLE, timeout=WAIT_MS)
            page.wait_for_timeout(500)  # the dialog, when there is one, comes with the first messages
            dialog = page.locator("[role='dialog']")
            assert dialog.count() == 0, (visitor, dialog.first.inner_text())
            heading = page.locator("[data-testid='stMainBlockContainer'] h1").first.inner_text().strip()
            assert heading == title
            assert page.locator("[data-testid='stSidebar']", has_text="demo catalogue").count() == 1
            assert page.locator("[data-testid='stAlertContentWarning']").count() == 0  # the link applied
            page.close()
    log = (tmp_path / "server.log").read_text()
    assert "created with a default value" not in log and "Traceback" not in log, log


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
def test_the_dashboard_on_a_file_and_a_link_to_a_view_in_chromium(tmp_path):
    """`mfviz dashboard DATA --items ITEMS -m MODEL` in a real server: a link to the Neighbours page
    of an item opens on that data, model and item; picking another item puts it in the address bar,
    and that address opened in a fresh session shows the same view. Items the picker does not list
    (of 2,500, the 2,000 most popular are) are found by typing their id or a word of their title."""
    playwright = pytest.importorskip("playwright.sync_api")
    import re

    import numpy as np

    from mfviz.cli import main as cli

    rng = np.random.default_rng(0)
    ratings, items = tmp_path / "ratings.csv", tmp_path / "films.csv"
    # More items than a picker lists (2,000): films 0-39 are popular, the rest have one user each
    many = 2_500
    ratings.write_text("user,item,rating\n" + "".join(
        f"u{u},{100 + i},{rng.integers(1, 6)}\n" for u in range(80) for i in rng.choice(40, 8 + u % 10, replace=False))
        + "".join(f"u{i % 80},{100 + i},3\n" for i in range(40, many)))
    titles = {i: f"Film number {i}" for i in range(many)} | {2_345: "Zebra Crossing"}
    items.write_text("item,title\n" + "".join(f"{100 + i},{title}\n" for i, title in titles.items()))
    model = tmp_path / "als.npz"
    assert cli(["train", str(ratings), "--items", str(items), "--model", "als", "--factors", "8", "-o", str(model),
                "--quiet"]) == 0
    port, log_path = free_port(), tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "mfviz", "dashboard", str(ratings), "--items", str(items), "-m", str(model),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def settled(page) -> None:
        page.wait_for_selector(IDLE, timeout=WAIT_MS)
        page.wait_for_selector("[data-testid='stSpinner']", state="detached", timeout=WAIT_MS)
        page.wait_for_selector(IDLE, timeout=WAIT_MS)

    def item_shown(page) -> str:
        picker = page.get_by_role("combobox", name="Item", exact=True).first
        return picker.input_value() or picker.evaluate("e => e.closest('[data-testid=\"stSelectbox\"]').innerText")

    try:
        assert wait_for(lambda: healthy(url) or process.poll() is not None), log_path.read_text()
        assert process.poll() is None, log_path.read_text()
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/neighbours?item=117")
                page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=WAIT_MS)
                page.wait_for_function("() => document.querySelector(\"[data-testid='stMainBlockContainer'] h1\")"
                                       ".innerText.startsWith('Neighbours')", timeout=WAIT_MS)
                settled(page)
                sidebar = page.locator("[data-testid='stSidebar']").inner_text()
                assert "ratings.csv" in sidebar and "als.npz (loaded)" in sidebar, sidebar
                assert "Film number 17 ·" in item_shown(page)
                assert page.locator("[data-testid='stException']").count() == 0
                page.wait_for_function("() => location.search.includes('model=')", timeout=WAIT_MS)
                assert re.search(r"[?&]item=117(&|$)", page.url) and "data=" in page.url, page.url

                # picked again if a rerun redrew the picker under the click (a full run on a busy machine
                # once waited 4 minutes for an address the click never changed)
                for _ in range(3):
                    settled(page)
                    page.get_by_role("combobox", name="Item", exact=True).click()
                    page.get_by_role("option", name=re.compile("^Film number 3 ·")).first.click()
                    try:
                        page.wait_for_function("() => /[?&]item=103(&|$)/.test(location.search)", timeout=30_000)
                        break
                    except playwright.TimeoutError:
                        page.keyboard.press("Escape")
                assert re.search(r"[?&]item=103(&|$)", page.url), page.url
                settled(page)
                shared = page.url
                # the sidebar offers the same address to copy
                from urllib.parse import parse_qs, urlsplit

                page.locator("[data-testid='stSidebar']").get_by_text("Link to this view").click()
                offered = page.locator("[data-testid='stSidebar'] [data-testid='stCode'] code").first.inner_text().strip()
                assert urlsplit(offered)[:3] == urlsplit(shared)[:3], (offered, shared)
                assert parse_qs(urlsplit(offered).query) == parse_qs(urlsplit(shared).query), (offered, shared)

                # an item the picker does not list, typed in: by its id, then by a word of its title
                combo = page.get_by_role("combobox", name="Item", exact=True)
                for typed, shown, item_id in (("2299", "Film number 2199 ·", 2299), ("zebra", "Zebra Crossing ·", 2445)):
                    combo.click()
                    page.keyboard.type(typed)
                    page.keyboard.press("Enter")
                    page.wait_for_function(f"() => /[?&]item={item_id}(&|$)/.test(location.search)", timeout=WAIT_MS)
                    settled(page)
                    assert shown in item_shown(page), item_shown(page)
                combo.click()
                page.keyboard.type("no such film")
                page.keyboard.press("Enter")
                page.locator("[data-testid='stAlertContentWarning']", has_text="No item matches 'no such film'"
                             ).first.wait_for(timeout=WAIT_MS)
                settled(page)
                assert "Zebra Crossing ·" in item_shown(page)
                assert page.locator("[data-testid='stException']").count() == 0
                log = log_path.read_text()
                assert "failed" not in log and "Traceback" not in log, log  # preload and precomputation

                fresh = browser.new_page(viewport={"width": 1400, "height": 1000})  # another session
                fresh.goto(shared)
                fresh.wait_for_function("() => { const h = document.querySelector(\"[data-testid='stMainBlockContainer'] h1\");"
                                        " return h && h.innerText.startsWith('Neighbours'); }", timeout=WAIT_MS)
                settled(fresh)
                assert "Film number 3 ·" in item_shown(fresh)
                # the link applied without a word (its films have one user each: the page may warn of that)
                said = fresh.locator("[data-testid='stAlertContentWarning']").all_inner_texts()
                assert not [w for w in said if "fewer than 10 interactions" not in w], said
            finally:
                browser.close()
    finally:
        stop(process)
