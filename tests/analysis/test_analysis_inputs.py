"""The analyses take an Interactions where they take item counts, and name what to pass when given a model or the
interactions where they need vectors (NumPy's own TypeError said nothing of either)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import mfviz.analysis as A
from mfviz.data.interactions import Interactions
from mfviz.errors import DataError
from mfviz.models import ImplicitALS


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    dense = (rng.random((40, 30)) < rng.random(30) * 0.6) * rng.integers(1, 6, (40, 30))  # uneven popularity
    dense[np.arange(40), np.arange(40) % 30] = 3
    return Interactions(sp.csr_matrix(dense.astype(np.float32)), np.arange(40), np.arange(30))


@pytest.fixture(scope="module")
def model(data):
    return ImplicitALS(factors=3, epochs=2, random_state=0).fit(data)


def test_count_taking_functions_read_an_interactions_as_its_item_popularity(data, model):
    counts = data.item_popularity
    frame, head = A.long_tail_curve(data)
    expected_frame, expected_head = A.long_tail_curve(counts)
    pd.testing.assert_frame_equal(frame, expected_frame)
    np.testing.assert_array_equal(head, expected_head)
    assert frame["popularity"].iloc[0] == counts.max() and frame["popularity"].sum() == data.nnz
    assert A.gini(data) == A.gini(counts)
    vectors = model.item_factors
    pd.testing.assert_frame_equal(A.compare_neighbours(vectors, 0, k=3, popularity=data).dot,
                                  A.compare_neighbours(vectors, 0, k=3, popularity=counts).dot)
    pd.testing.assert_frame_equal(A.projection_table(vectors[:, :2], popularity=data),
                                  A.projection_table(vectors[:, :2], popularity=counts))
    assert (A.neighbour_popularity_summary(vectors, data, k=3)["popularity_ratio"]
            == A.neighbour_popularity_summary(vectors, counts, k=3)["popularity_ratio"])
    dims = A.principal_dimensions(model)
    pd.testing.assert_frame_equal(A.describe_dimensions(dims, data.titles, popularity=data),
                                  A.describe_dimensions(dims, data.titles, popularity=counts))


def test_vector_taking_functions_say_what_to_pass_for_a_model_or_the_interactions(data, model):
    coords = model.item_factors[:, :2]
    for call in (lambda given: A.project(given, "pca"), lambda given: A.NeighbourIndex(given),
                 lambda given: A.exact_search(model.item_factors[:2], given, 3),
                 lambda given: A.neighbour_agreement(given, model.item_factors, k=3),
                 lambda given: A.neighbourhood_preservation(given, coords),
                 lambda given: A.cosines_with(given, np.ones(3) / np.sqrt(3)),
                 lambda given: A.taste_axis(given, [0], [1])):
        with pytest.raises(DataError, match=r"got a model \(ImplicitALS\): pass its item_factors"):
            call(model)
        with pytest.raises(DataError, match="got the interactions: pass a fitted model's item_factors"):
            call(data)
