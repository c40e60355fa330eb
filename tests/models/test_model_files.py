"""Model files: a damaged or hand-edited .npz is refused by load_model with what is wrong, once at
load, instead of a traceback or junk scores later. The files are real .npz written with numpy."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.models import ALS, SVDpp, TruncatedSVD, load_model
from mfviz.models.external import load_factors


def ratings(seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random((12, 9)) < 0.5, rng.integers(1, 6, (12, 9)), 0).astype(np.float32)
    dense[np.arange(12), np.arange(12) % 9] = 3.0  # every user and item rated
    return sp.csr_matrix(dense)


def saved(tmp_path, model=None) -> dict[str, np.ndarray]:
    """The arrays of a sound model file (ALS with biases unless given)."""
    model = (model or ALS(factors=3, epochs=2, random_state=0)).fit(ratings())
    with np.load(model.save(tmp_path / "sound.npz")) as npz:
        return {key: npz[key] for key in npz.files}


def damaged(tmp_path, arrays: dict, name: str = "damaged.npz", **changes) -> str:
    """A copy of `arrays` with `changes` (None removes an array; a dict edits the metadata, None
    values removing keys), written with numpy."""
    arrays = dict(arrays)
    for key, value in changes.items():
        if key == "meta":
            meta = json.loads(str(arrays["meta_json"]))
            for field, new in value.items():
                meta.pop(field) if new is None else meta.__setitem__(field, new)
            arrays["meta_json"] = np.array(json.dumps(meta))
        elif value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    path = tmp_path / name
    np.savez(path, **arrays)
    return str(path)


DAMAGE = {
    "metadata is a list": (lambda a: dict(meta_json=np.array("[1, 2]")), "its metadata is a JSON list, not an object"),
    "no global mean": (lambda a: dict(meta=dict(global_mean=None)), "its metadata has no global_mean"),
    "text global mean": (lambda a: dict(meta=dict(global_mean="3.5")), "its metadata's global_mean is '3.5', not a finite number"),
    "unknown format": (lambda a: dict(meta=dict(format=2)), "it declares format version 2; this mfviz reads version 1"),
    "no format": (lambda a: dict(meta=dict(format=None)), "its metadata declares no format version"),
    "bad hyperparameter": (lambda a: dict(meta=dict(params=dict(factors=0))), "its hyperparameters are invalid: factors must be >= 1, got 0"),
    "no user factors": (lambda a: dict(user_factors=None), "its user_factors array is missing"),
    "NaN user factors": (lambda a: dict(user_factors=np.full_like(a["user_factors"], np.nan)),
                         r"its user_factors array holds 36 NaN or infinite values"),
    "1-D item factors": (lambda a: dict(item_factors=a["item_factors"][:, 0]), r"its item_factors array is 1-D \(shape \(9,\)\), expected 2-D"),
    "narrower item factors": (lambda a: dict(item_factors=a["item_factors"][:, :2]),
                              "its item_factors have 2 columns but its user_factors have 3"),
    "factors unlike the hyperparameter": (lambda a: dict(user_factors=a["user_factors"][:, :2], item_factors=a["item_factors"][:, :2]),
                                          "its factor arrays have 2 columns but its hyperparameters say factors=3"),
    "text item bias": (lambda a: dict(item_bias=np.array(["a"] * 9)), "its item_bias array holds <U1 values, not numbers"),
    "short user bias": (lambda a: dict(user_bias=a["user_bias"][:5]), r"its user_bias array has shape \(5,\), expected \(12,\)"),
    "no item bias": (lambda a: dict(item_bias=None), r"its item_bias array is missing \(ALS with biases\)"),
    "training arrays of unequal length": (lambda a: dict(train_indices=a["train_indices"][:5]), "its training matrix does not fit 12 users × 9 items"),
    "training index out of range": (lambda a: dict(train_indices=a["train_indices"] + 100), "its training matrix does not fit"),
    "half a training matrix": (lambda a: dict(train_data=None), "its training matrix is incomplete"),
    "user ids of another length": (lambda a: dict(user_ids=np.arange(3)), "its user_ids array must hold 12 integers or texts"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_model_file_says_what_is_wrong(tmp_path, case):
    arrays = saved(tmp_path)
    change, message = DAMAGE[case]
    path = damaged(tmp_path, arrays, **change(arrays))
    with pytest.raises(ModelError, match=r"damaged\.npz is not a valid mfviz model file: " + message) as caught:
        load_model(path)
    assert "Save the model again" in str(caught.value)
    # the CLI and the dashboard fall back to load_factors when load_model fails: a damaged mfviz
    # file must not pass there for bare factors (without its biases, ids or training matrix)
    with pytest.raises(ModelError, match="is an mfviz model file"):
        load_factors(path)


def test_a_sound_file_still_loads_and_a_non_model_npz_is_named(tmp_path):
    arrays = saved(tmp_path)
    model = load_model(damaged(tmp_path, arrays, name="copy.npz"))
    assert model.recommend([0], n=3)[0].shape == (1, 3)
    np.savez(tmp_path / "implicit.npz", user_factors=arrays["user_factors"], item_factors=arrays["item_factors"])
    with pytest.raises(ModelError, match="implicit.npz is no mfviz model file: it has no meta_json metadata"):
        load_model(tmp_path / "implicit.npz")


@pytest.mark.parametrize("model, key, message", [
    (SVDpp(factors=3, epochs=2, random_state=0), "extra_implicit_factors", "its implicit_factors array is missing"),
    (SVDpp(factors=3, epochs=2, random_state=0), "user_bias", r"its user_bias array is missing \(SVD\+\+ with biases\)"),
    (TruncatedSVD(factors=3), "extra_singular_values", "its singular_values array is missing"),
])
def test_model_specific_arrays_are_checked_too(tmp_path, model, key, message):
    path = damaged(tmp_path, saved(tmp_path, model), **{key: None})
    with pytest.raises(ModelError, match="not a valid mfviz model file: " + message):
        load_model(path)
