"""The README stays true: set-up commands, pages, models and their hyperparameters with defaults."""

import re
from pathlib import Path

from mfviz.models import MODELS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_two_setup_commands_exist_in_the_makefile():
    assert "make run" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_page_is_listed():
    titles = re.findall(r'st\.Page\("[^"]+", title="([^"]+)"', (ROOT / "app.py").read_text())
    assert len(titles) == 7
    for title in titles:
        assert f"**{title}**" in README, title


def test_every_model_and_hyperparameter_with_its_default():
    for name, cls in MODELS.items():
        assert f"(`{name}`," in README, name
        for key, spec in cls.params.items():
            assert f"| `{key}` | `{spec.default!r}` |" in README, f"{name}.{key}"
