"""What the maps and the Recommend page leave out and say of the items and users a model never trained on."""

from __future__ import annotations

import numpy as np

from mfviz.dashboard.figures import counted

MARK = ", none in training"  # after an item or user in a picker, as the Recommend page's user picker marks them


def mapped_rows(untrained: np.ndarray, subset: np.ndarray | None = None) -> np.ndarray | None:
    """The item rows a map shows: those of `subset` (all items without one) the model trained on, in order; None
    when that is every item, so that a model that trained on every item is mapped exactly as before. A vector
    never fitted (zero) has no direction: UMAP gathered ML-100K's 216 such items in a tight island of their own and
    PCA put them all on one point, as if the model found them alike."""
    untrained = np.asarray(untrained, bool)
    if subset is None:
        return np.flatnonzero(~untrained) if untrained.any() else None
    subset = np.asarray(subset, np.int64)
    return subset[~untrained[subset]]


TRAINED_ONLY = "|trained only"  # in the cache keys of a map of the trained items alone


def trained_map(vectors: np.ndarray, untrained: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(the vectors a map of all items shows, their rows (`mapped_rows`: None for every item), the suffix of its cache
    keys): what the Latent space page, its background precomputation, the new item's map and the report share."""
    rows = mapped_rows(untrained)
    return (vectors, None, "") if rows is None else (vectors[rows], rows, TRAINED_ONLY)


def item_note(title: str, in_data: int, model: str, after: str) -> str:
    """Why an item the model never trained on has no neighbours (the Neighbours page's words), then `after`:
    nobody in the data has it, or every interaction of it was held out for testing."""
    if in_data == 0:
        return (f"Nobody in the data has {title} (a filter may have removed its interactions), so the model learned "
                f"nothing about it{after}")
    return (f"{title} has {counted(in_data, 'interaction')} in the data, but {'all were' if in_data != 1 else 'it was'}"
            f" held out for testing {model}, so the model learned nothing about it{after}")


def left_off(count: int, kind: str = "item") -> str:
    """The sentence a map says of the `count` items (or users) left off it because the model never trained on
    them; empty for none."""
    if count == 0:
        return ""
    many = count != 1
    return (f" {counted(count, f'{kind} the model never trained on', f'{kind}s the model never trained on')} (none of "
            f"{'their' if many else 'its'} interactions in its training part) {'are' if many else 'is'} left off the "
            f"map: {'their vectors were' if many else 'its vector was'} never fitted, so "
            f"{'they carry' if many else 'it carries'} nothing to place.")


def selection_left_off(count: int, model: str) -> str:
    """The sentence a map of a selection says of the `count` items of it that `model` never trained on (a selection
    made under another model or split can hold them), left off the map so that its count is of the points drawn;
    empty for none."""
    if count == 0:
        return ""
    many = count != 1
    return (f" {counted(count, 'more item')} of the selection {'were' if many else 'was'} never trained on by {model} "
            f"(“none in training”) and {'are' if many else 'is'} left off: {'their vectors were' if many else 'its vector was'}"
            f" never fitted, so {'they carry' if many else 'it carries'} nothing to place.")
