"""Known dataset layouts (MovieLens, Last.fm): recognised by file name, read with no mapping, item table beside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mfviz.data.delimited import read_text_table
from mfviz.data.sniffing import split_fields
from mfviz.data.sources import Blob

# The genres of u.item's 19 flag columns, in order, when no u.genre file lies beside it to name them.
ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
    "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
]


@dataclass(frozen=True)
class Layout:
    """A dataset whose files are recognised by name, with no column mapping needed."""

    name: str
    ratings_file: str
    delimiter: str
    header: bool
    names: tuple[str | None, ...]  # user, item, rating, timestamp columns (as named or positioned)
    items_file: str | None
    read_items: Callable[[Blob], pd.DataFrame] | None
    encoding: str | None = None

    @property
    def dataset(self) -> str:
        """The dataset's name without its files: "MovieLens 100K" of "MovieLens 100K (u.data + u.item)"."""
        return self.name.split(" (")[0]

    def matches(self, blob: Blob) -> bool:
        if blob.basename.lower() != self.ratings_file:
            return False
        first = blob.head(4096).split(b"\n", 1)[0].decode("latin-1")
        if self.header:
            return all(n.lower() in first.lower() for n in self.names[:2])
        return len(split_fields(first.strip(), self.delimiter, False)) == len(self.names)

    def items_fit(self, blob: Blob) -> bool:
        """Whether `blob` (an item table's first lines) reads as this dataset's item table: ids and titles."""
        if self.read_items is None:
            return False
        try:
            table = self.read_items(blob)
        except (KeyError, ValueError, UnicodeError):  # DataError is a ValueError
            return False
        return len(table) > 0 and "title" in table.columns


def split_genres(values: pd.Series, separator: str = "|") -> pd.Series:
    """'Action|Comedy' → ['Action', 'Comedy']; blanks and '(no genres listed)' → []."""
    def parse(text) -> list[str]:
        if not isinstance(text, str) or text.strip() in ("", "(no genres listed)"):
            return []
        return [g.strip() for g in text.split(separator) if g.strip()]
    return values.map(parse).astype(object)


def read_ml100k_items(blob: Blob) -> pd.DataFrame:
    genre_names = list(ML100K_GENRES)
    genre_file = blob.sibling("u.genre")
    if genre_file is not None:
        listed = [line.split("|")[0] for line in genre_file.read().decode("latin-1").splitlines()
                  if "|" in line]
        if len(listed) == 19:
            genre_names = listed
    names = ["item_id", "title", "release_date", "video_release_date", "imdb_url", *genre_names]
    frame = read_text_table(blob, "|", names, False, False, "latin-1")
    flags = frame[genre_names].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0
    genres = [[genre_names[k] for k in np.flatnonzero(row)] for row in flags]
    out = frame[["item_id", "title", "release_date", "imdb_url"]].copy()
    out["genres"] = pd.Series(genres, dtype=object)
    out["item_id"] = pd.to_numeric(out["item_id"], errors="coerce").astype("Int64")
    return out.dropna(subset=["item_id"]).astype({"item_id": np.int64})


def read_movielens_dat_items(blob: Blob) -> pd.DataFrame:
    frame = read_text_table(blob, "::", ["item_id", "title", "genres"], False, False)
    frame["genres"] = split_genres(frame["genres"])
    frame["item_id"] = pd.to_numeric(frame["item_id"], errors="coerce")
    return frame.dropna(subset=["item_id"]).astype({"item_id": np.int64})


def read_movielens_csv_items(blob: Blob) -> pd.DataFrame:
    frame = read_text_table(blob, ",", None, True, True)
    frame = frame.rename(columns={"movieId": "item_id"})
    if "genres" in frame.columns:  # some exports have id and title only
        frame["genres"] = split_genres(frame["genres"])
    frame["item_id"] = pd.to_numeric(frame["item_id"], errors="coerce")
    return frame.dropna(subset=["item_id"]).astype({"item_id": np.int64})


def read_lastfm_items(blob: Blob) -> pd.DataFrame:
    frame = read_text_table(blob, "\t", None, True, False)
    frame = frame.rename(columns={"id": "item_id", "name": "title", "pictureURL": "picture_url"})
    frame["item_id"] = pd.to_numeric(frame["item_id"], errors="coerce")
    return frame.dropna(subset=["item_id"]).astype({"item_id": np.int64})


# Each recognised by its ratings file's name and first line (Layout.matches).
LAYOUTS = (
    Layout("MovieLens 100K (u.data + u.item)", "u.data", "\t", False,
           ("user", "item", "rating", "timestamp"), "u.item", read_ml100k_items, "latin-1"),
    Layout("MovieLens 1M/10M (ratings.dat + movies.dat)", "ratings.dat", "::", False,
           ("user", "item", "rating", "timestamp"), "movies.dat", read_movielens_dat_items),
    Layout("MovieLens latest (ratings.csv + movies.csv)", "ratings.csv", ",", True,
           ("userId", "movieId", "rating", "timestamp"), "movies.csv", read_movielens_csv_items),
    Layout("Last.fm hetrec 2011 (user_artists.dat + artists.dat)", "user_artists.dat", "\t", True,
           ("userID", "artistID", "weight", None), "artists.dat", read_lastfm_items),
)
RATINGS_FILES = tuple(layout.ratings_file for layout in LAYOUTS)


def detect_layout(blob: Blob) -> Layout | None:
    return next((layout for layout in LAYOUTS if layout.matches(blob)), None)
