"""Items' release years from their metadata: a year or date column, else a "(1995)" at the end of the titles."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mfviz.data.columns import normalize_name

# Half the items at least: the year ρ and the ends' median years are taken over the items with a year, and a
# name such as "older items" speaks for the whole dimension; with fewer, the minority with a year (the films
# of a catalogue of films and series, say) would speak for a catalogue they may not resemble.
ENOUGH_YEARS = 0.5
# Years outside it are codes, not years: Book-Crossing writes 0 for an unknown year; ancient works written as
# negative years (Goodreads) are lost, which a rank correlation over the rest hardly notices.
EARLIEST, LATEST = 1000, 2100
TITLE_YEAR = r"\((\d{4})(?:\s*[-–]\s*\d{0,4})?\)\s*$"  # "Toy Story (1995)", a series' "(2006–2007)" by its first


def item_years(items: pd.DataFrame | None) -> np.ndarray | None:
    """Release year per row of an item table (float64, NaN where unknown), or None when under half have one."""
    if items is None or len(items) == 0:
        return None
    for years in _candidates(items):
        if np.isfinite(years).mean() >= ENOUGH_YEARS:
            return years
    return None


def _candidates(items: pd.DataFrame):
    """Each source of years in turn: columns named for a year, then for a date, then the titles."""
    names = {column: normalize_name(column) for column in items.columns}
    for column, name in names.items():
        if "year" in name:
            yield _plausible(_year_values(items[column]))
    for column, name in names.items():
        if "date" in name or name == "released":
            yield _plausible(_date_years(items[column]))
    if "title" in items.columns:
        found = items["title"].astype("string").str.extract(TITLE_YEAR, expand=False)
        yield _plausible(pd.to_numeric(found, errors="coerce").to_numpy(np.float64))


def _year_values(column: pd.Series) -> np.ndarray:
    """A year column's values: numbers ("1995" as text too), or the year of dates stored as dates."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.year.to_numpy(np.float64)
    try:
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(np.float64)
    except (TypeError, ValueError):  # lists or other objects in a column named "years"
        return np.full(len(column), np.nan)
    return np.where(numbers == np.round(numbers), numbers, np.nan)  # 1995.5 is no year


def _date_years(column: pd.Series) -> np.ndarray:
    """The years of a date column written as text ("01-Jan-1995", "2014-06-05") or stored as dates. Numbers are
    left out: as Unix seconds or as YYYYMMDD they give other years, and nothing here says which they are."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.year.to_numpy(np.float64)
    if pd.api.types.is_numeric_dtype(column):
        return np.full(len(column), np.nan)
    with warnings.catch_warnings():  # "could not infer format": every value is then read on its own, as wanted
        warnings.simplefilter("ignore", UserWarning)
        dates = pd.to_datetime(column.astype("string"), errors="coerce", format="mixed", utc=True)
    return dates.dt.year.to_numpy(np.float64)


def _plausible(years: np.ndarray) -> np.ndarray:
    return np.where((years >= EARLIEST) & (years <= LATEST), years, np.nan)
