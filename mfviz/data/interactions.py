"""The Interactions container: a users × items CSR matrix with its id maps, timestamps and item table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.data.assemble import DUPLICATE_POLICIES, InteractionBuilder
from mfviz.data.columns import frame_value_columns
from mfviz.data.report import LoadReport
from mfviz.data.years import item_years
from mfviz.errors import DataError

__all__ = ["DUPLICATE_POLICIES", "DataSummary", "Interactions", "detect_explicit", "long_tail_split"]
DEFAULT_HEAD_SHARE = 0.2


def detect_explicit(values: np.ndarray) -> bool:
    """True when values look like star ratings (few distinct, half-step values, or any negative).

    All-equal values (e.g. all 1) and wide-ranging counts are implicit feedback.
    """
    if values.size == 0:
        return False
    # a random sample, not every n-th value: a file whose values repeat with a period dividing the
    # stride showed one value and was read as implicit
    sample = values if values.size <= 200_000 else values[np.random.default_rng(0).integers(0, values.size, 200_000)]
    distinct = np.unique(sample)
    if distinct.size == 1:
        return False
    if distinct[0] < 0:
        return True
    half_steps = np.allclose(distinct * 2, np.round(distinct * 2))
    return bool(distinct.size <= 21 and distinct[-1] <= 10 and half_steps)


def _bin_label(low: float, high: float, whole: bool) -> str:
    """A histogram bin [low, high) in words: the whole numbers it holds, else its edges to 3 digits."""
    def edge(value: float) -> str:  # 60,000, never 6e+04
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"

    if whole:  # thousands separated, as the load report writes them: "60,000–200,918"
        last = int(high) - 1
        return f"{int(low):,}" if last <= low else f"{int(low):,}–{last:,}"
    return f"{edge(low)}–{edge(high)}"


def long_tail_split(popularity: np.ndarray, head_share: float = DEFAULT_HEAD_SHARE) -> np.ndarray:
    """Boolean mask of head items: the most popular items that together carry `head_share` of
    all interactions (Abdollahpouri et al. 2019); every other item is in the long tail."""
    if isinstance(head_share, bool) or not isinstance(head_share, int | float | np.number) or not 0 < head_share <= 1:
        raise DataError(f"head_share must be a share of the interactions between 0 and 1 (0.2: the head carries "
                        f"20%), got {head_share!r}")
    order = np.argsort(-popularity, kind="stable")
    total = popularity.sum()
    head = np.zeros(popularity.size, bool)
    if total <= 0:
        return head
    carried = np.cumsum(popularity[order]) / total
    n_head = int(np.searchsorted(carried, head_share) + 1)
    head[order[: min(n_head, popularity.size)]] = True
    return head


@dataclass(frozen=True)
class DataSummary:
    """Summary statistics shown on the Data page and printed by the CLI."""

    n_users: int
    n_items: int
    nnz: int
    density: float
    is_explicit: bool
    rating_histogram: pd.DataFrame  # columns: value, count (explicit) or bin, count (implicit)
    item_popularity: np.ndarray  # interactions per item index
    user_activity: np.ndarray  # interactions per user index
    head_items: int  # items that carry the head share of interactions
    long_tail_share: float  # share of items outside the head
    head_share: float


class Interactions:
    """User–item interactions as a CSR matrix (users × items, float32) with id maps.

    `user_ids[u]` / `item_ids[i]` give the original id of index u / i; `user_index` and
    `item_index` go the other way. `timestamps`, when present, is aligned with `matrix.data`.
    `items` has one row per item index (column `item_id`, and `title`, `genres` as a list, and
    any other metadata columns when known).
    """

    def __init__(
        self,
        matrix: sp.csr_matrix,
        user_ids: np.ndarray,
        item_ids: np.ndarray,
        *,
        timestamps: np.ndarray | None = None,
        items: pd.DataFrame | None = None,
        is_explicit: bool | None = None,
        report: LoadReport | None = None,
    ) -> None:
        try:
            with np.errstate(over="ignore"):  # beyond float32: inf, refused below
                matrix = sp.csr_matrix(matrix, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise DataError(f"the interactions must be a 2-D users × items matrix of numbers (a scipy sparse "
                            f"matrix or a NumPy array), got {type(matrix).__name__}: {exc}. To build one from a "
                            "table, use Interactions.from_frame or mfviz.load_interactions.") from None
        if not np.isfinite(matrix.data).all():
            count = int((~np.isfinite(matrix.data)).sum())
            raise DataError(f"the matrix holds {count:,} value{'s' if count > 1 else ''} that {'are' if count > 1 else 'is'} "
                            "NaN or infinite (or too large for float32); give finite values, or leave those entries out.")
        matrix.sort_indices()
        if matrix.shape != (len(user_ids), len(item_ids)):
            raise DataError(
                f"matrix shape {matrix.shape} does not match {len(user_ids)} user ids "
                f"and {len(item_ids)} item ids"
            )
        if timestamps is not None and len(timestamps) != matrix.nnz:
            raise DataError("timestamps must have one entry per stored interaction")
        self.matrix = matrix
        self.user_ids = np.asarray(user_ids)
        self.item_ids = np.asarray(item_ids)
        self.timestamps = None if timestamps is None else np.asarray(timestamps, np.int64)
        self.is_explicit = detect_explicit(matrix.data) if is_explicit is None else bool(is_explicit)
        self.items = _align_items(items, self.item_ids)
        self.report = report or LoadReport(rows_read=matrix.nnz, rows_kept=matrix.nnz)
        self._user_lookup: pd.Index | None = None
        self._item_lookup: pd.Index | None = None

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        user: str = "user",
        item: str = "item",
        rating: str | bool | None = None,
        timestamp: str | bool | None = None,
        *,
        items: pd.DataFrame | None = None,
        explicit: bool | None = None,
        duplicates: str = "auto",
        on_bad_rows: str = "error",
        out_of_scale: str | None = None,
        zeros: str | None = None,
        report: LoadReport | None = None,
        line_offset: int | None = None,
    ) -> Interactions:
        """Build from a DataFrame with one row per interaction.

        user, item: the id columns. rating, timestamp: a column name; None (default) finds one by name as
        `mfviz.load_interactions` does (rating/score/weight/count/plays..., timestamp/time/date..., else a column
        of dates or Unix seconds, said in the report's notes); False: none (every row counts 1, no times).

        duplicates: how repeated (user, item) rows merge: "sum", "last" (latest timestamp, else
        last row), "mean", "max"; "auto" (default) is "last" for explicit ratings (a re-rating
        replaces the old one) and "sum" for implicit counts (plays add up).
        on_bad_rows: "error" (default) raises DataError naming the first bad row; "drop" drops
        rows with a missing id or a missing/non-numeric rating and counts them in the report.
        out_of_scale: a few ratings outside the scale of the rest (typos such as 99 among 1-5
        stars): "error", "drop" or "keep"; None (default) does as on_bad_rows.
        zeros: rows whose value is 0: "drop" (counted in the report) or "keep"; None (default)
        drops them from implicit feedback, where a 0 (0 plays) is no interaction, and keeps them as
        explicit ratings (the lowest; prepare.drop_zero_ratings drops them later).
        line_offset: lines before the first data row in the source file, so that error
        messages can name the file's line (None: they name the row only).
        """
        report = report or LoadReport(source="<DataFrame>", format="DataFrame")
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"{report.source}: from_frame needs a pandas DataFrame with one row per interaction, "
                            f"got {type(df).__name__}; build one with pd.DataFrame(...), or give a file to "
                            "mfviz.load_interactions.")
        if items is not None and not isinstance(items, pd.DataFrame):
            raise DataError(f"{report.source}: items= must be a DataFrame with an 'item_id' column, got "
                            f"{type(items).__name__}; to read an item file, use mfviz.load_interactions(..., items=path).")
        if line_offset is not None and (isinstance(line_offset, bool) or not isinstance(line_offset, int | np.integer)):
            raise DataError(f"line_offset must be a whole number of lines or None, got {line_offset!r}")
        report.rows_read = report.rows_read or len(df)
        for role, col in (("user", user), ("item", item), ("rating", rating), ("timestamp", timestamp)):
            if col is None and role in ("user", "item"):
                raise DataError(f"{report.source}: no column given for the {role} (columns are "
                                f"{list(map(str, df.columns))}); name it with {role}=...")
            try:
                known = col is None or col is False or col in df.columns
            except TypeError:  # a list or dict: unhashable, never a column name
                known = False
            if not known:
                raise DataError(
                    f"{report.source}: no column {col!r} for the {role} "
                    f"(columns are {list(map(str, df.columns))}); name the right column with {role}=..."
                )
        # a 'rating' column left unnamed was dropped and every row read as a 1 (a 1-star as a "like"), silently
        rating, timestamp = frame_value_columns(df, user, item, rating, timestamp, report.source, report.notes)
        builder = InteractionBuilder(report=report, user=user, item=item, rating=rating,
                                     timestamp=timestamp, on_bad_rows=on_bad_rows,
                                     duplicates=duplicates, expected_rows=len(df), out_of_scale=out_of_scale,
                                     zeros=zeros)
        builder.add(df[user], df[item], None if rating is None else df[rating],
                    None if timestamp is None else df[timestamp], first_line=line_offset)
        return builder.finish(explicit=explicit, items=items)

    # ----------------------------------------------------------------- basic properties
    @property
    def n_users(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_items(self) -> int:
        return self.matrix.shape[1]

    @property
    def nnz(self) -> int:
        return int(self.matrix.nnz)

    @property
    def density(self) -> float:
        return self.nnz / float(self.n_users * self.n_items)

    @property
    def item_popularity(self) -> np.ndarray:
        """Number of users who interacted with each item (int64, by item index)."""
        return np.bincount(self.matrix.indices, minlength=self.n_items).astype(np.int64)

    @property
    def user_activity(self) -> np.ndarray:
        """Number of items each user interacted with (int64, by user index)."""
        return np.diff(self.matrix.indptr).astype(np.int64)

    @property
    def titles(self) -> np.ndarray:
        """A readable label per item index: the title when known, else the original id (read-only)."""
        # Kept while `items` and `item_ids` are the same objects: pages index it once per option of a
        # select box, and rebuilding 1,500 labels per lookup made one such box take 3 s.
        cached = getattr(self, "_titles", None)
        if cached is not None and cached[0] is self.items and cached[1] is self.item_ids:
            return cached[2]
        if "title" in self.items.columns:
            column = self.items["title"].astype(object)
            fallback = pd.Series(self.item_ids.astype(str), index=column.index)
            titles = column.where(column.notna(), fallback).astype(str).to_numpy()
        else:
            titles = self.item_ids.astype(str)
        titles.flags.writeable = False
        self._titles = (self.items, self.item_ids, titles)
        return titles

    @property
    def item_years(self) -> np.ndarray | None:
        """Release year per item index (float64, NaN where unknown), or None when too few items have one."""
        return item_years(self.items)

    def user_index(self, ids) -> np.ndarray:
        """Indices of original user ids; DataError naming the first unknown id."""
        if self._user_lookup is None:
            self._user_lookup = pd.Index(self.user_ids)
        return id_positions(self._user_lookup, ids, "user")

    def item_index(self, ids) -> np.ndarray:
        """Indices of original item ids; DataError naming the first unknown id."""
        if self._item_lookup is None:
            self._item_lookup = pd.Index(self.item_ids)
        return id_positions(self._item_lookup, ids, "item")

    def to_frame(self) -> pd.DataFrame:
        """One row per stored interaction with original ids (user, item, rating[, timestamp])."""
        coo = self.matrix.tocoo()
        frame = pd.DataFrame(
            {"user": self.user_ids[coo.row], "item": self.item_ids[coo.col], "rating": coo.data}
        )
        if self.timestamps is not None:
            frame["timestamp"] = self.timestamps
        return frame

    def subset(self, users: np.ndarray | None = None, items: np.ndarray | None = None) -> Interactions:
        """A new container restricted to the given user / item indices (sorted, unique)."""
        users = np.arange(self.n_users) if users is None else _indices(users, self.n_users, "user")
        items = np.arange(self.n_items) if items is None else _indices(items, self.n_items, "item")
        stamp_matrix = None
        if self.timestamps is not None:
            stamp_matrix = sp.csr_matrix(
                (self.timestamps, self.matrix.indices, self.matrix.indptr), shape=self.matrix.shape
            )[users][:, items]
            stamp_matrix.sort_indices()
        matrix = self.matrix[users][:, items]
        matrix.sort_indices()
        return Interactions(
            matrix,
            self.user_ids[users],
            self.item_ids[items],
            timestamps=None if stamp_matrix is None else stamp_matrix.data,
            items=self.items.iloc[items].reset_index(drop=True),
            is_explicit=self.is_explicit,
            report=self.report,
        )

    def with_values(self, data: np.ndarray, *, is_explicit: bool) -> Interactions:
        """Same pattern and ids with new stored values (e.g. binarised ratings)."""
        if np.shape(data) != (self.nnz,):
            raise DataError(f"with_values needs one value per stored interaction ({self.nnz:,}), got an array "
                            f"of shape {np.shape(data)}")
        matrix = sp.csr_matrix((np.asarray(data, np.float32), self.matrix.indices, self.matrix.indptr),
                               shape=self.matrix.shape)
        return Interactions(matrix, self.user_ids, self.item_ids, timestamps=self.timestamps,
                            items=self.items, is_explicit=is_explicit, report=self.report)

    def summary(self, head_share: float = DEFAULT_HEAD_SHARE) -> DataSummary:
        """Counts, density, rating histogram, popularity, activity and the long-tail split."""
        data = self.matrix.data
        if self.is_explicit:
            values, counts = np.unique(data, return_counts=True)
            histogram = pd.DataFrame({"value": values, "count": counts})
        else:
            # start at the smallest weight (fractional weights and merged zeros are < 1)
            lowest = min(float(data.min()), 1.0) if data.size else 1.0
            top = max(float(data.max()), 1.0) if data.size else 1.0
            edges = np.unique(np.r_[lowest, np.geomspace(1, top + 1, 12)])
            whole = bool(np.all(data == np.round(data)))
            if whole:  # counts: bins of whole numbers, labelled by the values they hold ("1", "3–5")
                edges = np.unique(np.round(edges))
            counts, edges = np.histogram(data, bins=edges)
            labels = [_bin_label(lo, hi, whole) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
            histogram = pd.DataFrame({"value": labels, "count": counts})
        popularity = self.item_popularity
        head = long_tail_split(popularity, head_share)
        return DataSummary(
            n_users=self.n_users,
            n_items=self.n_items,
            nnz=self.nnz,
            density=self.density,
            is_explicit=self.is_explicit,
            rating_histogram=histogram,
            item_popularity=popularity,
            user_activity=self.user_activity,
            head_items=int(head.sum()),
            long_tail_share=float(1 - head.mean()),
            head_share=head_share,
        )

    def __repr__(self) -> str:
        kind = "explicit" if self.is_explicit else "implicit"
        return (f"Interactions({self.n_users:,} users × {self.n_items:,} items, "
                f"{self.nnz:,} {kind} interactions, density {self.density:.3%})")


# --------------------------------------------------------------------- helpers
def _indices(indices, size: int, kind: str) -> np.ndarray:
    """Sorted distinct `kind` indices (positions 0..size-1, not original ids); DataError otherwise."""
    indices = np.unique(np.asarray(indices))
    if indices.size and (indices.dtype.kind not in "iu" or indices[0] < 0 or indices[-1] >= size):
        wrong = (indices[0] if indices.dtype.kind not in "iu" or indices[0] < 0 else indices[-1]).item()
        raise DataError(f"{kind} index {wrong!r} is not a position 0 to {size - 1}; give indices, or turn original "
                        f"ids into them with {kind}_index(ids).")
    return indices


def id_positions(index: pd.Index, ids, kind: str) -> np.ndarray:
    """Positions in `index` (the data's ids) of `ids`, one id or a flat list; DataError naming the first unknown
    id, and the ids' kind when it differs from the data's ("50" where the ids are integers)."""
    try:
        ids_arr = np.atleast_1d(np.asarray(ids))
        if ids_arr.dtype.kind == "U" and isinstance(ids, list | tuple) and not all(isinstance(x, str) for x in ids):
            # numpy turns [1, "2"] into ["1", "2"]: keep each id as given, so the unknown one is the one named
            ids_arr = np.empty(len(ids), object)
            ids_arr[:] = list(ids)
        positions = index.get_indexer(ids_arr) if ids_arr.ndim == 1 else None
    except (TypeError, ValueError):  # a dict, a set, ragged lists
        positions = None
    if positions is None:
        raise DataError(f"{kind} ids must be one id or a flat list of ids, got {type(ids).__name__} {ids!r:.80}")
    if (positions < 0).any():
        unknown = ids_arr[int(np.argmax(positions < 0))]
        unknown = unknown.item() if isinstance(unknown, np.generic) else unknown  # '50', not np.str_('50')
        kinds = {"i": "integers", "u": "integers", "f": "numbers", "O": "text", "U": "text"}
        given_kind = np.asarray(unknown).dtype.kind  # this id's own kind, in a list that mixes them too
        theirs, given = kinds.get(index.dtype.kind, str(index.dtype)), kinds.get(given_kind, str(ids_arr.dtype))
        hint = f" (the data's {kind} ids are {theirs}, this one is {given})" if theirs != given else ""
        raise DataError(f"unknown {kind} id {unknown!r}: it is not in the loaded data{hint}")
    return positions.astype(np.int64)


def _align_items(items: pd.DataFrame | None, item_ids: np.ndarray) -> pd.DataFrame:
    """One metadata row per item index, in index order; `item_id` first."""
    if items is None or len(items) == 0:
        return pd.DataFrame({"item_id": item_ids})
    if "item_id" not in items.columns:
        raise DataError("the item table needs an 'item_id' column to join on")
    if len(items) == len(item_ids) and np.array_equal(items["item_id"].to_numpy(), item_ids):
        return items.reset_index(drop=True)
    table = items.drop_duplicates("item_id").set_index("item_id")
    key = pd.Index(item_ids)
    if key.dtype != table.index.dtype:
        table.index = table.index.astype(str)
        key = key.astype(str)
    aligned = table.reindex(key).reset_index(drop=True)
    aligned.insert(0, "item_id", item_ids)
    return aligned
