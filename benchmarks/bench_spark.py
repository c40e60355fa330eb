"""Explicit ALS against Spark MLlib's ALS (local[2]): the same objective, RMSE on ML-100K folds and time per fit."""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from benchmarks.common import ML100K, table

FOLDS, FACTORS, EPOCHS, REG = 5, 32, 15, 0.1
SCALE_EPOCHS = 5
COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks spark"


def _session():
    from pyspark.sql import SparkSession

    # Two cores as every library gets; few shuffle partitions (Spark's default 200 is for clusters and
    # costs seconds of empty tasks on a 2-core machine); the UI off.
    return (SparkSession.builder.master("local[2]").appName("mfviz-bench")
            .config("spark.driver.memory", "8g").config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "4").config("spark.ui.enabled", "false").getOrCreate())


def _spark_fit(spark, users, items, ratings, epochs: int, blocks: int):
    """Spark ALS (explicit, ALS-WR regularization as Spark always uses) fitted on the triples; returns
    (user factors, item factors) as dense arrays indexed like the input ids, and the fit seconds."""
    from pyspark.ml.recommendation import ALS as SparkALS

    frame = spark.createDataFrame(pd.DataFrame({"user": users.astype(np.int32), "item": items.astype(np.int32),
                                                "rating": ratings.astype(np.float32)})).cache()
    frame.count()  # materialised before the clock starts: the fit is timed, not the data transfer
    start = time.perf_counter()
    model = SparkALS(rank=FACTORS, maxIter=epochs, regParam=REG, userCol="user", itemCol="item",
                     ratingCol="rating", seed=0, numUserBlocks=blocks, numItemBlocks=blocks).fit(frame)
    user_rows, item_rows = model.userFactors.collect(), model.itemFactors.collect()  # forces the factors
    seconds = time.perf_counter() - start
    frame.unpersist()
    dense = []
    for rows, size in ((user_rows, int(users.max()) + 1), (item_rows, int(items.max()) + 1)):
        factors = np.zeros((size, FACTORS), np.float32)
        for row in rows:
            factors[row["id"]] = row["features"]
        dense.append(factors)
    return dense[0], dense[1], seconds


def _mfviz_fit(users, items, ratings, shape, epochs: int):
    from mfviz.models import ALS

    matrix = sp.csr_matrix((ratings, (users, items)), shape=shape)
    start = time.perf_counter()
    model = ALS(factors=FACTORS, epochs=epochs, regularization=REG, scale_regularization=True, biases=False,
                random_state=0).fit(matrix)
    return model.user_factors, model.item_factors, time.perf_counter() - start


def _rmse(user_factors, item_factors, users, items, ratings) -> float:
    predicted = np.einsum("ij,ij->i", user_factors[users].astype(np.float64), item_factors[items].astype(np.float64))
    return float(np.sqrt(np.mean((predicted - ratings) ** 2)))


def ml100k_rows(spark) -> list[list[object]]:
    frame = pd.read_csv(ML100K / "u.data", sep="\t", names=["user", "item", "rating", "ts"])
    users, items = frame["user"].to_numpy() - 1, frame["item"].to_numpy() - 1
    ratings = frame["rating"].to_numpy(np.float32)
    shape = (users.max() + 1, items.max() + 1)
    fold = np.random.default_rng(0).permutation(len(frame)) % FOLDS  # the folds of the ALS section
    _mfviz_fit(users[:500], items[:500], ratings[:500], shape, 1)  # JIT and JVM warm-up, not timed
    _spark_fit(spark, users[:500], items[:500], ratings[:500], 1, 2)
    result = {"mfviz": ([], []), "Spark": ([], [])}
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        # Only ratings whose user and item are in the training part: Spark gives no prediction for the others.
        seen_users = np.bincount(users[train], minlength=shape[0]) > 0
        seen_items = np.bincount(items[train], minlength=shape[1]) > 0
        test &= seen_users[users] & seen_items[items]
        part = users[train], items[train], ratings[train]
        times = {"mfviz": [], "Spark": []}
        for run in range(3):  # interleaved, so machine noise hits both alike
            for name in times:
                p, q, seconds = _mfviz_fit(*part, shape, EPOCHS) if name == "mfviz" else \
                    _spark_fit(spark, *part, EPOCHS, 2)
                times[name].append(seconds)
                if run == 0:  # seeded: every run gives the same factors
                    result[name][0].append(_rmse(p, q, users[test], items[test], ratings[test]))
        for name, seconds in times.items():
            result[name][1].append(statistics.median(seconds))
        print(f"  fold {k}: RMSE mfviz {result['mfviz'][0][-1]:.4f}, Spark {result['Spark'][0][-1]:.4f}; "
              f"fit {result['mfviz'][1][-1]:.2f} s vs {result['Spark'][1][-1]:.2f} s", flush=True)
    mean = {name: (float(np.mean(r)), float(np.median(t))) for name, (r, t) in result.items()}
    return [["ML-100K, 5 folds", "943×1682", "80,000", round(mean["mfviz"][0], 4), round(mean["Spark"][0], 4),
             round(mean["mfviz"][1], 3), round(mean["Spark"][1], 3), round(mean["mfviz"][1] / mean["Spark"][1], 4)]]


def scale_row(spark) -> list[object]:
    from benchmarks.bench_surprise import generate_ratings

    matrix = generate_ratings().tocoo()
    users, items, ratings = matrix.row, matrix.col, matrix.data
    _, _, ours = _mfviz_fit(users, items, ratings, matrix.shape, SCALE_EPOCHS)
    _, _, theirs = _spark_fit(spark, users, items, ratings, SCALE_EPOCHS, 4)
    print(f"  5M: mfviz {ours:.1f} s, Spark {theirs:.1f} s for {SCALE_EPOCHS} iterations", flush=True)
    return [f"generated, {SCALE_EPOCHS} iterations (1 fit each)", f"{matrix.shape[0]}×{matrix.shape[1]}",
            f"{matrix.nnz:,}", "", "", round(ours / SCALE_EPOCHS, 3), round(theirs / SCALE_EPOCHS, 3),
            round(ours / theirs, 4)]


def run() -> str:
    title = "## Explicit ALS vs Spark MLlib ALS"
    if not (ML100K / "u.data").exists():
        return f"{title}\n\nSkipped: MovieLens 100K not found at {ML100K}.\n"
    try:
        import pyspark
    except ImportError:
        return f"{title}\n\nSkipped: pyspark is not installed (`pip install pyspark`; it needs Java 17+).\n"
    spark = _session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        rows = ml100k_rows(spark)
        rows.append(scale_row(spark))
    finally:
        spark.stop()
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    return "\n".join([
        f"{title} (pyspark {pyspark.__version__}, local[2])",
        "",
        f"`{COMMAND}` (pyspark from the `bench` extra; Java 17 and the system OpenBLAS, `apt-get install -y libopenblas0`, which Spark's netlib loader then uses instead of its pure-Java BLAS). The same objective on both sides: explicit ALS "
        f"without biases, {FACTORS} factors, regularization {REG:g} times each user's / item's rating count "
        "(Spark always scales it so: ALS-WR; mfviz `scale_regularization=True, biases=False`), seed 0. Spark runs "
        "in local[2] with 4 shuffle partitions and 2×2 blocks on ML-100K (4×4 on the 5M matrix). Fit time: "
        "`ALS.fit` until both factor tables are collected for Spark (the training DataFrame cached and counted "
        "before the clock starts), `ALS.fit` for mfviz. RMSE: both sets of factors scored by the same NumPy code "
        "on the held-out ratings whose user and item are in the training part (Spark predicts nothing for the "
        f"others). ML-100K: the ALS section's 5 folds, {EPOCHS} iterations, fit time per fold the median of 3 "
        "interleaved runs, the table the mean RMSE and the median fit time over folds. Scale: the generated "
        f"5M-rating matrix of the Surprise section, {SCALE_EPOCHS} iterations, one fit each; seconds per iteration "
        f"(setup included). Load average at the end (1/5/15 min): {load}.",
        "",
        table(["data", "users×items", "ratings (train)", "RMSE mfviz", "RMSE Spark", "s mfviz", "s Spark",
               "ratio mfviz/Spark"], rows),
        "",
        "Time columns: fit seconds on ML-100K, seconds per iteration on the generated matrix. mfviz's ALS starts "
        "from random unit vectors, as Spark does; from its former N(0, 0.1²) start the same run gave RMSE 0.9206 "
        "(Spark 0.9192): 15 sweeps are not yet converged, and the start decides how far they get.",
    ]) + "\n"
