"""Items and users a model knows nothing of (no training interaction, or a zero vector from factors that lack
their id): neighbours of them warn, a profile of only them is refused as an empty one is, a profile with some
of them warns and folds in as without them."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz import Interactions
from mfviz.analysis import recommend_for_profile
from mfviz.errors import ModelError, ModelWarning
from mfviz.models import ImplicitALS
from mfviz.models.external import FactorModel

UNSEEN_ITEMS = [3, 8]  # no user has them in training (a time split's new items)
UNSEEN_USER = 5


def data() -> Interactions:
    rng = np.random.default_rng(0)
    dense = (rng.random((12, 10)) < 0.5).astype(np.float32)
    dense[:, UNSEEN_ITEMS] = 0
    dense[UNSEEN_USER] = 0
    dense[np.arange(12) != UNSEEN_USER, 0] = 1  # every other user has one item at least
    # every row and column named, the unseen ones too (as a split keeps the whole data's ids)
    return Interactions(sp.csr_matrix(dense), np.arange(12) + 100, np.arange(10) + 500)


@pytest.fixture(scope="module")
def model():
    return ImplicitALS(factors=3, epochs=4, solver="cholesky", random_state=0).fit(data())


def no_warning(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


def test_neighbours_of_an_untrained_item_warn_naming_it(model):
    with pytest.warns(ModelWarning, match=r"1 of these items \(rows 3\) have no training interactions"):
        ids, scores = model.similar_items([1, 3], n=3)
    assert not scores[1].any()  # what it warns of: a zero vector's neighbours, all at 0
    with pytest.warns(ModelWarning, match=r"2 of these items \(ids 503, 508\)"):
        model.similar_items_ids([503, 508], n=3)
    no_warning(lambda: model.similar_items([1, 2], n=3))
    no_warning(lambda: model.similar_items([3], n=3, warn_untrained=False))
    # a vector that is not zero but was never fitted (factors given with the data they came from): known
    # by the training matrix
    rng = np.random.default_rng(2)
    given = FactorModel(rng.normal(size=(12, 3)), rng.normal(size=(10, 3)), train_matrix=data())
    with pytest.warns(ModelWarning, match=r"rows 3, 8\)"):
        given.similar_items([3, 8], n=3)


def test_a_profile_of_only_untrained_items_is_refused_as_an_empty_one(model):
    with pytest.raises(ModelError, match=r"knows nothing of the items \(rows 3, 8\).*at least one item it was trained on"):
        model.fold_in(UNSEEN_ITEMS)
    with pytest.raises(ModelError, match="knows nothing of the items"):
        recommend_for_profile(model, UNSEEN_ITEMS, n=3)
    with pytest.raises(ModelError, match=r"knows nothing of the users \(rows 5\)"):
        model.fold_in_item([UNSEEN_USER])


def test_a_profile_with_some_untrained_items_warns_and_folds_in_as_without_them(model):
    with pytest.warns(ModelWarning, match=r"1 of the items \(rows 8\) have no training interactions"):
        vector = model.fold_in([1, 2, 8], [1.0, 2.0, 4.0])
    # the untrained item's vector is zero: it adds nothing to the solve (checked against the solve without it)
    np.testing.assert_allclose(vector, no_warning(lambda: model.fold_in([1, 2], [1.0, 2.0])), rtol=1e-6)


def test_factors_lacking_ids_warn_when_aligned_and_their_zero_rows_count_as_unknown():
    rng = np.random.default_rng(1)
    inter = data()
    known_items = inter.item_ids[inter.item_ids != 504]  # the factors lack item 504, which the data has
    factors = FactorModel(rng.normal(size=(12, 3)), rng.normal(size=(9, 3)), user_ids=inter.user_ids,
                          item_ids=known_items)
    with pytest.warns(ModelWarning, match=r"no factors for 1 of the data's 10 items \(ids 504\): they get zero vectors"):
        aligned = factors.aligned_to(inter)
    no_warning(lambda: factors.aligned_to(inter, warn_missing=False))
    with pytest.warns(ModelWarning, match=r"rows 4\)"):  # item 504 has training interactions, but no vector
        aligned.similar_items([4], n=3)
    with pytest.raises(ModelError, match="knows nothing"):
        aligned.fold_in([4])


def test_a_zero_vectors_list_warns(model):
    with pytest.warns(ModelWarning, match="the vector is zero"):
        model.recommend_for_vector(np.zeros(3), n=3)
    no_warning(lambda: model.recommend_for_vector(np.ones(3), n=3))
