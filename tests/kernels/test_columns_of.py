"""columns_of (a few columns of a CSR pattern as a CSC) against its NumPy reference and scipy's own conversion."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.kernels.csr import columns_of, columns_of_reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_columns_rows_are_scipys_and_the_references(seed):
    rng = np.random.default_rng(seed)
    matrix = sp.random(300, 80, density=0.07, format="csr", random_state=seed)
    matrix[5] = 0  # an empty row and an empty column
    matrix[:, 7] = 0
    matrix.eliminate_zeros()
    wanted = rng.choice(80, 25, replace=False).astype(np.int64)
    wanted[0] = 7
    got = columns_of(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), 80, wanted)
    expected = columns_of_reference(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), 80, wanted)
    csc = matrix.tocsc()
    csc.sort_indices()
    for (indptr, rows) in (got, expected):
        for position, column in enumerate(wanted):
            assert rows[indptr[position]:indptr[position + 1]].tolist() == \
                csc.indices[csc.indptr[column]:csc.indptr[column + 1]].tolist()
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert got[0][1] == 0  # column 7: nobody


def test_no_column_wanted():
    indptr, rows = columns_of(np.array([0, 1], np.int64), np.array([0], np.int64), 2, np.zeros(0, np.int64))
    assert indptr.tolist() == [0] and rows.size == 0
