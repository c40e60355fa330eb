r"""Popularity bias of data and models: long tail, ARP, APLT, coverage, Gini, group lift.

Notation (as in ../shared/DESIGN.md): :math:`U` the evaluated users, :math:`L_u` the top-k list
of user u (seen items excluded), :math:`p_u` u's profile, :math:`\phi(i)` the count of item i
(users who interacted with it) in the interactions given (the training data, or all the data), :math:`\Gamma` the long tail: items outside the
head, where the head is the most popular items that together carry `head_share` (default 20 %)
of all interactions (`mfviz.data.interactions.long_tail_split`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mfviz.analysis.inputs import item_counts
from mfviz.data.interactions import DEFAULT_HEAD_SHARE, long_tail_split
from mfviz.errors import DataError, ModelError
from mfviz.models.base import check_ids_match
from mfviz.models.sanity import untrained_items, untrained_users
from mfviz.seeds import accepts_seed

GROUPS = ("niche", "diverse", "blockbuster")
GROUP_SHARE = 0.2  # bottom / top share of users forming the niche / blockbuster groups
# Users whose lists `popularity_report` ranks by default (a seeded sample; None ranks every trained user): the
# dashboard's number. Ranking all 100,000 users of 5M ratings × 30,000 items took 12.5 s (implicit ALS) and 27.4 s
# (Funk SVD: full score and dot product alone) against 0.3 s and 0.6 s for the sample (benchmarks/bench_scale_waits).
SAMPLE_USERS = 2_000


@dataclass(frozen=True)
class PopularityReport:
    """Popularity-bias metrics of one model's top-k lists (see `popularity_report`)."""

    k: int
    users: int
    arp: float
    aplt: float
    coverage: float
    gini: float
    group_lift: pd.DataFrame
    norm_popularity_spearman: float
    recommended_counts: np.ndarray
    head_norm_percentile: float = float("nan")
    rare_norm_percentile: float = float("nan")
    users_without_profile: int = 0  # evaluated users with no interactions: in ARP/APLT, in no lift group
    arp_dot_only: float = float("nan")  # ARP of the lists ranked by user · item alone (models with item biases)
    arp_bias_only: float = float("nan")  # ARP of the lists ranked by the item bias alone (models with item biases)
    # users and items the model has no training interaction of (a split held out all of theirs): their vectors were
    # never fitted, so their lists (the catalogue in index order) and lengths (zero) are left out of every number
    users_untrained: int = 0
    items_untrained: int = 0

    def as_row(self) -> dict:
        """The scalar metrics, with one `lift_<group>` entry per user group."""
        row = {"arp": self.arp, "aplt": self.aplt, "coverage": self.coverage, "gini": self.gini,
               "norm_popularity_spearman": self.norm_popularity_spearman}
        for group, lift in zip(self.group_lift["group"], self.group_lift["lift"], strict=True):
            row[f"lift_{group}"] = float(lift)
        return row


# --------------------------------------------------------------------- data side
def long_tail_curve(popularity, head_share: float = DEFAULT_HEAD_SHARE) -> tuple[pd.DataFrame, np.ndarray]:
    """The long-tail curve of item popularity and the head/tail split.

    Returns a DataFrame with one row per item in decreasing popularity — ``rank`` (1 = most
    popular), ``item`` (index), ``popularity``, ``item_share`` (rank / n_items),
    ``cumulative_share`` (share of all interactions carried by items up to this rank),
    ``is_head`` — and the boolean head mask by item index (Abdollahpouri et al. 2019).
    """
    popularity = _as_counts(popularity, "popularity")
    head = long_tail_split(popularity, head_share)
    order = np.argsort(-popularity, kind="stable")
    total = popularity.sum()
    cumulative = np.cumsum(popularity[order]) / total if total > 0 else np.zeros(order.size)
    frame = pd.DataFrame({
        "rank": np.arange(1, order.size + 1), "item": order, "popularity": popularity[order],
        "item_share": np.arange(1, order.size + 1) / order.size, "cumulative_share": cumulative,
        "is_head": head[order],
    })
    return frame, head


def gini(counts) -> float:
    r"""Gini index of how evenly recommendations (or interactions) spread over items.

    With the n counts sorted ascending :math:`c_{(1)} \le \dots \le c_{(n)}`,

    .. math:: G = \frac{\sum_{j=1}^{n} (2j - n - 1)\, c_{(j)}}{n \sum_j c_{(j)}}

    (the convention of RecBole's GiniIndex). 0 = every item recommended equally often;
    (n−1)/n → 1 = all recommendations on one item. Items never recommended count as zeros, so
    pass counts over the whole catalogue. All-zero counts give 0.
    """
    values = np.sort(_as_counts(counts, "counts"))
    n, total = values.size, values.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(np.sum((2 * ranks - n - 1) * values) / (n * total))


def _as_counts(values, what: str) -> np.ndarray:
    array = np.asarray(item_counts(values), np.float64).ravel()  # an Interactions: its item popularity
    if array.size and (not np.isfinite(array).all() or array.min() < 0):
        raise DataError(f"{what} must be finite and non-negative")
    return array


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    pattern = sp.csr_matrix((np.ones(matrix.nnz, np.float64), matrix.indices, matrix.indptr), shape=matrix.shape)
    return pattern


def user_groups(matrix: sp.csr_matrix, head: np.ndarray, share: float = GROUP_SHARE,
                among: np.ndarray | None = None) -> np.ndarray:
    """Group of each user (0 niche, 1 diverse, 2 blockbuster) by the share of head items in the
    profile (Abdollahpouri et al. 2019): the `share` of users with the lowest head share are
    niche, the `share` with the highest are blockbuster, the rest diverse. Ties are broken by
    user index so that group sizes are exact. A user with no interactions in `matrix` (common in
    the training part of a split) has no head share and gets -1, outside every group: ranked as
    0 they filled the niche group and pulled its profile popularity towards 0. `among` (a bool per
    user): the users grouped, the others -1 too (the users a model was trained on: the 20% cut is of them)."""
    pattern = _binary(matrix)
    activity = np.diff(pattern.indptr)
    active = np.flatnonzero((activity > 0) & (True if among is None else np.asarray(among, bool)))
    head_share = (pattern @ head.astype(np.float64))[active] / activity[active]
    order = active[np.lexsort((active, head_share))]
    n = active.size
    cut = int(round(share * n))
    groups = np.full(activity.size, -1, np.int64)
    groups[active] = 1
    groups[order[:cut]] = 0
    groups[order[n - cut:]] = 2
    return groups


# --------------------------------------------------------------------- model side
def _recommend(model, users: np.ndarray, k: int, matrix: sp.csr_matrix) -> np.ndarray:
    """Top-k item ids for the users, the items `matrix` gives them excluded, padding -1."""
    if hasattr(model, "recommend"):
        return model.recommend(users, n=k, exclude=matrix, warn_untrained=False)[0]  # grouped by activity
    # Factors from elsewhere: rank by P Qᵀ (+ item bias) excluding the given interactions.
    from mfviz.analysis.tradeoff import item_offsets, penalised_top_k

    return penalised_top_k(np.asarray(model.user_factors)[users], model, item_offsets(model), k, matrix[users])[0]


def spearman(values, other) -> float:
    """Spearman's rank correlation (NaN when either side is constant): Pearson's correlation of the ranks, ties
    given their mean rank, as scipy.stats.spearmanr computes it. Not scipy's own: importing scipy.stats took 0.6 s
    on an idle machine and 3 s on a busy one, paid by the first page to describe a model's dimensions (Neighbours,
    on its first visit after the server started)."""
    if np.ptp(values) == 0 or np.ptp(other) == 0:
        return float("nan")
    ranks = [pd.Series(np.asarray(side, np.float64).ravel()).rank(method="average").to_numpy() for side in (values, other)]
    return float(np.corrcoef(*ranks)[0, 1])


HEAD_ITEMS = 10  # the "most popular items" whose vector lengths `head_norm_percentile` places


def norm_percentiles(norms, popularity, n: int = HEAD_ITEMS) -> tuple[float, float]:
    """Where vector lengths sit at the two ends of popularity: the median over the `n` most popular
    items, and over the less popular half of the items, of the share (0-100) of all items with a shorter
    vector (ties count half). Spearman's ρ of length with popularity is carried by every item, so a high
    ρ can come from the rare tail alone (rare items short, the head no longer than most); these two say
    which end carries it: a long head is near 100, a short tail near 0, no pattern 50."""
    norms = np.asarray(norms, np.float64).ravel()
    popularity = np.asarray(popularity, np.float64).ravel()
    if norms.size == 0 or norms.size != popularity.size:
        return float("nan"), float("nan")
    from scipy.stats import rankdata

    shorter = (rankdata(norms, method="average") - 0.5) / norms.size * 100  # ties half: (below + ties/2) / n
    order = np.argsort(-popularity, kind="stable")
    head, rare = order[:max(1, int(n))], order[norms.size // 2:] if norms.size > 1 else order
    return float(np.median(shorter[head])), float(np.median(shorter[rare]))


def _list_popularity(ids: np.ndarray, popularity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each list's mean popularity (-1 padding left out) and whether it holds any item."""
    valid = ids >= 0
    length = valid.sum(axis=1)
    mean = np.where(valid, popularity[np.where(valid, ids, 0)], 0.0).sum(axis=1) / np.maximum(length, 1)
    return mean, length > 0


def _score_parts_arp(model, users: np.ndarray, k: int, matrix: sp.csr_matrix,
                     popularity: np.ndarray) -> tuple[float, float]:
    """ARP of the users' top-k ranked by user · item alone and by the item bias alone (the items of `matrix` left
    out, as the full lists); NaN for a model without item biases (or with all of them 0)."""
    bias = getattr(model, "item_bias", None)
    if bias is None or not np.any(np.asarray(bias) != 0):
        return float("nan"), float("nan")
    from mfviz.analysis.tradeoff import penalised_top_k
    from mfviz.kernels.topk import ordered_top_k

    exclude = matrix[users]
    exclude.sort_indices()
    dot_only = penalised_top_k(np.asarray(model.user_factors)[users], model, np.zeros(matrix.shape[1], np.float32),
                               k, exclude)[0]
    # The bias alone ranks every user's list alike: one order, each user's seen items skipped, as the Popularity
    # baseline ranks (ties: lower index first, as topk_dot breaks them), not a score per user and item: 0.05 s
    # instead of 6.4 s for 100,000 users × 30,000 items, the same lists
    bias = np.asarray(bias, np.float32)
    bias_only = ordered_top_k(np.argsort(-bias, kind="stable"), bias, k, users.size,
                              exclude.indptr.astype(np.int64), exclude.indices.astype(np.int64))[0]
    out = []
    for ids in (dot_only, bias_only):
        mean, has_list = _list_popularity(ids, popularity)
        out.append(float(mean[has_list].mean()) if has_list.any() else float("nan"))
    return out[0], out[1]


def _item_norms(model) -> np.ndarray:
    return np.linalg.norm(np.asarray(model.item_factors, np.float64), axis=1)


@accepts_seed
def popularity_report(model, interactions, k: int = 10, sample_users: int | None = SAMPLE_USERS,
                      head_share: float = DEFAULT_HEAD_SHARE, random_state: int = 0) -> PopularityReport:
    r"""How strongly a model's top-k lists lean towards popular items.

    Over the users U: by default a seeded sample of `sample_users` (2,000, `SAMPLE_USERS`, as the dashboard) of the
    users the model was trained on, all of them when there are no more; `sample_users=None` ranks every trained
    user (one top-k ranking per user, two for a model with item biases: 100,000 users × 30,000 items took 12.5 s
    for implicit ALS and 27.4 s for Funk SVD, against 0.3 s and 0.6 s for the sample). `random_state` fixes the sample; `users` says how many were ranked. Lists
    :math:`L_u` (the user's items in `interactions` excluded; lists shorter than k when fewer items remain).
    A user a split held out entirely (`untrained_users`) has a vector never fitted, so their list is the catalogue
    in index order (or the item biases'), the same for each such user: counted, they made the first items of the
    catalogue the most recommended and flipped the blockbuster group's lift (MovieLens 100K, implicit ALS, time
    split 50%: 452 of 943 users; ARP 201.3 with them, 221.4 without, blockbuster lift −0.06 and +0.13). They are
    left out; `users_untrained` counts them.

    - ARP (Yin et al. 2012): :math:`\frac{1}{|U|}\sum_{u}\frac{\sum_{i\in L_u}\phi(i)}{|L_u|}`.
    - APLT (Abdollahpouri et al. 2017): :math:`\frac{1}{|U|}\sum_{u}\frac{|L_u\cap\Gamma|}{|L_u|}`.
    - coverage: :math:`|\bigcup_u L_u| / n_{items}`.
    - gini: `gini` of the number of lists each item appears in (all items, zeros included).
    - group_lift (Abdollahpouri et al. 2019, "The unfairness of popularity bias"): users split
      into niche / diverse / blockbuster by the share of head items in their profile (bottom
      20 %, middle 60 %, top 20 %); for group g,
      :math:`GAP_p(g) = \frac{1}{|g|}\sum_{u\in g}\frac{\sum_{i\in p_u}\phi(i)}{|p_u|}`,
      :math:`GAP_r(g)` the same over :math:`L_u`, and
      :math:`\text{lift} = (GAP_r(g) - GAP_p(g)) / GAP_p(g)` (ΔGAP; > 0: the lists are more
      popular than what the group consumes); the 20 % cuts are of the users the model was trained on. Users with
      no interactions in `interactions` have no profile, so they are in no group (`user_groups`);
      `users_without_profile` counts them.
    - norm_popularity_spearman: Spearman rank correlation between item vector norm
      :math:`\lVert q_i\rVert` and :math:`\phi(i)` (the reason dot-product lists lean popular), over the items
      the model was trained on (`untrained_items`: a zero vector is no length it learned; `items_untrained`
      counts those left out).
    - head_norm_percentile, rare_norm_percentile: `norm_percentiles`, where the norms of the 10
      most popular items and of the less popular half sit among the (trained) items' (median percentiles):
      which end of the popularity scale carries the correlation.
    - arp_dot_only, arp_bias_only (models with item biases :math:`b_i`, NaN for the others): the ARP
      of the same users' lists, with the same items left out, ranked by :math:`p_u \cdot q_i` alone and by
      :math:`b_i` alone: which part of the score carries the lists' popularity. Long vectors for popular
      items make the dot-product scores favour them only when the dot-only lists are the more popular
      (MovieLens 100K, Funk SVD: ρ of length with popularity 0.78, yet dot alone ARP 136, bias alone 182,
      the full score 187: its biases carry it).

    `interactions` (an Interactions or a CSR matrix): :math:`\phi` is counted on it and each list
    leaves out the user's items in it. Pass the training data the model saw for the model's own
    view, or all the data for the lists its users would see (the dashboard's choice: a model trained
    on a split would otherwise recommend users the items held out of its training, which they have).
    """
    matrix = sp.csr_matrix(getattr(interactions, "matrix", interactions))
    n_users, n_items = matrix.shape
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise DataError(f"k must be a positive integer, got {k!r}")
    item_factors = np.asarray(model.item_factors)
    if item_factors.shape[0] != n_items or np.asarray(model.user_factors).shape[0] != n_users:
        raise ModelError(f"the model has {np.asarray(model.user_factors).shape[0]} users × "
                         f"{item_factors.shape[0]} items but the data has {n_users} × {n_items}; "
                         "use the data the model was trained on")
    check_ids_match(model, interactions)
    popularity = np.bincount(matrix.indices, minlength=n_items).astype(np.float64)
    head = long_tail_split(popularity, head_share)
    trained = ~untrained_users(model)
    users = _ranked_users(np.flatnonzero(trained), sample_users, random_state)
    if users.size == 0:
        raise ModelError("the model was trained on none of these users: no list would say anything of them")
    # One BLAS thread inside the numba-parallel top-k: the kernel's prange already uses the cores,
    # and nested BLAS threads oversubscribe them (6x slower measured on 2 cores).
    with threadpool_limits(limits=1, user_api="blas"):
        ids = _recommend(model, users, int(k), matrix)
    valid = ids >= 0
    safe = np.where(valid, ids, 0)
    list_popularity, has_list = _list_popularity(ids, popularity)
    lengths = np.maximum(valid.sum(axis=1), 1)
    list_tail = np.where(valid, ~head[safe], False).sum(axis=1) / lengths
    counts = np.bincount(ids[valid], minlength=n_items).astype(np.int64)

    # Group lift over the same users (groups defined on all the trained users, so they do not depend on the sample).
    groups = user_groups(matrix, head, among=trained)[users]
    pattern = _binary(matrix[users])
    profile_popularity = (pattern @ popularity) / np.maximum(np.diff(pattern.indptr), 1)
    rows = []
    for g, name in enumerate(GROUPS):
        members = (groups == g) & has_list
        gap_profile = float(profile_popularity[members].mean()) if members.any() else float("nan")
        gap_recommended = float(list_popularity[members].mean()) if members.any() else float("nan")
        lift = (gap_recommended - gap_profile) / gap_profile if members.any() and gap_profile > 0 else float("nan")
        rows.append({"group": name, "users": int(members.sum()), "profile_popularity": gap_profile,
                     "recommended_popularity": gap_recommended, "lift": lift})
    # an item the model never saw has a zero vector whatever its popularity in `interactions`: not a length it learned
    items = ~untrained_items(model)
    norms, item_popularity = _item_norms(model)[items], popularity[items]
    rho = spearman(norms, item_popularity)
    parts = _score_parts_arp(model, users, int(k), matrix, popularity)
    return PopularityReport(
        k=int(k), users=int(users.size),
        arp=float(list_popularity[has_list].mean()) if has_list.any() else float("nan"),
        aplt=float(list_tail[has_list].mean()) if has_list.any() else float("nan"),
        coverage=float((counts > 0).sum() / n_items), gini=gini(counts),
        group_lift=pd.DataFrame(rows), norm_popularity_spearman=rho, recommended_counts=counts,
        users_without_profile=int((groups < 0).sum()), arp_dot_only=parts[0], arp_bias_only=parts[1],
        users_untrained=int((~trained).sum()), items_untrained=int((~items).sum()),
        **dict(zip(("head_norm_percentile", "rare_norm_percentile"), norm_percentiles(norms, item_popularity),
                   strict=True)),
    )


def _ranked_users(trained: np.ndarray, sample_users: int | None, seed: int) -> np.ndarray:
    """The users whose lists are ranked: the trained ones (indices), or a seeded sample of `sample_users` of them
    (drawn as from all users when every user is trained: the same sample as ever)."""
    if sample_users is None or sample_users >= trained.size:
        return trained
    if sample_users < 1:
        raise DataError(f"sample_users must be >= 1 or None, got {sample_users!r}")
    return np.sort(np.random.default_rng(seed).choice(trained, int(sample_users), replace=False))


def data_popularity_row(interactions, head_share: float = DEFAULT_HEAD_SHARE) -> dict:
    """The same metrics for the training profiles themselves (the 'data' reference row):
    ARP and APLT over profiles, coverage = share of items with any interaction, Gini of the
    item interaction counts; lift is 0 by definition and the norm correlation undefined."""
    matrix = sp.csr_matrix(getattr(interactions, "matrix", interactions))
    popularity = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    head = long_tail_split(popularity, head_share)
    pattern = _binary(matrix)
    activity = np.diff(pattern.indptr)
    active = activity > 0
    arp = (pattern @ popularity)[active] / activity[active]
    aplt = (pattern @ (~head).astype(np.float64))[active] / activity[active]
    row = {"arp": float(arp.mean()), "aplt": float(aplt.mean()),
           "coverage": float((popularity > 0).mean()), "gini": gini(popularity),
           "norm_popularity_spearman": float("nan")}
    row.update({f"lift_{group}": 0.0 for group in GROUPS})
    return row


@accepts_seed
def bias_table(models: dict, interactions, k: int = 10, sample_users: int | None = SAMPLE_USERS,
               head_share: float = DEFAULT_HEAD_SHARE, random_state: int = 0) -> pd.DataFrame:
    """One row per model (plus a first 'data' row for the training profiles) with ARP, APLT,
    coverage, Gini, lift per user group and the norm–popularity Spearman correlation; each model's lists of the
    same seeded sample of users as `popularity_report` (`sample_users=None`: every trained user)."""
    rows = [{"model": "data", **data_popularity_row(interactions, head_share)}]
    for name, model in models.items():
        report = popularity_report(model, interactions, k=k, sample_users=sample_users,
                                   head_share=head_share, random_state=random_state)
        rows.append({"model": name, **report.as_row()})
    return pd.DataFrame(rows)
