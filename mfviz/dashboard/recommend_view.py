"""What every section of the Recommend page works from (the model shown, the data, the list's length, the
popularity penalty, the profile's rating scale), and what it asks of a model: its penalty and its ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfviz.dashboard import lists
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.data.id_lists import join_ids


@dataclass(frozen=True)
class RecommendView:
    """The Recommend page's settings as its controls left them: `entry` the model shown, `n` the lists' length,
    `strength` the popularity penalty β, `scale` the ratings a profile item can get (None on implicit feedback),
    `compare` the names of the models side by side."""
    entry: ModelEntry
    data: DataEntry
    popularity: np.ndarray  # each item's interactions in the data
    n: int
    strength: float
    scale: list[float] | None
    compare: list[str]

    @property
    def inter(self):
        return self.data.interactions

    @property
    def model(self):
        return self.entry.model

    @property
    def titles(self) -> np.ndarray:
        return self.data.interactions.titles

    @property
    def compared(self) -> str | None:
        """The side-by-side models, as the page's link carries them."""
        return join_ids(self.compare) or None


def rating_scale(summary) -> list[float]:
    """The ratings a profile item can get: the data's own values (at most 21 on a rating scale, typos kept on
    loading left out), or 11 even steps between its lowest and highest when ratings were forced on other values."""
    values = lists.rating_values(summary.rating_histogram)
    if values.size > 21:
        values = np.round(np.linspace(values.min(), values.max(), 11), 2)
    return [float(v) for v in values]


def penalty_for(view: RecommendView, recommender: ModelEntry) -> np.ndarray | None:
    """What the popularity penalty adds to each item's score under `recommender` (None: no penalty, or the
    Popularity baseline; see lists.penalty_change)."""
    return lists.penalty_change(recommender, view.data.key, view.popularity, float(view.strength))


def beta_in_link(strength: float) -> str | None:
    """The popularity penalty as the page's link carries it: left out at 0."""
    return f"{strength:g}" if strength > 0 else None


def predicts_ratings(recommender: ModelEntry) -> bool:
    """Whether the model is fitted to predict ratings (around a mean and biases), so that a low rating
    moves its fold-in away from an item; in the others' a rating is a strength of interest."""
    return getattr(recommender.model, "feedback", "any") == "explicit"


def stars(view: RecommendView, scores: np.ndarray, user_bias: float) -> np.ndarray | None:
    """The ratings the shown model expects for these scores (score + global mean + the user's bias, clipped to the
    data's scale, as RMSE is measured); None for a model that does not predict ratings, or on implicit feedback."""
    if not (predicts_ratings(view.entry) and view.inter.is_explicit) or view.scale is None:
        return None
    return np.clip(np.asarray(scores, np.float64) + float(getattr(view.model, "global_mean", 0.0)) + user_bias,
                   view.scale[0], view.scale[-1])


def top_unseen(view: RecommendView, recommender: ModelEntry, user: int, hits: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """A user's list by a model: everything the user has left out, or with `hits` only the model's training
    items (lists.left_out)."""
    return lists.for_user(recommender, user, lists.left_out(recommender, view.inter, hits), view.n,
                          penalty_for(view, recommender))
