"""Exports: every user's recommendation list as one table (CSV), and item vectors with their metadata in
the TSV pair that TensorFlow's Embedding Projector loads."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from mfviz.errors import DataError, ModelError
from mfviz.models.base import check_ids_match
from mfviz.models.sanity import untrained_users

CHUNK = 4096  # users per call: bounds the (users × n) arrays held at once


def recommendation_table(model, interactions, n: int = 10) -> pd.DataFrame:
    """Top-n items for every user of `interactions` by `model`, leaving out everything the user has
    in the data (not only the model's training part): one row per (user, rank) with the original
    user and item ids, the item's title and the model's score. Users with fewer than n unseen items
    get fewer rows; users the model has no training interaction of (a split held out all of theirs) get none,
    as their lists would say nothing of them (`untrained_users` counts them)."""
    matrix = interactions.matrix
    if (model.n_users, model.n_items) != matrix.shape:
        raise ModelError(f"the model has {model.n_users:,} users × {model.n_items:,} items but the data has "
                         f"{matrix.shape[0]:,} × {matrix.shape[1]:,}; use the data the model was fitted on")
    check_ids_match(model, interactions)
    parts = []
    listed = np.flatnonzero(~untrained_users(model))
    for start in range(0, listed.size, CHUNK):
        users = listed[start:start + CHUNK]
        ids, scores = model.recommend(users, n=n, exclude=matrix)
        rows, ranks = np.nonzero(ids >= 0)
        parts.append((users[rows], ranks + 1, ids[rows, ranks], scores[rows, ranks]))
    if not parts:
        raise ModelError(f"{model.label} was trained on none of these users: no list would say anything of them")
    users, ranks, items, scores = (np.concatenate(column) for column in zip(*parts, strict=True))
    return pd.DataFrame({"user_id": interactions.user_ids[users], "rank": ranks,
                         "item_id": interactions.item_ids[items], "title": interactions.titles[items],
                         "score": np.round(scores.astype(np.float64), 6)})


def projector_files(vectors, metadata: pd.DataFrame) -> dict[str, bytes]:
    """`vectors.tsv` (one row of tab-separated components per item, no header) and `metadata.tsv` (a
    header row, then one row per item) in the format TensorFlow's Embedding Projector loads
    (projector.tensorflow.org: Load, then each file). Tabs and line breaks inside metadata values
    become spaces, since they would split a row; components are written with 7 significant digits
    (float32 holds about 7)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(metadata) != vectors.shape[0]:
        raise DataError(f"{len(metadata)} metadata rows for vectors of shape {vectors.shape}: give one row per vector "
                        "(the item table's rows in the order of the vectors' rows)")
    text = io.StringIO()
    np.savetxt(text, vectors, fmt="%.7g", delimiter="\t")
    clean = metadata.astype(str).replace(r"[\t\r\n]+", " ", regex=True)
    clean.columns = [str(c).replace("\t", " ") for c in clean.columns]
    return {"vectors.tsv": text.getvalue().encode(),
            "metadata.tsv": clean.to_csv(sep="\t", index=False, lineterminator="\n", quoting=3).encode()}


def zipped(files: dict[str, bytes]) -> bytes:
    """The files as one zip archive (one download for files that belong together)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
