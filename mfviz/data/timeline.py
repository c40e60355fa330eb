"""When the interactions happened: their first and last date, counts per day, month or year, and stray clocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mfviz.kernels.timeline import DAY, count_per_day

# A timestamp this far from the middle 99.8% of them is likely a wrong clock (a device reset to 1970,
# a year typed 2102), not an early or late interaction.
STRAY_DAYS = 365
STRAY_SHARE = 0.001


@dataclass(frozen=True)
class Timeline:
    """Interactions over time. counts: columns start (the period's first day) and count, every
    period from the first to the last, empty ones included."""

    first: pd.Timestamp
    last: pd.Timestamp
    period: str  # "day", "month" or "year"
    counts: pd.DataFrame
    stray_before: int  # interactions more than STRAY_DAYS before the bulk
    stray_after: int
    bulk_first: pd.Timestamp  # the first and last day of the middle 99.8%
    bulk_last: pd.Timestamp

    @property
    def busiest(self) -> tuple[pd.Timestamp, int]:
        row = int(self.counts["count"].to_numpy().argmax())
        return self.counts["start"].iloc[row], int(self.counts["count"].iloc[row])


def timeline(timestamps: np.ndarray) -> Timeline | None:
    """Counts per day over the whole span (one pass of a kernel: cheap for 20M stamps), then per
    month or year from those day counts, whichever gives a readable chart."""
    stamps = np.asarray(timestamps, np.int64)
    if stamps.size == 0:
        return None
    first_day, last_day = int(stamps.min()) // DAY, int(stamps.max()) // DAY
    per_day = count_per_day(stamps, first_day, last_day - first_day + 1)
    day_numbers = first_day + np.arange(per_day.size)
    share = np.cumsum(per_day) / stamps.size
    bulk_low = int(day_numbers[np.searchsorted(share, STRAY_SHARE, side="right")])
    bulk_high = int(day_numbers[min(np.searchsorted(share, 1 - STRAY_SHARE, side="left"), per_day.size - 1)])
    stray_before = int(per_day[day_numbers < bulk_low - STRAY_DAYS].sum())
    stray_after = int(per_day[day_numbers > bulk_high + STRAY_DAYS].sum())
    span_days = per_day.size
    period, unit = ("day", "D") if span_days <= 92 else ("month", "M") if span_days <= 25 * 366 else ("year", "Y")
    starts = day_numbers.astype("datetime64[D]").astype(f"datetime64[{unit}]")
    codes, bins = np.unique(starts, return_inverse=True)
    every = np.arange(codes[0], codes[-1] + 1)  # empty periods too: a gap is worth seeing
    counts = np.zeros(every.size, np.int64)
    np.add.at(counts, (codes - codes[0]).astype(np.int64)[bins], per_day)
    return Timeline(first=pd.Timestamp(int(stamps.min()), unit="s"), last=pd.Timestamp(int(stamps.max()), unit="s"),
                    period=period, counts=pd.DataFrame({"start": pd.to_datetime(every.astype("datetime64[D]")),
                                                        "count": counts}),
                    stray_before=stray_before, stray_after=stray_after,
                    bulk_first=pd.Timestamp(bulk_low * DAY, unit="s"), bulk_last=pd.Timestamp(bulk_high * DAY, unit="s"))


def period_words(start: pd.Timestamp, period: str) -> str:
    return {"day": f"{start:%Y-%m-%d}", "month": f"{start:%Y-%m}", "year": f"{start:%Y}"}[period]


def span_words(line: Timeline) -> str:
    """"From 1997-09-20 to 1998-04-23 (7 months); the busiest month, 1997-11, holds 24,000 interactions (24%)"
    and, when some lie far from the rest, how many and where."""
    days = (line.last.normalize() - line.first.normalize()).days + 1  # calendar days, both ends counted
    length = f"{days:,} day{'s' if days != 1 else ''}" if days < 92 else \
        f"{days / 30.44:.0f} months" if days < 2 * 365 else f"{days / 365.25:.1f} years"
    start, count = line.busiest
    total = int(line.counts["count"].sum())
    said = (f"From {line.first:%Y-%m-%d} to {line.last:%Y-%m-%d} ({length}); the busiest {line.period}, "
            f"{period_words(start, line.period)}, holds {count:,} interactions ({count / total:.0%}).")
    strays = []
    if line.stray_before:
        strays.append(f"{line.stray_before:,} more than a year before the rest (from {line.first:%Y-%m-%d})")
    if line.stray_after:
        strays.append(f"{line.stray_after:,} more than a year after the rest (up to {line.last:%Y-%m-%d})")
    if strays:
        said += (f" The rest lie between {line.bulk_first:%Y-%m-%d} and {line.bulk_last:%Y-%m-%d}, but "
                 + " and ".join(strays) + ": a wrong clock? A split by time would put them first or last.")
    return said
