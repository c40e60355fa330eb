"""Stored zeros of a sparse matrix (a value 0 kept as an entry) are interactions of value 0, as python-api.md says:
fitted as ratings of 0 by the rating models, counted by Popularity, the same as a missing entry for Truncated SVD and
implicit ALS; seen by every model, so recommend leaves them out."""

import numpy as np
import pytest

from tests.models.test_contract import NAMES, build, random_matrix

AS_MISSING = {"svd", "ials"}  # a zero is what a missing entry is to them: the same factors without it


@pytest.mark.parametrize("name", NAMES)
def test_a_stored_zero_is_fitted_as_documented_and_seen(name):
    matrix = random_matrix(name)
    first = slice(matrix.indptr[0], matrix.indptr[0] + 3)
    zero_items = matrix.indices[first].copy()
    matrix.data[first] = 0.0  # three of user 0's entries stored as zeros
    without = matrix.copy()
    without.eliminate_zeros()
    assert matrix.nnz == without.nnz + 3
    kept, dropped = build(name).fit(matrix), build(name).fit(without)
    same = np.allclose(kept.item_factors, dropped.item_factors, atol=1e-6)
    assert same == (name in AS_MISSING), "stored zeros fitted otherwise than documented"
    listed = kept.recommend([0], n=matrix.shape[1], exclude_seen=True)[0][0]
    assert not set(zero_items) & set(listed.tolist())  # seen: left out of the user's list
    assert set(zero_items) <= set(dropped.recommend([0], n=matrix.shape[1])[0][0].tolist())
