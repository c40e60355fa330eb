"""evaluate's RMSE counts the test pairs of users and items with no training interaction, and the recipe in its
docstring and docs/cli.md leaves them out (as Spark's coldStartStrategy="drop" does)."""

import numpy as np
import scipy.sparse as sp

from mfviz.data.interactions import Interactions
from mfviz.evaluation import evaluate, split_by_mask
from mfviz.models import FunkSVD


def test_rmse_counts_cold_pairs_and_the_documented_recipe_drops_them():
    rng = np.random.default_rng(0)
    dense = np.where(rng.random((30, 20)) < 0.5, rng.integers(1, 6, (30, 20)), 0).astype(np.float32)
    dense[:, 19] = 0
    dense[:5, 19] = 5  # item 19: rated only by users 0-4, all held out
    dense[29] = 0
    dense[29, :4] = 1  # user 29: four ratings, all held out
    data = Interactions(sp.csr_matrix(dense), np.arange(30), np.arange(20))
    coo = data.matrix.tocoo()
    cold = (coo.col == 19) | (coo.row == 29)
    is_test = cold | (rng.random(coo.nnz) < 0.2)
    train, test = split_by_mask(data, is_test)
    model = FunkSVD(factors=3, epochs=10, random_state=0).fit(train)

    pairs = test.matrix.tocoo()
    errors = model.predict(pairs.row, pairs.col) - pairs.data
    assert np.isclose(evaluate(model, train, test, k=5)["rmse"], np.sqrt(np.mean(errors**2)), rtol=1e-5)

    # the recipe, as written in evaluate's docstring and docs/cli.md
    coo = test.matrix.tocoo()
    warm = (train.user_activity[coo.row] > 0) & (train.item_popularity[coo.col] > 0)
    warm_test, cold_test = split_by_mask(test, ~warm)
    assert cold_test.nnz == 5 + 4 and warm_test.nnz == test.nnz - 9
    kept = (pairs.col != 19) & (pairs.row != 29)
    expected = np.sqrt(np.mean(errors[kept] ** 2))
    assert np.isclose(evaluate(model, train, warm_test, k=5)["rmse"], expected, rtol=1e-5)
    assert not np.isclose(expected, np.sqrt(np.mean(errors**2)), rtol=1e-3)
