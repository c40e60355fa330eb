"""Sweeps of one hyperparameter on the Train page: which hyperparameters can be swept, the values a sweep
trains with, and the model it then shows (the best by its test metric; of a seed sweep, the first seed's)."""

from __future__ import annotations

import math

import numpy as np

from mfviz.dashboard import training
from mfviz.dashboard.model_names import plain_name
from mfviz.dashboard.state import ModelEntry
from mfviz.errors import ModelError

MAX_SWEEP = 8  # models one sweep may train


def sweepable(kind: str) -> list[str]:
    """The numeric hyperparameters of a model kind (what a sweep can vary)."""
    from mfviz.models import MODELS

    # random_state (an optional integer) too: a sweep of seeds measures how much results vary by chance
    return [name for name, spec in MODELS[kind].params.items()
            if spec.choices is None and (type(spec.default) in (int, float) or name == "random_state")]


def sweep_values(kind: str, name: str, text: str, base: dict) -> list:
    """The values a sweep of hyperparameter `name` trains with: the numbers in `text` (commas or
    spaces between them), or, when it is blank, the value in `base` times ¼, ½, 1, 2, 4 (integers)
    or 0.1, 0.3, 1, 3, 10 (reals), or seeds 0–4 for random_state. Sorted, without repeats; each
    checked as the model would."""
    from mfviz.models import MODELS

    spec = MODELS[kind].params[name]
    centre = base.get(name, spec.default)
    integer = spec.default is None or isinstance(spec.default, int)
    if text.strip():
        words = text.replace(",", " ").split()
        try:
            values = [float(word) for word in words]
        except ValueError:
            raise ModelError(f"sweep values must be numbers separated by commas, e.g. “8, 16, 32”; got “{text.strip()}”"
                             ) from None
        if not all(np.isfinite(values)):  # 1e309 reads as infinity (it was said not to be a whole number)
            raise ModelError(f"sweep values must be finite numbers; “{text.strip()}” holds one too large (or nan)")
        if integer and any(not v.is_integer() for v in values):
            raise ModelError(f"{name} takes whole numbers; got “{text.strip()}”")
    elif name == "random_state":
        values = [0, 1, 2, 3, 4]
    else:
        steps = (0.25, 0.5, 1, 2, 4) if isinstance(centre, int) else (0.1, 0.3, 1, 3, 10)
        values = [centre * step for step in steps]
        if spec.high is not None:  # e.g. a share capped at 0.5: keep the steps that fit
            values = [v for v in values if v <= spec.high]
    cast = int if integer else float
    values = sorted({cast(round(v)) if cast is int else v for v in values})
    if len(values) < 2:
        raise ModelError(f"a sweep needs at least two different values of {name}; got {values}")
    if len(values) > MAX_SWEEP:
        raise ModelError(f"a sweep trains at most {MAX_SWEEP} models; {len(values)} values of {name} were given")
    for value in values:
        training.make_model(kind, {**base, name: value})  # the model's own bounds, in its own words
    return values


def best_by(entries: list, key: str) -> ModelEntry | None:
    """The entry with the best finite value of test metric `key` (the lowest RMSE or MAE, else the highest), None
    when none has one: a diverged model (NaN) is never best."""
    lower = key.split("@")[0] in ("rmse", "mae")
    scored = [((1.0 if lower else -1.0) * e.metrics[key], n) for n, e in enumerate(entries)
              if math.isfinite(e.metrics.get(key, math.nan))]
    return entries[min(scored)[1]] if scored else None


def best_entry(entries: list) -> tuple[ModelEntry | None, str | None]:
    """The entry with the best test metric and that metric's name: the lowest RMSE for models of
    explicit ratings (their ranking metrics mean little, see the Train page), else the highest NDCG,
    else (no test set) the last entry and None."""
    explicit = all(training.rates(e.model) for e in entries)
    for key in (("rmse", "ndcg") if explicit else ("ndcg", "rmse")):
        names = sorted({k for e in entries for k in e.metrics if k.split("@")[0] == key})
        for name in names:
            if (best := best_by(entries, name)) is not None:
                return best, name
    return (entries[-1] if entries else None), None


def sweep_pick(entries: list, swept: str) -> tuple[ModelEntry | None, str | None]:
    """The model a sweep over `swept` makes the active one and the metric it was picked by: of a seed
    sweep the first seed's, by nothing (seeds differ by chance only; picking the luckiest would
    present chance as quality), else `best_entry`."""
    if swept == "random_state":
        return (entries[0] if entries else None), None
    return best_entry(entries)


NARROW = 0.8  # the chosen model's coverage under this share of the widest's: its accuracy is said to lean on fewer items


def narrowest_note(entries: list, best: ModelEntry, swept: str, k: int) -> str:
    """A word when the model a sweep chose by accuracy has the narrowest lists of the sweep, by far: its test
    coverage@k the lowest and under NARROW times the widest's. Picked by NDCG alone, implicit ALS with 16 factors on
    MovieLens 100K (coverage@10 29%) had a first dimension of popularity carrying 61% of its score, and the edge
    hint pointed to fewer factors still; empty otherwise."""
    key = f"coverage@{k}"
    covered = {id(e): e.metrics.get(key, math.nan) for e in entries}
    if len(entries) < 2 or not all(math.isfinite(v) for v in covered.values()):
        return ""
    widest = max(entries, key=lambda e: covered[id(e)])
    if covered[id(best)] > min(covered.values()) or covered[id(best)] >= NARROW * covered[id(widest)]:
        return ""
    return (f"Its lists are the narrowest of the sweep: they use {covered[id(best)]:.0%} of the catalogue (coverage@{k}) "
            f"against {covered[id(widest)]:.0%} for {plain_name(swept)} = {widest.params[swept]:g}, so more of its "
            "accuracy comes from popular items: Popularity bias and Latent space's Dimensions show how much.")
