"""Exports: every user's recommendation list as one table (CSV), and item vectors with their metadata in
the TSV pair that TensorFlow's Embedding Projector loads."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd

from mfviz.errors import DataError, ModelError
from mfviz.models.base import check_ids_match
from mfviz.models.sanity import untrained_users

CHUNK = 4096  # users per call: bounds the (users × n) arrays held at once


def recommendation_table(model, interactions, n: int = 10, progress=None, change=None) -> pd.DataFrame:
    """Top-n items for every user of `interactions` by `model`, leaving out everything the user has
    in the data (not only the model's training part): one row per (user, rank) with the original
    user and item ids, the item's title and the model's score, which is what `predict` gives for the pair: the
    predicted rating for a model of ratings (Funk SVD, SVD++, ALS: `recommend`'s score plus the global mean and
    the user's bias, which it leaves out as they do not change the order), clipped to the data's rating scale
    (`rating_bounds`) as the Recommend page shows it (`predict` itself is unclipped: 6.1 on 1-5 stars happens; the
    order stays the model's), a preference score, no rating, for the others (implicit ALS, Truncated SVD,
    Popularity). Users with fewer than n unseen items
    get fewer rows; users the model has no training interaction of (a split held out all of theirs) get none,
    as their lists would say nothing of them (`untrained_users` counts them). `progress(ranked, total)`, when given,
    is called after each chunk of CHUNK users (the ranking is the long part: ~100,000 users × 30,000 items).
    `change`, one number per item (`tradeoff.penalty`: a popularity penalty, its column `ranked_by` the unclipped
    score + change each list is ordered by), re-orders each user's list as the
    Recommend page does (`tradeoff.reranked_top_k`); the score stays the model's own."""
    matrix = interactions.matrix
    if (model.n_users, model.n_items) != matrix.shape:
        raise ModelError(f"the model has {model.n_users:,} users × {model.n_items:,} items but the data has "
                         f"{matrix.shape[0]:,} × {matrix.shape[1]:,}; use the data the model was fitted on")
    check_ids_match(model, interactions)
    if change is not None:
        change = np.asarray(change, np.float32)
        if change.shape != (matrix.shape[1],) or not np.isfinite(change).all():
            raise DataError(f"change must hold one finite number per item ({matrix.shape[1]:,}), got shape "
                            f"{change.shape}")
    bounds = rating_bounds(interactions) if getattr(model, "feedback", "any") == "explicit" else None
    parts = []
    listed = np.flatnonzero(~untrained_users(model))
    for start in range(0, listed.size, CHUNK):
        users = listed[start:start + CHUNK]
        if change is None:
            ids, scores = model.recommend(users, n=n, exclude=matrix)
        else:
            from mfviz.analysis.tradeoff import reranked_top_k

            ids, ranked = reranked_top_k(np.asarray(model.user_factors)[users], model, change, n, matrix[users])
            scores = ranked - change[np.where(ids >= 0, ids, 0)]  # the model's own score
        rows, ranks = np.nonzero(ids >= 0)
        # the per-user constant `recommend` leaves out, so that a rating model's score reads as its rating
        constant = float(getattr(model, "global_mean", 0.0) or 0.0) + (
            0.0 if getattr(model, "user_bias", None) is None else model.user_bias[users[rows]].astype(np.float64))
        parts.append((users[rows], ranks + 1, ids[rows, ranks], scores[rows, ranks] + constant))
        if progress is not None:
            progress(min(start + CHUNK, listed.size), listed.size)
    if not parts:
        raise ModelError(f"{model.label} was trained on none of these users: no list would say anything of them")
    users, ranks, items, scores = (np.concatenate(column) for column in zip(*parts, strict=True))
    # with a penalty the lists follow score + change, not the score: said in a column of its own, as the Recommend
    # page shows "ranked by" beside the score (rank 5's score was above rank 4's, with nothing to say why)
    ranked_by = None if change is None else scores + change[items]
    if bounds is not None:  # a predicted rating off the scale is no rating anyone gives
        scores = np.clip(scores, *bounds)
    table = pd.DataFrame({"user_id": interactions.user_ids[users], "rank": ranks,
                          "item_id": interactions.item_ids[items], "title": interactions.titles[items],
                          "score": np.round(scores.astype(np.float64), 6)})
    if ranked_by is not None:
        table["ranked_by"] = np.round(ranked_by.astype(np.float64), 6)
    return table


def rating_bounds(interactions) -> tuple[float, float] | None:
    """(lowest, highest) rating of explicit `interactions` within the scale that holds the bulk of them (typos kept on
    loading, a 99 among 1-5 stars, left out, as the Recommend page leaves them out of its scale); None on implicit
    feedback or without ratings. What a rating model's predicted ratings are clipped to, as Surprise clips to its
    `rating_scale`."""
    from mfviz.data.scale import rating_scale

    data = interactions.matrix.data
    if not interactions.is_explicit or data.size == 0:
        return None
    values, counts = np.unique(data.astype(np.float64), return_counts=True)
    scale = rating_scale(values, counts)
    if scale is not None:
        values = values[(values >= scale[0]) & (values <= scale[1])]
    return float(values.min()), float(values.max())


def recommendation_csv(model, interactions, n: int = 10, progress=None, change=None) -> bytes:
    """`recommendation_table` as CSV bytes (a header, then one row per user and rank; text fields quoted), written by
    Arrow: 1,000,000 rows (100,000 users' top 10) took pandas' `to_csv` 1.4 s and Arrow 0.17 s at load 2 (14 s and 2.2 s
    at load 7)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = recommendation_table(model, interactions, n, progress, change)
    out = io.BytesIO()
    out.write((",".join(table.columns) + "\n").encode())  # Arrow would quote the header's names
    pa_csv.write_csv(pa.Table.from_pandas(table, preserve_index=False), out,
                     pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return out.getvalue()


TENSOR_NAME = "item_factors"  # the vectors' name in the Projector's config (its "tensor")


def projector_files(vectors, metadata: pd.DataFrame) -> dict[str, bytes]:
    """`vectors.tsv` (one row of tab-separated components per item, no header) and `metadata.tsv` (a
    header row, then one row per item) in the format TensorFlow's Embedding Projector loads
    (projector.tensorflow.org: Load, then each file), with the two configs that name them
    (`projector_config`) and a README saying how to open them. Tabs and line breaks inside metadata values
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
            "metadata.tsv": clean.to_csv(sep="\t", index=False, lineterminator="\n", quoting=3).encode(),
            **projector_config(*vectors.shape)}


def projector_config(n_items: int, n_factors: int) -> dict[str, bytes]:
    """The configs naming vectors.tsv and metadata.tsv: `projector_config.json`, the standalone Projector's
    (projector.tensorflow.org/?config=URL: `{"embeddings": [{tensorName, tensorShape, tensorPath,
    metadataPath}]}`), `projector_config.pbtxt`, TensorBoard's projector plugin's (`embeddings { tensor_name
    tensor_path metadata_path }`, paths relative to the log directory), and a README on opening either."""
    config = {"embeddings": [{"tensorName": TENSOR_NAME, "tensorShape": [int(n_items), int(n_factors)],
                              "tensorPath": "vectors.tsv", "metadataPath": "metadata.tsv"}]}
    text = (f'embeddings {{\n  tensor_name: "{TENSOR_NAME}"\n  tensor_path: "vectors.tsv"\n'
            '  metadata_path: "metadata.tsv"\n}\n')
    readme = f"""The item vectors of an mfviz model ({int(n_items):,} items x {int(n_factors)} factors) for TensorFlow's
Embedding Projector.

vectors.tsv      one row per item, its factors tab-separated (no header)
metadata.tsv     a header row, then one row per item in the same order (id, title, genres, popularity, ...)

Open them in the browser: go to https://projector.tensorflow.org, press "Load", choose vectors.tsv under
"Step 1" and metadata.tsv under "Step 2". Colour by distinctive_genre for the dashboard's genre colours.

Share them with a link (projector_config.json): put vectors.tsv and metadata.tsv where a browser may
fetch them from another site (a GitHub gist's "Raw" addresses work), write those two addresses in
projector_config.json in place of "vectors.tsv" and "metadata.tsv", put the config there too, and open
https://projector.tensorflow.org/?config=ADDRESS-OF-projector_config.json
(The Projector fetches each path as an address: the bare file names work only next to a Projector
served from the same folder.)

In TensorBoard (projector_config.pbtxt): unzip into a folder and run `tensorboard --logdir FOLDER`;
the Projector tab reads projector_config.pbtxt there, whose paths are relative to that folder.
"""
    return {"projector_config.json": (json.dumps(config, indent=2) + "\n").encode(),
            "projector_config.pbtxt": text.encode(), "README.txt": readme.encode()}


def zipped(files: dict[str, bytes]) -> bytes:
    """The files as one zip archive (one download for files that belong together)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
