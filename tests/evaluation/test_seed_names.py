"""One seed name across the API: every model takes random_state; the splits, evaluate and the analyses take it too,
and still take seed, their earlier name."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.analysis import data_spectrum, popularity_report, project
from mfviz.data.interactions import Interactions
from mfviz.data.prepare import sample_users
from mfviz.errors import DataError, ModelError
from mfviz.evaluation import evaluate, leave_k_out_split, random_split, split, user_split
from mfviz.models import MODELS, ImplicitALS


def interactions(seed: int = 0) -> Interactions:
    rng = np.random.default_rng(seed)
    dense = (rng.random((40, 30)) < 0.3) * rng.integers(1, 6, (40, 30))
    dense[np.arange(40), np.arange(40) % 30] = 3  # every user and item used
    return Interactions(sp.csr_matrix(dense.astype(np.float32)), np.arange(40), np.arange(30))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_takes_random_state_and_a_deterministic_one_ignores_it(name):
    cls = MODELS[name]
    small = {"factors": 3} if "factors" in cls.params else {}
    small |= {"epochs": 2} if "epochs" in cls.params else {}
    data = interactions()
    a = cls(random_state=0, **small).fit(data)
    b = cls(random_state=0, **small).fit(data)
    np.testing.assert_array_equal(a.item_factors, b.item_factors)  # the same seed, the same model
    if "random_state" not in cls.params:  # Truncated SVD, Popularity: nothing random to seed
        np.testing.assert_array_equal(cls(random_state=5, **small).fit(data).item_factors, a.item_factors)
        assert "random_state" not in a.get_params()
    with pytest.raises(ModelError, match="random_state must be >= 0, got -1"):
        cls(random_state=-1)
    with pytest.raises(ModelError, match="random_state must be an integer, got 'x'"):
        cls(random_state="x")


def test_a_loop_seeding_every_registered_model_runs():
    models = [cls(random_state=0) for cls in MODELS.values()]
    assert len(models) == len(MODELS)


SPLITS = [(random_split, {}), (user_split, {}), (leave_k_out_split, {"k": 2}),
          (split, {"method": "random"}), (split, {"method": "user"}), (split, {"method": "leave-k-out", "k": 2})]


@pytest.mark.parametrize(("func", "kwargs"), SPLITS)
def test_splits_take_random_state_and_seed_alike(func, kwargs):
    data = interactions()
    by_state = func(data, random_state=3, **kwargs)[1].matrix
    by_seed = func(data, seed=3, **kwargs)[1].matrix
    other = func(data, random_state=4, **kwargs)[1].matrix
    assert (by_state != by_seed).nnz == 0
    assert (by_state != other).nnz > 0  # the seed is used, not dropped
    with pytest.raises(DataError, match="both random_state=3 and seed=3"):
        func(data, random_state=3, seed=3, **kwargs)


def test_evaluate_and_analyses_take_random_state_and_seed_alike():
    data = interactions()
    train, test = random_split(data, random_state=0)
    model = ImplicitALS(factors=3, epochs=2, random_state=0).fit(train)
    by_state, by_seed = (evaluate(model, train, test, k=5, max_users=10, **{name: 2}) for name in ("random_state", "seed"))
    assert by_state["users_evaluated"] == 10
    assert {k: v for k, v in by_state.items() if "seconds" not in k} == {
        k: v for k, v in by_seed.items() if "seconds" not in k}
    assert (popularity_report(model, train, k=5, sample_users=10, random_state=1).recommended_counts.tolist()
            == popularity_report(model, train, k=5, sample_users=10, seed=1).recommended_counts.tolist())
    np.testing.assert_array_equal(data_spectrum(data.matrix, k=5, random_state=1).singular_values,
                                  data_spectrum(data.matrix, k=5, seed=1).singular_values)
    assert (sample_users(data, 10, random_state=5).user_ids.tolist() == sample_users(data, 10, seed=5).user_ids.tolist()
            != sample_users(data, 10, random_state=6).user_ids.tolist())
    vectors = np.random.default_rng(0).standard_normal((30, 4))
    np.testing.assert_array_equal(project(vectors, "tsne", perplexity=5, random_state=1, cache_dir=False).coords,
                                  project(vectors, "tsne", perplexity=5, seed=1, cache_dir=False).coords)
