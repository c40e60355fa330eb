"""load_interactions on every accepted format, with fixture files written into tmp_path."""

from __future__ import annotations

import bz2
import gzip
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import EXPECTED, ROWS, as_dict, write_rows

import mfviz
from mfviz import load_interactions
from mfviz.data import delimited


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|", "::"])
@pytest.mark.parametrize("header", [True, False])
def test_delimiters_sniffed_with_and_without_header(tmp_path, delimiter, header):
    path = write_rows(tmp_path / "ratings.txt", delimiter,
                      "user,item,rating,timestamp" if header else None)
    loaded = load_interactions(path)
    assert as_dict(loaded) == EXPECTED
    assert loaded.is_explicit
    assert loaded.timestamps is not None and loaded.timestamps.min() == 878887116
    assert loaded.report.rows_read == len(ROWS) and loaded.report.rows_kept == len(ROWS)
    assert loaded.report.columns["rating"] is not None


@pytest.mark.parametrize("names", [
    "userId,movieId,rating,timestamp", "user_id,item_id,score,time", "visitorid,itemid,weight,date",
    "UserID,ArtistID,plays,ts", "customer,product,count,datetime",
])
def test_columns_found_by_synonym(tmp_path, names):
    path = write_rows(tmp_path / "r.csv", ",", names)
    loaded = load_interactions(path)
    assert as_dict(loaded) == EXPECTED
    assert list(loaded.report.columns.values()) == names.split(",")


def test_columns_in_any_order_with_extra_columns(tmp_path):
    frame = pd.DataFrame(ROWS, columns=["u", "i", "r", "t"])
    out = pd.DataFrame({"timestamp": frame.t, "comment": "x", "stars": frame.r,
                        "movie_id": frame.i, "user_id": frame.u})
    out.to_csv(tmp_path / "r.csv", index=False)
    loaded = load_interactions(tmp_path / "r.csv")
    assert as_dict(loaded) == EXPECTED
    assert loaded.report.columns == {"user": "user_id", "item": "movie_id", "rating": "stars",
                                     "timestamp": "timestamp"}


def test_iso_dates_become_unix_seconds(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating,date\na,x,1,2020-01-01\nb,y,2,2020-01-02T12:00:00\n"
                                    "a,y,3,2021-06-01\n")
    loaded = load_interactions(tmp_path / "r.csv")
    frame = loaded.to_frame()
    stamps = dict(zip(zip(frame.user, frame.item, strict=True), frame.timestamp, strict=True))
    assert stamps[("a", "x")] == 1577836800
    assert stamps[("b", "y")] == 1577836800 + 86400 + 12 * 3600


def test_two_columns_without_header_are_implicit_and_duplicates_sum(tmp_path):
    (tmp_path / "clicks.tsv").write_text("u1\ti1\nu1\ti2\nu2\ti1\nu1\ti1\nu2\ti2\n")
    loaded = load_interactions(tmp_path / "clicks.tsv")
    assert not loaded.is_explicit
    assert as_dict(loaded) == {("u1", "i1"): 2.0, ("u1", "i2"): 1.0, ("u2", "i1"): 1.0, ("u2", "i2"): 1.0}
    assert loaded.report.duplicates_policy == "sum" and loaded.report.duplicates_merged == 1


def test_third_column_of_unix_seconds_is_a_timestamp_not_a_rating(tmp_path):
    (tmp_path / "events.csv").write_text("1,10,1600000000\n1,20,1600000100\n2,10,1600000200\n2,30,1600000300\n")
    loaded = load_interactions(tmp_path / "events.csv")
    assert loaded.report.columns["rating"] is None
    assert loaded.report.columns["timestamp"] == "column_3"
    assert set(as_dict(loaded).values()) == {1.0}


def test_overrides_by_name_position_and_false(tmp_path):
    (tmp_path / "r.csv").write_text("a,b,c,d\n1,10,5,7\n1,20,3,8\n2,10,4,9\n2,20,1,1\n")
    by_name = load_interactions(tmp_path / "r.csv", user="b", item="a", rating="c", timestamp="d")
    assert as_dict(by_name)[(10, 1)] == 5.0
    by_position = load_interactions(tmp_path / "r.csv", user=1, item=0, rating=2, timestamp=False)
    assert as_dict(by_position) == as_dict(by_name) and by_position.timestamps is None
    no_rating = load_interactions(tmp_path / "r.csv", user="a", item="b", rating=False)
    assert set(as_dict(no_rating).values()) == {1.0} and not no_rating.is_explicit


def test_delimiter_and_header_overrides(tmp_path):
    # a header row that looks like data: only header=True can tell
    (tmp_path / "r.txt").write_text("7:8:9\n1:10:5\n1:20:3\n2:10:4\n2:20:2\n")
    loaded = load_interactions(tmp_path / "r.txt", delimiter=":", header=True,
                               user="7", item="8", rating="9")
    assert as_dict(loaded) == {(1, 10): 5.0, (1, 20): 3.0, (2, 10): 4.0, (2, 20): 2.0}


def test_explicit_override_and_duplicate_policies(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating,timestamp\n1,1,4,10\n1,1,2,5\n1,2,3,1\n2,1,5,1\n2,2,1,1\n")
    last = load_interactions(tmp_path / "r.csv")
    assert as_dict(last)[(1, 1)] == 4.0  # the later timestamp wins, not the later line
    assert last.report.duplicates_policy == "last" and last.report.duplicates_merged == 1
    assert as_dict(load_interactions(tmp_path / "r.csv", duplicates="mean"))[(1, 1)] == 3.0
    summed = load_interactions(tmp_path / "r.csv", duplicates="sum", explicit=False)
    assert as_dict(summed)[(1, 1)] == 6.0 and not summed.is_explicit
    assert "Merged 1 duplicate" in str(summed.report)


def test_string_ids_and_ids_beyond_int64(tmp_path):
    big = [str(2**64 + k) for k in range(3)]  # as doubles these three would be one id
    lines = ["user,item,rating"] + [f"{big[k % 3]},item-{k % 2},{k % 5 + 1}" for k in range(6)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert sorted(loaded.user_ids.tolist()) == big
    assert loaded.item_ids.tolist() == ["item-0", "item-1"]


def test_ids_are_kept_as_written(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n007,1.50,5\n7,1.5,4\n007,1.5,3\n7,1.50,2\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert loaded.user_ids.tolist() == ["007", "7"] and loaded.item_ids.tolist() == ["1.5", "1.50"]


def test_int64_ids_beyond_double_precision_are_exact(tmp_path):
    ids = [2**53 + 1, 2**53 + 3, 2**62 + 7]
    lines = ["user,item,rating"] + [f"{ids[k % 3]},{ids[(k + 1) % 3]},{k % 5 + 1}" for k in range(6)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert sorted(loaded.user_ids.tolist()) == ids and loaded.user_ids.dtype == np.int64


def test_uploaded_file_objects(tmp_path):
    class Uploaded(io.BytesIO):
        """What Streamlit's file_uploader hands over: a BytesIO with a name."""
        name = "my ratings.csv"

    data = write_rows(tmp_path / "r.csv").read_bytes()
    upload = Uploaded(data)
    upload.read()  # a page may already have read it: the loader must rewind
    loaded = load_interactions(upload)
    assert as_dict(loaded) == EXPECTED and loaded.report.source == "my ratings.csv"
    assert as_dict(load_interactions(io.BytesIO(data))) == EXPECTED
    assert as_dict(load_interactions(data)) == EXPECTED
    assert as_dict(load_interactions(str(tmp_path / "r.csv"))) == EXPECTED


def test_dataframe_source():
    frame = pd.DataFrame(ROWS, columns=["userId", "movieId", "rating", "timestamp"])
    assert as_dict(load_interactions(frame)) == EXPECTED


def test_parquet(tmp_path):
    frame = pd.DataFrame(ROWS, columns=["user_id", "item_id", "rating", "ts"])
    frame.to_parquet(tmp_path / "r.parquet")
    loaded = load_interactions(tmp_path / "r.parquet")
    assert as_dict(loaded) == EXPECTED and loaded.report.format.startswith("Parquet")
    frame.assign(ts=pd.to_datetime(frame.ts, unit="s")).to_parquet(tmp_path / "dates.parquet")
    dated = load_interactions((tmp_path / "dates.parquet").read_bytes())
    assert sorted(dated.timestamps.tolist()) == sorted(r[3] for r in ROWS)


@pytest.mark.parametrize("compress,suffix", [(gzip.compress, ".gz"), (bz2.compress, ".bz2")])
def test_compressed_text(tmp_path, compress, suffix):
    data = write_rows(tmp_path / "r.csv", "\t").read_bytes()
    (tmp_path / ("r.tsv" + suffix)).write_bytes(compress(data))
    loaded = load_interactions(tmp_path / ("r.tsv" + suffix))
    assert as_dict(loaded) == EXPECTED and "compressed" in loaded.report.format
    upload = io.BytesIO(compress(data))
    upload.name = "upload.tsv" + suffix
    assert as_dict(load_interactions(upload)) == EXPECTED


def test_zip_with_one_csv(tmp_path):
    data = write_rows(tmp_path / "r.csv", ";").read_bytes()
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        archive.writestr("export/ratings-2024.csv", data)
        archive.writestr("export/README.txt", "about this export")
    loaded = load_interactions(tmp_path / "r.zip")
    assert as_dict(loaded) == EXPECTED and "zip" in loaded.report.format


def test_latin1_text(tmp_path):
    (tmp_path / "r.csv").write_bytes("user,item,rating\nJosé,Café,5\nJosé,Thé,4\nAnaïs,Café,3\nAnaïs,Thé,1\n"
                                     .encode("latin-1"))
    loaded = load_interactions(tmp_path / "r.csv")
    assert sorted(loaded.user_ids.tolist()) == ["Anaïs", "José"]


@pytest.mark.parametrize("members, said", [({"README.txt": "hi"}, "holds 1 file (README.txt) and none"),
                                           ({}, "holds no file and none")])
def test_a_zip_without_one_data_file_says_what_it_holds(tmp_path, members, said):
    # "the zip archive holds 1 files", "holds 0 files ()"
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(mfviz.DataError, match=re.escape(said)):
        load_interactions(tmp_path / "r.zip")


def test_utf16_text(tmp_path):
    (tmp_path / "r.csv").write_bytes("user,item,rating\nu1,a,5\nu1,b,4\nu2,a,3\nu2,b,1\n".encode("utf-16"))
    loaded = load_interactions(tmp_path / "r.csv")
    assert as_dict(loaded)[("u1", "a")] == 5.0
    assert "UTF-16" in loaded.report.format  # it said utf-8, the text it was turned into


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_its_byte_order_mark(tmp_path, codec):
    # refused as binary ("its first bytes are binary: b'u\\x00s\\x00...'"), with no option that could help
    (tmp_path / "r.csv").write_bytes("user,item,rating\nu1,a,5\nu1,b,4\nu2,a,3\nu2,b,1\n".encode(codec))
    loaded = load_interactions(tmp_path / "r.csv")
    assert as_dict(loaded) == {("u1", "a"): 5.0, ("u1", "b"): 4.0, ("u2", "a"): 3.0, ("u2", "b"): 1.0}
    assert "UTF-16" in loaded.report.format


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_its_byte_order_mark_and_with_typographic_quotes(tmp_path, codec):
    # names with accents and ’ (0x2019: no NUL beside it) made 10-15% of the characters: refused as binary
    rows = "".join(f"José’{u},Café ’{i},{1 + (u + i) % 5}\n" for u in range(6) for i in range(3))
    (tmp_path / "r.csv").write_bytes(("user,item,rating\n" + rows).encode(codec))
    loaded = load_interactions(tmp_path / "r.csv")
    assert loaded.nnz == 18 and as_dict(loaded)[("José’1", "Café ’2")] == 4.0


def test_a_stray_nul_byte_in_a_text_table_is_said_where(tmp_path):
    # "its first bytes are binary: b'user,item,ra'" said nothing of the one NUL further on
    (tmp_path / "r.csv").write_bytes(b"user,item,rating\n1,1,5\n1,2\x00,3\n2,1,4\n")
    with pytest.raises(mfviz.DataError, match="holds a NUL byte \\(the first at byte 26\\)"):
        load_interactions(tmp_path / "r.csv")


def test_quoted_fields_with_delimiters_inside(tmp_path):
    (tmp_path / "r.csv").write_text('user,item,rating\n"Smith, J.","Heat, 1995",4\n"Smith, J.",Up,2\n'
                                    'Lee,"Heat, 1995",5\nLee,Up,1\n')
    loaded = load_interactions(tmp_path / "r.csv")
    assert as_dict(loaded)[("Smith, J.", "Heat, 1995")] == 4.0


# --------------------------------------------------------------------- known layouts
def _check_ml100k_fixture(loaded):
    assert as_dict(loaded) == EXPECTED
    assert loaded.report.format.startswith("MovieLens 100K")
    assert loaded.report.metadata_join_rate == 1.0
    items = loaded.items.set_index("item_id")
    assert items.loc[10, "title"] == "Toy Story (1995)"
    assert items.loc[10, "genres"] == ["Animation", "Children's", "Comedy"]
    assert items.loc[30, "title"] == "Café Society (1995)"  # latin-1 decoded
    assert loaded.titles[list(loaded.item_ids).index(20)] == "GoldenEye (1995)"


def test_movielens_100k_layout_from_file_folder_and_zip(ml100k_dir, tmp_path):
    _check_ml100k_fixture(load_interactions(ml100k_dir / "u.data"))
    _check_ml100k_fixture(load_interactions(ml100k_dir))
    with zipfile.ZipFile(tmp_path / "ml-100k.zip", "w") as archive:
        for f in ml100k_dir.iterdir():
            archive.write(f, f"ml-100k/{f.name}")
    _check_ml100k_fixture(load_interactions(tmp_path / "ml-100k.zip"))
    upload = io.BytesIO((tmp_path / "ml-100k.zip").read_bytes())
    upload.name = "ml-100k.zip"
    _check_ml100k_fixture(load_interactions(upload))


def test_movielens_100k_without_u_item_still_loads_and_says_so(ml100k_dir):
    (ml100k_dir / "u.item").unlink()
    loaded = load_interactions(ml100k_dir / "u.data")
    assert as_dict(loaded) == EXPECTED
    assert any("u.item was not found" in note for note in loaded.report.notes)
    # the first line named both files, then said one was not there
    assert loaded.report.lines()[0].endswith("/u.data (MovieLens 100K (u.data)).")


def test_movielens_100k_with_u_item_names_both_files(ml100k_dir):
    assert load_interactions(ml100k_dir / "u.data").report.format == "MovieLens 100K (u.data + u.item)"


def test_movielens_1m_layout(tmp_path):
    folder = tmp_path / "ml-1m"
    folder.mkdir()
    write_rows(folder / "ratings.dat", "::", None)
    (folder / "movies.dat").write_bytes(
        "10::Toy Story (1995)::Animation|Children's|Comedy\n20::\"Great Performances\" Cats (1998)::Musical\n"
        "30::Misérables, Les (1995)::Drama|Musical\n40::Heat (1995)::Action|Crime|Thriller\n"
        "50::Babe (1995)::Children's|Comedy|Drama\n".encode("latin-1"))
    loaded = load_interactions(folder)
    assert as_dict(loaded) == EXPECTED and loaded.report.format.startswith("MovieLens 1M")
    items = loaded.items.set_index("item_id")
    assert items.loc[20, "title"] == '"Great Performances" Cats (1998)'
    assert items.loc[30, "title"] == "Misérables, Les (1995)"
    assert items.loc[40, "genres"] == ["Action", "Crime", "Thriller"]


def test_movielens_latest_layout(tmp_path):
    folder = tmp_path / "ml-latest-small"
    folder.mkdir()
    lines = ["userId,movieId,rating,timestamp"] + [f"{u},{i},{r / 2 + 0.5:g},{t}" for u, i, r, t in ROWS]
    (folder / "ratings.csv").write_text("\n".join(lines) + "\n")
    (folder / "movies.csv").write_text(
        'movieId,title,genres\n10,Toy Story (1995),Adventure|Animation\n20,"American President, The (1995)",'
        'Comedy|Drama|Romance\n30,Heat (1995),Action\n40,"Loft, The (2005)",(no genres listed)\n')
    loaded = load_interactions(folder / "ratings.csv")
    assert loaded.report.format.startswith("MovieLens latest")
    assert as_dict(loaded)[(1, 10)] == 3.0  # half stars kept
    items = loaded.items.set_index("item_id")
    assert items.loc[20, "title"] == "American President, The (1995)"
    assert items.loc[40, "genres"] == [] and items.loc[50, "genres"] == []
    assert loaded.report.metadata_join_rate == pytest.approx(0.8)


def test_lastfm_hetrec_layout(tmp_path):
    folder = tmp_path / "hetrec2011-lastfm-2k"
    folder.mkdir()
    lines = ["userID\tartistID\tweight"] + [f"{u}\t{i}\t{int(r * 100)}" for u, i, r, _ in ROWS]
    (folder / "user_artists.dat").write_text("\n".join(lines) + "\n")
    (folder / "artists.dat").write_text(
        "id\tname\turl\tpictureURL\n10\tMALICE MIZER\thttp://a\thttp://p\n20\tDiary of Dreams\thttp://b\t\n"
        "30\tMiss \"Kittin\"\thttp://c\t\n40\tThe Beatles\thttp://d\t\n50\tBjörk\thttp://e\t\n")
    loaded = load_interactions(folder / "user_artists.dat")
    assert not loaded.is_explicit  # play counts
    assert as_dict(loaded)[(1, 10)] == 500.0
    assert loaded.report.format.startswith("Last.fm")
    items = loaded.items.set_index("item_id")
    assert items.loc[50, "title"] == "Björk" and items.loc[30, "title"] == 'Miss "Kittin"'


def test_separate_item_file_join_rate(tmp_path):
    write_rows(tmp_path / "r.csv")
    (tmp_path / "items.tsv").write_text("item_id\ttitle\tcategories\textra\n10\tTen\tA|B\tx\n20\tTwenty\tB\ty\n"
                                        "99\tNot rated\tC\tz\n")
    loaded = load_interactions(tmp_path / "r.csv", items=tmp_path / "items.tsv")
    assert loaded.report.metadata_join_rate == pytest.approx(2 / 5)
    items = loaded.items.set_index("item_id")
    assert items.loc[10, "genres"] == ["A", "B"] and items.loc[30, "genres"] == []
    assert items.loc[20, "extra"] == "y"
    assert loaded.titles.tolist() == ["Ten", "Twenty", "30", "40", "50"]
    assert "Item metadata found for 40.0% of items" in str(loaded.report)


def test_item_table_as_an_upload_in_a_known_layout(tmp_path, ml100k_dir):
    upload = io.BytesIO((ml100k_dir / "u.item").read_bytes())
    upload.name = "u.item"
    loaded = load_interactions(write_rows(tmp_path / "r.csv"), items=upload)
    assert loaded.items.set_index("item_id").loc[50, "genres"] == ["Children's", "Comedy", "Drama"]
    assert "Item metadata from u.item" in str(loaded.report)


def test_item_table_as_dataframe_with_string_ids_against_int_ratings(tmp_path):
    write_rows(tmp_path / "r.csv")
    table = pd.DataFrame({"movieId": ["10", "20", "30", "40", "50"], "name": list("abcde")})
    loaded = load_interactions(tmp_path / "r.csv", items=table)
    assert loaded.report.metadata_join_rate == 1.0
    assert loaded.titles.tolist() == list("abcde")


def test_summary_and_long_tail_on_loaded_data(ml100k_dir):
    summary = load_interactions(ml100k_dir).summary()
    assert (summary.n_users, summary.n_items, summary.nnz) == (4, 5, 11)
    assert summary.rating_histogram["count"].sum() == 11
    assert summary.item_popularity.sum() == 11 and summary.user_activity.sum() == 11
    assert 0 <= summary.long_tail_share < 1


def test_implicit_summary_histogram(tmp_path):
    lines = ["user,item,plays"] + [f"u{k % 7},i{k % 11},{(k * 37) % 500 + 1}" for k in range(60)]
    (tmp_path / "plays.csv").write_text("\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "plays.csv")
    summary = loaded.summary()
    assert not summary.is_explicit
    assert summary.rating_histogram["count"].sum() == loaded.nnz
    # whole-number counts get bins of whole numbers, labelled by the values they hold ("3–5")
    values = loaded.matrix.data
    for label, count in summary.rating_histogram.itertuples(index=False):
        low, _, high = label.partition("–")
        low, high = int(low), int(high or low)
        assert count == np.count_nonzero((values >= low) & (values <= high)), label
    assert summary.rating_histogram["value"].iloc[0] == "1"


def test_implicit_histogram_counts_fractional_weights(tmp_path):
    (tmp_path / "w.csv").write_text("user,item,weight\n1,1,0.25\n1,2,0.5\n2,1,3\n2,2,100\n3,3,0.1\n")
    loaded = load_interactions(tmp_path / "w.csv", explicit=False)
    histogram = loaded.summary().rating_histogram
    assert histogram["count"].sum() == loaded.nnz == 5
    assert histogram["value"].iloc[0] == "0.1–1"  # fractional edges to three digits


def test_many_chunks_ids_turn_to_text_when_a_later_chunk_needs_it(tmp_path, monkeypatch):
    monkeypatch.setattr(delimited, "CHUNK_BYTES", 64)  # a chunk every few lines
    lines = ["user,item,rating"] + [f"{k % 40},{k % 7},{k % 5 + 1}" for k in range(400)]
    lines += ["007,3,5", "7,3,4"]  # only now do the user ids stop being plain integers
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert loaded.user_ids.dtype == object and {"007", "7", "39"} <= set(loaded.user_ids)
    assert loaded.item_ids.dtype == np.int64 and loaded.report.rows_read == 402


def test_many_chunks_bad_value_in_a_later_chunk_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(delimited, "CHUNK_BYTES", 64)
    lines = ["user,item,rating"] + [f"{k % 40},{k % 7},{k % 5 + 1}" for k in range(400)]
    lines[301] = "3,4,five"
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(mfviz.DataError, match="line 302.*'five'"):
        load_interactions(tmp_path / "r.csv")
    assert load_interactions(tmp_path / "r.csv", on_bad_rows="drop").report.rows_dropped == 1


def test_public_names():
    assert mfviz.load_interactions is load_interactions
    assert issubclass(mfviz.DataError, ValueError)


def test_quoted_newlines_across_arrows_parallel_blocks(tmp_path, monkeypatch):
    # Arrow cuts each chunk into blocks at newlines to parse them in parallel; a newline inside a
    # quoted field there cut a row in two ("CSV parser got out of sync") once a file passed ~2 MB
    monkeypatch.setattr(delimited, "CHUNK_BLOCK_BYTES", 128)
    lines = ["user,item,rating,review"]
    for k in range(2000):
        review = '"He said ""hi, there""\nand left"' if k % 3 == 0 else "plain"
        lines.append(f"u{k % 50},i{k % 70},{k % 5 + 1},{review}")
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "r.csv", duplicates="last")
    assert loaded.report.rows_read == 2000 and loaded.report.rows_dropped == 0
    expected = {(f"u{k % 50}", f"i{k % 70}"): float(k % 5 + 1) for k in range(2000)}  # the last of each pair
    assert as_dict(loaded) == expected


def test_a_bad_row_is_found_on_its_own_line_not_where_its_text_first_appears(tmp_path, monkeypatch):
    monkeypatch.setattr(delimited, "CHUNK_BYTES", 64)
    lines = ["user,item,rating,note"] + [f"{k},{k % 7},4,\"see 9,9\"" for k in range(300)]
    lines[250] = "9,9"  # two fields of four; the same text sits in line 2's quoted note
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(mfviz.DataError, match="line 251 has 2 where 4"):
        load_interactions(tmp_path / "r.csv")


@pytest.mark.parametrize("text", [
    "  1   10  5\n  1   20  4\n 12    10  3\n 12  200  1\n",  # right-aligned, no header
    "user  item  rating\n1     10    5\n1     20    4\n12    10    3\n12    200   1\n",  # left-aligned, a header
    "1 \t 10\t\t5\n1\t 20 \t4\n12  10   3\n12\t200  1\n",  # spaces and tabs mixed
])
def test_columns_aligned_with_runs_of_spaces_are_read(tmp_path, text):
    # one space as the delimiter gave empty fields: "5 rows have a missing id in column 'column_2'"
    (tmp_path / "aligned.txt").write_text(text)
    loaded = load_interactions(tmp_path / "aligned.txt")
    assert as_dict(loaded) == {(1, 10): 5.0, (1, 20): 4.0, (12, 10): 3.0, (12, 200): 1.0}
    assert "runs of spaces" in loaded.report.format


def test_a_tab_separated_file_with_empty_fields_is_not_taken_for_aligned_columns(tmp_path):
    (tmp_path / "r.tsv").write_text("user\titem\trating\tnote\n1\t10\t5\t\n1\t20\t4\t\n2\t10\t3\tok\n2\t20\t1\t\n")
    loaded = load_interactions(tmp_path / "r.tsv")
    assert "tab separated" in loaded.report.format and loaded.nnz == 4


@pytest.mark.parametrize("text", [
    # names of two words: split on every run of spaces, the header held 5 fields and the rows 3
    "user id   item id   rating\n1         10        5\n1         20        4\n12        10        3\n"
    "12        200       1\n",
    "   user id  item id  rating\n         1       10       5\n         1       20       4\n"
    "        12       10       3\n        12      200       1\n",  # right-aligned
    "user id\titem id\trating\n1  \t10 \t5\n1\t20\t4\n12      10      3\n12\t200  1\n",  # tabs and spaces
])
def test_aligned_columns_whose_names_hold_a_space_are_split_on_the_wider_runs(tmp_path, text):
    (tmp_path / "aligned.txt").write_text(text)
    loaded = load_interactions(tmp_path / "aligned.txt")
    assert as_dict(loaded) == {(1, 10): 5.0, (1, 20): 4.0, (12, 10): 3.0, (12, 200): 1.0}
    assert loaded.report.columns == {"user": "user id", "item": "item id", "rating": "rating", "timestamp": None}
    assert "runs of two or more spaces" in loaded.report.format


def test_aligned_values_holding_a_time_are_read_whole(tmp_path):
    # "2020-04-13 10:00" split in two: "a line has 5 where 4 were expected"
    rows = [(1, 10, 5, "2020-04-13 10:00"), (1, 20, 4, "2020-04-14 09:30"), (12, 10, 3, "2021-01-02 23:59"),
            (12, 200, 1, "2021-01-03 00:00")]
    text = "user  item  rating  time\n" + "".join(f"{u:<6}{i:<6}{r:<8}{t}\n" for u, i, r, t in rows)
    (tmp_path / "aligned.txt").write_text(text)
    loaded = load_interactions(tmp_path / "aligned.txt")
    out = loaded.to_frame().set_index(["user", "item"])
    assert out.timestamp.to_dict() == {(1, 10): 1586772000, (1, 20): 1586856600, (12, 10): 1609631940,
                                       (12, 200): 1609632000}
    assert out.rating.to_dict() == {(1, 10): 5.0, (1, 20): 4.0, (12, 10): 3.0, (12, 200): 1.0}


def test_aligned_columns_one_space_apart_where_values_hold_spaces_are_refused_with_what_to_do(tmp_path):
    # pandas' to_string: columns one space apart where a value fills its column, and titles hold spaces
    frame = pd.DataFrame({"user": [1, 22, 3], "item": ["Heat 1995", "Up", "Big Fish"], "rating": [5, 4, 3]})
    (tmp_path / "aligned.txt").write_text(frame.to_string(index=False) + "\n")
    with pytest.raises(mfviz.DataError, match=r"aligned with spaces, but the lines do not split alike.*"
                                              r"Save the table with a delimiter"):
        load_interactions(tmp_path / "aligned.txt")


@pytest.mark.parametrize(("table", "titles"), [
    ("item  title      year\n10    Heat       1995\n20    GoldenEye  1995\n30    Babe       1995\n"
     "40    Up         2009\n50    Alien      1979\n", ["Heat", "GoldenEye", "Babe", "Up", "Alien"]),
    ("item id  title                 year\n10       Toy Story (1995)      1995\n20       GoldenEye (1995)      1995\n"
     "30       Babe (1995)           1995\n40       Up (2009)             2009\n50       Alien (1979)          1979\n",
     ["Toy Story (1995)", "GoldenEye (1995)", "Babe (1995)", "Up (2009)", "Alien (1979)"]),
])
def test_an_item_table_aligned_with_runs_of_spaces_is_read_as_the_interactions_are(tmp_path, table, titles):
    # each run of spaces was an empty field there: rows were skipped or their fields shifted (0% and 20% joined)
    (tmp_path / "items.txt").write_text(table)
    data = load_interactions(write_rows(tmp_path / "r.csv"), items=tmp_path / "items.txt")
    assert data.report.metadata_join_rate == 1.0 and data.titles.tolist() == titles


def test_a_short_line_among_aligned_columns_with_spaced_names_is_named_as_written(tmp_path):
    # named 'a line': it was looked for in the file with the byte that stands in for the runs of spaces
    rows = [f"{u}  {i}  {1 + (u + i) % 5}" for u in range(1, 5) for i in (10, 20, 30)]
    rows[1] = "1  20"
    (tmp_path / "aligned.txt").write_text("user id  item id  rating\n" + "\n".join(rows) + "\n")
    with pytest.raises(mfviz.DataError, match=r"line 3 has 2 where 3 were expected: '1  20'"):
        load_interactions(tmp_path / "aligned.txt")
    data = load_interactions(tmp_path / "aligned.txt", on_bad_rows="drop")
    assert data.nnz == 11 and data.report.dropped == {"a wrong number of fields (expected 3)": 1}
