"""Hypothesis round-trips: ids and values survive a file and the container exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import as_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfviz import Interactions, load_interactions
from mfviz.data.id_maps import MISSING_ID_TEXT

text_ids = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
                   min_size=1, max_size=8).filter(lambda s: s.strip() == s and s not in MISSING_ID_TEXT)
int_ids = st.integers(min_value=-(2**63), max_value=2**63 - 1)
huge_ids = st.integers(min_value=2**64, max_value=2**80).map(str)
stars = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 3.5, 4.0, 5.0])


def _triples(ids):
    return st.lists(st.tuples(ids, ids, stars), min_size=2, max_size=30, unique_by=lambda t: (t[0], t[1]))


def _enough(triples) -> bool:
    return len({t[0] for t in triples}) >= 2 and len({t[1] for t in triples}) >= 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples=_triples(st.one_of(int_ids, text_ids)))
def test_ids_and_values_round_trip_through_from_frame(triples):
    if not _enough(triples):
        return
    frame = pd.DataFrame(triples, columns=["user", "item", "rating"], dtype=object)
    frame["rating"] = frame["rating"].astype(float)
    loaded = Interactions.from_frame(frame, "user", "item", "rating", explicit=True)
    assert as_dict(loaded) == {(u, i): r for u, i, r in triples}
    back = loaded.to_frame()
    assert len(back) == len(triples)
    assert loaded.user_index(back["user"].to_numpy()).tolist() == loaded.matrix.tocoo().row.tolist()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples=_triples(st.one_of(text_ids, int_ids, huge_ids)), delimiter=st.sampled_from([",", "\t", ";", "|"]))
def test_ids_and_values_round_trip_through_a_file(tmp_path_factory, triples, delimiter):
    if not _enough(triples):
        return
    path = tmp_path_factory.mktemp("rt") / "r.csv"
    frame = pd.DataFrame(triples, columns=["user", "item", "rating"])
    frame.to_csv(path, sep=delimiter, index=False)
    loaded = load_interactions(path, explicit=True)
    # the file has no types: compare ids as text
    got = {(str(u), str(i)): r for (u, i), r in as_dict(loaded).items()}
    assert got == {(str(u), str(i)): r for u, i, r in triples}


@settings(max_examples=25, deadline=None)
@given(ids=st.lists(int_ids, min_size=2, max_size=20, unique=True))
def test_integer_ids_keep_their_exact_value_and_type(ids):
    frame = pd.DataFrame({"user": ids, "item": ids[::-1], "rating": np.arange(len(ids)) % 5 + 1.0})
    loaded = Interactions.from_frame(frame, "user", "item", "rating")
    assert sorted(loaded.user_ids.tolist()) == sorted(ids)
    assert loaded.user_ids.dtype == np.int64


def test_titles_are_built_once_read_only_and_follow_a_new_item_table():
    import pandas as pd

    from mfviz import Interactions

    inter = Interactions.from_frame(pd.DataFrame({"u": [1, 2], "i": [10, 20]}), user="u", item="i")
    first = inter.titles
    assert inter.titles is first and list(first) == ["10", "20"]
    assert not first.flags.writeable
    inter.items = pd.DataFrame({"item_id": [10, 20], "title": ["Ten", None]})
    assert list(inter.titles) == ["Ten", "20"]
