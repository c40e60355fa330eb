"""Which column is which: the user, item, rating and timestamp columns found by override, name or position."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from mfviz.data.report import ITEM_TABLE_HINT, NAME_COLUMNS, TIMESTAMP_CHOICE
from mfviz.errors import DataError

# One batch's column, as Arrow or pandas hands it over.
Column = pa.Array | pa.ChunkedArray | pd.Series


# Column names (lower case, letters and digits only) that say which role a column plays.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "user": ("user", "userid", "users", "uid", "visitorid", "visitor", "customer", "customerid",
             "client", "clientid", "member", "memberid", "reviewerid", "reviewer", "account",
             "accountid", "person", "personid", "profileid", "subscriberid", "viewerid",
             "listenerid", "readerid", "sessionid", "session", "u"),
    "item": ("item", "itemid", "items", "iid", "movieid", "movie", "artistid", "artist",
             "product", "productid", "asin", "track", "trackid", "song", "songid", "book",
             "bookid", "isbn", "article", "articleid", "contentid", "video", "videoid", "sku",
             "objectid", "businessid", "gameid", "animeid", "recipeid", "placeid", "poiid",
             "stockcode", "courseid", "newsid", "docid", "pageid", "i"),
    "rating": ("rating", "ratings", "score", "weight", "count", "counts", "plays", "playcount",
               "value", "stars", "star", "rate", "preference", "feedback", "clicks", "views",
               "quantity", "qty", "listens", "listencount", "frequency", "freq", "r",
               "bookrating", "userrating", "interactions", "overall", "liked", "like", "clicked",
               "purchased", "favorite", "favourite", "purchases", "visits", "amount"),
    "timestamp": ("timestamp", "time", "date", "datetime", "ts", "unixtime", "unixtimestamp", "unixreviewtime",
                  "epoch", "created", "createdat", "eventtime", "ratedat", "day", "t"),
}
# When no name matches exactly, a column whose name contains one of these words is taken.
NAME_WORDS = {"user": ("user", "visitor", "customer"),
              "item": ("item", "movie", "product", "artist", "track", "book"),
              "rating": ("rating", "score", "weight", "count"),
              "timestamp": ("time", "date")}
# An item table's title and genres columns.
TITLE_NAMES = ("title", "name", "movietitle", "itemname", "artistname", "productname", "booktitle",
               "label", "trackname", "songname")
GENRE_NAMES = ("genres", "genre", "categories", "category", "tags", "tag", "shelves", "subjects", "keywords",
               "topics")
# Names that make a file's first line a header when one of its fields is one.
HEADER_WORDS = {w for words in SYNONYMS.values() for w in words if len(w) > 1} | {"id"} | set(TITLE_NAMES) | set(GENRE_NAMES)
ROLES = ("user", "item", "rating", "timestamp")
# Value columns whose name says they count events (how many, how often), not rate them: implicit
# feedback even when the values look like a rating scale (quantities 1-3).
COUNT_NAMES = frozenset({"count", "counts", "plays", "playcount", "clicks", "views", "quantity", "qty", "listens",
                         "listencount", "frequency", "freq", "interactions", "purchases", "visits", "sessions"})


def normalize_name(name: str) -> str:
    """A column name as the name lists above write it: lower case, letters and digits only ("User ID" -> "userid")."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def map_columns(names: list[str], has_header: bool, sample: list[list[str]], overrides: dict,
                 source: str, notes: list[str] | None = None) -> dict[str, str | None]:
    """Which column holds the user, item, rating and timestamp: overrides first, then names, then (with a
    header and no timestamp named so) a column of dates or Unix seconds by its content, said in `notes`, then
    (without a header) positions."""
    if not names:
        raise DataError(f"{source}: no columns found; interactions need a user and an item column.")
    columns: dict[str, str | None] = {}
    for role in ROLES:
        given = overrides[role]
        if given is False:
            columns[role] = None
        elif given is None or given is True:
            continue
        elif isinstance(given, int) and not isinstance(given, bool):
            if not 0 <= given < len(names):
                raise DataError(f"{source}: {role}={given} is not a column position; the file has "
                                f"{len(names)} columns (positions 0 to {len(names) - 1}).")
            columns[role] = names[given]
        elif str(given) in names:
            columns[role] = str(given)
        else:
            raise DataError(f"{source}: no column {given!r} for {role}=...; the columns are "
                            f"{names}. Name one of them, or give a 0-based position.")
    given = [(role, c) for role, c in columns.items() if c is not None]
    for k, (role, name) in enumerate(given):
        other = next((r for r, c in given[:k] if c == name), None)
        if other is not None:
            raise DataError(f"{source}: column {name!r} was given for both {other} and {role}; "
                            f"each role needs its own column (the columns are {names}).")
    taken = {c for c in columns.values() if c is not None}
    free = [n for n in names if n not in taken]
    if has_header:
        normalized = {n: normalize_name(n) for n in free}
        for role in ROLES:
            if role in columns:
                continue
            exact = [n for n in free if normalized[n] in SYNONYMS[role] and n not in taken]
            loose = [n for n in free if n not in taken
                     and any(w in normalized[n] for w in NAME_WORDS[role])]
            found = (exact or loose or [None])[0]
            columns[role] = found
            if found is not None:
                taken.add(found)
        if columns["user"] is None or columns["item"] is None:
            missing = [r for r in ("user", "item") if columns[r] is None]
            what = "no recognisable columns" if all(columns[r] is None for r in ROLES) else \
                f"no {' or '.join(missing)} column"
            described = {normalize_name(n) for n in names} & {*TITLE_NAMES, *GENRE_NAMES}
            hint = f" {ITEM_TABLE_HINT}" if described and columns["user"] is None else ""
            raise DataError(f"{source}: {what} among {names}.{hint} {NAME_COLUMNS}")
        if columns["timestamp"] is None and "timestamp" not in overrides_given(overrides):
            found = time_by_content(names, sample, taken)
            if found is not None:
                columns["timestamp"] = found[0]
                if notes is not None:
                    notes.append(f"No column is named like a timestamp; column {found[0]!r} holds {found[1]} (such as "
                                 f"{found[2]}): taken as the timestamp. If that is wrong, {TIMESTAMP_CHOICE}")
        return columns
    # no header: user, item, then rating and timestamp by position
    positional = [n for n in names if n not in taken]
    for role in ("user", "item"):
        if role not in columns:
            if not positional:
                raise DataError(f"{source}: only {len(names)} column(s); interactions need a user "
                                "and an item column.")
            columns[role] = positional.pop(0)
    for role in ("rating", "timestamp"):
        if role in columns:
            continue
        if not positional:
            columns[role] = None
            continue
        candidate = positional[0]
        if role == "rating" and _looks_like_time(sample, names.index(candidate)) \
                and "timestamp" not in columns:
            columns["rating"] = None
            continue
        columns[role] = positional.pop(0)
    return columns


def sample_rows(frame: pd.DataFrame, rows: int = 100) -> list[list[str]]:
    """A frame's first rows as text (missing values as ""), as a delimited file's sample is: a timestamp
    column typed as dates reads as ISO text (2020-04-03 15:55:49)."""
    def text(value) -> str:
        missing = pd.isna(value)  # an array for a cell holding a list (an id that is a container)
        return "" if not hasattr(missing, "__len__") and bool(missing) else str(value)

    return [[text(v) for v in row] for row in frame.head(rows).itertuples(index=False, name=None)]


def overrides_given(overrides: dict) -> set[str]:
    """The roles the caller named (a column, a position, or False for none)."""
    return {role for role in ROLES if overrides.get(role) is not None and overrides.get(role) is not True}


# Unix seconds an interaction log plausibly holds: 1995-01-01 to 2100-01-01 (ids and counts fall outside)
PLAUSIBLE_SECONDS = (788_918_400, 4_102_444_800)
# ISO 8601 dates, with a time or not: 2020-04-03, 2020-04-03T15:55:49Z, 2020-04-03 15:55:49.123+02:00
ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def time_by_content(names: list[str], sample: list[list[str]], taken: set[str]) -> tuple[str, str, str] | None:
    """(name, what it holds, an example) of the first column no role took whose sampled values are all ISO dates
    or all Unix seconds in a plausible range (several distinct); None when none is. A column named like an id
    is passed over: 10-digit ids look like seconds."""
    for position, name in enumerate(names):
        if name in taken or normalize_name(name).endswith("id"):
            continue
        values = pd.Series([row[position] for row in sample[:200] if position < len(row)], dtype=object)
        values = values[values.notna() & (values.astype(str).str.strip() != "")].astype(str).str.strip()
        if len(values) < 2 or values.nunique() < 2:
            continue
        if values.str.fullmatch(ISO_DATE).all() and pd.to_datetime(values, errors="coerce", format="ISO8601",
                                                                    utc=True).notna().all():
            return name, "ISO dates" + (" and times" if values.str.len().max() > 10 else ""), values.iloc[0]
        numbers = pd.to_numeric(values, errors="coerce")
        low, high = PLAUSIBLE_SECONDS
        if numbers.notna().all() and (numbers == numbers.round()).all() and numbers.between(low, high).all():
            return name, "whole numbers that read as Unix seconds from 1995 to 2100", values.iloc[0]
    return None


def _looks_like_time(sample: list[list[str]], position: int) -> bool:
    """True when a column holds Unix seconds (all > 1e8) or dates rather than ratings."""
    values = [row[position] for row in sample[:50] if position < len(row)]
    if not values:
        return False
    numeric = pd.to_numeric(pd.Series(values), errors="coerce")
    if numeric.notna().all():
        return bool((numeric > 1e8).all())
    return bool(pd.to_datetime(pd.Series(values), errors="coerce", format="mixed").notna().mean() > 0.9)


def check_frame(frame: pd.DataFrame, name: str, needs: str) -> None:
    """DataError for a DataFrame with no columns or with two columns of one name (which
    column holds the ids would be a guess)."""
    if len(frame.columns) == 0:
        raise DataError(f"{name}: the DataFrame has no columns; give one with {needs}.")
    names = pd.Index([str(c) for c in frame.columns])
    if names.has_duplicates:
        repeated = sorted(set(names[names.duplicated()]))
        raise DataError(f"{name}: the DataFrame has more than one column named "
                        f"{', '.join(map(repr, repeated))}; rename or drop the extra ones.")


def frame_value_columns(frame: pd.DataFrame, user, item, rating, timestamp, source: str,
                        notes: list[str] | None = None) -> tuple:
    """(rating, timestamp) column labels of a DataFrame whose user and item columns are known, found as
    load_interactions finds them: a label given is kept, False means none, None looks for one by name (and a
    timestamp, else, by content, said in `notes`). A label found is the frame's own (not its text)."""
    if rating is not None and timestamp is not None:
        return (None if rating is False else rating), (None if timestamp is False else timestamp)
    labels = {str(c): c for c in frame.columns}
    def given(col):  # map_columns takes text names, False for none and None for "look for one"
        return col if col is None or col is False else str(col)
    overrides = {"user": str(user), "item": str(item), "rating": given(rating), "timestamp": given(timestamp)}
    found = map_columns(list(labels), True, sample_rows(frame), overrides, source, notes)
    return tuple(None if found[role] is None else labels[found[role]] for role in ("rating", "timestamp"))
