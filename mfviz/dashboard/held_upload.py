"""The uploaded file that is the session's data, kept after its uploader empties (on leaving the Data page), so
that Column mapping stays open on it when the page is shown again: on disk, not in session memory."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from mfviz.cache_dir import default_cache_dir
from mfviz.dashboard.background import current_session, session_gone

HELD = "mfviz.held_upload"
HELD_ITEMS = "mfviz.held_items"  # the item table read with it: Column mapping reads the two again together
FOLDER = "held_uploads"  # under the project's cache folder
SUFFIX = ".upload"
# A file's name starts "<server pid>_<session id>_": a sweep (on every Data page run that holds or looks for a file)
# deletes this server's files of sessions gone (disconnected 30 s: background.session_gone) and the files of servers
# no longer running. Older than this, a file is deleted whatever its name says (a pid taken again by another process).
STALE_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True, eq=False)
class HeldUpload:
    """An upload's name and where its bytes wait, read as the uploader's file is (`.name`, `.getvalue()`).

    Session memory holds this much only: an upload may be 200 MB (the upload limit), and its bytes stayed in
    every session's memory for as long as the upload was its data. The file goes when other data takes its place
    (`release`); when the session ends, at the next sweep (a closed tab's session state was still referenced
    minutes later, so its finalizer alone is not relied on); when this object is collected."""

    name: str
    path: Path
    content_key: str

    def getvalue(self) -> bytes:
        return self.path.read_bytes()


def folder() -> Path:
    return default_cache_dir() / FOLDER


def hold(name: str, content: bytes, content_key: str, slot: str = HELD) -> None:
    """Keep the file in the uploader (one per slot: a new upload replaces the one held, whose file goes)."""
    kept = st.session_state.get(slot)
    if kept is not None and kept.content_key == content_key and kept.name == name and kept.path.exists():
        return
    release(slot)
    path = _spill(content, content_key)
    if path is not None:  # else nothing is held: Column mapping asks for the file again after leaving the page
        kept = HeldUpload(name, path, content_key)
        weakref.finalize(kept, _delete, path)
        st.session_state[slot] = kept


def held(upload_key: str | None, data_name: str) -> HeldUpload | None:
    """The file held, while it is still the session's data: the last upload parsed was its bytes (the key starts
    with their hash) and the data bears its name; None (and the file deleted) once other data took its place."""
    _sweep()
    kept = st.session_state.get(HELD)
    if kept is None:
        return None
    if not upload_key or not upload_key.startswith(kept.content_key) or data_name != kept.name or \
            not kept.path.exists():
        release()
        return None
    return kept


def held_items() -> HeldUpload | None:
    """The item table read with the file `held` returns (ask `held` first: it lets both go once other data took
    their place); None when the interactions came alone."""
    kept = st.session_state.get(HELD_ITEMS)
    if kept is None or HELD not in st.session_state or not kept.path.exists():
        return None
    return kept


def release(*slots: str) -> None:
    """Forget the files held and delete them (Back, a workspace opened, another upload): both unless named."""
    for slot in slots or (HELD, HELD_ITEMS):
        kept = st.session_state.pop(slot, None)
        if kept is not None:
            _delete(kept.path)


def _spill(content: bytes, content_key: str) -> Path | None:
    """The bytes written to a file of this session's own (two sessions may hold one upload), readable by this
    user only; None when the cache folder cannot take it (full, read-only)."""
    try:
        folder().mkdir(parents=True, exist_ok=True)
        _sweep()
        handle, name = tempfile.mkstemp(prefix=f"{os.getpid()}_{current_session()}_{content_key}-", suffix=SUFFIX,
                                        dir=folder())
    except OSError:
        return None
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
    except OSError:
        _delete(path)
        return None
    return path


def _sweep() -> None:
    """Delete the files of sessions gone, of servers stopped, and any older than STALE_SECONDS."""
    cutoff = time.time() - STALE_SECONDS
    for file in folder().glob("*" + SUFFIX) if folder().is_dir() else ():
        pid, session, *_ = file.name.split("_", 2) + ["", ""]
        mine = pid == str(os.getpid())
        with contextlib.suppress(OSError):
            if (mine and session_gone(session)) or (not mine and not _running(pid)) or file.stat().st_mtime < cutoff:
                file.unlink()


def _running(pid: str) -> bool:
    """Whether a process with this id runs (on this machine: the cache folder may be shared by servers)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, as another user
        return True
    return True


def _delete(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
