"""A model's strongest taste dimensions: the singular directions of its score matrix P Qᵀ, and what lies at their ends."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mfviz.analysis.axes import group_shares
from mfviz.analysis.inputs import item_counts
from mfviz.analysis.popularity import spearman
from mfviz.analysis.spectrum import factor_pair
from mfviz.errors import DataError


@dataclass(frozen=True)
class Dimensions:
    r"""The model's factors turned to its principal dimensions.

    A model scores with :math:`S = P Q^\top`, but any invertible mixing of its factor columns
    scores the same, so the raw columns of P and Q mean little on their own (Truncated SVD's
    excepted). The singular value decomposition :math:`S = U \Sigma V^\top` fixes one basis: dimension
    d is the d-th strongest pattern of the scores. ``user_coords`` = :math:`U\Sigma^{1/2}` and
    ``item_coords`` = :math:`V\Sigma^{1/2}`, so ``user_coords @ item_coords.T`` is still S: a user's
    score for an item is the sum over dimensions of the product of their coordinates.
    Signs are fixed so that each dimension's item coordinate of largest magnitude is positive.
    """

    singular_values: np.ndarray  # descending, float64
    user_coords: np.ndarray  # users × dimensions
    item_coords: np.ndarray  # items × dimensions
    user_transform: np.ndarray  # factors × dimensions: user vectors (e.g. folded in) to coordinates

    def place(self, user_vectors) -> np.ndarray:
        """Coordinates of user vectors (rows, in the model's own factor space, e.g. from fold-in):
        the c with c · item_coords[i] = vector · item_factors[i] for every item."""
        return np.atleast_2d(np.asarray(user_vectors, np.float64)) @ self.user_transform

    def percentiles(self, coords) -> np.ndarray:
        """For item coordinates (one row per item), the share of the model's placed items (`placed`), in
        percent, whose coordinate on each dimension is lower: 50 = a typical item, near 100 = far toward the + end.
        The coordinate itself, not the vector's direction, as the ends are chosen (an item listed at
        an end sits past 90) and as scores use it: a long vector far along a dimension moves scores
        there, a short one pointing the same way barely does."""
        coords = np.atleast_2d(np.asarray(coords, np.float64))
        ordered = self._sorted_items
        if ordered.shape[0] == 0 or coords.shape[1] == 0:  # no items, or no dimensions (a zero model)
            return np.full(coords.shape, 50.0)
        below = np.stack([np.searchsorted(ordered[:, d], coords[:, d], side="left")
                          for d in range(coords.shape[1])], axis=1)
        return 100.0 * below / ordered.shape[0]

    # Each column of the item coordinates sorted, once per Dimensions (frozen: cached_property writes __dict__).
    @functools.cached_property
    def _sorted_items(self) -> np.ndarray:
        return np.sort(self.item_coords[self.placed], axis=0)  # among the items the ends are chosen from

    @functools.cached_property
    def placed(self) -> np.ndarray:
        """Rows of the items with a non-zero vector. An item absent from a model's training part keeps a zero
        vector: it sits at 0 on every dimension, in a tie with every other such item, so at the − end of a
        dimension whose coordinates are all positive (the popularity one) it named that end by items the model
        never saw (ML-100K, implicit ALS on a split: 3 of its 25 such items were "the − end")."""
        return np.flatnonzero(np.any(self.item_coords != 0, axis=1))

    @functools.cached_property
    def item_centre(self) -> np.ndarray:
        """The catalogue's mean item coordinates (the average item)."""
        return self.item_coords.mean(axis=0) if self.item_coords.shape[0] else np.zeros(self.item_coords.shape[1])

    @property
    def empty(self) -> bool:
        """True for a model with no dimensions: P Qᵀ = 0 (its vectors are all zero), it learned nothing."""
        return self.singular_values.size == 0

    @property
    def energy_share(self) -> np.ndarray:
        """Share of ‖P Qᵀ‖_F² carried by each dimension (σ_d² / Σσ²)."""
        energy = self.singular_values**2
        total = energy.sum()
        return energy / total if total > 0 else energy


def principal_dimensions(user_factors, item_factors=None, tol: float = 1e-10) -> Dimensions:
    r"""`Dimensions` of :math:`P Q^\top` without forming it: with thin QR decompositions
    :math:`P = Q_P R_P`, :math:`Q = Q_Q R_Q` and the SVD :math:`R_P R_Q^\top = A \Sigma B^\top` of the
    small f × f core, :math:`U = Q_P A` and :math:`V = Q_Q B` (cost :math:`O((n_u + n_i) f^2)`).
    Dimensions with :math:`\sigma \le` tol·σ₁ (a rank-deficient model) are dropped. Accepts arrays or
    a model (anything with `user_factors` and `item_factors`); biases are not part of it."""
    users, items = factor_pair(user_factors, item_factors)
    if not (np.isfinite(users).all() and np.isfinite(items).all()):
        raise DataError("the factors hold NaN or infinite values: retrain the model (a smaller learning rate "
                        "or more regularization usually helps)")
    q_users, r_users = np.linalg.qr(users, mode="reduced")
    q_items, r_items = np.linalg.qr(items, mode="reduced")
    left, values, right_t = np.linalg.svd(r_users @ r_items.T, full_matrices=False)
    keep = values > tol * values[0] if values.size and values[0] > 0 else np.zeros(values.size, bool)
    scale = np.sqrt(values[keep])
    user_coords = (q_users @ left[:, keep]) * scale
    item_coords = (q_items @ right_t[keep].T) * scale
    # An item with a zero vector (absent from a model's training part) stays at exactly 0: the QR left it ~1e-16
    # when its row was among the first f, and it then counted as placed (`Dimensions.placed`).
    item_coords[~np.any(items != 0, axis=1)] = 0.0
    # Any user vector p maps to p R_Qᵀ B Σ^-½: for the training users, P R_Qᵀ = Q_P A Σ Bᵀ gives U Σ^½,
    # and its product with V Σ^½ is p Qᵀ for every p (Q = Q_Q R_Q).
    transform = r_items.T @ right_t[keep].T / scale
    # Fix each dimension's sign (U and V flip together, so scores are unchanged).
    if item_coords.size:
        largest = item_coords[np.argmax(np.abs(item_coords), axis=0), np.arange(item_coords.shape[1])]
        signs = np.where(largest < 0, -1.0, 1.0)
        user_coords, item_coords, transform = user_coords * signs, item_coords * signs, transform * signs
    return Dimensions(values[keep], user_coords, item_coords, transform)


def dimension_ends(coords: np.ndarray, n: int, among=None) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the n largest and the n smallest values of one dimension's item coordinates
    (most extreme first; ties by row), of the rows `among` only when given (e.g. `Dimensions.placed`)."""
    coords = np.asarray(coords, np.float64)
    rows = np.arange(coords.size) if among is None else np.asarray(among, np.int64)
    n = min(int(n), rows.size)
    order = np.argsort(-coords[rows], kind="stable")
    low = np.argsort(coords[rows], kind="stable")
    return rows[order[:n]], rows[low[:n]]


# A dimension whose item coordinates follow popularity this closely (|Spearman ρ|) is named by it: the
# genres over-represented at its popular end are the popular genres, no taste (ML-100K: ρ = 0.98 for
# the first dimension of implicit ALS and Truncated SVD, |ρ| ≤ 0.24 for every other of their first six).
FOLLOWS_POPULARITY = 0.8
POPULAR_END, RARE_END = "popular items", "rare items"
# A dimension whose item coordinates follow the release year this closely (|Spearman ρ|, popularity not naming it)
# is named by it. ML-100K, the five models at their defaults on all of it and on a random 80% (seed 0): the
# second dimension of implicit ALS (0.76) and of Truncated SVD (0.65); |ρ| ≤ 0.30 for every other of their first
# 12. 0.5 falls in that gap, as the reviewer's check did.
FOLLOWS_YEAR = 0.5
# Fewer placed items with a year and no year ρ is given: on 20 items a |ρ| ≥ 0.5 came by chance in 2.6% of
# 20,000 shuffles, on 30 in 0.6%, on 50 in 0.03%.
YEAR_MIN_ITEMS = 30


def describe_dimensions(dims: Dimensions, titles, groups: dict[str, np.ndarray] | None = None,
                        n_dims: int = 8, n_titles: int = 3, end_share: float = 0.1,
                        popularity: np.ndarray | None = None, which=None, years: np.ndarray | None = None
                        ) -> pd.DataFrame:
    """One row per dimension (strongest first, at most n_dims): its share of the score energy, the
    n_titles items at each end (of the items the model placed: `Dimensions.placed`), and — given genre `groups` ({genre: item rows}) — the genres most
    over-represented among the end_share of items at each end (at least twice their catalogue share and twice
    their share at the other end);
    given the items' `popularity`, the Spearman correlation of their coordinates with it; given their release
    `years` (NaN where unknown) and YEAR_MIN_ITEMS placed items with one, the Spearman correlation over those
    ("year ρ") and the median year of the end_share of items at each end ("+ end year", "− end year").
    `which`: these dimensions (0-based, any order) instead of the n_dims strongest."""
    # Among the items the model placed (`Dimensions.placed`): ends, genre shares and ρ.
    placed = dims.placed
    titles = np.asarray(titles, dtype=object)[placed]
    position = np.full(dims.item_coords.shape[0], -1, np.int64)
    position[placed] = np.arange(placed.size)
    groups = {name: position[members][position[members] >= 0] for name, members in (groups or {}).items()}
    groups = {name: members for name, members in groups.items() if members.size}
    n_items = placed.size
    years = None if years is None else np.asarray(years, np.float64)[placed]
    dated = None if years is None else np.flatnonzero(np.isfinite(years))
    if dated is not None and dated.size < YEAR_MIN_ITEMS:
        years = dated = None
    end_size = max(1, int(round(end_share * n_items)))
    rows = []
    shown = range(min(int(n_dims), dims.item_coords.shape[1])) if which is None else [int(d) for d in which]
    for d in shown:
        column = dims.item_coords[placed, d]
        high, low = dimension_ends(column, end_size)
        row = {"dimension": d + 1, "energy": float(dims.energy_share[d]),
               "+ end": " · ".join(map(str, titles[high[:n_titles]])),
               "− end": " · ".join(map(str, titles[low[:n_titles]]))}
        if popularity is not None:
            row["popularity ρ"] = spearman(column, np.asarray(item_counts(popularity))[placed])
        if dated is not None:
            row |= year_columns(column, years, dated, high, low)
        if groups:
            for name, end, other in (("+ end genres", high, low), ("− end genres", low, high)):
                # Also twice its share at the other end: both ends of a dimension are often popular films, and a
                # genre common among those (War, Sci-Fi, Mystery on MovieLens) stood out against the catalogue at
                # both ("Mystery ↔ Mystery, Thriller"), naming a contrast the dimension does not make.
                across = {genre: inside for genre, inside, _ in group_shares(groups, other, n_items)}
                shares = [(genre, inside / overall) for genre, inside, overall in group_shares(groups, end, n_items)
                          if inside >= 2 * overall and inside >= 0.05 and inside >= 2 * across.get(genre, 0.0)]
                row[name] = ", ".join(f"{genre} ({ratio:.1f}×)" for genre, ratio in shares[:3]) or "—"
        rows.append(row)
    columns = ["dimension", "energy", "popularity ρ", *YEAR_COLUMNS, "+ end genres", "− end genres", "+ end",
               "− end"]
    frame = pd.DataFrame(rows, columns=[c for c in columns if (groups or "genres" not in c)
                                        and (popularity is not None or c != "popularity ρ")
                                        and (dated is not None or c not in YEAR_COLUMNS)])
    return frame


YEAR_COLUMNS = ("year ρ", "+ end year", "− end year")


def year_columns(column: np.ndarray, years: np.ndarray, dated: np.ndarray, high: np.ndarray, low: np.ndarray) -> dict:
    """A dimension's year ρ (its coordinates against the years, over the `dated` items) and the median year at
    each end (rows `high`, `low`; NaN when no item there has a year), to the year, halves up, so that the table's
    whole years and the names say the same year (a median of 1991.5 could otherwise be rounded two ways)."""
    def median(end: np.ndarray) -> float:
        known = years[end][np.isfinite(years[end])]
        return float(np.floor(np.median(known) + 0.5)) if known.size else float("nan")

    return {"year ρ": spearman(column[dated], years[dated]), "+ end year": median(high), "− end year": median(low)}


MOSTLY = 0.5  # share of an item's lift the named dimensions must carry for the list to say "mostly along" them
AT_MOST = 3  # dimensions named at most; a lift that needs more is spread over many


@dataclass(frozen=True)
class Lift:
    """Why one recommended item scores above the average item for a taste, in the model's dimensions.

    `gap`: its personal score (user · item) minus the average item's, which the per-dimension lifts (user
    coordinate × the item's distance from the catalogue's mean coordinate) add up to; `bias_gap`: its item bias
    minus the average item's (0 without biases). When the gap is positive, `dims` are the fewest dimensions,
    strongest lift first, whose lifts together carry at least MOSTLY of it (at most AT_MOST, else empty), `sides`
    the end (+1 / −1) the item leans to on each, `lifts` their lifts and `share` their part of the gap: above 1
    when other dimensions pull the item down (without the named ones it would sit below the average item)."""

    gap: float
    bias_gap: float
    dims: tuple[int, ...] = ()
    sides: tuple[int, ...] = ()
    lifts: tuple[float, ...] = ()
    share: float = 0.0

    @property
    def by_bias(self) -> bool:
        """The item bias lifts the item more than the taste does (or the taste does not lift it at all)."""
        return self.bias_gap > 0 and self.bias_gap >= self.gap

    @property
    def spread(self) -> bool:
        """A positive personal lift that no AT_MOST dimensions carry the most of."""
        return self.gap > 0 and not self.dims


def lifts_of(dims: Dimensions, user_coords, items, item_bias=None) -> list[Lift]:
    """For each item, what lifts its score above the average item's for a taste (`Lift`). Counting each
    dimension's lift over the average item, not its whole product, keeps out the dimension every item
    shares (in most models the first, on which nearly every item and user sit on the same side). Naming the
    single largest lift alone said "mostly along" a dimension carrying a median 35% of an implicit ALS
    item's lift on MovieLens 100K, and a dimension for Funk SVD items whose lift is mostly their bias."""
    user_coords = np.asarray(user_coords, np.float64).ravel()
    items = np.asarray(items, np.int64)
    coords = dims.item_coords[items]
    if item_bias is None:
        bias_gaps = np.zeros(len(items))
    else:
        biases = np.asarray(item_bias, np.float64)
        bias_gaps = biases[items] - biases.mean()
    if coords.shape[1] == 0:  # a model of zero vectors: no dimension lifts anything
        return [Lift(0.0, float(b)) for b in bias_gaps]
    offsets = coords - dims.item_centre[None, :]
    lifts = offsets * user_coords[None, :]
    out = []
    for row, bias_gap in zip(range(len(items)), bias_gaps.tolist(), strict=True):
        gap = float(lifts[row].sum())
        if gap <= 0:
            out.append(Lift(gap, bias_gap))
            continue
        # Of the net gap, not of the positive lifts alone: with 64 dimensions many small ones add up, and 60% of
        # implicit ALS's MovieLens 100K items were then "spread" though one to three dimensions make the gap.
        order = np.argsort(-lifts[row], kind="stable")[:AT_MOST]
        carried = np.cumsum(lifts[row, order])
        enough = np.flatnonzero(carried >= MOSTLY * gap)
        if not enough.size:
            out.append(Lift(gap, bias_gap))
            continue
        chosen = order[:enough[0] + 1]
        out.append(Lift(gap, bias_gap, tuple(int(d) for d in chosen), tuple(int(np.sign(offsets[row, d])) for d in chosen),
                        tuple(float(lifts[row, d]) for d in chosen), float(carried[enough[0]] / gap)))
    return out


def end_names(described: pd.DataFrame) -> list[tuple[str, str]]:
    """(− end, + end) in a few words for each row of `describe_dimensions`: "popular items" and
    "rare items" for a dimension that follows popularity, else "older items, median 1979" and "newer items,
    median 1997" for one that follows the release year, else the over-represented genres without
    their ratios, or the first two titles when no genre stands out."""
    names = []
    for _, row in described.iterrows():
        rho = float(row.get("popularity ρ", np.nan))
        if abs(rho) >= FOLLOWS_POPULARITY:
            names.append((RARE_END, POPULAR_END) if rho > 0 else (POPULAR_END, RARE_END))
            continue
        year_rho = float(row.get("year ρ", np.nan))
        if abs(year_rho) >= FOLLOWS_YEAR:
            names.append((year_end(row["− end year"], newer=year_rho < 0),
                          year_end(row["+ end year"], newer=year_rho > 0)))
            continue
        pair = []
        for side in ("−", "+"):
            genres = str(row.get(f"{side} end genres", "—"))
            if genres != "—":
                pair.append(", ".join(part.rsplit(" (", 1)[0] for part in genres.split(", ")))
            else:
                pair.append(" · ".join(str(row[f"{side} end"]).split(" · ")[:2]))
        names.append((pair[0], pair[1]))
    return names


def year_end(median: float, *, newer: bool) -> str:
    """An end of a dimension that follows the release year, in words with its median year. A comma, not
    brackets: the Recommend page adds the share in brackets after it ("2 · newer items, median 1997 (67%)")."""
    words = "newer items" if newer else "older items"
    return f"{words}, median {median:.0f}" if np.isfinite(median) else words


def genre_loadings(dims: Dimensions, groups: dict[str, np.ndarray], n_dims: int = 12) -> pd.DataFrame:
    """Genres × dimensions: how far a genre's items sit from the catalogue on each dimension, as the
    mean coordinate of its items minus the mean of all items, over the standard deviation of all
    items (0 = like the catalogue, ±1 = a standard deviation toward the + or − end). Columns are
    dimension numbers 1..n; rows keep the order of `groups`."""
    coords = dims.item_coords[:, :min(int(n_dims), dims.item_coords.shape[1])]
    centre, spread = coords.mean(axis=0), coords.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    rows = {name: (coords[members].mean(axis=0) - centre) / spread for name, members in groups.items()
            if len(members)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=np.arange(1, coords.shape[1] + 1))


def coordinates_table(dims: Dimensions, item_ids, titles) -> pd.DataFrame:
    """Every item's coordinates on every dimension (strongest first): item_id, title, dim_1, dim_2, …"""
    frame = pd.DataFrame({"item_id": np.asarray(item_ids), "title": np.asarray(titles, dtype=object)})
    coords = pd.DataFrame(dims.item_coords, columns=[f"dim_{d + 1}" for d in range(dims.item_coords.shape[1])])
    return pd.concat([frame, coords], axis=1)
