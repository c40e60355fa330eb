"""Implicit ALS's starting factors: mfviz's start against implicit's and two others, and against implicit itself,
on MovieLens 100K (0/1 and ratings as values) over α, λ, CG and Cholesky, several seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from benchmarks.bench_ials import movielens_binary
from benchmarks.common import ML100K, table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks ials_init"
FACTORS, ITERATIONS, CG_STEPS = 64, 15, 3
SEEDS = range(4)
ALPHAS, REGULARIZATIONS, SOLVERS = (1.0, 10.0, 40.0), (0.01, 0.05), ("cg", "cholesky")
# implicit's own defaults: 100 factors, regularization 0.01, its alpha 1 (c = 1 on a 0/1 entry: mfviz's alpha 0)
IMPLICIT_DEFAULTS = {"factors": 100, "regularization": 0.01, "alpha": 0.0, "solver": "cg"}
STARTS = {  # name -> draw(rng, rows, factors); each model draws users first, then items, from one seeded generator
    "normal·0.01 (mfviz)": lambda rng, n, f: rng.standard_normal((n, f)) * 0.01,
    "uniform·0.01 (implicit's)": lambda rng, n, f: rng.random((n, f)) * 0.01,
    "normal·0.001": lambda rng, n, f: rng.standard_normal((n, f)) * 0.001,
    "uniform/√f": lambda rng, n, f: rng.random((n, f)) / np.sqrt(f),
}


def started(name: str, **params):
    """mfviz's ImplicitALS whose starting factors are drawn by STARTS[name] (everything else unchanged)."""
    from mfviz.models import ImplicitALS

    class Started(ImplicitALS):
        def _initial_factors(self, n_users, n_items):
            rng = np.random.default_rng(self.random_state)
            draw = STARTS[name]
            return (draw(rng, n_users, self.factors).astype(np.float32),
                    draw(rng, n_items, self.factors).astype(np.float32))

    return Started(**params)


def movielens_ratings():
    """MovieLens 100K with the 1–5 stars as the values (c = 1 + α·stars)."""
    from mfviz.data.interactions import Interactions

    frame = pd.read_csv(ML100K / "u.data", sep="\t", names=["user", "item", "rating", "ts"])
    return Interactions.from_frame(frame.astype({"rating": float}), user="user", item="item", rating="rating")


def objective(X, Y, matrix: sp.csr_matrix, alpha: float, regularization: float) -> float:
    """Hu–Koren–Volinsky loss over all pairs in float64: Σ_obs [c(1 − s)² − s²] + ⟨XᵀX, YᵀY⟩ + λ(‖X‖² + ‖Y‖²)."""
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    coo = matrix.tocoo()
    s = np.einsum("ij,ij->i", X[coo.row], Y[coo.col])
    observed = np.sum((1.0 + alpha * coo.data) * (1.0 - s) ** 2 - s**2)
    return float(observed + np.sum((X.T @ X) * (Y.T @ Y)) + regularization * (np.sum(X * X) + np.sum(Y * Y)))


def fit_one(who: str, config: dict, seed: int, train: sp.csr_matrix):
    """(user factors, item factors) of one contender fitted on `train`."""
    if who == "implicit":
        from implicit.cpu.als import AlternatingLeastSquares

        converted = train.copy().astype(np.float32)
        converted.data = (1.0 + config["alpha"] * converted.data).astype(np.float32)  # its c = alpha·r: give 1 + α·r
        model = AlternatingLeastSquares(factors=config["factors"], iterations=ITERATIONS,
                                        regularization=config["regularization"], alpha=1.0,
                                        use_cg=config["solver"] == "cg", num_threads=2, random_state=seed,
                                        calculate_training_loss=False)
        model.cg_steps = CG_STEPS
        model.fit(converted, show_progress=False)
        return model.user_factors, model.item_factors
    model = started(who, factors=config["factors"], epochs=ITERATIONS, regularization=config["regularization"],
                    alpha=config["alpha"], solver=config["solver"], cg_steps=CG_STEPS, random_state=seed).fit(train)
    return model.user_factors, model.item_factors


def run() -> str:
    from implicit.cpu.als import AlternatingLeastSquares  # noqa: F401  load its BLAS before pinning

    from mfviz.evaluation import user_split

    title = "## Implicit ALS's starting factors vs implicit (ML-100K)"
    if not (ML100K / "u.data").exists():
        return f"{title}\n\nMovieLens 100K not found at {ML100K}.\n"
    contenders = [*STARTS, "implicit"]
    configs = [{"factors": FACTORS, "regularization": lam, "alpha": alpha, "solver": solver}
               for solver in SOLVERS for alpha in ALPHAS for lam in REGULARIZATIONS] + [IMPLICIT_DEFAULTS]
    ndcg_rows, recall_rows, loss_rows = [], [], []
    with threadpool_limits(1, "blas"):
        for values, data in (("0/1", movielens_binary()), ("stars", movielens_ratings())):
            train, test = user_split(data, test_size=0.2, seed=0)
            for config in configs:
                found = {who: [] for who in contenders}
                for seed in SEEDS:
                    for who in contenders:  # interleaved, so machine noise (irrelevant here: no timing) hits all alike
                        X, Y = fit_one(who, config, seed, train.matrix)
                        ndcg, recall = _quality(X, Y, train.matrix, test.matrix)
                        found[who].append((ndcg, recall, objective(X, Y, train.matrix, config["alpha"],
                                                                   config["regularization"])))
                label = [values, config["solver"], config["factors"], f"{config['alpha']:g}",
                         f"{config['regularization']:g}"]
                stats = {who: np.array(v) for who, v in found.items()}
                ndcg_rows.append(label + [f"{s[:, 0].mean():.4f} ± {s[:, 0].std(ddof=1):.4f}" for s in stats.values()])
                recall_rows.append(label + [f"{s[:, 1].mean():.4f} ± {s[:, 1].std(ddof=1):.4f}"
                                            for s in stats.values()])
                loss_rows.append(label + [f"{s[:, 2].mean():,.0f} ({s[:, 2].min():,.0f}–{s[:, 2].max():,.0f})"
                                          for s in stats.values()])
    header = ["values", "solver", "f", "α", "λ", *contenders]
    return "\n".join([
        title,
        "",
        f"`{COMMAND}`. Which start should ImplicitALS draw? MovieLens 100K read as implicit feedback twice: every "
        "rating → 1 (0/1), and the 1–5 stars as the values (stars; c = 1 + α·stars up to 201 at α = 40); per-user "
        f"80/20 split (user_split, seed 0) shared by every fit; {ITERATIONS} iterations, CG with {CG_STEPS} steps "
        f"or exact Cholesky, random_state {SEEDS[0]}–{SEEDS[-1]} for every contender; mean ± sample sd over the "
        f"{len(SEEDS)} seeds. Starts: mfviz's (standard normal × 0.01, the default), implicit's (uniform [0, 1) × "
        "0.01, as implicit 0.7's `fit` draws it), a ten times smaller normal, and a uniform one scaled to the "
        "factors count (÷ √f). implicit gets 1 + α·r with its alpha = 1 (the same objective); the last row of "
        "each block is implicit's own defaults (100 factors, λ 0.01, its alpha 1 = mfviz's α 0 on 0/1 entries). "
        "NDCG@10 and recall@10 from the same exact top-10 code (training items excluded); loss is the full "
        "objective recomputed in float64 from each model's final factors (mean, min–max over seeds). The two "
        "α = 0 rows are the same fits (at α 0 the values do not enter).",
        "",
        "Reading: at the defaults (α 1, λ 0.05, CG) every start ranks alike, within about one seed sd of each "
        "other and of implicit. The start matters at α ≥ 10, where 15 iterations are far from converged and the "
        "final loss still depends on where the factors began: on stars at α 40 (λ 0.05, CG) implicit's uniform "
        "start brings mfviz to implicit's own loss and NDCG, and mfviz's normal start stays behind both. A lower "
        "loss does not rank better there: the start scaled to √f reaches the lowest loss of every row and the best "
        "NDCG of none, while the ten times smaller normal start has the highest loss in 14 of the 16 rows at "
        "α ≥ 10 and the best NDCG in 15 of them: factors grown from near zero take the strongest directions first, so fewer "
        "iterations act as regularization (with more iterations its loss falls and its lead shrinks). mfviz keeps "
        "its normal × 0.01 start: implicit's start only draws level with implicit, and a smaller start would "
        "rank better at high α by fitting the objective worse, not better.",
        "",
        "Held-out NDCG@10:",
        "",
        table(header, ndcg_rows),
        "",
        "Held-out recall@10:",
        "",
        table(header, recall_rows),
        "",
        "Training loss (lower fits the objective better):",
        "",
        table(header, loss_rows),
    ]) + "\n"


def _quality(X, Y, train: sp.csr_matrix, test: sp.csr_matrix, k: int = 10) -> tuple[float, float]:
    """(NDCG@k, recall@k) by the exact top-k code of bench_ials.ranking, training items excluded."""
    from mfviz.evaluation import ranking_metrics
    from mfviz.kernels.topk import topk_dot

    users = np.flatnonzero(np.diff(test.indptr) > 0)
    seen = train[users]
    ids, _ = topk_dot(np.ascontiguousarray(X[users], dtype=np.float32), np.ascontiguousarray(Y, dtype=np.float32),
                      np.zeros(Y.shape[0], np.float32), k, seen.indptr.astype(np.int64), seen.indices.astype(np.int64))
    metrics = ranking_metrics(ids, test[users], k)
    return metrics[f"ndcg@{k}"], metrics[f"recall@{k}"]
