"""Factors trained elsewhere survive a save/load round trip like any registered model."""

import numpy as np
import scipy.sparse as sp

from mfviz.models import load_model
from mfviz.models.external import FactorModel


def test_external_factor_model_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    seen = sp.random(6, 9, density=0.3, format="csr", random_state=1, dtype=np.float32)
    model = FactorModel(rng.normal(size=(6, 4)), rng.normal(size=(9, 4)), train_matrix=seen,
                        item_bias=rng.normal(size=9))
    loaded = load_model(model.save(tmp_path / "external.npz"))
    assert isinstance(loaded, FactorModel)
    np.testing.assert_array_equal(loaded.item_factors, model.item_factors)
    for got, want in zip(loaded.recommend(np.arange(6), n=3), model.recommend(np.arange(6), n=3), strict=True):
        np.testing.assert_array_equal(got, want)
