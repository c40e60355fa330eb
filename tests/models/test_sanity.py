"""Which users and items a fitted model never saw in training, by hand-built matrices."""

import numpy as np
import scipy.sparse as sp

from mfviz.models import ALS, Popularity
from mfviz.models.external import FactorModel
from mfviz.models.sanity import untrained_items, untrained_users


def matrix_without_user_2_and_item_3() -> sp.csr_matrix:
    dense = np.random.default_rng(0).integers(1, 6, (5, 6)).astype(np.float32)  # ratings that vary: ALS learns
    dense[2, :] = 0  # user 2: every interaction held out
    dense[:, 3] = 0  # item 3: first seen after the cut
    return sp.csr_matrix(dense)


def test_the_users_and_items_without_a_training_interaction_are_marked():
    model = ALS(factors=2, epochs=2, regularization=0.1, random_state=0).fit(matrix_without_user_2_and_item_3())
    assert np.flatnonzero(untrained_users(model)).tolist() == [2]
    assert np.flatnonzero(untrained_items(model)).tolist() == [3]
    # what "untrained" means: vectors never fitted (zero for ALS)
    assert not model.user_factors[2].any() and not model.item_factors[3].any()


def test_popularity_has_no_untrained_users_and_factors_without_interactions_none_at_all():
    popularity = Popularity().fit(matrix_without_user_2_and_item_3())
    assert not untrained_users(popularity).any()  # the same list for everyone: nobody is a stranger to it
    assert np.flatnonzero(untrained_items(popularity)).tolist() == [3]
    rng = np.random.default_rng(0)
    external = FactorModel(rng.normal(size=(5, 2)), rng.normal(size=(6, 2)))
    assert not untrained_users(external).any() and not untrained_items(external).any()
