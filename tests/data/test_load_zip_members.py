"""A zip of an interactions file and an item table: each found by its columns, and what was taken said."""

import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

import mfviz
from mfviz import load_interactions


def export_frames(rows: int = 600, items: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    ratings = pd.DataFrame({"customer_id": [f"C{u:03d}" for u in rng.integers(0, 60, rows)],
                            "sku": [f"SKU-{i}" for i in rng.integers(0, items, rows)],
                            "stars": rng.integers(1, 6, rows), "device": rng.choice(["ios", "web"], rows)})
    meta = pd.DataFrame({"sku": [f"SKU-{i}" for i in range(items)], "title": [f"Thing {i}" for i in range(items)],
                         "genres": ["A|B"] * items, "price": np.linspace(1, 20, items).round(2)})
    return ratings, meta


def zipped(**members: pd.DataFrame | str) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, frame in members.items():
            name = name.replace("__", ".")
            if isinstance(frame, str):
                archive.writestr(name, frame)
            elif name.endswith(".parquet"):
                archive.writestr(name, frame.to_parquet(index=False))
            elif name.endswith(".gz"):
                archive.writestr(name, gzip.compress(frame.to_csv(index=False).encode()))
            else:
                archive.writestr(name, frame.to_csv(index=False))
    buffer.seek(0)
    buffer.name = "export_csv.zip"
    return buffer


@pytest.mark.parametrize("order", ["ratings first", "items first"])
def test_the_interactions_and_the_item_table_are_told_apart_by_their_columns(order):
    ratings, meta = export_frames()
    members = {"export_ratings__csv": ratings, "items_meta__csv": meta}
    if order == "items first":
        members = dict(reversed(members.items()))
    data = load_interactions(zipped(**members))
    pairs = ratings.drop_duplicates(["customer_id", "sku"], keep="last")
    assert data.nnz == len(pairs) and data.report.columns["user"] == "customer_id"
    assert data.items["title"].notna().all() and data.report.metadata_join_rate == 1.0
    said = " ".join(data.report.notes)
    assert "export_csv.zip holds 2 files: took export_ratings.csv (columns customer_id, sku, stars, device; about " \
           "600 rows) as the interactions and items_meta.csv (columns sku, title, genres, price; about 30 rows) " \
           "as the item table." in said


def test_a_parquet_item_table_and_a_readme_beside_the_interactions():
    ratings, meta = export_frames()
    data = load_interactions(zipped(orders__csv=ratings, items__parquet=meta, notes__txt="exported by the shop\n"))
    assert data.items["title"].notna().all()
    said = " ".join(data.report.notes)
    assert "took orders.csv" in said and "items.parquet (columns sku, title, genres, price; about 30 rows) as the " \
           "item table" in said and "not used: notes.txt" in said


def test_a_log_ten_times_longer_than_another_with_user_and_item_columns_is_the_interactions():
    ratings, meta = export_frames(rows=2_000)
    sample = ratings.head(40)
    data = load_interactions(zipped(sample__csv=sample, full__csv=ratings, items__csv=meta))
    assert data.report.source.endswith("full.csv") and "not used: sample.csv" in " ".join(data.report.notes)


def test_two_files_alike_are_refused_with_how_to_choose():
    ratings, meta = export_frames()
    with pytest.raises(mfviz.DataError) as refused:
        load_interactions(zipped(january__csv=ratings, february__csv=ratings.iloc[::2], items__csv=meta))
    said = str(refused.value)
    assert "holds 2 files with user and item columns" in said and "january.csv" in said and "february.csv" in said
    assert "load the one you mean" in said


def test_no_file_with_user_and_item_columns_says_what_each_holds():
    _, meta = export_frames()
    with pytest.raises(mfviz.DataError, match="none has user and item columns .*items_meta.csv \\(columns sku"):
        load_interactions(zipped(items_meta__csv=meta, other__csv="a,b\n1,2\n3,4\n"))


def test_a_gzipped_interactions_file_in_the_archive_is_judged_by_what_it_holds():
    ratings, meta = export_frames()
    data = load_interactions(zipped(ratings_export__csv__gz=ratings, items_meta__csv=meta))
    assert data.report.columns["user"] == "customer_id" and data.items["title"].notna().all()
    assert "took ratings_export.csv.gz" in " ".join(data.report.notes)
