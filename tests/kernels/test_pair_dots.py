"""`pair_dots`, the dot product of pairs of rows that a model's predict uses, against its NumPy reference and by hand."""

import numpy as np

from mfviz.kernels.dense import pair_dots, pair_dots_reference


def test_pair_dots_by_hand_and_against_the_reference():
    A = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    B = np.array([[0.5, 0.5], [2.0, 0.0], [0.0, -4.0]], np.float32)
    # rows (0, 1): 1·2 + 2·0 = 2; (1, 2): 3·0 + (−1)(−4) = 4; (0, 0): 0.5 + 1 = 1.5; a pair twice
    np.testing.assert_allclose(pair_dots(np.array([0, 1, 0, 1]), np.array([1, 2, 0, 2]), A, B), [2.0, 4.0, 1.5, 4.0])
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        A, B = rng.normal(size=(200, 17)).astype(dtype), rng.normal(size=(90, 17)).astype(dtype)
        rows_a, rows_b = rng.integers(0, 200, 5_000), rng.integers(0, 90, 5_000)
        np.testing.assert_allclose(pair_dots(rows_a, rows_b, A, B), pair_dots_reference(rows_a, rows_b, A, B),
                                   rtol=1e-6, atol=1e-6)
    assert pair_dots(np.zeros(0, np.int64), np.zeros(0, np.int64), A, B).shape == (0,)


def test_predict_scores_pairs_as_the_factors_say():
    from mfviz.models.external import FactorModel

    rng = np.random.default_rng(1)
    users, items = rng.normal(size=(30, 4)).astype(np.float32), rng.normal(size=(20, 4)).astype(np.float32)
    model = FactorModel(users, items, user_bias=rng.normal(size=30), item_bias=rng.normal(size=20), global_mean=3.5)
    u, i = rng.integers(0, 30, 100), rng.integers(0, 20, 100)
    expected = (users[u] * items[i]).sum(axis=1) + 3.5 + model.user_bias[u] + model.item_bias[i]
    np.testing.assert_allclose(model.predict(u, i), expected, rtol=1e-5, atol=1e-5)
    assert model.predict(u.reshape(10, 10), i.reshape(10, 10)).shape == (10, 10)
