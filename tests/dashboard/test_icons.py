"""Every icon the dashboard draws is a Streamlit material icon, never an emoji: on a machine without an
emoji font (headless Chromium here, many projector laptops) an emoji icon is an empty box."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def icon_strings(path: Path) -> list[tuple[int, str]]:
    """(line, value) of every string constant passed as icon= or page_icon= in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("icon", "page_icon") and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    found.append((keyword.value.lineno, keyword.value.value))
    return found


def test_every_icon_is_a_material_icon():
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "mfviz" / "dashboard").glob("*.py"))]
    emoji = [f"{path.relative_to(ROOT)}:{line}: {value!r}" for path in files
             for line, value in icon_strings(path) if not value.startswith(":material/")]
    assert not emoji, emoji
    assert sum(len(icon_strings(path)) for path in files) > 20  # the check sees the icons it should
