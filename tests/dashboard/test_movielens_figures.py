"""The README's figures of this project's MovieLens 100K runs, recomputed (skipped without ../shared's copy):
how much of a star-predicting model's lists its item biases make, their popularity ρ, what the last training adds
to a workspace file, and the held-out hits of user 554. Seeded, so each run gives the same numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from mfviz.dashboard import state, training, workspace_file

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"
pytestmark = pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K is not in ../shared/datasets")


@pytest.fixture(scope="module")
def movielens():
    from mfviz import load_interactions

    inter = load_interactions(ML100K)
    data = state.DataEntry(interactions=inter, name="u.data", key=state.interactions_hash(inter))
    train, test = training.split_data(data.key, inter, "random", 0.2, 0)
    return data, train, test


@pytest.fixture(scope="module")
def rating_models(movielens):
    _, train, _ = movielens
    return {kind: training.make_model(kind, {"random_state": 0}).fit(train) for kind in ("funksvd", "svdpp", "als")}


def test_how_much_of_the_lists_of_the_models_of_ratings_their_item_biases_make(movielens, rating_models):
    data, _, _ = movielens
    inter = data.interactions
    found = {}
    for kind, model in rating_models.items():
        ids, scores = model.recommend(np.arange(inter.n_users), n=10, exclude=inter.matrix)
        bias, shared = model.item_bias, []
        for user in range(inter.n_users):
            unseen = np.setdiff1d(np.arange(inter.n_items), inter.matrix[user].indices)
            shared.append(np.intersect1d(unseen[np.argsort(-bias[unseen], kind="stable")[:10]], ids[user]).size)
        found[kind] = (round(float(bias[ids].mean()), 2), round(float((scores - bias[ids]).mean()), 2),
                       round(float(np.mean(shared)), 1))
    assert found == {"funksvd": (0.84, 0.21, 4.9), "svdpp": (0.74, 0.3, 4.8), "als": (0.75, 0.11, 7.1)}


def test_the_item_biases_popularity_rho(movielens, rating_models):
    data, _, _ = movielens
    popularity = np.bincount(data.interactions.matrix.indices, minlength=data.interactions.n_items)
    rho = {kind: round(float(spearmanr(model.item_bias, popularity).statistic), 2)
           for kind, model in rating_models.items()}
    lengths = {kind: round(float(spearmanr(np.linalg.norm(model.item_factors, axis=1), popularity).statistic), 2)
               for kind, model in rating_models.items()}
    assert (rho, lengths) == ({"funksvd": 0.24, "svdpp": 0.25, "als": 0.21}, {"funksvd": 0.78, "svdpp": 0.83, "als": 0.93})


def test_what_the_last_training_adds_to_a_workspace_file(movielens):
    # its replay's lined-up positions, not the float16 item vectors per epoch (3.77 and 6.98 MB files)
    data, train, test = movielens
    sizes = {}
    for kind in ("ials", "funksvd"):
        job = training.TrainingJob(kind=kind, label=kind, params=training.make_model(kind, {"random_state": 0}).get_params(),
                                   train=train, test=test, k=10, data_key=data.key, split="random 20% test",
                                   split_settings={"split": "random", "test": 0.2, "seed": 0}).start()
        job.thread.join()
        values = {state.SOURCE: data, state.DATA: data, state.MODELS: {job.entry.name: job.entry}}
        sizes[kind] = tuple(round(len(workspace_file.write(v)) / 1e6, 2)
                            for v in (values, {**values, state.LAST_TRAINING: job}))
    assert sizes == {"ials": (1.08, 1.26), "funksvd": (1.44, 1.67)}  # ials 1.09 before unseen items were exactly 0


def test_the_held_out_hits_of_user_554(movielens):
    # the quick default's split and settings; each model's list leaves out its training items only
    from mfviz.models import Popularity

    data, train, test = movielens
    inter, user = data.interactions, int(np.flatnonzero(data.interactions.user_ids == 554)[0])
    held_out = set(test.matrix[user].indices.tolist())
    models = {"ials": training.make_model("ials", {"factors": 32, "epochs": 8, "random_state": 0}),
              "popularity": Popularity(), "svd": training.make_model("svd", {}),
              **{kind: training.make_model(kind, {"random_state": 0}) for kind in ("als", "funksvd")}}
    hits = {}
    for name, model in models.items():
        ids, _ = model.fit(train).recommend([user], n=10, exclude=train.matrix)
        hits[name] = len(held_out & set(ids[0].tolist()))
    assert (len(held_out), inter.matrix[user].nnz) == (33, 114)
    assert hits == {"ials": 9, "popularity": 7, "svd": 5, "als": 2, "funksvd": 1}
