"""Deterministic generator of the demo catalogue: made-up films, planted genre taste, power-law popularity.

    python -m mfviz.data.demo --out data     # rewrites data/demo_ratings.csv and data/demo_items.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from mfviz.seeds import accepts_seed

GENRES = ("Action", "Comedy", "Drama", "Romance", "Horror", "Sci-Fi", "Documentary", "Animation",
          "Thriller", "Western", "Musical", "Crime")
# Words per genre, so that titles read like their genre ("The Haunted Cellar", "Galaxy Run").
WORDS = {
    "Action": (("Iron", "Last", "Burning", "Rogue", "Final", "Steel", "Savage", "Broken"),
               ("Strike", "Fury", "Mission", "Vendetta", "Squadron", "Fortress", "Outpost", "Ambush")),
    "Comedy": (("Crazy", "Lucky", "Awkward", "Happy", "Wild", "Clumsy", "Merry", "Silly"),
               ("Wedding", "Weekend", "Neighbours", "Holiday", "Roommates", "Road Trip", "Reunion", "Picnic")),
    "Drama": (("Silent", "Quiet", "Distant", "Long", "Bitter", "Fragile", "Hidden", "Open"),
              ("Harbor", "Winter", "Letters", "Garden", "River", "Orchard", "Inheritance", "Station")),
    "Romance": (("Sweet", "Secret", "Endless", "Paper", "Golden", "Summer", "Second", "Tender"),
                ("Kiss", "Promise", "Heart", "Serenade", "Affair", "Vows", "Rendezvous", "Valentine")),
    "Horror": (("Haunted", "Dead", "Hollow", "Crimson", "Cursed", "Black", "Rotting", "Howling"),
               ("Cellar", "Woods", "Asylum", "Doll", "Ritual", "Manor", "Swamp", "Night")),
    "Sci-Fi": (("Quantum", "Stellar", "Orbital", "Neon", "Infinite", "Dark", "Cyber", "Lunar"),
               ("Galaxy", "Signal", "Colony", "Horizon", "Android", "Nebula", "Paradox", "Frontier")),
    "Documentary": (("Inside", "Untold", "Wild", "Hidden", "True", "Forgotten", "Deep", "Modern"),
                    ("Oceans", "Kitchens", "Empires", "Machines", "Forests", "Cities", "Voices", "Rivers")),
    "Animation": (("Little", "Magic", "Brave", "Tiny", "Flying", "Sleepy", "Jolly", "Wandering"),
                  ("Dragon", "Robot", "Kitten", "Balloon", "Forest Friends", "Penguin", "Lantern", "Moon")),
    "Thriller": (("Cold", "Deadly", "Silent", "Perfect", "Twelfth", "Blind", "Midnight", "Double"),
                 ("Witness", "Alibi", "Conspiracy", "Hour", "Pursuit", "Stranger", "Protocol", "Verdict")),
    "Western": (("Lone", "Dusty", "High", "Red", "Wild", "Outlaw", "Painted", "Last"),
                ("Canyon", "Rider", "Frontier", "Saddle", "Gulch", "Sheriff", "Ranch", "Trail")),
    "Musical": (("Singing", "Dancing", "Broadway", "Velvet", "Starlit", "Swinging", "Golden", "Rhythm"),
                ("Nights", "Melody", "Chorus", "Ballroom", "Showboat", "Serenade", "Cabaret", "Parade")),
    "Crime": (("Dirty", "Shadow", "Mean", "Small-Time", "Borrowed", "Crooked", "Lucky", "Hard"),
              ("Money", "Streets", "Heist", "Racket", "Syndicate", "Score", "Precinct", "Getaway")),
}
PATTERNS = ("The {a} {n}", "{a} {n}", "The {n}", "{n} of the {a2} {n2}", "Return to the {a} {n}",
            "A {a} {n}", "{a} {n} II", "Beyond the {n}")
START = pd.Timestamp("2012-01-01", tz="UTC").value // 10**9
END = pd.Timestamp("2024-12-31", tz="UTC").value // 10**9


def generate_demo(seed: int = 7, n_users: int = 3000, n_items: int = 1500,
                  n_ratings: int = 100_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings, items): ratings has user, item, rating (1–5 stars), timestamp (Unix seconds);
    items has item, title, genres ('|'-separated).

    Each item has one main genre and sometimes a second; each user likes one to three genres.
    Who rates what follows taste times a power-law popularity, and stars follow a bias +
    taste model, so a good factorization recovers the genres as directions in latent space.
    """
    rng = np.random.default_rng(seed)
    n_genres = len(GENRES)

    main = rng.integers(0, n_genres, n_items)
    second = np.where(rng.random(n_items) < 0.3, rng.integers(0, n_genres, n_items), main)
    item_genre = np.zeros((n_items, n_genres))
    item_genre[np.arange(n_items), main] = 1.0
    item_genre[np.arange(n_items), second] += 0.5
    item_genre /= np.linalg.norm(item_genre, axis=1, keepdims=True)

    # taste: a few liked genres per user, plus a little for everything
    liked = np.zeros((n_users, n_genres))
    # A loop over users, kept on purpose: each user draws a count, then genres, then a Dirichlet
    # from one generator, interleaved user by user. Drawn as whole arrays, the same seed gives other
    # numbers to other users, and the demo (pinned by tests/data/test_demo.py, data/ and the
    # README's figures) would change. 3,000 small draws: a few milliseconds.
    for u in range(n_users):
        k = rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25])
        liked[u, rng.choice(n_genres, k, replace=False)] = rng.dirichlet(np.ones(k)) + 0.3
    taste = liked + 0.03
    taste /= taste.sum(axis=1, keepdims=True)
    affinity = taste @ item_genre.T  # users × items, in [0, 1]

    # power-law popularity (Zipf over a random item order), so a few items carry many ratings
    popularity = 1.0 / (1.0 + rng.permutation(n_items)) ** 0.9
    activity = rng.lognormal(0.0, 0.9, n_users)
    counts = np.clip(np.round(activity / activity.sum() * n_ratings), 8, n_items // 3).astype(int)
    counts = _fit_total(counts, n_ratings, 8, n_items // 3)

    log_weight = np.log(popularity)[None, :] + 4.0 * np.log(affinity + 1e-3)
    users, items = [], []
    # Kept as a loop too: the Gumbel keys could be drawn as one (users × items) array (the same
    # stream, row by row), but np.argpartition takes one k for every row and returns each row's
    # chosen items in an order of its own, and that order decides which random timestamp below goes
    # to which item; any vectorised top-k orders them otherwise and changes the demo.
    for u in range(n_users):
        # Gumbel top-k: a weighted sample without replacement in one vectorised step
        keys = log_weight[u] + rng.gumbel(size=n_items)
        chosen = np.argpartition(-keys, counts[u])[: counts[u]]
        users.append(np.full(counts[u], u))
        items.append(chosen)
    user_idx = np.concatenate(users)
    item_idx = np.concatenate(items)

    user_bias = rng.normal(0.0, 0.35, n_users)
    item_quality = rng.normal(0.0, 0.45, n_items) + 0.25 * np.log(popularity / popularity.mean()) / 3
    signal = affinity[user_idx, item_idx]
    signal = (signal - signal.mean()) / signal.std()
    stars = 3.4 + user_bias[user_idx] + item_quality[item_idx] + 0.75 * signal \
        + rng.normal(0.0, 0.6, user_idx.size)
    stars = np.clip(np.round(stars), 1, 5).astype(np.int64)

    years = np.clip(np.round(2024 - rng.exponential(14, n_items)), 1931, 2024).astype(int)
    first_seen = rng.integers(START, END - 86400 * 400, n_users)
    span = rng.integers(86400 * 7, 86400 * 400, n_users)
    stamps = first_seen[user_idx] + (rng.random(user_idx.size) * span[user_idx]).astype(np.int64)

    order = np.lexsort((stamps, user_idx))
    ratings = pd.DataFrame({
        "user": user_idx[order] + 1,
        "item": item_idx[order] + 1,
        "rating": stars[order],
        "timestamp": stamps[order],
    })
    titles = _titles(rng, main, years)
    genres = ["|".join(dict.fromkeys([GENRES[m], GENRES[s]])) for m, s in zip(main, second, strict=True)]
    items_table = pd.DataFrame({"item": np.arange(1, n_items + 1), "title": titles, "genres": genres})
    return ratings, items_table


def _fit_total(counts: np.ndarray, total: int, low: int, high: int) -> np.ndarray:
    """Nudge per-user counts (largest first) so they add up to `total` within [low, high]."""
    counts = counts.copy()
    order = np.argsort(-counts)
    k = 0
    while counts.sum() != total:
        u = order[k % counts.size]
        step = 1 if counts.sum() < total else -1
        if low <= counts[u] + step <= high:
            counts[u] += step
        k += 1
    return counts


def _titles(rng: np.random.Generator, main: np.ndarray, years: np.ndarray) -> list[str]:
    seen: set[str] = set()
    titles = []
    for genre_index, year in zip(main, years, strict=True):
        adjectives, nouns = WORDS[GENRES[genre_index]]
        for attempt in range(50):
            pattern = PATTERNS[rng.integers(len(PATTERNS))]
            name = pattern.format(a=adjectives[rng.integers(8)], n=nouns[rng.integers(8)],
                                  a2=adjectives[rng.integers(8)], n2=nouns[rng.integers(8)])
            title = f"{name} ({year})" if attempt < 40 else f"{name} {attempt - 38} ({year})"
            if title not in seen:
                break
        seen.add(title)
        titles.append(title)
    return titles


@accepts_seed
def write_demo(directory: Path, random_state: int = 7) -> dict[str, Path]:
    """Write demo_ratings.csv and demo_items.csv into `directory`; returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ratings, items = generate_demo(random_state)
    paths = {"demo_ratings.csv": directory / "demo_ratings.csv",
             "demo_items.csv": directory / "demo_items.csv"}
    ratings.to_csv(paths["demo_ratings.csv"], index=False)
    items.to_csv(paths["demo_items.csv"], index=False)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the mfviz demo catalogue as CSV files.")
    parser.add_argument("--out", type=Path, default=Path("data"), help="folder to write into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for path in write_demo(args.out, args.seed).values():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
