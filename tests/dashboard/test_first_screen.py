"""In a real headless Chromium at 1,280 × 720 (a presenter's laptop), on the demo and on MovieLens 100K: the Latent
space map and the Spectrum chart start inside the first screen, the map's five choices on one line, its search and
"Draw the neighbours of" on screen, the chosen model and colour whole in their boxes (a stakeholder review found
the map at ~560 px and the chart at ~625 px); on the Train page, a training's outcome (its verdicts against the
Popularity baseline and the model shown before, in one alert) and the way back to the model shown before.

Run: .venv/bin/pytest -m browser tests/dashboard/test_first_screen.py
"""

from __future__ import annotations

import os
import sys

import pytest
from app_server import SERVE, served_app
from test_browser import (
    CHROMIUM,
    FLAGS,
    ML100K,
    WAIT_MS,
    exceptions,
    settle,
)

SCREEN = {"width": 1280, "height": 720}
# Where a chart's plot area may start at most: a first screen shows the chart's upper part at least (more than a
# third of the screen), not its title alone
PLOT_TOP_AT_MOST = 480

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module", params=["demo", "MovieLens 100K"])
def served(request, tmp_path_factory):
    """The dashboard started on the demo, or on MovieLens 100K (`mfviz dashboard u.data`, its u.item beside it)."""
    if request.param == "demo":
        command = SERVE
    elif ML100K.is_file():
        command = [sys.executable, "-m", "mfviz", "dashboard", str(ML100K)]
    else:
        pytest.skip(f"MovieLens 100K is not at {ML100K}")
    with served_app(command, tmp_path_factory.mktemp("streamlit"), healthy_within=180) as url:
        yield url


@pytest.fixture(scope="module")
def screen():
    """A page of headless Chromium the size of a presenter's laptop screen."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser.new_page(viewport=SCREEN)
        finally:
            browser.close()


def plot_top(page) -> float:
    """Page pixels from the top of the screen (scrolled to the page's top) to the first chart's plot area."""
    area = page.locator("[data-testid='stPlotlyChart'] .nsewdrag").first
    area.wait_for(timeout=WAIT_MS)
    # the app can say "not running" before its first run has started: the chart first, then the run's end
    settle(page)
    page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0)")
    return area.bounding_box()["y"]


def test_the_latent_space_map_starts_on_the_first_screen(screen, served, tmp_path):
    screen.goto(served + "/latent")
    top = plot_top(screen)
    screen.screenshot(path=str(tmp_path / "latent_1280x720.png"))
    assert top <= PLOT_TOP_AT_MOST, f"the map's plot area starts at {top:.0f} px"
    assert not exceptions(screen)
    # the five maps on one line, and what a demonstration types into on the screen (not in "Map settings")
    choices = screen.locator("[data-testid='stRadio']").first.locator("label:has(input[type='radio'])")
    rows = {round(choices.nth(i).bounding_box()["y"]) for i in range(choices.count())}
    assert choices.count() == 5 and len(rows) == 1, rows
    for role, name in (("textbox", "Search items by title"), ("combobox", "Draw the neighbours of")):
        box = screen.get_by_role(role, name=name, exact=True).first.bounding_box()
        assert box is not None and box["y"] + box["height"] < top, name
    # the chosen model and colour read whole in their boxes ("Implicit ALS (quick defau…", "genre (its least
    # common…" were cut: presenter review)
    for name in ("Model", "Colour by"):
        box = screen.get_by_role("combobox", name=name, exact=True).first
        value, needed, shown = box.evaluate("e => [e.value, e.scrollWidth, e.clientWidth]")
        assert value and needed <= shown, f"{name}: {value!r} needs {needed} px of {shown}"


def test_the_spectrum_chart_starts_on_the_first_screen(screen, served, tmp_path):
    screen.goto(served + "/spectrum")
    top = plot_top(screen)
    screen.screenshot(path=str(tmp_path / "spectrum_1280x720.png"))
    assert top <= PLOT_TOP_AT_MOST, f"the chart's plot area starts at {top:.0f} px"
    assert not exceptions(screen)


def test_the_train_button_stays_put_and_a_trainings_verdict_lands_on_the_first_screen(screen, served, tmp_path):
    """The Train page at 1,280 × 720 (presenter review): with "More hyperparameters" and the sweep both opened the
    Train button moved from 625 to 894 px, off the screen; and after a training its verdict (below the model shown
    before, below the Popularity baseline) and the way back sat under the loss curve at 1,230-1,330 px, so the
    presenter saw the form, not the verdict. Implicit ALS for 1 epoch ranks below the quick default (32 factors,
    8 epochs) the page opened with: "Trained …" and its verdict are one alert, with the way back under it."""
    import re

    screen.goto(served + "/train")
    train = screen.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=WAIT_MS)
    settle(screen)

    def box(locator) -> dict:
        screen.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0)")
        return locator.bounding_box()

    button = box(train)
    assert button["y"] + button["height"] <= SCREEN["height"], button
    # each part of the form that opens: the button keeps its place, and what opened is on the screen
    for part, field in (("More hyperparameters", ("spinbutton", "CG steps per solve")), ("Sweep", ("textbox", "Values"))):
        screen.get_by_role("button", name=re.compile("^" + part)).first.click()
        opened = screen.get_by_role(field[0], name=field[1], exact=True).first
        opened.wait_for(timeout=WAIT_MS)
        assert box(train) == button, part
        shown = opened.bounding_box()
        assert 0 <= shown["y"] and shown["y"] + shown["height"] <= SCREEN["height"], (part, shown)
        screen.keyboard.press("Escape")
        opened.wait_for(state="hidden", timeout=WAIT_MS)

    epochs = screen.get_by_role("spinbutton", name="Epochs", exact=True).first
    epochs.fill("1")
    epochs.press("Tab")
    train.click()
    verdict, way_back = outcome(screen, tmp_path / "train_after_1280x720.png")
    assert box(train) == button  # the outcome comes under the form, never above it
    print(f"\n  {served}: Train button {button['y']:.0f} px, outcome {verdict['y']:.0f}–"
          f"{verdict['y'] + verdict['height']:.0f} px, way back "
          + (f"{way_back['y']:.0f}–{way_back['y'] + way_back['height']:.0f} px" if way_back else "none"))
    assert button["y"] < verdict["y"] and verdict["y"] + verdict["height"] <= SCREEN["height"], verdict
    if way_back is not None:
        assert way_back["y"] + way_back["height"] <= SCREEN["height"], way_back
    assert not exceptions(screen)


VERDICT = "the model the pages showed before|do not beat the Popularity baseline"


def outcome(page, shot) -> tuple[dict, dict | None]:
    """After a Train click: the boxes of the one alert saying what came of it ("Trained …" and its verdict) and of
    the "Show … on the pages again" button under it (None when not offered), the page scrolled to its top."""
    import re

    from test_browser import after_action

    after_action(page)
    said = page.locator("[data-testid='stAlert']").filter(has_text="Trained").filter(has_text=re.compile(VERDICT))
    said.first.wait_for(timeout=WAIT_MS)
    settle(page)
    assert said.count() == 1 and not page.locator("[data-testid='stAlert']").filter(
        has_text=re.compile(VERDICT)).count() > 1  # one alert for both verdicts
    page.screenshot(path=str(shot))
    page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0)")
    back = page.get_by_role("button", name=re.compile("on the pages again"))
    return said.first.bounding_box(), back.first.bounding_box() if back.count() else None


def test_below_the_baseline_and_the_model_shown_before_is_one_verdict_with_the_way_back_on_the_first_screen(
        screen, served, tmp_path):
    """Funk SVD for 1 epoch ranks below the Popularity baseline and below the model shown before: as three alerts
    ("Trained …" and a warning for each) the second warning and the "Show … again" button sat at 753-881 px of a 720 px
    screen on the demo. One alert says both with their numbers, and the way back is on the screen under it."""
    import re

    screen.goto(served + "/train")
    train = screen.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=WAIT_MS)
    settle(screen)
    screen.get_by_role("combobox", name="Model", exact=True).first.click()
    screen.get_by_role("option", name=re.compile("^Funk SVD —")).first.click()
    settle(screen)
    epochs = screen.get_by_role("spinbutton", name="Epochs", exact=True).first
    epochs.fill("1")
    epochs.press("Tab")
    train.click()
    verdict, way_back = outcome(screen, tmp_path / "train_both_1280x720.png")
    text = screen.locator("[data-testid='stAlert']").filter(has_text="Trained").first.inner_text()
    print(f"\n  {served}: Funk SVD, 1 epoch: outcome {verdict['y']:.0f}–{verdict['y'] + verdict['height']:.0f} px, "
          f"way back {way_back['y']:.0f}–{way_back['y'] + way_back['height']:.0f} px\n  {text}")
    # both facts, both paired intervals
    assert "do not beat the Popularity baseline and rank below" in text and text.count("±") == 2, text
    assert verdict["y"] + verdict["height"] <= way_back["y"]
    assert way_back["y"] + way_back["height"] <= SCREEN["height"], way_back
    assert not exceptions(screen)
