"""The demo catalogue: deterministic, the promised shape, and genre structure a model can find."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
import scipy.sparse.linalg as sla

import mfviz.datasets as datasets
from mfviz.data.demo import GENRES, generate_demo, main


@pytest.fixture(scope="module")
def demo():
    return datasets.load_demo()


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    small = {"n_users": 100, "n_items": 60, "n_ratings": 1500}
    pd.testing.assert_frame_equal(generate_demo(3, **small)[0], generate_demo(3, **small)[0])
    assert not generate_demo(4, **small)[0].equals(generate_demo(3, **small)[0])
    main(["--out", str(tmp_path), "--seed", "7"])  # the command data/README.md documents
    for name, path in datasets.demo_files().items():
        if path.parent == datasets.DATA_DIR:
            assert (tmp_path / name).read_bytes() == path.read_bytes(), f"data/{name} is stale"


def test_shape_values_and_files(demo):
    assert (demo.n_users, demo.n_items, demo.nnz) == (3000, 1500, 100_000)
    assert demo.is_explicit and set(np.unique(demo.matrix.data)) == {1, 2, 3, 4, 5}
    assert demo.timestamps is not None and demo.timestamps.min() > 1_300_000_000
    assert demo.report.metadata_join_rate == 1.0
    assert demo.titles[0].endswith(")") and demo.items["title"].is_unique
    assert all(1 <= len(g) <= 2 and set(g) <= set(GENRES) for g in demo.items["genres"])
    assert demo.user_activity.min() >= 8
    files = datasets.demo_files()
    assert set(files) == {"demo_ratings.csv", "demo_items.csv"}
    assert sum(p.stat().st_size for p in files.values()) < 5 * 2**20


def test_power_law_popularity(demo):
    popularity = np.sort(demo.item_popularity)[::-1]
    top_share = popularity[: len(popularity) // 10].sum() / popularity.sum()
    assert top_share > 0.3  # the top 10% of items carry far more than 10% of ratings
    assert popularity[0] > 10 * np.median(popularity)
    assert demo.summary().long_tail_share > 0.7


def test_genre_structure_is_planted(demo):
    main_genre = np.array([g[0] for g in demo.items["genres"]])
    binary = (demo.matrix > 0).astype(np.float64)
    co = (binary.T @ binary).toarray()
    np.fill_diagonal(co, 0)
    same = main_genre[:, None] == main_genre[None, :]
    np.fill_diagonal(same, False)
    assert co[same].mean() > 3 * co[~same].mean()
    # and a rank-12 SVD puts each item next to items of its own genre far above chance
    _, s, vt = sla.svds(demo.matrix.astype(np.float64), k=12, random_state=0)
    vectors = (vt.T * s)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    neighbour = similarity.argmax(axis=1)
    chance = sum((main_genre == g).mean() ** 2 for g in GENRES)
    assert (main_genre[neighbour] == main_genre).mean() > 5 * chance


def test_load_demo_generates_when_files_are_absent(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path / "not-there")
    monkeypatch.setenv("MFVIZ_CACHE", str(tmp_path / "cache"))
    files = datasets.demo_files()
    assert all(p.parent == tmp_path / "cache" and p.is_file() for p in files.values())
    assert datasets.load_demo().nnz == 100_000


def assert_same_interactions(a, b) -> None:
    assert (a.n_users, a.n_items, a.nnz, a.is_explicit) == (b.n_users, b.n_items, b.nnz, b.is_explicit)
    assert (a.matrix != b.matrix).nnz == 0
    np.testing.assert_array_equal(a.titles, b.titles)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.report.lines() == b.report.lines()


def test_the_parsed_demo_is_kept_and_read_back(tmp_path, demo, monkeypatch):
    parsed = datasets.load_demo(cache_dir=False)
    assert_same_interactions(parsed, demo)
    first = datasets.load_demo(cache_dir=tmp_path)
    (kept,) = tmp_path.glob("demo-*.pickle")

    def no_parsing(*args, **kwargs):
        raise AssertionError("the kept copy should have been read")

    monkeypatch.setattr(datasets, "load_interactions", no_parsing)
    second = datasets.load_demo(cache_dir=tmp_path)
    assert_same_interactions(first, parsed)
    assert_same_interactions(second, parsed)
    assert list(tmp_path.iterdir()) == [kept]  # no temporary file left behind


def test_a_damaged_copy_is_parsed_again_and_replaced(tmp_path, demo):
    datasets.load_demo(cache_dir=tmp_path)
    (kept,) = tmp_path.glob("demo-*.pickle")
    kept.write_bytes(b"not a pickle")
    assert_same_interactions(datasets.load_demo(cache_dir=tmp_path), demo)
    assert_same_interactions(datasets.load_demo(cache_dir=tmp_path), demo)  # the rewritten copy reads
    assert kept.read_bytes() != b"not a pickle"


def test_the_copy_follows_the_files(tmp_path, monkeypatch):
    files = {name: tmp_path / name for name in datasets.DEMO_FILES}
    for name, path in datasets.demo_files().items():
        files[name].write_bytes(path.read_bytes())
    monkeypatch.setattr(datasets, "demo_files", lambda: files)
    before = datasets._demo_key(files)
    ratings = files["demo_ratings.csv"]
    lines = ratings.read_text().splitlines(keepends=True)
    ratings.write_text("".join(lines[:-1]))  # one rating fewer
    assert datasets._demo_key(files) != before
    moved = {name: tmp_path / "elsewhere" / name for name in files}
    for name, path in moved.items():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(files[name].read_bytes())
    assert datasets._demo_key(moved) != datasets._demo_key(files)  # its report names the files' paths
    assert datasets.load_demo(cache_dir=tmp_path / "kept").nnz == 99_999


def test_only_the_most_recently_used_copies_are_kept(tmp_path, demo):
    for n in range(datasets.KEEP_COPIES + 2):  # copies left by other versions of the parsing code
        stale = tmp_path / f"demo-stale{n}.pickle"
        stale.write_bytes(b"old")
        os.utime(stale, (1_000_000 + n, 1_000_000 + n))
    datasets.load_demo(cache_dir=tmp_path)
    kept = sorted(p.name for p in tmp_path.glob("demo-*.pickle"))
    assert len(kept) == datasets.KEEP_COPIES
    newest_stale = [f"demo-stale{n}.pickle" for n in range(datasets.KEEP_COPIES + 1, 2, -1)]
    assert set(newest_stale) < set(kept)  # the new copy and the four most recent others
