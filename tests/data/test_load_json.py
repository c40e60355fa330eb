"""JSON interactions: JSON Lines as Amazon, Yelp and Goodreads publish reviews (nested fields, text
with commas and quotes, compressed), a JSON array of objects, and the messages of bad JSON."""

import gzip
import json

import pytest
from conftest import EXPECTED, ROWS, as_dict

from mfviz import DataError, load_interactions


def amazon_lines(rows=ROWS) -> str:
    """Amazon review records (2018 layout): reviewTime text before unixReviewTime, nested style."""
    return "".join(json.dumps({
        "overall": r, "verified": True, "reviewTime": "09 1, 2016", "reviewerID": f"A{u}", "asin": f"B{i:05d}",
        "style": {"Format:": " Paperback"}, "reviewerName": "Jo, \"the\" reader",
        "reviewText": "Great, really good,\nwith a line break", "summary": "ok", "unixReviewTime": t,
        "helpful": [0, 1]}) + "\n" for u, i, r, t in rows)


def test_amazon_json_lines_load_with_every_field_found_by_name(tmp_path):
    path = tmp_path / "reviews.json"
    path.write_text(amazon_lines())
    data = load_interactions(path)
    assert as_dict(data) == {(f"A{u}", f"B{i:05d}"): r for (u, i), r in EXPECTED.items()}
    assert data.report.format == "JSON Lines"
    assert "rating = 'overall'" in " ".join(data.report.lines()) and "timestamp = 'unixReviewTime'" in \
        " ".join(data.report.lines())
    # gzip-compressed, as Amazon ships them
    packed = tmp_path / "reviews.json.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert as_dict(load_interactions(packed)) == as_dict(data)


def test_yelp_style_numbers_as_ids_and_iso_dates(tmp_path):
    path = tmp_path / "yelp.jsonl"
    path.write_text("".join(json.dumps({"review_id": f"r{k}", "user_id": u, "business_id": i, "stars": r,
                                        "useful": 0, "text": "fine", "date": "2016-03-09 00:44:15"}) + "\n"
                            for k, (u, i, r, _) in enumerate(ROWS)))
    data = load_interactions(path)
    assert as_dict(data) == EXPECTED  # numeric ids stay numbers
    assert data.timestamps is not None and len(set(data.timestamps.tolist())) == 1


def test_a_json_array_of_objects(tmp_path):
    path = tmp_path / "ratings.json"
    path.write_text(json.dumps([{"user": u, "item": i, "rating": r} for u, i, r, _ in ROWS], indent=2))
    data = load_interactions(path)
    assert as_dict(data) == EXPECTED and data.report.format == "JSON (an array of objects)"


def test_records_missing_a_field_are_reported_like_any_missing_value(tmp_path):
    lines = amazon_lines().splitlines()
    broken = json.loads(lines[2])
    del broken["asin"]
    lines[2] = json.dumps(broken)
    path = tmp_path / "reviews.json"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="missing"):
        load_interactions(path)
    data = load_interactions(path, on_bad_rows="drop")
    assert data.nnz == len(ROWS) - 1


@pytest.mark.parametrize("text, message", [
    ('{"user": 1, "item": 2}\nnot json at all\n', "line 2 is not a JSON object"),
    ('[1, 2, 3]', "not an array of objects"),
    ('[{"user": 1, "item": 2}', "not valid JSON"),
    ('[]', "holds no records"),
    ('{"who": 1, "what": 2}\n', "no recognisable columns among \\['who', 'what'\\]"),
])
def test_bad_json_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        load_interactions(path)


def test_a_field_that_changes_type_later_is_read_as_text_and_a_nested_value_names_its_line(tmp_path):
    # ids numbers in the sampled head, text far below it: read as text from there (Arrow refused it)
    rows = [json.dumps({"user": k % 50, "item": k % 70, "rating": 3}) for k in range(20_000)]
    rows.append(json.dumps({"user": "u-x", "item": 1, "rating": 3}))
    path = tmp_path / "late.json"
    path.write_text("\n".join(rows) + "\n")
    data = load_interactions(path)
    assert "u-x" in set(data.user_ids.tolist()) and data.n_users == 51
    rows[-1] = json.dumps({"user": {"id": 3}, "item": 1, "rating": 3})  # no text can stand for that
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match="late.json: line 20,001 has \\{'id': 3\\} in field 'user', where other "
                                        "records hold whole numbers.*one type"):
        load_interactions(path)


@pytest.mark.parametrize("lines", [True, False])
def test_an_item_table_in_json_is_read_as_one(tmp_path, lines):
    # Amazon's metadata (one object per line, categories as nested lists) was split as CSV: 0% joined
    items = [{"asin": "B1", "title": "Dune", "categories": [["Books", "Science Fiction"]], "salesRank": {"Books": 5}},
             {"asin": "B2", "title": "Emma", "categories": [["Books", "Romance"], ["Books"]]},
             {"asin": "B3", "categories": [["Books"]]}]
    (tmp_path / "meta.json").write_text("".join(json.dumps(r) + "\n" for r in items) if lines else json.dumps(items))
    reviews = [{"reviewerID": u, "asin": a, "overall": 1 + (k % 5)} for k, (u, a) in
               enumerate((u, a) for u in ("u1", "u2") for a in ("B1", "B2", "B3"))]
    (tmp_path / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in reviews))
    data = load_interactions(tmp_path / "reviews.jsonl", items=tmp_path / "meta.json")
    assert data.report.metadata_join_rate == 1.0
    assert data.titles.tolist()[:2] == ["Dune", "Emma"]
    assert data.items["genres"].tolist() == [["Books", "Science Fiction"], ["Books", "Romance"], ["Books"]]


def test_a_json_array_says_when_a_field_mixes_numbers_and_text(tmp_path):
    records = [{"user": 1, "item": 7, "rating": 4}, {"user": 2, "item": "7", "rating": 5},
               {"user": 2, "item": 8, "rating": 3}, {"user": 1, "item": 8, "rating": 2}]
    (tmp_path / "r.json").write_text(json.dumps(records))
    data = load_interactions(tmp_path / "r.json")
    assert data.n_items == 2  # 7 and "7" are one item
    assert any(note.startswith("Numbers and text in field 'item': read as text") for note in data.report.notes)
