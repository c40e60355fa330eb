"""Why the Recommend page's lists hold what they hold: the "because of" column (the profile item adding most
to each score, a disliked one as "unlike" it) and the caption's sentences on how it was found, what a score
is, the items' biases and the popularity penalty."""

from __future__ import annotations

import numpy as np

from mfviz.dashboard import cached_recommend, figures
from mfviz.dashboard.figures import counted
from mfviz.dashboard.recommend_tables import ADJUSTMENT
from mfviz.dashboard.recommend_view import RecommendView, penalty_for, predicts_ratings, stars


def because_of(view: RecommendView, items: np.ndarray, values: np.ndarray | None, targets: np.ndarray, disliked=(),
               negatives: np.ndarray | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """For each target, the profile item adding most to its score, how much, and — for a model whose parts add
    up to the score's personal part (parts_add_up) — its share of the parts that raise it (see reasons_note).
    The label says which way the item pulls (`reason_label`): a liked item by its title, a disliked one (of
    `disliked`, or rated below the scale's middle) that a model of ratings moves away from as "unlike <title>"."""
    entry, model, scale, titles = view.entry, view.model, view.scale, view.titles
    if targets.size == 0 or items.size == 0:
        return [""] * targets.size, np.full(targets.size, np.nan), np.full(targets.size, np.nan)
    contributions = cached_recommend.profile_contributions(
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
            # a low rating is said for every model: one that reads it as weak interest (implicit ALS, Truncated SVD)
            # named a user's 1-star film with no word of its rating, as if it were liked
            rating = None if values is None or scale is None or not view.inter.is_explicit else float(values[best])
            labels.append(reason_label(view, str(titles[items[best]]), rating, int(items[best]) in disliked))
            adds[t] = row[best]
            # the largest part is often a small one (7-14% of an implicit ALS score on MovieLens): said, so that
            # "because of" is not read as the one cause. Of the parts that raise the score, not of their sum with
            # those that lower it, which read "130%" beside a named like
            if parts_add_up(view) and not np.isnan(row).any():
                shares[t] = 100 * row[best] / row[row > 0].sum()
        else:
            labels.append("—")
    return labels, adds, shares


def moves_away(view: RecommendView) -> bool:
    """Whether the model fits ratings around a mean and biases (Funk SVD, SVD++, ALS with their default biases),
    so that a low rating is a residual below zero: its fold-in turns the user vector away from the item, and the
    item's part raises the scores of items unlike it. Without biases a rating of 1 is a weak pull toward it."""
    return predicts_ratings(view.entry) and bool(getattr(view.model, "biases", True))


def low_rating(view: RecommendView, rating: float | None) -> bool:
    """Whether a profile rating counts as disliked: below the middle of the data's scale (1 or 2 of 1-5), a
    rating anyone reads as a dislike; below the user's own mean would call a generous rater's 4 one."""
    return rating is not None and view.scale is not None and rating < (view.scale[0] + view.scale[-1]) / 2


def reason_label(view: RecommendView, title: str, rating: float | None, disliked: bool) -> str:
    """The "because of" words for the profile item with the largest part: "<title>" for a liked item; "unlike
    <title> (rated 1)" / "(disliked)" for a disliked one whose part raises the score because the model moves away
    from it (on MovieLens user 554's 1-star films read "because of" them on 8 of Funk SVD's 10 rows); a model
    that reads a rating as a strength of interest (implicit ALS, Truncated SVD, a model without biases) takes a low
    one as weak interest: it keeps the title and says the rating."""
    low = low_rating(view, rating)
    if not (disliked or low):
        return title
    tag = "disliked" if disliked else f"rated {rating:g}"
    return f"unlike {title} ({tag})" if moves_away(view) else f"{title} ({tag})"


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
               "score (a part can also lower it).")
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
    if moves_away(view) and view.scale is not None:
        middle = (view.scale[0] + view.scale[-1]) / 2
        how += (f" {entry.name} fits ratings around the mean and the items' biases, so an item rated low turns the "
                "user vector away from it, and its part raises the scores of items unlike it: such a reason reads "
                f"\"unlike X (rated 1)\". Rated low means below the scale's middle ({middle:g}), a rating anyone "
                "reads as a dislike (the user's own mean would call a generous rater's 4 one); a rating at the "
                "middle lies near the data's mean and pulls little either way.")
    if getattr(model, "feedback", "any") == "implicit" and view.inter.is_explicit:
        if built:  # `built`: a profile built on the page, whose dislikes are told apart (dislikes_note)
            how += (f" {entry.name} reads every rating of a liked item as a sign of interest, a low one too (a "
                    "weaker one): a liked item rated low can still be a reason. What the person does not want "
                    "belongs in the dislikes box.")
        else:
            how += (f" {entry.name} reads every rating as a sign of interest, a low one too, so a reason can be an "
                    "item the user rated low (\"X (rated 1)\"); binarise the ratings on the Data page (Prepare) to "
                    "train it on likes only.")
    elif entry.kind == "svd" and view.inter.is_explicit:
        how += (f" {entry.name} weighs each item by its rating, so a low rating is weak interest, not a dislike: a "
                "reason the user rated low reads \"X (rated 1)\".")
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
