"""What every new dashboard session starts on: the built-in demo, or the data and models `mfviz dashboard` was given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Start:
    """The dataset a session opens with (shared read-only by every session of the server) and the
    models that come with it, as (display name, model) pairs."""

    interactions: Any  # mfviz.Interactions
    name: str  # what the sidebar shows: "demo catalogue" or the file's name
    is_demo: bool
    models: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    entries: tuple[Any, ...] = ()  # ModelEntry records of a saved workspace (metrics, splits), `--workspace`
    filters: str = ""  # the workspace's preparation in words ("20-core"), shown with the name
    settings: dict = field(default_factory=dict)  # a workspace's settings: every new session starts with them
    key: str | None = None  # a workspace's own data key, so that links made in the session it was saved from
    #                         still apply (None: the content hash)


_served: Start | None = None


def serve(interactions, name: str, models: tuple[tuple[str, Any], ...] = (), entries: tuple[Any, ...] = (),
          filters: str = "", key: str | None = None, settings: dict | None = None) -> None:
    """Make this data (and these models, already matched to it) what every session starts on. The
    command line calls it before the server starts; it lives as long as the process."""
    global _served
    _served = Start(interactions=interactions, name=name, is_demo=False, models=tuple(models), entries=tuple(entries),
                    filters=filters, key=key, settings=dict(settings or {}))


def served() -> Start | None:
    """The data given on the command line, or None (the demo)."""
    return _served
