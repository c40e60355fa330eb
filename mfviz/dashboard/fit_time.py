"""How long a fit will take, roughly: per-epoch costs of the exact and conjugate-gradient solvers scaled to
this machine's measured speed, the SGD models' per-rating cost, and the Train page's warning before a slow one."""

from __future__ import annotations

import threading

import numpy as np
import scipy.sparse as sp

# Seconds per unit of work of an epoch on this project's 2-core machine. Exact solves: fitted to one-epoch fits of
# MovieLens 100K (80,000 training ratings, 2,625 users and items) and of its 50-core (55,378 ratings, 1,073 users and
# items) at 64–1,024 factors, within about ±40% of each (ALS 6.8 s at 512 factors, 24.2 s at 1,024 on the 50-core;
# implicit ALS exact 15.6 s at 512, 131.7 s at 1,024), where a solve's k³ dominates; on 4M ratings at 64 factors
# they overestimate about 3× (ALS 2.06 s an epoch measured). CG: fitted (least squares on relative error) to
# ML-100K at 64-1,024 factors and a generated 50,000 × 10,000 matrix of 4M ratings at 32-128, within 0.7-1.2× of
# each (0.27 s at 512 on ML-100K, 0.38 s at 64 on the 4M); the CG constants before, fitted on ML-100K alone, put
# the 4M's epoch at 12× its time (a reviewer was asked to confirm "about 4 min" for a 14 s fit).
# Exact solves: (per row·k³: the k×k solve per user and item, per rating·k²: its outer product).
EXACT = {"als": (1.4e-11, 1.25e-10), "ials": (3.5e-11, 1.0e-10)}
# CG, per step: (per row·k²: a k×k matrix-vector product per user and item, per rating·k).
CG = (7.0e-11, 4.5e-10)
SLOW_EPOCH, SLOW_FIT = 30.0, 120.0  # beyond these (seconds), the Train page asks before training
CALIBRATE_ABOVE = 0.25  # an epoch estimated below this many seconds is not worth measuring the machine for
CALIBRATIONS = 5  # runs of each calibration, the fastest kept: with 3, one process measured 2.2x another's
REFERENCE_CALIBRATION = {"exact": 0.046, "cg": 0.017}  # calibration() on the machine of the constants (s)
_calibrated: dict[str, float] = {}
_calibrating = threading.Lock()


def calibration() -> dict[str, float]:
    """Seconds one epoch of each solver family takes on a small generated matrix (400 users × 300 items,
    12,000 values) on this machine, now: {"exact": ALS's at 128 factors, "cg": implicit ALS with CG's at 256}.
    The fastest of CALIBRATIONS after a warm-up (which loads or compiles the kernels); 0.4 s in all here. Measured once per
    process: the estimates scale with it, so they hold on a machine faster or slower than the one the
    constants were fitted on (or busier: it was 2× slower while other jobs ran). At 1,024 factors a machine's
    caches matter too, which these small epochs do not see: still a rough estimate."""
    with _calibrating:
        if not _calibrated:
            from mfviz import Interactions
            from mfviz.models import ALS, ImplicitALS

            rng = np.random.default_rng(0)
            cells = rng.choice(400 * 300, 12_000, replace=False)
            matrix = sp.csr_matrix((rng.integers(1, 6, cells.size).astype(np.float32), (cells // 300, cells % 300)),
                                   shape=(400, 300))
            data = Interactions(matrix, np.arange(400), np.arange(300), is_explicit=True)
            for family, make, factors in (("exact", lambda f: ALS(factors=f, epochs=1, random_state=0), 128),
                                          ("cg", lambda f: ImplicitALS(factors=f, epochs=1, random_state=0), 256)):
                make(2).fit(data)  # the kernels, loaded from numba's cache (or compiled) once
                # the fastest of them: another job on the machine only ever slows a run, and a busy moment at
                # calibration lengthens every estimate of the process
                _calibrated[family] = float(np.min([make(factors).fit(data).fit_seconds for _ in range(CALIBRATIONS)]))
        return dict(_calibrated)


def machine_speed(family: str) -> float:
    """How many times longer this machine takes than the one the constants were fitted on, for an
    epoch of the `family` of solvers ("exact" or "cg"): 2.0 on a machine twice as slow."""
    return calibration()[family] / REFERENCE_CALIBRATION[family]


def epoch_seconds(kind: str, params: dict, train, speed: float | None = None) -> float | None:
    """A rough estimate of one epoch's seconds of ALS or implicit ALS with these hyperparameters on
    `train`, or None for the models whose epochs cost grows only linearly with the factors. `speed`:
    `machine_speed`'s, measured when the epoch could take more than CALIBRATE_ABOVE seconds."""
    k, rows, nnz = int(params.get("factors", 0)), train.n_users + train.n_items, train.nnz
    if kind == "als" or (kind == "ials" and params.get("solver") == "cholesky"):
        family, (per_solve, per_rating) = "exact", EXACT[kind]
        seconds = per_solve * rows * k ** 3 + per_rating * nnz * k ** 2
    elif kind == "ials":  # conjugate gradient: a few k×k matrix-vector products per row instead of a solve
        family, (per_row, per_rating) = "cg", CG
        seconds = int(params.get("cg_steps", 3)) * (per_row * rows * k ** 2 + per_rating * nnz * k)
    else:
        return None
    if speed is None:
        speed = machine_speed(family) if seconds > CALIBRATE_ABOVE else 1.0
    return seconds * speed


# Seconds per rating, factor and epoch of the SGD models' epochs (BENCHMARKS.md, 5M generated ratings on 2
# cores: Funk SVD 1.26 s per epoch at 100 factors, SVD++ 1.45 s at 20); Truncated SVD's one solve, roughly.
SGD_SECONDS = {"funksvd": 2.5e-9, "svdpp": 1.5e-8, "svd": 1e-8}


def fit_seconds(kind: str, params: dict, train) -> float:
    """A rough estimate of a whole fit's seconds (0 for a model without factors, the Popularity baseline)."""
    per_epoch = epoch_seconds(kind, params, train)
    if per_epoch is None:
        per_epoch = SGD_SECONDS.get(kind, 0.0) * train.nnz * int(params.get("factors", 0))
    return per_epoch * int(params.get("epochs", 1))


def duration(seconds: float) -> str:
    """Seconds in words at a sensible unit: 45 s, 11 min, 1.7 h."""
    if seconds < 90:
        return f"{seconds:.0f} s" if seconds >= 1 else "under a second"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def slow_settings(kind: str, variants: list[dict], train) -> str | None:
    """Why training these variants (one model's hyperparameters, or a sweep's) will be slow, with a rough
    estimate, or None when it will not be (or cannot be estimated)."""
    from mfviz.models import MODELS

    estimates = [(p, epoch_seconds(kind, p, train)) for p in variants]
    if not estimates or any(seconds is None for _, seconds in estimates):
        return None
    slowest, per_epoch = max(estimates, key=lambda e: e[1])
    total = sum(seconds * int(p.get("epochs", 1)) for p, seconds in estimates)
    if per_epoch < SLOW_EPOCH and total < SLOW_FIT:
        return None
    k = int(slowest["factors"])
    rows = f"{train.n_users + train.n_items:,}"
    what = (f"solves an exact {k}×{k} system per user and item ({rows} of them), whose cost grows with the cube "
            "of the factors: twice the factors, up to 8× the time"
            if kind == "als" or slowest.get("solver") == "cholesky" else
            f"multiplies by a {k}×{k} matrix {slowest.get('cg_steps', 3)} times per user and item ({rows} of them), "
            "whose cost grows with the square of the factors")
    quick = {p: epoch_seconds(kind, {**slowest, "factors": p}, train) for p in (32, 64, 128)}
    advice = ", ".join(f"{p} factors {duration(t)}" for p, t in quick.items())
    models = f" for the {len(variants)} models of the sweep" if len(variants) > 1 else ""
    return (f"This will be slow: {MODELS[kind].label} at {k} factors takes roughly {duration(per_epoch)} per epoch on "
            f"this data, about {duration(total)} in all{models} (a rough estimate, scaled to this machine's speed). Each epoch "
            f"{what}; “Stop after this epoch” can only stop between epochs. Per epoch: {advice}"
            + ("; implicit ALS's solver “cg” avoids the cubic cost." if slowest.get("solver") == "cholesky" else ".")
            )
