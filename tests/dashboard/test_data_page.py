"""The Data page's reading options and load warnings through AppTest, on real uploaded bytes: what a
user whose file the detection misreads, or whose file has a few bad rows, can do without the API."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from test_pages import new_app, open_page, upload

from mfviz.dashboard.plain import plain


def ratings_csv(users: int = 30, items: int = 12, bad: str | None = None) -> bytes:
    rows = [f"u{u},i{(u * 7 + j) % items},{1 + (u + j) % 5}" for u in range(users) for j in range(5)]
    if bad is not None:
        rows.insert(17, bad)
    return ("user,item,rating\n" + "\n".join(rows) + "\n").encode()


def mapping_option(at, option: str, choice: str):
    at.selectbox(key=f"map_{option}").set_value(choice)
    at.button(key="apply_mapping").click()
    return at.run()


def test_bad_rows_stop_the_load_and_the_page_offers_to_drop_and_count_them():
    at = upload(new_app(), "ratings.csv", ratings_csv(bad="u3,i4,five"))
    assert not at.exception and at.error and "five" in at.error[0].value
    assert "reading options" in at.error[0].value
    assert at.selectbox(key="map_on_bad_rows").value == "stop and say where"
    at = mapping_option(at, "on_bad_rows", "drop them and count them")
    assert not at.exception and not at.error
    assert at.session_state["mfviz.data"].interactions.nnz == 150  # all 150 good rows (their pairs are distinct)
    assert any(w.value.startswith("1 of 151 rows was dropped (1 row: ") for w in at.warning), [w.value for w in at.warning]


def test_the_header_option_reads_a_first_line_the_detection_took_for_data():
    content = b"reader,novel\n" + b"".join(f"r{u},n{(u * 3 + j) % 9}\n".encode() for u in range(20) for j in range(3))
    at = upload(new_app(), "reads.csv", content)
    assert not at.error
    detected = at.session_state["mfviz.data"].interactions
    at = mapping_option(at, "header", "yes: names the columns")
    # names it cannot place, as read (escaped for Markdown: plain)
    assert plain("no recognisable columns among ['reader', 'novel']") in at.error[0].value
    at.selectbox(key="map_user").set_value("reader")  # by its name, the header read as one
    at = mapping_option(at, "item", "novel")
    assert not at.exception and not at.error
    named = at.session_state["mfviz.data"].interactions
    assert named.nnz == detected.nnz - 1 and "reader" not in set(named.user_ids.tolist())
    assert at.selectbox(key="map_header").value == "yes: names the columns"  # the choice stays shown


def test_the_delimiter_option_reaches_the_loader():
    content = b"".join(f"u{u}|i{(u * 5 + j) % 10}|{1 + j}\n".encode() for u in range(20) for j in range(4))
    at = upload(new_app(), "pipes.txt", content)
    at = mapping_option(at, "delimiter", "comma ,")
    assert not at.exception and at.error and "pipes.txt" in at.error[0].value  # one column: no ids to map
    at = mapping_option(at, "delimiter", "pipe |")
    assert not at.error and at.session_state["mfviz.data"].interactions.nnz == 80


def test_item_metadata_that_names_few_items_is_a_warning():
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("items.csv", b"id,title\nx1,One\nx2,Two\n", "text/plain"))
    at = upload(at, "ratings.csv", ratings_csv())
    assert not at.exception and not at.error
    assert any("items.csv names only 0% of the items" in w.value for w in at.warning), [w.value for w in at.warning]


def test_an_item_table_that_cannot_be_read_is_named_and_the_interactions_said_to_load_without_it():
    # an empty item table's error named the interactions file and sent the user to its Column mapping
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("items.csv", b"", "text/plain"))
    at = upload(at, "ratings.csv", ratings_csv())
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Could not load the item table items.csv: the file is empty") and "Column mapping" not in error
    assert "Remove the item table (×) to load ratings.csv alone" in error


def test_an_item_table_added_after_the_interactions_is_joined_to_them():
    """Chromium: upload u.data, visit another page, come back (the uploaders are empty then) and add
    u.item: the file sat in its uploader and nothing was joined."""
    at = upload(new_app(), "ratings.csv", ratings_csv())
    at.file_uploader(key="upload_interactions").set_value(None).run()  # as after leaving the page
    assert at.session_state["mfviz.data"].name == "ratings.csv"
    titles = "id,title,genres\n" + "".join(f"i{i},Film {i},Drama\n" for i in range(12))
    at.file_uploader(key="upload_items").set_value(("items.csv", titles.encode(), "text/plain")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    data = at.session_state["mfviz.data"]
    assert data.name == "ratings.csv" and data.interactions.nnz == 150
    assert dict(zip(data.interactions.item_ids, data.interactions.titles, strict=True))["i3"] == "Film 3"
    assert any("Joined items.csv to ratings.csv: 100% of the items" in s.value for s in at.success)
    assert "Item metadata from items.csv." in " ".join(data.report_lines)
    at.run()  # joined once, not on every run
    assert not at.success


def test_an_item_table_loaded_with_the_interactions_is_not_joined_again():
    titles = "id,title\n" + "".join(f"i{i},Film {i}\n" for i in range(12))
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("items.csv", titles.encode(), "text/plain"))
    at = upload(at, "ratings.csv", ratings_csv())
    assert any(s.value.startswith("Loaded ratings.csv") for s in at.success)
    at.file_uploader(key="upload_interactions").set_value(None).run()  # the interactions file taken out
    assert not at.success and not at.error  # its data and item table stay as they are
    assert at.session_state["mfviz.data"].interactions.titles[0] == "Film 0"


def test_new_data_stops_a_training_run_on_the_old_data():
    """Chromium: a 300-epoch fit kept running for 50 s after an upload, shown under the new data."""
    from mfviz.dashboard import state, training

    at = new_app()
    old = at.session_state["mfviz.data"].interactions
    job = training.TrainingJob(kind="als", label="ALS (long)", params={"factors": 4, "epochs": 10_000},
                               train=old, test=None, k=10, data_key="old", split="none").start()
    at.session_state[state.TRAINING] = job
    at = upload(at, "ratings.csv", ratings_csv())
    assert job.stop_event.is_set() and state.TRAINING not in at.session_state
    job.thread.join(timeout=60)
    assert job.done and len(job.epochs) < 10_000
    assert "ALS (long)" not in " ".join(m.value for m in at.markdown)  # nothing says it trains on the new data


def test_messages_name_the_pages_choices_not_the_apis_keywords():
    at = upload(new_app(), "ratings.csv", ratings_csv(bad="u3,i4,five"))
    message = at.error[0].value
    assert "on_bad_rows" not in message and "“drop them and count them” under Column mapping" in message
    at = upload(new_app(), "model.npz", b"PK\x03\x04 not really")
    assert "looks like a model file" in at.error[0].value and "Load a model" in at.error[0].value
    assert not at.exception


def test_the_load_report_speaks_of_the_page():
    from mfviz.dashboard import load_words

    line = "u.item was not found next to u.data, so items have no titles; pass items=... to add them."
    assert load_words.plain_report([line]) == ["u.item was not found next to u.data, so items have no titles; add them "
                                       "with Item metadata (optional) on the Data page."]


def test_timestamps_that_are_likely_misread_are_a_warning():
    rows = [f"u{u},i{(u * 7 + j) % 12},{1 + (u + j) % 5},{2000 + j}" for u in range(30) for j in range(5)]
    at = upload(new_app(), "years.csv", ("user,item,rating,date\n" + "\n".join(rows) + "\n").encode())
    assert not at.exception and not at.error
    assert any("falls in 1970" in w.value and "timestamp = none" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_zero_ratings_that_mean_not_rated_are_warned_of_and_can_be_dropped():
    rows = [f"u{u},i{(u * 7 + j) % 12},{(u + j) % 6}" for u in range(30) for j in range(5)]  # 0-5, 0 = not rated
    at = upload(new_app(), "shelves.csv", ("user,item,rating\n" + "\n".join(rows) + "\n").encode())
    assert not at.exception and not at.error
    assert any("are 0 on a scale from 1 to 5" in w.value for w in at.warning), [w.value for w in at.warning]
    loaded = at.session_state["mfviz.data"].interactions
    drop = next(box for box in at.checkbox if box.label == "Drop 0 ratings")
    drop.check()
    at.button(key="filters_apply").click().run()
    assert not at.exception and not at.error
    data = at.session_state["mfviz.data"]
    assert data.filters == "0 ratings dropped" and data.interactions.is_explicit
    assert data.interactions.nnz == loaded.nnz - int((loaded.matrix.data == 0).sum()) and data.interactions.matrix.data.min() == 1
    assert not any("are 0 on a scale" in line for line in data.report_lines)


def test_an_item_table_dropped_as_interactions_gets_the_pages_advice():
    at = upload(new_app(), "movies.csv", b"movieId,title,genres\n1,Heat (1995),Action|Crime\n2,Babe (1995),Drama\n")
    assert not at.exception and at.error
    message = at.error[0].value
    assert "looks like an item table" in message and "Item metadata (optional)" in message
    assert "items=..." not in message and "load_interactions" not in message and "user=..." not in message
    assert message.startswith("Could not load movies.csv: no user column")  # the file named once


@pytest.mark.parametrize("name, content, said", [
    ("empty.csv", b"", "the file is empty"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary content, not text"),
    ("two.zip", None, "the zip archive holds 2 files with user and item columns"),
])
def test_a_file_that_is_no_table_is_not_sent_to_the_column_mapping(name, content, said):
    # The advice to look under Column mapping came with every error, also where no mapping or reading option helps.
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.csv", "user,item\n1,2\n")
            archive.writestr("b.csv", "user,item\n3,4\n")
        content = buffer.getvalue()
    at = upload(new_app(), name, content)
    assert not at.exception and at.error
    message = at.error[0].value
    assert message.startswith(f"Could not load {name}:") and said in message, message
    assert "Column mapping" not in message
    assert not any("please check" in e.label for e in at.expander)  # nor opened over a preview of junk
    # a file mapping can help with keeps the advice
    other = upload(new_app(), "r.csv", ratings_csv(bad="u1,i1,abc"))
    assert other.error and "Column mapping" in other.error[0].value, [e.value for e in other.error]
    assert any(e.label == "Column mapping — please check" for e in other.expander)


def test_the_pages_report_keeps_dates_and_cuts_folders():
    # the folder-cutting took a date's slashes for folders: "day first (13/02/2020): read as day/month/year"
    # read "day first (132020): read as dayyear" on the page
    from mfviz.dashboard.load_words import plain_report

    lines = ["Read 4 rows from /tmp/data/r.csv (delimited text).",
             "Dates in column 'date' are written day first (13/02/2020): read as day/month/year.",
             "Item metadata from /srv/data/items.csv."]
    assert plain_report(lines) == ["Read 4 rows from r.csv (delimited text).", lines[1], "Item metadata from items.csv."]
    # relative folders too, as `mfviz dashboard ../shared/datasets/ml-100k/u.data` names them
    assert plain_report(["Read 100,000 rows from ../shared/datasets/ml-100k/u.data (MovieLens 100K).",
                         "Item metadata from ./u.item and ~/x/items.csv."]) == [
        "Read 100,000 rows from u.data (MovieLens 100K).", "Item metadata from u.item and items.csv."]


API_WORDS = ("explicit=", "on_bad_rows", "delimiter=", "header=", "encoding=", "load with")


def page_text(at) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "warning", "error", "info", "success")
                    for e in getattr(at, kind))


def test_the_load_report_on_the_page_names_the_pages_controls_not_the_apis_keywords():
    # The report read "load with explicit=False (the Data page: Treat values as implicit feedback)".
    at = upload(new_app(), "ratings.csv", ratings_csv())
    said = page_text(at)
    assert "If they are counts or weights, pick “Treat values as: implicit feedback” under Prepare" in said
    assert at.radio[0].label == "Treat values as" and "implicit feedback" in at.radio[0].options  # the words name it
    plays = b"user,item,plays\n" + b"".join(f"u{u},i{(u + j) % 9},{1 + j % 3}\n".encode() for u in range(20)
                                             for j in range(4))
    at = upload(at, "plays.csv", plays)
    said = page_text(at)
    assert "To treat them as ratings, pick “Treat values as: explicit ratings” under Prepare" in said, said
    assert not [word for word in API_WORDS if word in said], said


def test_a_file_the_page_cannot_load_as_ratings_says_what_can():
    negative = b"user,item,plays\n" + b"".join(f"u{u},i{(u + j) % 9},{(u * 4 + j) % 40 - 5}\n".encode() for u in range(20)
                                               for j in range(4))
    at = upload(new_app(), "scores.csv", negative)
    assert not at.exception and at.error
    said = at.error[0].value
    assert "cannot be negative" in said and "`mfviz dashboard FILE --explicit`" in said, said
    assert not [word for word in API_WORDS if word in said], said


def test_ratings_outside_the_scale_stop_the_load_and_the_page_offers_to_drop_or_keep_them():
    """Two typos (-1, 99) among 1-5 stars loaded silently: a histogram from -1 to 99 whose middle was 49."""
    lines = ratings_csv().decode().splitlines()
    for row, typo in ((1, "-1"), (47, "99")):  # data rows 1 and 47 (line 0 is the header)
        lines[row] = lines[row].rsplit(",", 1)[0] + "," + typo
    content = ("\n".join(lines) + "\n").encode()
    at = upload(new_app(), "stars.csv", content)
    assert not at.exception and at.error
    said = at.error[0].value
    assert said.startswith("stars.csv: 2 ratings in column 'rating' lie outside 1–5 (-1, 99), the scale of the "
                           "other 148 (at rows 1 and 47 of the data). They look like typos"), said
    assert "out_of_scale" not in said
    assert at.session_state["mfviz.data"].name != "stars.csv"  # nothing loaded yet
    at.button(key="typos_drop").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    data = at.session_state["mfviz.data"]
    assert data.name == "stars.csv" and data.interactions.nnz == 148
    assert sorted(set(data.interactions.matrix.data.tolist())) == [1, 2, 3, 4, 5]
    assert any(w.value.startswith("2 of 150 rows were dropped (2 rows: a rating outside 1–5") for w in at.warning), \
        [w.value for w in at.warning]
    # the choice stays shown, in a box made anew (a browser sends an old box's value back)
    shown = next(box for box in at.selectbox if box.label == "ratings outside the scale")
    assert shown.value == "drop them and count them" and shown.key == "map_out_of_scale~1"

    at = upload(new_app(), "stars.csv", content)
    at.button(key="typos_keep").click().run()
    assert not at.exception and not at.error
    data = at.session_state["mfviz.data"]
    assert data.interactions.nnz == 150 and data.interactions.matrix.data.max() == 99
    assert any("kept as ratings, as asked" in w.value and "out_of_scale" not in w.value for w in at.warning), \
        [w.value for w in at.warning]
    # the caption measures against the middle of 1-5, not of -1..99
    above = float((data.interactions.matrix.data > 3).mean())
    assert any(f"{above:.0%} are above the middle of the scale" in c.value for c in at.caption), \
        [c.value for c in at.caption]


def test_zeros_and_negatives_among_stars_are_offered_as_codes_to_drop_or_keep():
    # 0.3% of -1s and 0s among 1-5 stars loaded silently as ratings from -1 to 5 (too many for typos)
    rows = ["user,item,rating"] + [f"u{u},i{(u * 7 + j) % 97},{1 + (u + j) % 5}" for u in range(400) for j in range(40)]
    for row in range(1, 11):
        rows[row] = rows[row].rsplit(",", 1)[0] + ",-1"
    for row in range(500, 542):
        rows[row] = rows[row].rsplit(",", 1)[0] + ",0"
    at = upload(new_app(), "dirty.csv", ("\n".join(rows) + "\n").encode())
    assert not at.exception and at.error
    said = at.error[0].value
    assert said.startswith("dirty.csv: 52 ratings in column 'rating' lie outside 1–5 (-1, 0), the scale of the other "
                           "15,948"), said
    assert "They look like the file's codes for 'not rated' or a dislike, or typos: drop them" in said, said
    at.button(key="typos_drop").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["mfviz.data"].interactions.matrix.data.min() == 1


def with_models(at, *fit_seconds: float):
    """The session with models of its current data trained (ALS, 1 epoch), each said to have taken so long."""
    from mfviz.dashboard.state import ModelEntry, model_hash
    from mfviz.models import ALS

    data = at.session_state["mfviz.data"]
    models = dict(at.session_state["mfviz.models"]) if "mfviz.models" in at.session_state else {}
    for n, seconds in enumerate(fit_seconds):
        model = ALS(factors=2, epochs=1, random_state=n).fit(data.interactions)
        name = f"ALS #{n + 1}"
        models[name] = ModelEntry(name=name, model=model, kind="als", params={}, key=model_hash(model, data.key),
                                  data_key=data.key, fit_seconds=seconds)
    at.session_state["mfviz.models"] = models
    return at


def question(at) -> str:
    return next((w.value for w in at.warning if "replaces the data" in w.value), "")


def test_loading_a_file_over_trained_models_asks_first_and_cancel_keeps_them():
    """A reviewer lost 13 models (one took 131 s) to an upload that cleared them without a word."""
    at = with_models(new_app(), 131.0, 2.5)
    before = at.session_state["mfviz.data"].key
    at = upload(at, "ratings.csv", ratings_csv())
    assert not at.exception and not at.error
    asked = question(at)
    assert asked.startswith("Loading ratings.csv replaces the data and clears all 2 models you trained on it (the "
                            "longest, ALS #1, took 131 s to fit)"), asked
    assert "save the workspace first (Save the workspace" in asked and "download a model as .npz on the Train page" in asked
    assert at.session_state["mfviz.data"].key == before and len(at.session_state["mfviz.models"]) == 2
    assert not at.success  # nothing loaded yet
    at.button(key="replace_cancel").click().run()
    assert not at.exception and not question(at)
    assert at.session_state["mfviz.data"].key == before and list(at.session_state["mfviz.models"]) == ["ALS #1", "ALS #2"]
    assert at.file_uploader(key="upload_interactions_1").value is None  # emptied: not read (and asked) again
    at.run()
    assert not question(at) and at.session_state["mfviz.data"].key == before


def test_confirming_clears_the_models_and_loads_the_file():
    at = upload(with_models(new_app(), 0.4), "ratings.csv", ratings_csv(bad="u3,i4,five"))
    assert at.error  # a bad row stops the load before anything is asked
    at = upload(with_models(new_app(), 0.4), "ratings.csv", ratings_csv())
    assert question(at).startswith("Loading ratings.csv replaces the data and clears the model you trained on it (it "
                                   "took 0.4 s to fit)")
    at.button(key="replace_confirm").click().run()
    assert not at.exception and not at.error and not question(at)
    data = at.session_state["mfviz.data"]
    assert data.name == "ratings.csv" and data.interactions.nnz == 150
    assert at.session_state["mfviz.models"] == {}
    assert [s.value for s in at.success] == ["Loaded ratings.csv: 30 users, 12 items, 150 interactions. Models of "
                                             "the previous data were cleared."]
    at.run()
    assert not at.success and at.session_state["mfviz.data"].name == "ratings.csv"  # loaded once, said once


def test_prepare_apply_over_trained_models_asks_first():
    at = with_models(new_app(), 131.0)
    before = at.session_state["mfviz.data"].key
    next(box for box in at.number_input if box.label.startswith("k-core")).set_value(5)
    at.button(key="filters_apply").click().run()
    assert question(at).startswith("Applying these settings replaces the data and clears the model you trained on it")
    at.button(key="replace_cancel").click().run()
    assert at.session_state["mfviz.data"].key == before and len(at.session_state["mfviz.models"]) == 1
    assert not at.session_state["mfviz.data"].filters
    # the form shows the settings applied again, in boxes made anew (a browser sends a box's last value back:
    # the k-core box kept the 5 that was not applied)
    kcore = next(box for box in at.number_input if box.label.startswith("k-core"))
    assert kcore.value == 1 and kcore.key == "prep_min_count~1"
    kcore.set_value(5)
    at.button(key="filters_apply").click().run()
    at.button(key="replace_confirm").click().run()
    assert not at.exception and not at.error and not question(at)
    assert at.session_state["mfviz.data"].filters == "5-core" and at.session_state["mfviz.models"] == {}


def test_going_back_to_the_demo_asks_first_and_the_quick_default_is_not_asked_for():
    at = upload(new_app(), "ratings.csv", ratings_csv())
    from mfviz.dashboard.state import ModelEntry

    quick = ModelEntry(name="quick", model=None, kind="ials", params={}, key="q",
                       data_key=at.session_state["mfviz.data"].key, auto=True)
    at.session_state["mfviz.models"] = {"quick": quick}  # trained again by itself: nothing to lose
    at.button(key="back_to_start").click().run()
    assert not question(at) and at.session_state["mfviz.data"].is_start
    at = with_models(upload(new_app(), "ratings.csv", ratings_csv()), 12.0)
    at.button(key="back_to_start").click().run()
    assert question(at).startswith("Going back to the demo catalogue replaces the data and clears the model")
    at.button(key="replace_confirm").click().run()
    assert not at.exception and at.session_state["mfviz.data"].is_start and not question(at)


def test_the_report_shows_when_the_interactions_happened():
    """The report named the timestamp column but gave no date range: nothing to choose a time split by."""
    from test_pages import ML100K

    if not ML100K.exists():
        import pytest

        pytest.skip("MovieLens 100K is not in ../shared/datasets")
    at = upload(new_app(), "u.data", ML100K.read_bytes())
    assert not at.exception and not at.error
    captions = [c.value for c in at.caption]
    said = next((c for c in captions if c.startswith("From 1997-09-20 to 1998-04-22 (7 months); the busiest month, "
                                                     "1997-11, holds 23,980 interactions (24%).")), None)
    assert said is not None, captions
    assert any("When the interactions happened (per month)" in m.value for m in at.markdown)
    at = upload(new_app(), "ratings.csv", ratings_csv())  # no timestamps: no timeline
    assert not any("When the interactions happened" in m.value for m in at.markdown)


def test_zeros_follow_the_values_reading_and_the_loaders_advice_names_the_pages_control():
    # Read as implicit feedback on the Data page, a 0 stayed an interaction (the Popularity baseline counted
    # it, implicit ALS gave it no weight); the loader drops it for implicit data, and the page now does too.
    import pandas as pd

    from mfviz import load_interactions
    from mfviz.dashboard import cached_data, load_words

    frame = pd.DataFrame({"user": [0, 0, 1, 1, 2, 2, 3], "item": [0, 1, 0, 2, 1, 2, 2],
                          "rating": [0.0, 4.0, 0.0, 5.0, 3.0, 0.0, 2.0]})
    ratings = load_interactions(frame, explicit=True)
    assert ratings.nnz == 7  # a rating of 0 is kept as a rating
    implicit = cached_data.prepared("zeros-test", ratings, 1, None, False)
    assert not implicit.is_explicit and implicit.nnz == 4 and (implicit.matrix.data > 0).all()
    assert cached_data.prepared("zeros-test", ratings, 1, None, None).nnz == 7  # as ratings: untouched
    said = load_words.page_words("To keep them as interactions, load with zeros='keep' (or …)")
    assert "set rows whose value is 0 to “keep them as interactions” under Column mapping" in said


def test_data_read_as_implicit_by_prepare_drops_the_advice_to_do_so():
    # After Prepare → "implicit feedback", the report still advised picking "implicit feedback" under Prepare.
    at = new_app()
    advice = "“Treat values as: implicit feedback” under Prepare"
    assert any(advice in line for line in at.session_state["mfviz.data"].report_lines)  # the demo's ratings
    at.radio(key="prep_feedback").set_value("implicit feedback")
    at.button(key="filters_apply").click().run()
    assert not at.exception and not at.error
    lines = at.session_state["mfviz.data"].report_lines
    assert not any(advice in line for line in lines) and lines[-1] == "Prepare: values treated as implicit feedback."
    assert any("read as explicit ratings" in line for line in lines)  # what the load found stays said


def test_a_workspace_file_opens_over_trained_models_once_asked(tmp_path):
    from test_start_data import saved_workspace

    filters = {"min_count": 8, "binarize_at": None, "explicit": None, "drop_zeros": False}
    path, data, entry = saved_workspace(tmp_path / "w.mfviz.zip", filters)
    at = with_models(new_app(), 131.0)
    before = at.session_state["mfviz.data"].key
    at.file_uploader(key="open_workspace").set_value(("w.mfviz.zip", path.read_bytes(), "application/zip"))
    at.run()
    assert not at.exception and not at.error
    assert question(at).startswith("Opening w.mfviz.zip replaces the data and clears the model you trained on it")
    assert at.session_state["mfviz.data"].key == before
    at.button(key="replace_confirm").click().run()
    assert not at.exception and not at.error and not question(at)
    opened = at.session_state["mfviz.data"]
    assert (opened.key, opened.name, opened.filters) == (data.key, "ratings.csv", "8-core")
    assert at.session_state["mfviz.source"].interactions.nnz > opened.interactions.nnz  # Prepare again from the source
    assert at.session_state["mfviz.filters"] == filters
    assert list(at.session_state["mfviz.models"]) == [entry.name]
    assert at.session_state["mfviz.models"][entry.name].metrics == entry.metrics
    [said] = [s.value for s in at.success]
    assert re.match(r"Opened w\.mfviz\.zip \(saved \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): ", said) and said.endswith(
        f"ratings.csv (8-core), {data.interactions.n_users} users, {data.interactions.nnz:,} interactions, 1 model.")
    assert at.file_uploader(key="open_workspace_1").value is None  # emptied: not opened (and asked) again
    at.run()
    assert not at.success and at.session_state["mfviz.data"].key == data.key
    # Prepare's boxes show the workspace's settings, not those of the data left behind
    assert next(box for box in at.number_input if box.label.startswith("k-core")).value == 8


def test_a_workspace_file_brings_its_last_trainings_curve_back_to_the_train_page(tmp_path):
    from test_pages import open_page
    from test_start_data import saved_workspace

    path, data, entry = saved_workspace(tmp_path / "w.mfviz.zip", trained_here=True)
    at = new_app()
    at.file_uploader(key="open_workspace").set_value(("w.mfviz.zip", path.read_bytes(), "application/zip"))
    at.run()
    assert not at.exception and not at.error and at.session_state["mfviz.data"].key == data.key
    last = at.session_state["mfviz.last_training"]
    assert last.done and last.entry is at.session_state["mfviz.models"][entry.name]
    assert [epoch for epoch, *_ in last.epochs] == [1, 2, 3]
    open_page(at, "pages/train_page.py")
    assert not at.exception and not at.error
    assert "**Implicit ALS (f=4)** (trained before the workspace was saved)" in [m.value for m in at.markdown]
    # said as trained before the workspace was saved: "Trained … in 26.6 s" read as a training just run
    said = [a.value for a in [*at.success, *at.warning] if "trained **Implicit ALS (f=4)**" in a.value.lower()
            or "Implicit ALS (f=4)" in a.value]
    assert said and all(text.startswith("Before the workspace was saved: trained ") for text in said), said
    at.toggle(key="train_replay").set_value(True).run()
    assert not at.exception and not at.error


def test_a_workspace_file_cancelled_once_is_asked_about_again_when_dropped_again(tmp_path):
    from test_start_data import saved_workspace

    path, data, _ = saved_workspace(tmp_path / "w.mfviz.zip")
    at = with_models(new_app(), 12.0)
    for attempt in range(2):
        at.file_uploader(key="open_workspace_1" if attempt else "open_workspace").set_value(
            ("w.mfviz.zip", path.read_bytes(), "application/zip"))
        at.run()
        assert question(at).startswith("Opening w.mfviz.zip replaces the data"), attempt
        if attempt == 0:
            at.button(key="replace_cancel").click().run()
            assert not question(at) and at.session_state["mfviz.data"].key != data.key
    at.button(key="replace_confirm").click().run()
    assert at.session_state["mfviz.data"].key == data.key


def test_a_file_that_is_no_workspace_is_said_so_and_changes_nothing(tmp_path):
    from test_start_data import saved_workspace

    at = new_app()
    before = at.session_state["mfviz.data"].key
    at.file_uploader(key="open_workspace").set_value(("w.mfviz.zip", b"user,item\n1,2\n", "application/zip"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Could not open w.mfviz.zip: w.mfviz.zip is not a workspace file (not a zip "
                                           "archive). Open a file saved with “Save the workspace” (in the sidebar)."]
    assert at.session_state["mfviz.data"].key == before
    # refused once: said again on the next run without reading the file again
    from mfviz.dashboard import workspace_file

    reads = []
    original = workspace_file.read
    workspace_file.read = lambda *args: reads.append(args) or original(*args)
    try:
        at.run()
    finally:
        workspace_file.read = original
    assert reads == [] and [e.value for e in at.error][0].startswith("Could not open w.mfviz.zip: ")
    # a workspace dropped where interactions go: pointed to its own box, not read as data
    path, _, _ = saved_workspace(tmp_path / "w.mfviz.zip")
    at = upload(new_app(), "w.mfviz.zip", path.read_bytes())
    assert not at.exception
    assert [e.value for e in at.error] == ["w.mfviz.zip is a saved workspace, not interactions: open it in **Saved "
                                           "workspace (optional)**, the third box."]


def test_the_intro_is_true_whatever_is_loaded():
    # after MovieLens was loaded it still said "explore the built-in demo catalogue, loaded already"
    at = new_app()
    open_page(at, "pages/data_page.py")
    upload(at, "ratings.csv", ratings_csv())
    assert not at.error, [e.value for e in at.error]
    at.run()
    intro = next(m.value for m in at.markdown if m.value.startswith("Upload user–item interactions"))
    assert "loaded already" not in intro and "made-up films of 12 genres), which every session starts on" in intro


def test_the_demo_is_said_to_be_made_up_and_a_file_is_not():
    # the demo's generated titles ("A Outlaw Rider (2023)") read as broken data to stakeholders not told
    at = open_page(new_app(), "pages/data_page.py")
    intro = next(m.value for m in at.markdown if m.value.startswith("Upload user–item interactions"))
    assert "1,500 made-up films of 12 genres" in intro
    assert any(str(m.value).startswith("**demo catalogue** (made-up films)") for m in at.sidebar.markdown)
    upload(at, "ratings.csv", ratings_csv())
    at.run()
    assert not any("made-up" in str(m.value) for m in at.sidebar.markdown)


def test_column_mapping_is_one_form_so_a_pick_does_not_rerun_the_page():
    # each pick reran the page and shut the expander (seen in Chromium): a second pick meant opening it again
    at = upload(new_app(), "ratings.csv", ratings_csv())
    boxes = [box for box in at.selectbox if box.key and box.key.startswith("map_")]
    assert {"map_user", "map_item", "map_rating", "map_timestamp"} <= {box.key for box in boxes}
    assert {box.form_id for box in boxes} == {"column_mapping"}
    assert at.button(key="apply_mapping").form_id == "column_mapping"


def test_when_a_workspace_was_saved_is_said_as_its_file_says():
    from mfviz.dashboard.workspace_file import saved_words

    assert saved_words("2026-11-28T14:02:11+00:00") == "saved 2026-11-28 14:02:11 UTC"
    assert saved_words("2026-11-28T14:02:11") == "saved 2026-11-28 14:02:11"  # no zone: none said
    assert saved_words("yesterday") == "saved “yesterday”, its file says"  # an edited file ("saved yesterday UTC")
    assert saved_words("") == "saved at an unknown time"


# ------------------------------------------------------------------ choices when the data changes
def test_another_dataset_is_told_apart_from_the_same_one_prepared():
    import numpy as np
    import pandas as pd

    from mfviz import datasets, load_interactions
    from mfviz.dashboard.pickers import same_catalogue
    from mfviz.data.prepare import k_core

    demo = datasets.load_demo()
    frame = demo.to_frame()
    assert same_catalogue(demo, k_core(demo, 20))  # filtered: the same users and items, fewer of them
    assert same_catalogue(demo, load_interactions(frame))  # read again without its item table
    # the same ids (users and items numbered alike, as MovieLens and the demo are) paired otherwise: another dataset
    rng = np.random.default_rng(1)
    other = load_interactions(pd.DataFrame({"user": rng.permutation(frame["user"].to_numpy()),
                                            "item": frame["item"].to_numpy(), "rating": frame["rating"].to_numpy()}))
    assert set(other.item_ids) == set(demo.item_ids) and not same_catalogue(demo, other)
    assert not same_catalogue(demo, load_interactions(pd.DataFrame({"user": ["a", "b"], "item": ["x", "y"]})))
    # a filter loosened (back from the prepared data to the whole): the same catalogue the other way round
    assert same_catalogue(k_core(demo, 20), demo)
    sampled = load_interactions(frame[frame["user"].isin(frame["user"].unique()[:300])])
    assert same_catalogue(sampled, demo) and same_catalogue(demo, sampled)
    # ratings of 0 stored (Book-Crossing's implicit 0s): a pair is stored whatever its value
    zeros = load_interactions(frame.assign(rating=np.where(np.arange(len(frame)) % 3 == 0, frame["rating"], 0)),
                              zeros="keep")
    assert zeros.matrix.nnz == len(frame) and same_catalogue(zeros, zeros) and same_catalogue(zeros, k_core(zeros, 20))


def test_choices_made_on_one_dataset_do_not_name_items_of_another_and_prepare_starts_afresh():
    # A profile built on the demo read "Relic, The (1997) · Aliens (1986)" after an upload of MovieLens (the same
    # ids, other films), and Prepare's k-core box still read 20 on the new data, which had no filter (stakeholder
    # review).
    at = new_app()
    demo = at.session_state["mfviz.data"].interactions
    open_page(at, "pages/recommend_page.py")
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_profile").set_value([3, 4]).run()
    open_page(at, "pages/data_page.py")
    next(box for box in at.number_input if box.label.startswith("k-core")).set_value(20)
    at.button(key="filters_apply").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    prepared = at.session_state["mfviz.data"].interactions
    open_page(at, "pages/recommend_page.py")
    followed = at.multiselect(key="rec_profile").value  # the same films, where they are in the prepared data
    assert [prepared.item_ids[i] for i in followed] == [demo.item_ids[3], demo.item_ids[4]]
    open_page(at, "pages/data_page.py")
    # another dataset whose ids are some of the demo's (1..12, users 1..30), paired otherwise
    csv = "user,item,rating\n" + "".join(f"{u},{1 + (u * 7 + j) % 12},{1 + (u + j) % 5}\n"
                                         for u in range(1, 31) for j in range(4))
    upload(at, "other.csv", csv.encode())
    assert not at.exception and not at.error, [e.value for e in at.error]
    new = at.session_state["mfviz.data"].interactions
    assert new.n_items == 12 and set(new.item_ids) <= set(demo.item_ids)
    k_core = next(box for box in at.number_input if box.label.startswith("k-core"))
    assert k_core.value == 1  # no filter on the new data, and the box says so
    open_page(at, "pages/recommend_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.radio(key="rec_mode").value == "a profile I build" and at.multiselect(key="rec_profile").value == []
    assert not any("picked before" in i.value for i in at.info)  # another catalogue: nothing to say item by item


def test_small_data_is_its_own_catalogue_and_the_same_users_with_other_items_are_not():
    import pandas as pd

    from mfviz import load_interactions
    from mfviz.dashboard.pickers import same_catalogue

    # fewer stored interactions than the sample (2,000): every one of them is looked for, and every one is found
    frame = pd.read_csv(io.BytesIO(ratings_csv()))
    small = load_interactions(frame)
    some = load_interactions(frame[frame["user"].isin([f"u{u}" for u in range(12)])])  # 60 of its 150 ratings
    assert small.nnz == 150 and some.nnz == 60
    assert same_catalogue(small, small) and same_catalogue(small, some) and same_catalogue(some, small)
    # users 1..10 rate items 1..10, every one of them; another dataset numbers its users alike (user numbers are
    # in every dataset) but its items are 101..110: not one of its pairs is stored in the first, nor the reverse
    every = [(u, i) for u in range(1, 11) for i in range(1, 11)]
    first = load_interactions(pd.DataFrame(every, columns=["user", "item"]))
    other = load_interactions(pd.DataFrame([(u, i + 100) for u, i in every], columns=["user", "item"]))
    assert set(other.user_ids) == set(first.user_ids) and not set(other.item_ids) & set(first.item_ids)
    assert not same_catalogue(first, other) and not same_catalogue(other, first)


def test_the_upload_limit_and_the_ways_past_it_are_said_under_the_uploader():
    """Over the limit the browser refuses a file with a tooltip on a red mark: the limit (the server's setting) and
    what to do are in sight before anyone tries."""
    import tomllib
    from pathlib import Path

    limit = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())["server"][
        "maxUploadSize"]
    at = open_page(new_app(), "pages/data_page.py")
    said = [c.value for c in at.caption if c.value.startswith("Over ")]
    assert said == [f"Over {limit:,} MB? Upload it gzipped (.gz) or as Parquet, or start the dashboard on it: "
                    "`mfviz dashboard FILE`."]


def test_prepare_is_shut_on_the_start_data_and_open_after_an_upload():
    """At 1,280 × 720 the open Prepare form pushed the data's figures below the fold of a presenter's first
    screen: shut on the data the server starts on, open once one uploads (when one prepares data) or applies."""
    def prepare(at):
        return next(e for e in at.expander if e.label.startswith("**Prepare**"))

    at = new_app()
    assert not prepare(at).proto.expanded
    at = upload(new_app(), "ratings.csv", ratings_csv())
    assert not at.exception and prepare(at).proto.expanded


def test_column_mapping_picks_columns_by_the_header_names():
    # with a header the boxes offered 0, 1, 2 with the header as row 0: which number was "buyer" was a count
    rows = "".join(f"b{u},t{(u * 5 + j) % 11},{1 + (u + j) % 5},x\n" for u in range(20) for j in range(4))
    at = upload(new_app(), "shop.csv", ("buyer,thing,stars,extra\n" + rows).encode())
    assert at.error and "no user or item column" in at.error[0].value  # neither name is a known one
    assert at.selectbox(key="map_user").options == ["detect", "buyer", "thing", "stars", "extra"]
    at.selectbox(key="map_user").set_value("buyer")
    at = mapping_option(at, "item", "thing")
    assert not at.exception and not at.error
    loaded = at.session_state["mfviz.data"].interactions
    assert loaded.report.columns == {"user": "buyer", "item": "thing", "rating": "stars", "timestamp": None}
    assert loaded.nnz == 80 and at.selectbox(key="map_user").value == "buyer"  # the pick stays shown
    assert "Columns read: user = 'buyer', item = 'thing', rating = 'stars', timestamp: none." in \
        [c.value.replace("\\", "") for c in at.caption]  # found by its name once loaded
    # a file without a header: by position, as before
    at = upload(new_app(), "plain.csv", "".join(f"{u},{(u * 3 + j) % 7},{1 + j}\n" for u in range(20)
                                                for j in range(3)).encode())
    assert at.selectbox(key="map_user").options == ["detect", "0", "1", "2"]  # positions (as AppTest shows them)
    # what "detect" took is said, so that leaving it is a choice one can read
    assert "Columns read: user = 0, item = 1, rating = 2, timestamp: none." in [c.value for c in at.caption]


def test_column_mapping_stays_while_the_upload_is_the_data_after_leaving_the_page():
    at = upload(new_app(), "ratings.csv", ratings_csv())
    assert at.session_state["mfviz.data"].name == "ratings.csv"
    open_page(at, "pages/train_page.py")
    open_page(at, "pages/data_page.py")
    assert not at.file_uploader(key="upload_interactions").value  # the uploader emptied on leaving
    assert any(e.label.startswith("Column mapping") for e in at.expander)  # it was gone (count 0)
    assert "In use: ratings.csv (its column mapping below)." in [c.value for c in at.caption]
    at = mapping_option(at, "rating", "none")  # loaded again from the bytes held, without its ratings
    assert not at.exception and not at.error
    assert not at.session_state["mfviz.data"].interactions.is_explicit
    # back to the start data: the upload is no longer the data, and its mapping goes
    at.button(key="back_to_start").click().run()
    assert not any(e.label.startswith("Column mapping") for e in at.expander)


def held_file(at):
    """The file the session holds its upload in (None when it holds none), checked to be all it holds."""
    from mfviz.dashboard.held_upload import HELD, folder

    kept = at.session_state[HELD] if HELD in at.session_state else None
    if kept is None:
        return None
    assert kept.path.parent == folder() and set(vars(kept)) == {"name", "path", "content_key"}  # no bytes
    return kept.path


def test_the_upload_held_for_column_mapping_waits_on_disk_and_goes_with_the_data():
    """An upload (up to 200 MB) stayed in session memory for as long as it was the data."""
    first = ratings_csv()
    at = upload(new_app(), "ratings.csv", first)
    path = held_file(at)
    assert path.read_bytes() == first
    open_page(at, "pages/train_page.py")
    open_page(at, "pages/data_page.py")
    at = mapping_option(at, "rating", "none")  # read again from the file held: the mapping works after leaving
    assert not at.exception and not at.error and not at.session_state["mfviz.data"].interactions.is_explicit
    assert held_file(at) == path
    # another upload replaces the data: the first file goes, the second is held
    second = ratings_csv(users=40)
    at = upload(at, "more.csv", second)
    assert at.session_state["mfviz.data"].name == "more.csv" and not path.exists()
    path = held_file(at)
    assert path.read_bytes() == second
    at.button(key="back_to_start").click().run()  # back to the start data: nothing held, the file deleted
    assert held_file(at) is None and not path.exists()


def test_the_held_upload_goes_when_a_workspace_replaces_the_data_or_the_session_ends(tmp_path):
    import gc

    from test_start_data import saved_workspace

    workspace, data, _ = saved_workspace(tmp_path / "w.mfviz.zip")
    at = upload(new_app(), "ratings.csv", ratings_csv())
    path = held_file(at)
    at.file_uploader(key="open_workspace").set_value(("w.mfviz.zip", workspace.read_bytes(), "application/zip"))
    at.run()
    assert at.session_state["mfviz.data"].key == data.key and held_file(at) is None and not path.exists()
    at = upload(new_app(), "ratings.csv", ratings_csv(users=20))
    path = held_file(at)
    del at  # the session's state dropped, as Streamlit drops a closed session's
    gc.collect()
    assert not path.exists()


def test_a_zip_of_ratings_csv_and_an_item_table_without_ids_loads_and_says_why_items_have_no_titles():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ratings.csv", ratings_csv())
        archive.writestr("items.csv", "name,category\nKettle,kitchen\nLamp,living\n")
    at = upload(new_app(), "shop.zip", buffer.getvalue())
    assert not at.exception and not at.error
    data = at.session_state["mfviz.data"]
    assert data.name == "shop.zip" and data.interactions.nnz == 150
    said = [w.value for w in at.warning]
    assert any("items.csv has no item id column to join on (its first column, 'name', is no id), so it was not joined"
               in w and w.endswith("Items have no titles: add them with Item metadata (optional) on the Data page.")
               for w in said), said


def test_leaving_the_page_keeps_the_item_table_loaded_with_the_interactions():
    """A reviewer uploaded u.item and u.data, went to another page and back: the held interactions file was read
    again without its item table, so the titles were lost and the quick model retrained on ids."""
    titles = "id,title\n" + "".join(f"i{i},Film {i}\n" for i in range(12))
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("items.csv", titles.encode(), "text/plain"))
    at = upload(at, "ratings.csv", ratings_csv())
    key = at.session_state["mfviz.data"].key
    at.file_uploader(key="upload_items").set_value(None)  # both uploaders empty, as after leaving the page
    at.file_uploader(key="upload_interactions").set_value(None).run()
    assert not at.exception and not at.error and not at.success, [s.value for s in at.success]
    data = at.session_state["mfviz.data"]
    assert data.key == key and data.interactions.titles[0] == "Film 0"
    # Column mapping on the held file reads it with its item table again
    at = mapping_option(at, "rating", "none")
    assert not at.exception and not at.error, [e.value for e in at.error]
    data = at.session_state["mfviz.data"]
    assert data.interactions.titles[0] == "Film 0" and not data.interactions.is_explicit


def test_an_item_table_joined_after_leaving_the_page_is_read_again_with_the_held_file():
    at = upload(new_app(), "ratings.csv", ratings_csv())
    at.file_uploader(key="upload_interactions").set_value(None).run()  # as after leaving the page
    titles = "id,title\n" + "".join(f"i{i},Film {i}\n" for i in range(12))
    at.file_uploader(key="upload_items").set_value(("items.csv", titles.encode(), "text/plain")).run()
    key = at.session_state["mfviz.data"].key
    at.file_uploader(key="upload_items").set_value(None).run()  # left the page again
    assert not at.success and at.session_state["mfviz.data"].key == key  # nothing read again
    assert "In use: ratings.csv with items.csv (its column mapping below)." in [c.value for c in at.caption]
    at = mapping_option(at, "rating", "none")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["mfviz.data"].interactions.titles[0] == "Film 0"
