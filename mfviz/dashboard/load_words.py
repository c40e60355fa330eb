"""The loader's report and advice in the Data page's words: the page's controls named where load_interactions'
keywords were, and server-side folders cut down to file names."""

from __future__ import annotations

import re

from mfviz.data import report

# The loader's advice names load_interactions' keywords; on the Data page the same choices are widgets.
PAGE_WORDS = {
    report.DROP_BAD_ROWS: "Or set bad rows to “drop them and count them” under Column mapping below.",
    report.DELIMITER_OR_DROP: "pick the delimiter, or set bad rows to “drop them and count them”, under Column "
                              "mapping below.",
    report.ADD_ITEMS: "add them with Item metadata (optional) on the Data page.",
    report.NAME_COLUMNS: "Pick which column is which under Column mapping below.",
    report.USE_COLUMN: "To use one, pick it under Column mapping below.",
    report.TITLE_CHOICE: "pick the column of titles as “item titles” under Column mapping below (with an uploaded interactions "
                         "file), or name it “title” in the item table and drop it on Item metadata (optional) again.",
    report.TIMESTAMP_CHOICE: "pick the timestamp column under Column mapping below (“none” for no timestamp).",
    report.ITEM_TABLE_HINT: "It looks like an item table (titles or genres, no user column): drop it on Item "
                            "metadata (optional) instead, next to an interactions file of user, item and rating "
                            "columns.",
}
# The loader's other advice names keywords inside sentences of its own; these put the page's controls in
# their place, most specific first ("load with explicit=True;" of a file that cannot load must not become
# advice to use Prepare, which works on loaded data only).
PAGE_PATTERNS = [
    (re.compile(r"load with out_of_scale='(drop|keep)' \(the Data page: Column mapping, ratings outside the scale\)"),
     lambda found: "set ratings outside the scale to “" + {"drop": "drop them and count them",
                                                          "keep": "keep them as ratings"}[found[1]] + "” under Column mapping"),
    (re.compile(r"load with zeros='keep'"), "set rows whose value is 0 to “keep them as interactions” under Column mapping"),
    (re.compile(r"load with zeros='drop'"), "set rows whose value is 0 to “drop them all” under Column mapping"),
    (re.compile(r"load with explicit=(?:True|False) \(the Data page: (Treat values as) ([^)]*)\)"),
     r"pick “\1: \2” under Prepare and press Apply"),
    (re.compile(r"If these are ratings, load with explicit=True;"),
     "If these are ratings, start the dashboard on the file with `mfviz dashboard FILE --explicit` (an upload is "
     "read before Prepare can treat its values as ratings);"),
    (re.compile(r"load with explicit=True"), "pick “Treat values as: explicit ratings” under Prepare and press Apply"),
    (re.compile(r"load with explicit=False"), "pick “Treat values as: implicit feedback” under Prepare and press Apply"),
    (re.compile(r"\bon_bad_rows='drop'"), "bad rows “drop them and count them” (Column mapping)"),
    (re.compile(r"\bencoding='([^']*)'"), r"encoding “\1” under Column mapping"),
    (re.compile(r"\bheader=\.\.\."), "the header line (Column mapping)"),
    (re.compile(r"\b(user|item|rating|timestamp|delimiter)=\.\.\."), r"the \1 (Column mapping)"),
]


def page_words(text: str) -> str:
    """A loader message with the Data page's names for the choices it advises: the page shows only its
    own words (the CLI puts its option names in their place, mfviz.cli.options)."""
    for advice, words in PAGE_WORDS.items():
        text = text.replace(advice, words)
    for pattern, words in PAGE_PATTERNS:
        text = pattern.sub(words, text)
    return text


def plain_report(lines) -> list[str]:
    """The load report for the page: server-side folders cut down to file names, the page's words."""
    # a path starts after a space or a bracket: a date's slashes (13/02/2020) are not folders
    # (and a relative one from ./, ../ or ~/: `mfviz dashboard ../shared/.../u.data` showed the whole path)
    return [page_words(re.sub(r"(?<![\w/.])(?:(?:\.{1,2}|~)(?:/[^\s/()]+)*|(?:/[^\s/()]+)+)/([^\s/()]+)", r"\1", line))
            for line in lines]
