"""The uploaded file that is the session's data, kept after its uploader empties (on leaving the Data page), so
that Column mapping stays open on it when the page is shown again."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

HELD = "mfviz.held_upload"


@dataclass(frozen=True)
class HeldUpload:
    """An upload's name and bytes, read as the uploader's file is (`.name`, `.getvalue()`)."""

    name: str
    content: bytes
    content_key: str

    def getvalue(self) -> bytes:
        return self.content


def hold(name: str, content: bytes, content_key: str) -> None:
    """Keep the file in the uploader (one at a time: a new upload replaces the one held)."""
    kept = st.session_state.get(HELD)
    if kept is None or kept.content_key != content_key or kept.name != name:
        st.session_state[HELD] = HeldUpload(name, content, content_key)


def held(upload_key: str | None, data_name: str) -> HeldUpload | None:
    """The file held, while it is still the session's data: the last upload parsed was its bytes (the key starts
    with their hash) and the data bears its name; None once other data took its place (Back, a workspace)."""
    kept = st.session_state.get(HELD)
    if kept is None or not upload_key or not upload_key.startswith(kept.content_key) or data_name != kept.name:
        return None
    return kept
