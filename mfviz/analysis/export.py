"""Every user's recommendation list as one table, for a CSV export."""

from __future__ import annotations

import numpy as np
import pandas as pd

CHUNK = 4096  # users per call: bounds the (users × n) arrays held at once


def recommendation_table(model, interactions, n: int = 10) -> pd.DataFrame:
    """Top-n items for every user of `interactions` by `model`, leaving out everything the user has
    in the data (not only the model's training part): one row per (user, rank) with the original
    user and item ids, the item's title and the model's score. Users with fewer than n unseen items
    get fewer rows."""
    matrix = interactions.matrix
    parts = []
    for start in range(0, matrix.shape[0], CHUNK):
        users = np.arange(start, min(start + CHUNK, matrix.shape[0]))
        ids, scores = model.recommend(users, n=n, exclude=matrix)
        rows, ranks = np.nonzero(ids >= 0)
        parts.append((users[rows], ranks + 1, ids[rows, ranks], scores[rows, ranks]))
    users, ranks, items, scores = (np.concatenate(column) for column in zip(*parts, strict=True))
    return pd.DataFrame({"user_id": interactions.user_ids[users], "rank": ranks,
                         "item_id": interactions.item_ids[items], "title": interactions.titles[items],
                         "score": np.round(scores.astype(np.float64), 6)})
