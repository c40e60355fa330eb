"""Pages on heavy click counts (a few summed duplicates in the hundreds of thousands), through AppTest."""

from __future__ import annotations

import numpy as np
import pytest

from tests.dashboard.test_pages import new_app, open_page, upload


def heavy_clicks(seed: int = 0) -> bytes:
    """200 users × 120 items, counts 1 to 20 at 10% density, and three summed-up entries of 50,000 to 200,000."""
    rng = np.random.default_rng(seed)
    counts = np.where(rng.random((200, 120)) < 0.1, rng.integers(1, 21, (200, 120)), 0)
    counts[0, 0], counts[1, 2], counts[5, 1] = 200_000, 90_000, 50_000
    users, items = np.nonzero(counts)
    lines = ["user,item,clicks"] + [f"u{u},i{i},{counts[u, i]}" for u, i in zip(users, items, strict=True)]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def heavy_app():
    return upload(new_app(), "heavy_clicks.csv", heavy_clicks())


def test_the_spectrum_page_says_a_few_entries_carry_the_energy_and_opens_on_log_values(heavy_app):
    from mfviz.analysis import data_spectrum
    from mfviz.analysis.heavy_values import concentration, scaled

    at = open_page(heavy_app, "pages/spectrum_page.py")
    inter = at.session_state["mfviz.data"].interactions
    assert not inter.is_explicit
    found = concentration(inter)
    assert found.heavy and found.few == 3  # 0.1% of ~2,400 entries, rounded up
    assert at.selectbox(key="spectrum_values").value == "log"
    k = at.slider(key="spectrum_k").value
    opened = data_spectrum(scaled(inter.matrix, "log"), k=k)
    assert next(m for m in at.metric if m.label == "Effective rank").value == f"{opened.effective_rank:.1f}"
    [said] = [c.value for c in at.caption if c.value.startswith("Values as log(1 + value): as loaded")]
    assert found.share > 0.9995  # three counts of 50,000 to 200,000 among counts of 1 to 20
    assert f"the largest 3 of {found.entries:,} entries hold over 99.9% of ‖R‖²" in said
    assert "200,000" in said and not at.warning
    # as loaded: the warning in plain words, and the cards of the raw matrix (one direction, the huge entries)
    at.selectbox(key="spectrum_values").set_value("loaded").run()
    [warned] = [w.value for w in at.warning]
    assert warned.startswith("A few entries carry most of this matrix's energy: the largest 3 of")
    assert "log(1 + value)" in warned
    raw = data_spectrum(inter.matrix, k=k)
    assert raw.effective_rank < 2
    assert next(m for m in at.metric if m.label == "Effective rank").value == f"{raw.effective_rank:.1f}"
    at.selectbox(key="spectrum_values").set_value("binary").run()
    binary = data_spectrum(scaled(inter.matrix, "binary"), k=k)
    assert next(m for m in at.metric if m.label == "Effective rank").value == f"{binary.effective_rank:.1f}"
    assert not at.warning and not at.exception


def test_the_spectrum_page_opens_on_the_values_as_loaded_for_ratings():
    at = open_page(new_app(), "pages/spectrum_page.py")  # the demo catalogue's ratings
    assert at.selectbox(key="spectrum_values").value == "loaded"
    assert not at.warning and not [c for c in at.caption if c.value.startswith("Values as")]
