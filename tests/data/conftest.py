"""Fixture files for the data tests, written into tmp_path (never real datasets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k"

# (user, item, rating, timestamp): 4 users, 5 items, every user and item seen at least twice
ROWS = [
    (1, 10, 5.0, 881250949), (1, 20, 3.0, 881250950), (1, 30, 4.0, 881250951),
    (2, 10, 4.0, 891717742), (2, 40, 1.0, 891717743),
    (3, 20, 2.0, 878887116), (3, 30, 5.0, 878887117), (3, 50, 3.0, 878887118),
    (4, 40, 4.0, 880606923), (4, 50, 1.0, 880606924), (4, 10, 2.0, 880606925),
]


def as_dict(interactions) -> dict:
    """{(user id, item id): value} from a container, ids as Python ints or strings."""
    coo = interactions.matrix.tocoo()
    users, items = interactions.user_ids.tolist(), interactions.item_ids.tolist()
    return {(users[r], items[c]): float(v) for r, c, v in zip(coo.row, coo.col, coo.data, strict=True)}


EXPECTED = {(u, i): r for u, i, r, _ in ROWS}


def write_rows(path: Path, delimiter: str = ",", header: str | None = "user,item,rating,timestamp",
               rows=ROWS, encoding: str = "utf-8") -> Path:
    lines = [] if header is None else [header.replace(",", delimiter)]
    lines += [delimiter.join(str(v if not isinstance(v, float) else int(v)) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def ml100k_dir(tmp_path: Path) -> Path:
    """A tiny folder in the MovieLens 100K layout (u.data, u.item latin-1, u.genre)."""
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    write_rows(folder / "u.data", "\t", None)
    genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
              "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
              "Romance", "Sci-Fi", "Thriller", "War", "Western"]
    (folder / "u.genre").write_text("".join(f"{g}|{k}\n" for k, g in enumerate(genres)))
    lines = []
    for item, title, flags in ((10, "Toy Story (1995)", (3, 4, 5)), (20, "GoldenEye (1995)", (1, 2, 16)),
                               (30, "Café Society (1995)", (8,)), (40, "Heat (1995)", (1, 6, 16)),
                               (50, "Babe (1995)", (4, 5, 8))):
        bits = ["1" if k in flags else "0" for k in range(19)]
        lines.append("|".join([str(item), title, "01-Jan-1995", "", "http://x"] + bits))
    (folder / "u.item").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return folder


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
