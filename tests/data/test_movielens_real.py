"""The real MovieLens 100K from ../shared/datasets/ml-100k, when present (never copied into the repo)."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from conftest import ML100K

from mfviz import load_interactions

pytestmark = pytest.mark.skipif(not (ML100K / "u.data").is_file(),
                                reason=f"MovieLens 100K not found at {ML100K}")


@pytest.fixture(scope="module")
def ml100k():
    return load_interactions(ML100K)


def test_counts(ml100k):
    assert (ml100k.n_users, ml100k.n_items, ml100k.nnz) == (943, 1682, 100_000)
    assert ml100k.is_explicit and ml100k.report.duplicates_merged == 0
    assert sorted(np.unique(ml100k.matrix.data).tolist()) == [1, 2, 3, 4, 5]
    assert ml100k.timestamps.min() == 874724710 and ml100k.timestamps.max() == 893286638


def test_titles_and_19_genres_joined(ml100k):
    assert ml100k.report.metadata_join_rate == 1.0
    items = ml100k.items.set_index("item_id")
    assert items.loc[1, "title"] == "Toy Story (1995)"
    assert items.loc[1, "genres"] == ["Animation", "Children's", "Comedy"]
    assert len({g for genres in ml100k.items["genres"] for g in genres}) == 19
    assert ml100k.items["title"].notna().all()
    assert any("é" in t for t in ml100k.titles)  # latin-1 decoded, e.g. "Café au Lait"


def test_same_result_from_u_data_path_and_from_zip(ml100k, tmp_path):
    direct = load_interactions(ML100K / "u.data")
    with zipfile.ZipFile(tmp_path / "ml-100k.zip", "w") as archive:
        for name in ("u.data", "u.item", "u.genre"):
            archive.write(ML100K / name, f"ml-100k/{name}")
    zipped = load_interactions(tmp_path / "ml-100k.zip")
    for other in (direct, zipped):
        assert (other.matrix != ml100k.matrix).nnz == 0
        assert other.items["title"].tolist() == ml100k.items["title"].tolist()


def test_summary(ml100k):
    summary = ml100k.summary()
    assert summary.rating_histogram["count"].tolist() == [6110, 11370, 27145, 34174, 21201]
    assert summary.item_popularity.max() == 583  # Star Wars (1977)
    assert ml100k.titles[int(np.argmax(summary.item_popularity))] == "Star Wars (1977)"
    assert 0.5 < summary.long_tail_share < 1
