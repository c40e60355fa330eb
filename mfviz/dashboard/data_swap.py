"""Replacing the session's data on the Data page: what it would clear, and the question asked before it does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mfviz.dashboard.plain import plain
from mfviz.dashboard.state import DataEntry, array_hash

PENDING = "mfviz.data_pending"  # a Replacement waiting for the user's answer
NOTICES = "mfviz.data_notices"  # [(kind, text)] to show once, after a replacement the user confirmed


@dataclass
class Replacement:
    """New data waiting to replace the session's: `replace` switches to it, `cancelled` tidies up
    when the user keeps the old (empties the uploaders, so the file is not read again)."""

    what: str  # "Loading stars.csv", in the question
    kind: str  # "upload", "items", "back" or "prepare": where the question is shown, and what it follows
    replace: Callable[[], None]
    cancelled: Callable[[], None] | None = None


def models_at_stake(models: dict, given_models=()) -> list:
    """The models a new dataset would clear and that cannot simply come back: not the quick default
    (trained again by itself) nor those the server was started with (back with its data)."""
    return [entry for entry in models.values()
            if not entry.auto and not any(entry.model is model for model in given_models)]


def question(replacement: Replacement, at_stake: list, training: bool = False) -> str:
    """What replacing the data would clear, and how to keep a model through it."""
    longest = max(at_stake, key=lambda entry: entry.fit_seconds)
    count = len(at_stake)
    models = "the model" if count == 1 else f"all {count} models"
    seconds = f"{longest.fit_seconds:,.0f}" if longest.fit_seconds >= 10 else f"{longest.fit_seconds:.1f}"
    took = f"it took {seconds} s to fit" if count == 1 else f"the longest, {plain(longest.name)}, took {seconds} s to fit"
    # "you trained": the quick default is not counted (it comes back by itself), and the sidebar lists it too
    return (f"{replacement.what} replaces the data and clears {models} you trained on it ({took})"
            + (", and stops the training that is running" if training else "") + ". To keep them, cancel and save the "
            "workspace first (Save the workspace, in the sidebar: the data, the models and the settings, opened again "
            "in the Saved workspace box), or download a model as .npz on the Train page.")


# Advice to switch the reading of the values, which Prepare has done: left out of the prepared data's report
SWITCH_ADVICE = re.compile(r"\s*(If they are|If these are)[^.]*“Treat values as:[^”]*” under Prepare and press Apply\.")


def prepared_report(lines: list[str], explicit: bool | None) -> list[str]:
    """The load report of data Prepare has read as ratings or as implicit feedback: its advice to do so gone,
    and what was done said."""
    if explicit is None:
        return lines
    done = f"Prepare: values treated as {'explicit ratings' if explicit else 'implicit feedback'}."
    return [SWITCH_ADVICE.sub("", line) for line in lines] + [done]


def prepared_entry(source: DataEntry, settings: dict) -> DataEntry:
    """`source` after Prepare's settings (min_count, binarize_at, explicit, drop_zeros), as the session keeps it:
    its key follows from the source's and the settings, so the same preparation is the same data."""
    from mfviz.dashboard import cached_data, load_words

    filtered = cached_data.prepared(source.key, source.interactions, settings["min_count"], settings["binarize_at"],
                                    settings["explicit"], settings["drop_zeros"])
    words = ["0 ratings dropped"] if settings["drop_zeros"] else []
    words += [f"binarised at ≥ {settings['binarize_at']:g}"] if settings["binarize_at"] is not None else []
    if settings["min_count"] > 1:
        words.append(f"{settings['min_count']}-core")
    if settings["explicit"] is not None:
        words.append("as ratings" if settings["explicit"] else "as implicit")
    return DataEntry(interactions=filtered, name=source.name, key=array_hash(extra=f"{source.key}|{sorted(settings.items())}"),
                     report_lines=prepared_report(load_words.plain_report(filtered.report.lines()), settings["explicit"]),
                     is_start=source.is_start, filters=", ".join(words))
