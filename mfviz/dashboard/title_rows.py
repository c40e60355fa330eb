"""Rows tall enough for a table's long titles to wrap onto a second line instead of being cut at the column's edge."""

from __future__ import annotations

import numpy as np

ROW = 35  # px of a table's row (and of its header), Streamlit's default
# Streamlit wraps a text cell only in rows taller than 4rem (64 px): a title of MovieLens 100K ("Englishman Who Went
# Up a Hill, But Came Down a Mountain, The (1995)") was cut to its first 27 characters at 1,280 px.
WRAPPED = 65
CHARACTER, PADDING = 6.2, 17  # px: a character of a title at the tables' 14 px (wide letters count for the narrow)
SHOWN_ROWS = 10  # rows of wrapped titles a table shows before it scrolls (Streamlit's own height shows about 10)


def fits(titles, width: int) -> bool:
    """Whether every title fits a column `width` px wide on one line (estimated from its length)."""
    longest = max((len(str(title)) for title in titles), default=0)
    return longest * CHARACTER + PADDING <= width


def sizing(rows: int, *columns: tuple[object, int]) -> dict:
    """`st.dataframe` keywords for a table of `rows` rows whose title columns are `columns` ((titles, width px), ...):
    nothing when every title fits, else rows tall enough to wrap them, the table as tall as `SHOWN_ROWS` of them."""
    if all(fits(np.asarray(titles, object).ravel(), width) for titles, width in columns):
        return {}
    return {"row_height": WRAPPED, "height": ROW + WRAPPED * min(rows, SHOWN_ROWS) + 3}
