"""How the dashboard names things of training: each hyperparameter (with the API's name in its help), a
trained model by its kind and the settings it changed, and each metric as the results table heads it."""

from __future__ import annotations

# The Train page's words for each hyperparameter; the API's name (what the CLI and Python take, and what
# the results table's recipe writes) is given in its help.
PLAIN_NAMES = {
    "factors": "Factors", "epochs": "Epochs", "learning_rate": "Learning rate",
    "regularization": "Regularization (L2)", "biases": "Learn biases", "order": "Visiting order",
    "parallel": "Parallel (Hogwild)", "lr_decay": "Learning-rate decay per epoch",
    "init_mean": "Starting factor mean", "init_std": "Starting factor spread (std)",
    "validation_fraction": "Early stopping: held-out share", "patience": "Early stopping: patience (epochs)",
    "random_state": "Seed", "scale_regularization": "Scale penalty by count (ALS-WR)",
    "alpha": "Confidence slope α", "confidence": "Confidence curve", "eps": "Log confidence scale ε",
    "solver": "Solver", "cg_steps": "CG steps per solve",
}


def plain_name(name: str) -> str:
    """A hyperparameter as the Train page names it (the API's name, spaced, for one not in PLAIN_NAMES)."""
    return PLAIN_NAMES.get(name, name.replace("_", " ").capitalize())


def help_with_name(name: str, text: str) -> str:
    """A hyperparameter's help, ending with the name the CLI, Python and the results table use."""
    return f"{text[:1].upper()}{text[1:].rstrip('.')}. In Python and the CLI: `{name}`."


SHORT_NAMES = {"factors": "f", "learning_rate": "lr", "regularization": "reg", "lr_decay": "decay", "init_std": "init sd",
               "init_mean": "init mean", "validation_fraction": "early stop", "scale_regularization": "ALS-WR",
               "cg_steps": "CG steps", "alpha": "α", "parallel": "Hogwild"}
LABEL_SETTINGS = 3  # hyperparameters named in a model's label at most (the results table gives them all)


# A split other than the random one, in a model's name: two implicit ALS of 64 factors, one on a time split, read
# "Implicit ALS (f=64)" and "Implicit ALS #2 (f=64)" in every picker
SPLIT_WORDS = {"user": "per-user split", "user-time": "latest per user", "time": "time split", "none": "no test"}


def model_label(kind: str, params: dict, split: str = "random") -> str:
    """A trained model's name: its kind, factors, a split other than the random one (SPLIT_WORDS) and the other
    hyperparameters set away from their defaults ("Funk SVD (f=20, lr=0.01, no biases)"); two Funk SVDs of 20
    factors, one without biases, were both "Funk SVD (f=20)" on every page. The seed is left out: the results
    table gives it."""
    from mfviz.models import MODELS

    cls = MODELS[kind]
    changed = [name for name, spec in cls.params.items()
               if name in params and name not in ("factors", "random_state", "patience")
               and params[name] != spec.default]
    if params.get("validation_fraction") in (0, 0.0) and "patience" in changed:
        changed.remove("patience")
    parts = [f"f={params['factors']}"] if "factors" in params else []
    parts += [SPLIT_WORDS[split]] if split in SPLIT_WORDS else []
    for name in changed[:LABEL_SETTINGS]:
        value, short = params[name], SHORT_NAMES.get(name, name.replace("_", " "))
        parts.append((short if value else f"no {short}") if isinstance(value, bool) else
                     f"{short}={value:g}" if isinstance(value, int | float) else f"{short}={value}")
    if len(changed) > LABEL_SETTINGS:
        parts.append(f"{len(changed) - LABEL_SETTINGS} more")
    return f"{cls.label} ({', '.join(parts)})" if parts else cls.label


def hyperparameter_words(params: dict) -> str:
    """A model's hyperparameters as the results table writes them. A seed of None is written as
    unseeded: such a model (parallel Funk SVD) was trained without one, and "None" reads as a gap."""
    return ", ".join(f"{name}={'none (unseeded)' if name == 'random_state' and value is None else value}"
                     for name, value in params.items())


METRIC_WORDS = {"precision": "Precision", "recall": "Recall", "ndcg": "NDCG", "map": "MAP", "hit_rate": "Hit rate",
                "coverage": "Coverage", "rmse": "RMSE", "mae": "MAE"}


def metric_label(key: str) -> str:
    """A metric as the results table heads its column: "hit_rate@10" → "Hit rate@10", "rmse" → "RMSE"."""
    name, at, k = key.partition("@")
    return f"{METRIC_WORDS.get(name, name.replace('_', ' '))}{at}{k}"
