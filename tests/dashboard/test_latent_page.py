"""The Latent space page through AppTest: a title search anywhere in a title, the chosen item's and its
neighbours' titles written on the map, the model named in the map's title, and the charts' PNG export."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mfviz.dashboard import map_highlight
from mfviz.dashboard.figures import fixed_decimals

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 300  # seconds per script run; the first run compiles numba kernels
os.environ["MFVIZ_NO_WARM_UP"] = "1"  # (as in test_pages) no UMAP compilation thread competing with the test
os.environ["MFVIZ_NO_PRECOMPUTE"] = "1"


@pytest.fixture(scope="module")
def latent() -> AppTest:
    """One session on the demo, on the Latent space page's PCA map (UMAP's first call compiles for ~40 s)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["latent_method"] = "PCA"
    at.run()
    at.switch_page("pages/latent_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def the_map(at: AppTest) -> tuple[dict, dict]:
    """The 2-D map's figure (as JSON) and the Plotly config the page gave it."""
    chart = next(c for c in at.get("plotly_chart")
                 if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Item vectors mapped"))
    return json.loads(chart.proto.spec), json.loads(chart.proto.config or "{}")


def test_a_title_search_finds_titles_that_hold_it_anywhere_and_says_how_many(latent):
    # It matched at word starts only ("lit" left out every "Starlit"), unlike the item pickers, which match
    # any part of a title; and it said how many of the circled matched, not how many matched in all
    at = latent
    titles = np.asarray(at.session_state["mfviz.data"].interactions.titles).astype(str)
    holding = [t for t in titles if "lit" in t.lower()]
    inside = [t for t in holding if not re.search(r"(?<!\w)lit", t, re.IGNORECASE)]
    assert len(holding) > 20 and inside  # the demo has both kinds
    at.text_input(key="latent_search").input("lit").run()
    assert not at.exception and not at.error
    starts = len(holding) - len(inside)
    assert any(c.value.startswith(f"{len(holding)} titles on the map match “lit” ({starts} at the start of a word, "
                                  "listed first): the 20 first are circled") for c in at.caption), [c.value for c in at.caption]
    listed = next(d.value for d in at.dataframe if "title" in d.value.columns and "genres" in d.value.columns)
    assert sorted(listed["title"]) == sorted(holding)  # every match listed (the first 20 only, before)
    spec, _ = the_map(at)
    written = next(t for t in spec["data"] if t["name"] == "search titles")["text"]
    assert set(written) <= set(listed["title"][:20])
    # as the Embedding Projector: every match drawn dark over the other points, which fade
    matches = next(t for t in spec["data"] if t["name"] == f"matches ({len(holding)})")
    assert sorted(c[0] for c in matches["customdata"]) == sorted(holding)
    # drawn once: not also in its faded colour group (a broad search doubled the figure)
    faded_titles = {c[0] for t in spec["data"] if t is not matches and t.get("mode") == "markers"
                    for c in (t.get("customdata") or []) if isinstance(c, list) and len(c) == 4}
    assert not faded_titles & set(holding) and len(faded_titles) + len(holding) == len(titles)
    # each match hovers with the value it has in its own colour group
    genre = dict(zip(titles, at.session_state["mfviz.data"].interactions.items["genres"], strict=False))
    assert all(c[1] in genre[c[0]] for c in matches["customdata"])  # its least common genre, one of its own
    items = [t for t in spec["data"] if t.get("mode") == "markers" and t.get("hovertemplate") and t is not matches]
    assert items and all(t["marker"]["opacity"] == map_highlight.FADED for t in items)
    assert any("every one of the" in c.value and "matches drawn dark, the other items faded" in c.value
               for c in at.caption)
    # in 3-D too
    at.toggle(key="latent_3d").set_value(True).run()
    assert not at.exception and not at.error
    spec3 = json.loads(next(c for c in at.get("plotly_chart")
                            if json.loads(c.proto.spec)["data"][0]["type"] == "scatter3d").proto.spec)
    matches3 = next(t for t in spec3["data"] if t["name"] == f"matches ({len(holding)})")
    assert sorted(c[0] for c in matches3["customdata"]) == sorted(holding)
    assert all(t["marker"]["opacity"] == map_highlight.FADED for t in spec3["data"]
               if t.get("mode") == "markers" and t.get("hovertemplate") and t is not matches3
               and t["name"] not in ("cosine neighbours", "dot neighbours"))
    at.toggle(key="latent_3d").set_value(False).run()
    # and mapped on their own
    at.button(key="latent_isolate_search").click().run()
    assert not at.exception and not at.error
    index = {t: i for i, t in enumerate(titles)}
    assert at.session_state["latent_subset"][1] == sorted(index[t] for t in holding)
    at.button(key="latent_show_all").click().run()
    assert "latent_subset" not in at.session_state
    at.text_input(key="latent_search").input(titles[5]).run()  # one whole title: one item, counted as one
    assert any(c.value.startswith("1 title on the map matches “") and "it is circled" in c.value for c in at.caption)
    assert any(m.value.startswith("**Circled: 1 item matching “") for m in at.markdown)
    at.text_input(key="latent_search").input("").run()


def test_the_chosen_items_and_its_nearest_neighbours_titles_are_on_the_map(latent):
    at = latent
    at.selectbox(key="latent_anchor").set_value(0).run()
    assert not at.exception and not at.error
    entry = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]
    titles = np.asarray(at.session_state["mfviz.data"].interactions.titles).astype(str)
    cosine = entry.model.similar_items([0], n=3, metric="cosine")[0][0].tolist()
    dot = entry.model.similar_items([0], n=3, metric="dot")[0][0].tolist()
    spec, config = the_map(at)
    notes = spec["layout"]["annotations"]
    assert notes[0]["text"] == f"<b>{titles[0]}</b>" and notes[0]["ay"] < 0  # above its star
    named = [n["hovertext"] for n in notes[1:]]
    assert named and set(named) <= {titles[i] for i in cosine + dot}
    assert len(named) == len(set(named))  # an item in both lists once
    # the two neighbour tables under the map: one count of decimals down each list (dot products of 0.066 and
    # 0.0522 read with 3 and 4 decimals in one column)
    tables = [d for d in at.dataframe if {"title", "score"} <= set(d.value.columns) and len(d.value) > 1]
    assert len(tables) == 2
    for table in tables:
        shown = json.loads(table.proto.columns)["score"]["type_config"]["format"]
        assert shown == fixed_decimals(table.value["score"])
        # every column within half the page at 1,280 px (820 px with the sidebar), with the 32 px box
        widths = {name: spec.get("width") for name, spec in json.loads(table.proto.columns).items()}
        assert sum(widths[c] for c in table.value.columns) + 32 <= (820 - 16) // 2, widths
    # the map names the model whose vectors it shows, and the camera button saves it at twice its size
    assert spec["layout"]["title"]["text"] == f"Item vectors mapped to 2-D by PCA · {entry.name}"
    options = config["toImageButtonOptions"]
    assert options["scale"] == 2 and options["format"] == "png" and options["filename"].startswith(
        "mfviz-item-vectors-mapped-to-2-d-by-pca")
    at.selectbox(key="latent_anchor").set_value(None).run()
    assert not the_map(at)[0]["layout"].get("annotations")


def test_every_chart_is_saved_at_twice_its_size(latent):
    # (ui.show's default) the camera button saved 940 × 560 px pictures, blurred on a slide
    at = latent
    at.switch_page("pages/spectrum_page.py").run()
    configs = [json.loads(c.proto.config or "{}") for c in at.get("plotly_chart")]
    assert configs and all(c["toImageButtonOptions"]["scale"] == 2 for c in configs)
    at.switch_page("pages/latent_page.py").run()


def test_every_file_saved_from_the_latent_page_names_the_data_and_the_model(latent, monkeypatch):
    # latent_umap.csv and embedding_projector.zip of several models overwrote each other in Downloads
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    saved = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        saved.append(file_name)
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: recording(st._main, *a, **k))
    at = latent
    at.session_state["latent_method"] = "Dimensions"
    at.run()
    entry = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]
    model = re.sub(r"[^0-9a-z]+", "-", entry.name.lower()).strip("-")[:32].strip("-")
    assert saved == [f"dimensions_demo-catalogue_{model}.csv", f"latent_dimensions_demo-catalogue_{model}.csv",
                     f"embedding_projector_demo-catalogue_{model}.zip",
                     "mfviz_workspace_demo-catalogue.mfviz.zip"], saved  # the sidebar's, on every page
    assert all(re.fullmatch(r"[0-9a-z_.-]+", name) for name in saved)
    for chart in at.get("plotly_chart"):  # the camera button's pictures too
        name = json.loads(chart.proto.config)["toImageButtonOptions"]["filename"]
        assert name.endswith(f"_demo-catalogue_{model}"), name
    at.session_state["latent_method"] = "PCA"
    at.run()


def test_the_coordinates_csv_and_the_projector_metadata_name_the_genre_column_alike():
    import io
    import zipfile

    import pandas as pd

    from mfviz.dashboard import cached_exports
    from mfviz.dashboard.map_colours import GENRE_COLUMN

    table = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0], "item": [0, 1], "item_id": ["a", "b"],
                          "title": ["A", "B"], "genres": [["Drama"], ["Comedy", "Drama"]],
                          GENRE_COLUMN: ["Drama", "Comedy"], "popularity": [3, 1], "norm": [1.0, 2.0]})
    csv = pd.read_csv(io.BytesIO(cached_exports.map_csv("genre-column-test", table)))
    with zipfile.ZipFile(io.BytesIO(cached_exports.projector_zip("genre-column-test", np.eye(2, dtype=np.float32),
                                                                 table, np.array(["a", "b"])))) as archive:
        name = next(n for n in archive.namelist() if n.endswith("metadata.tsv"))
        metadata = pd.read_csv(archive.open(name), sep="\t")
    assert "distinctive_genre" in csv.columns and "distinctive_genre" in metadata.columns
    assert csv["distinctive_genre"].tolist() == metadata["distinctive_genre"].tolist() == ["Drama", "Comedy"]
    assert not [c for c in csv.columns if " " in c]


def test_umaps_settings_are_kept_without_streamlits_default_and_session_state_warning(monkeypatch):
    # the server log said 'The widget with key "latent_neighbours" was created with a default value but also
    # had its value set via the Session State API' on every run after the page's write-back
    from types import SimpleNamespace

    from streamlit.elements.lib import policies

    from mfviz.dashboard import cached_maps

    def quick_projection(model_key, vectors, method, n_neighbors, min_dist, n_components=2):  # no UMAP compile here
        return SimpleNamespace(coords=np.asarray(vectors)[:, :n_components].astype(np.float32), cached=True, seconds=0.0)

    monkeypatch.setattr(cached_maps, "projection", quick_projection)
    warned = []

    def record(message, *args, **kwargs):
        warned.append(message % args)
        policies._shown_default_value_warning = False  # Streamlit says it once per process: every time here

    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", record)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["latent_method"] = "UMAP"
    at.run()
    at.switch_page("pages/latent_page.py").run()
    at.slider(key="latent_neighbours").set_value(30).run()
    at.radio(key="latent_method").set_value("PCA").run()  # the sliders are not drawn: kept by the write-back
    at.radio(key="latent_method").set_value("UMAP").run()
    assert at.slider(key="latent_neighbours").value == 30
    at.switch_page("pages/spectrum_page.py").run()
    at.switch_page("pages/latent_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [m for m in warned if "latent_" in m], warned


def test_a_number_of_the_item_table_colours_the_map_on_a_scale_its_missing_values_grey():
    # a year (more than 30 values) was left out of "Colour by"; only columns of 30 values or fewer were offered
    from test_pages import new_app, open_page, upload

    rng = np.random.default_rng(0)
    rows = [f"u{u},i{i}" for u in range(120) for i in rng.choice(60, 12, replace=False)]
    years = {i: (None if i % 10 == 0 else 1950 + i) for i in range(60)}  # 54 distinct, six missing
    items = "item,title,year\n" + "".join(f"i{i},Film {i},{'' if y is None else y}\n" for i, y in years.items())
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("items.csv", items.encode(), "text/plain"))
    upload(at, "plays.csv", ("user,item\n" + "\n".join(rows) + "\n").encode())
    at.session_state["latent_method"] = "PCA"
    open_page(at, "pages/latent_page.py")
    assert "year" in at.selectbox(key="latent_colour").options
    at.selectbox(key="latent_colour").set_value("year").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    spec, _ = the_map(at)
    scaled = next(t for t in spec["data"] if t.get("marker", {}).get("colorbar"))
    assert scaled["marker"]["colorbar"]["title"]["text"] == "year"
    titles = {c[0]: float(c[1]) for c in scaled["customdata"]}
    assert titles == {f"Film {i}": float(y) for i, y in years.items() if y is not None}
    assert (scaled["marker"]["cmin"], scaled["marker"]["cmax"]) == (1951.0, 2009.0)  # not stretched to 0
    grey = next(t for t in spec["data"] if t["name"] == "no year")
    assert grey["showlegend"] is True  # in the legend: nothing else said what the grey points are
    assert sorted(c[0] for c in grey["customdata"]) == sorted(f"Film {i}" for i, y in years.items() if y is None)


def test_the_dimensions_table_has_the_year_rho_when_the_item_table_has_years_and_not_otherwise():
    import pandas as pd
    from test_pages import new_app, open_page, upload

    from mfviz.analysis import describe_dimensions, genre_groups, principal_dimensions

    rng = np.random.default_rng(0)
    plays = ("user,item\n" + "".join(f"u{u},i{i}\n" for u in range(120) for i in rng.choice(60, 12, replace=False))
             ).encode()
    years = {i: (None if i % 10 == 0 else 1950 + i) for i in range(60)}  # 54 of 60 known
    items = "item,title,year\n" + "".join(f"i{i},Film {i},{'' if y is None else y}\n" for i, y in years.items())
    for item_table in (items, None):
        at = new_app()
        if item_table is not None:
            at.file_uploader(key="upload_items").set_value(("items.csv", item_table.encode(), "text/plain"))
        upload(at, "plays.csv", plays)
        at.session_state["latent_method"] = "Dimensions"
        open_page(at, "pages/latent_page.py")
        assert not at.exception and not at.error, [e.value for e in at.error]
        table = at.dataframe[0].value
        inter = at.session_state["mfviz.data"].interactions
        if item_table is None:  # ids only: no years, no column of them
            assert inter.item_years is None and "year ρ" not in table.columns
            continue
        model = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value].model
        expected = describe_dimensions(principal_dimensions(model), inter.titles, genre_groups(inter.items), n_dims=12,
                                       popularity=inter.item_popularity,
                                       years=pd.Series(years).loc[[int(i[1:]) for i in inter.item_ids]].to_numpy(float))
        np.testing.assert_allclose(table["year ρ"], expected["year ρ"], atol=1e-12)
        assert "year ρ" in at.dataframe[0].proto.column_order
        assert any("|year ρ| ≥ 0.5" in c.value for c in at.caption)
