"""Why the Recommend page's lists hold what they hold: the "because of" column (the profile item adding most
to each score) and the caption's sentences on how it was found, what a score is, the items' biases and the
popularity penalty."""

from __future__ import annotations

import numpy as np

from mfviz.dashboard import cache, figures
from mfviz.dashboard.figures import counted
from mfviz.dashboard.recommend_tables import ADJUSTMENT
from mfviz.dashboard.recommend_view import RecommendView, penalty_for, predicts_ratings, stars


def because_of(view: RecommendView, items: np.ndarray, values: np.ndarray | None, targets: np.ndarray, disliked=(),
               negatives: np.ndarray | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """For each target, the profile item adding most to its score, how much, and — for a model whose parts add
    up to the score's personal part (parts_add_up) — its share of the parts that raise it (see reasons_note); an
    item of `disliked` is named as such (a star-predicting model moves away from it, toward these), and on
    ratings an item rated below the scale's middle with its rating (a user's 1-star film read as a reason)."""
    entry, model, scale, titles = view.entry, view.model, view.scale, view.titles
    if targets.size == 0 or items.size == 0:
        return [""] * targets.size, np.full(targets.size, np.nan), np.full(targets.size, np.nan)
    contributions = cache.profile_contributions(
        entry.key, model, tuple(items.tolist()), None if values is None else tuple(values.tolist()),
        tuple(targets.tolist()), () if negatives is None else tuple(negatives.tolist()))
    labels, adds, shares = [], np.full(targets.size, np.nan), np.full(targets.size, np.nan)
    # Below the precision "adds" is shown with (list_columns: 3 significant digits of the largest part) it is no
    # reason at all (the Popularity baseline: every profile alike, every part 0)
    tops = np.array([np.nanmax(row) if not np.isnan(row).all() else np.nan for row in contributions])
    least = 0.5 * 10.0 ** -figures.column_decimals(tops)
    for t, row in enumerate(contributions):
        best = int(np.nanargmax(row)) if not np.isnan(row).all() else -1
        if best >= 0 and row[best] >= least:
            # a model of ratings moves away from a low-rated item; for the others a rating is a strength of interest
            rating = None if values is None or scale is None or not predicts_ratings(entry) else float(values[best])
            low = rating is not None and rating < (scale[0] + scale[-1]) / 2
            labels.append(str(titles[items[best]]) + (" (disliked)" if int(items[best]) in disliked else
                                                      f" (rated {rating:g})" if low else ""))
            adds[t] = row[best]
            # the largest part is often a small one (7-14% of an implicit ALS score on MovieLens): said, so that
            # "because of" is not read as the one cause. Of the parts that raise the score, not of their sum with
            # those that lower it (a disliked item's, a low rating's), which read "130%" beside a named like
            if parts_add_up(view) and not np.isnan(row).any():
                shares[t] = 100 * row[best] / row[row > 0].sum()
        else:
            labels.append("—")
    return labels, adds, shares


def parts_add_up(view: RecommendView) -> bool:
    """Whether the model's parts of a score (`profile_contributions`) add up to its personal part: an exact split
    (ALS, implicit ALS), or Truncated SVD's linear fold-in; other models' leave-one-out drops do not."""
    return hasattr(view.model, "score_contributions") or view.entry.kind == "svd"


def reasons_note(view: RecommendView, profile_size: int, built: bool = False) -> str:
    """How the "because of" column was worked out, for the caption under the table."""
    entry, model = view.entry, view.model
    if hasattr(model, "score_contributions"):
        how = ("this model folds a profile in by one linear solve, so the personal part of a score (the user "
               "vector times the item's) splits exactly into one part per profile item, and the parts add up to "
               f"it{' (Hu, Koren & Volinsky 2008)' if entry.kind == 'ials' else ''}; \"because of\" names the "
               "item with the largest part, \"adds\" gives it and \"share\" its share of the parts that raise the "
               "score (a disliked item's part lowers it).")
    else:
        considered = (f" (the 100 of {profile_size} items most like these recommendations)"
                      if profile_size > 100 else "")
        how = (f"\"because of\" folds the profile in again without one item at a time{considered} and names the "
               "item whose absence lowers the personal part of the score (the user vector times the item's) "
               "most; \"adds\" is by how much." + (" Truncated SVD folds in linearly, so these parts add up to the "
                                                     "personal part: \"share\" is the named item's share of those "
                                                     "that raise it."
                                                     if parts_add_up(view) and profile_size <= 100 else ""))
    if getattr(model, "user_bias", None) is not None:
        how += " The user's bias lifts every item alike, so it is no reason and is left out."
    if getattr(model, "feedback", "any") == "implicit" and view.inter.is_explicit:
        if built:  # `built`: a profile built on the page, whose dislikes are told apart (dislikes_note)
            how += (f" {entry.name} reads every rating of a liked item as a sign of interest, a low one too (a "
                    "weaker one): a liked item rated low can still be a reason. What the person does not want "
                    "belongs in the dislikes box.")
        else:
            how += (f" {entry.name} reads every rating as a sign of interest, a low one too, so a reason can be an "
                    "item the user rated low; binarise the ratings on the Data page (Prepare) to train it on likes "
                    "only.")
    return "Why: " + how


def score_words(view: RecommendView) -> str:
    """What the list's score is, for the caption: a model of ratings' is no rating, which the table gives apart."""
    if stars(view, np.zeros(0), 0.0) is not None:
        return ("The score, which ranks the list, is user · item plus the item's bias; \"predicted\" adds the global "
                "mean and the user's bias: the rating the model expects.")
    return "The score is the model's preference (higher = stronger)."


def bias_note(view: RecommendView, ids: np.ndarray, scores: np.ndarray, seen) -> str:
    """How much of the listed scores the items' own biases make, for the caption of a model with biases: Funk
    SVD's lists for MovieLens 100K are mostly the items everyone rates highly, which the page did not say."""
    entry = view.entry
    biases = getattr(entry.model, "item_bias", None)
    if biases is None or len(ids) == 0 or not predicts_ratings(entry):
        return ""
    own, personal = biases[ids].astype(np.float64), np.asarray(scores, np.float64) - biases[ids]
    unseen = np.setdiff1d(np.arange(view.inter.n_items), np.asarray(seen, np.int64))
    best = unseen[np.argsort(-biases[unseen], kind="stable")[:len(ids)]]
    shared = np.intersect1d(best, ids).size
    lead = ("are mostly the items' own biases" if np.abs(own).mean() > np.abs(personal).mean() else
            "are the items' own biases and the personal part")
    return (f" {entry.name}'s scores here {lead}: an item's bias (how much better than average everyone rates it) "
            f"averages {own.mean():+.2f} over this list, the personal part (user · item) {personal.mean():+.2f}; "
            f"{shared} of these {counted(len(ids), 'item')} {'is' if shared == 1 else 'are'} among the "
            f"{len(ids)} with the highest bias, which top everyone's list alike.")


def penalty_note(view: RecommendView, ids: np.ndarray) -> str:
    """How the penalty ranks the list, for the caption (empty without one); what it did, in numbers, is the line
    over the list (`penalised`)."""
    if penalty_for(view, view.entry) is None or len(ids) == 0:
        return ""
    return (f" With the popularity penalty β = {view.strength:g}, the list is ranked by score + {ADJUSTMENT} (down for "
            "popular items, up for rare ones).")
