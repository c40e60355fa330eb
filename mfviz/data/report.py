"""The load report: what was read, what was dropped and why, in words a user can read."""

from __future__ import annotations

from dataclasses import dataclass, field

# Advice in the loader's messages that names load_interactions' keywords; the dashboard shows its own
# widgets' names in their place (mfviz.dashboard.load_words.page_words), so the texts are kept here, once.
DROP_BAD_ROWS = "Or load with on_bad_rows='drop' to drop these rows (they will be counted in the load report)."
DELIMITER_OR_DROP = "give the delimiter with delimiter=..., or load with on_bad_rows='drop' to drop them."
ADD_ITEMS = "pass items=... to add them."
NAME_COLUMNS = "Say which column is which with user=... and item=... (and rating=..., timestamp=...)."
TIMESTAMP_CHOICE = "say which column is the timestamp with timestamp=... (timestamp=False for none)."
TITLE_CHOICE = "say which column holds the titles with title=... (a column name or 0-based position)."
USE_COLUMN = "To use one, name it with rating=... or timestamp=...."
ITEM_TABLE_HINT = ("It looks like an item table (titles or genres, no user column): pass it as items=..., with an "
                   "interactions file of user, item and rating columns.")
# What went wrong in an item table, kept with it (`DataFrame.attrs`) until a load report takes it;
# each such warning starts so, so that a report can drop those of a table it no longer uses.
ITEM_TABLE_WARNINGS = "warnings"
ITEM_TABLE_WARNING = "Item table "
# Where an item table's titles came from when no column was named so, kept as its warnings are
ITEM_TABLE_NOTES = "notes"
# What merging the rows of one (user, item) pair does to its value, by duplicates policy
MERGE_EFFECTS = {"sum": "summed", "mean": "averaged", "max": "the largest value kept",
                 "last": "the latest row's value (by its timestamp) kept"}


def number_words(value: float) -> str:
    """A value as a report writes it: 200,918 (thousands separated, never 2.00918e+05), 4.5, 0.25."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.6g}"


@dataclass
class LoadReport:
    """Counts and notes collected while turning a file into an Interactions container."""

    source: str = "<data>"
    format: str = "unknown"
    rows_read: int = 0
    rows_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # notes a user must not miss: data likely misread
    columns: dict[str, str | None] = field(default_factory=dict)
    duplicates_policy: str | None = None
    duplicates_merged: int = 0
    metadata_join_rate: float | None = None
    # the values the models get after merging, (low, high, steps): the file's rows may say otherwise (27 clicks
    # at most in a row, 200,918 summed over a pair); None when nothing was merged
    merged_values: tuple[float, float, str] | None = None
    merged_stamps: bool = False  # merged pairs kept their latest timestamp (the file had timestamps)

    @property
    def rows_dropped(self) -> int:
        return sum(self.dropped.values())

    def drop(self, reason: str, count: int) -> None:
        """Record `count` rows dropped for `reason` (zero counts are ignored)."""
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(count)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def warn(self, text: str) -> None:
        """A note the dashboard shows as a warning: something in the file is likely misread."""
        self.warnings.append(text)

    def lines(self) -> list[str]:
        """The report as plain sentences, for the CLI and the dashboard."""
        out = [f"Read {self.rows_read:,} rows from {self.source} ({self.format})."]
        if self.columns:
            mapped = ", ".join(f"{k} = {v!r}" for k, v in self.columns.items() if v is not None)
            out.append(f"Columns used: {mapped}.")
        for reason, count in self.dropped.items():
            out.append(f"Dropped {count:,} row{'s' if count != 1 else ''}: {reason}.")
        if self.duplicates_merged:
            out.append(self.merge_words())
        if self.metadata_join_rate is not None:
            out.append(f"Item metadata found for {self.metadata_join_rate:.1%} of items.")
        out.extend(self.notes)
        out.extend(self.warnings)
        out.append(f"Kept {self.rows_kept:,} interactions.")
        return out

    def merge_words(self) -> str:
        """"Merged 12 duplicate (user, item) rows with policy 'sum': summed, the values are now 1 to 200,918 in whole
        steps. Each merged pair keeps its latest timestamp: …" (what the models and the time charts get)."""
        said = f"Merged {self.duplicates_merged:,} duplicate (user, item) rows with policy '{self.duplicates_policy}'"
        if self.merged_values is not None:
            low, high, steps = self.merged_values
            effect = MERGE_EFFECTS.get(self.duplicates_policy or "", "merged")
            if self.duplicates_policy == "last" and not self.merged_stamps:  # no times: "latest" is the file's order
                effect = "the value of the pair's last row in the file kept"
            said += (f": {effect}, the values the models get are now {number_words(low)} to {number_words(high)}"
                     f"{' ' + steps if steps else ''}")
        said += "."
        if self.merged_stamps:
            said += (" Each merged pair keeps its latest timestamp: the timeline and a split by time see its last "
                     "interaction only.")
        return said

    def __str__(self) -> str:
        return "\n".join(self.lines())

