"""Heavy values: the share of ‖R‖² held by the largest entries, the value scales, and their spectra against numpy."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.analysis import data_spectrum
from mfviz.analysis.heavy_values import concentration, default_scale, scaled
from mfviz.data.interactions import Interactions


def one_huge_entry(seed: int = 0) -> np.ndarray:
    """30 × 20 click counts of 1 to 40 at 20% density, one of them 10,000 (as summed duplicate rows make)."""
    rng = np.random.default_rng(seed)
    counts = np.where(rng.random((30, 20)) < 0.2, rng.integers(1, 41, (30, 20)), 0).astype(float)
    counts[3, 7] = 10_000.0
    return counts


def test_the_share_of_the_largest_entries_is_their_squares_over_the_squared_frobenius_norm():
    counts = one_huge_entry()
    found = concentration(sp.csr_matrix(counts))
    stored = counts[counts != 0]
    assert found.entries == stored.size and found.few == 1  # 0.1% of ~120 entries: at least one
    assert found.share == pytest.approx(10_000.0**2 / np.sum(stored**2))
    assert found.largest == 10_000.0 and found.heavy
    # a tenth of the entries: the 12 largest, by hand
    tenth = concentration(counts, few=0.1)
    assert tenth.few == int(np.ceil(stored.size / 10))
    assert tenth.share == pytest.approx(np.sum(np.sort(stored**2)[::-1][: tenth.few]) / np.sum(stored**2))
    # counts up to 40 are not heavy; nor is an empty matrix
    assert not concentration(np.clip(counts, 0, 40)).heavy
    assert concentration(sp.csr_matrix((3, 3))).share == 0.0


def test_one_huge_entry_is_the_whole_spectrum_as_loaded_and_not_on_log_or_binary_values():
    counts = one_huge_entry()
    loaded = data_spectrum(sp.csr_matrix(counts), k=20)
    np.testing.assert_allclose(loaded.singular_values, np.linalg.svd(counts, compute_uv=False)[:20], rtol=1e-9)
    # σ₁ ≥ the largest entry: past half of ‖R‖², so one direction (the entry) is nearly all of the energy
    assert loaded.singular_values[0] >= 10_000.0 and loaded.k_for[0.9] == 1 and loaded.effective_rank < 1.01
    for scale, values in (("log", np.log1p(counts)), ("binary", (counts != 0).astype(float))):
        spectrum = data_spectrum(scaled(sp.csr_matrix(counts), scale), k=20)
        expected = np.linalg.svd(values, compute_uv=False)[:20]  # the transform applied by hand, then numpy
        np.testing.assert_allclose(spectrum.singular_values, expected, rtol=1e-9)
        assert spectrum.effective_rank > 2 and spectrum.k_for[0.9] > 1
    # dense in, dense out; the loaded scale is the matrix itself; zeros stay missing
    np.testing.assert_allclose(scaled(counts, "log"), np.log1p(counts))
    assert scaled(counts, "loaded") is counts
    assert scaled(sp.csr_matrix(counts), "binary").nnz == np.count_nonzero(counts)
    with pytest.raises(ValueError, match="scale must be one of"):
        scaled(counts, "sqrt")


def test_the_page_opens_on_log_values_for_heavy_counts_only():
    counts = one_huge_entry()
    users, items = np.nonzero(counts)
    frame = {"user": users, "item": items, "value": counts[users, items]}
    import pandas as pd

    clicks = Interactions.from_frame(pd.DataFrame(frame), user="user", item="item", rating="value")
    assert not clicks.is_explicit and default_scale(clicks) == "log"
    light = pd.DataFrame({**frame, "value": np.clip(frame["value"], 1, 40)})
    assert default_scale(Interactions.from_frame(light, user="user", item="item", rating="value")) == "loaded"


def test_as_many_singular_values_as_the_heavy_entries_carry_at_least_their_share():
    # Eckart–Young: the few entries form a matrix of rank at most their count, so R's best approximation of that
    # rank leaves at most the rest's energy; here three huge counts in three rows and columns
    counts = one_huge_entry(1)
    counts[0, 0], counts[10, 5], counts[20, 15] = 3_000.0, 2_000.0, 1_000.0
    counts[3, 7] = 0.0
    found = concentration(counts, few=3 / np.count_nonzero(counts))
    assert found.few == 3 and found.heavy
    values = np.linalg.svd(counts, compute_uv=False)
    assert np.sum(values[:3] ** 2) / np.sum(values**2) >= found.share
    assert values[0] ** 2 / np.sum(values**2) < found.share  # the first alone does not: three directions, not one
