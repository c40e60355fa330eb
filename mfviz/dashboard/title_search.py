"""The maps' title search: any part of a title, case ignored, word starts first, a pattern's signs as a regular
expression (as the Embedding Projector's search), and what it found in plain words; and titles in natural word
order ("Godfather, The (1972)" read as "The Godfather (1972)"), which the item pickers match too."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfviz.dashboard.plain import plain

SEARCH_CIRCLED = 20  # search hits circled on a map, at most (the first: word starts, then the most popular)

# Articles that catalogues such as MovieLens move to a title's end, before its year: "Godfather, The (1972)",
# "Postino, Il (1994)", "Enfer, L' (1994)", "Boot, Das (1981)". English, French, Italian, Spanish, Portuguese,
# German, Dutch and Scandinavian ones; a word taken for one wrongly only adds a second form to match.
ARTICLES = ("The", "A", "An", "Le", "La", "Les", "L'", "Un", "Une", "Il", "Lo", "Gli", "I", "Una", "Uno", "El", "Los",
            "Las", "O", "Os", "As", "Um", "Uma", "Der", "Die", "Das", "Ein", "Eine", "De", "Het", "Een", "Den", "Det",
            "En", "Ett")
# the title, ", ", an article, then only bracketed parts (the year, an original title) to the end
INVERTED = re.compile(r"^(?P<body>.*?\S), (?P<article>" + "|".join(map(re.escape, ARTICLES))
                      + r")(?P<rest>(?: \([^()]*\))*)\s*$")


def natural_title(title: str) -> str:
    """`title` with an article its catalogue moved to the end put back in front, the year and any other bracketed
    part kept after it: "Godfather, The (1972)" → "The Godfather (1972)", "Enfer, L' (1994)" → "L'Enfer (1994)",
    "Good, the Bad and the Ugly, The (1966)" → "The Good, the Bad and the Ugly (1966)"; any other title as it is."""
    match = INVERTED.match(title)
    if match is None:
        return title
    article = match["article"]
    space = "" if article.endswith("'") else " "
    return f"{article}{space}{match['body']}{match['rest']}"


def _natural(titles) -> tuple[np.ndarray, np.ndarray]:
    """(natural_title of each of `titles`, the positions of those it changed), computed once per catalogue: the
    pages hand their titles over anew on each run (copies, from st.cache_data), and putting the articles of 62,000
    titles back took about 50 ms; finding them again by the titles' own hash takes a few."""
    return _natural_of(tuple(str(text) for text in np.asarray(titles, dtype=object).ravel()))


@functools.lru_cache(maxsize=4)  # the latest catalogues (thread-safe: the sessions' page scripts run in threads)
def _natural_of(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    natural = np.array([natural_title(text) if ", " in text else text for text in texts], dtype=object)
    changed = np.flatnonzero(natural != np.array(texts, dtype=object))
    natural.flags.writeable = changed.flags.writeable = False
    return natural, changed


def natural_titles(titles) -> np.ndarray:
    """natural_title of each of `titles` (read-only, object dtype), computed once per catalogue."""
    return _natural(titles)[0]


# Python's words for what is wrong with a pattern, said plainly (the rest are said as Python says them)
PATTERN_ERRORS = {"missing ), unterminated subpattern": "a bracket ( is not closed",
                  "unbalanced parenthesis": "a bracket ) was not opened",
                  "unterminated character set": "a bracket [ is not closed",
                  "nothing to repeat": "* + ? or { repeats nothing before it",
                  "multiple repeat": "two of * + ? in a row",
                  "bad escape": "a \\ before a letter that means nothing here",
                  "bad character range": "a range in [ ] runs backwards"}


def search_pattern(query: str) -> tuple[re.Pattern | None, str]:
    """What a map search looks for in the titles besides the text as typed: `query` (spaces around it
    ignored) as a regular expression, case ignored, anywhere in a title ("star.*(wars|trek)" and "^Star" work
    as in the Embedding Projector's search); and a sentence saying so when `query` is no regular expression
    ("(1977"): only the text as typed is then looked for. (None, "") for an empty query."""
    query = query.strip()
    if not query:
        return None, ""
    try:
        pattern = re.compile(query, re.IGNORECASE)
    except re.error as error:
        where = f", at character {error.pos + 1}" if error.pos is not None else ""
        why = next((words for start, words in PATTERN_ERRORS.items() if error.msg.startswith(start)), error.msg)
        return None, (f"“{query}” cannot be read as a regular expression ({why}{where}), so it was looked for "
                      "as plain text (in a pattern, put a \\ before a sign such as ( [ * + ? to look for the sign "
                      "itself).")
    if pattern.search("") is not None:  # "star|", "x*": every title matches, which no one searching means
        return None, (f"“{query}” as a regular expression matches every title (it can match an empty text), so it was "
                      "looked for as plain text.")
    if (why := linear_time_refusal(query)) is not None:
        return None, (f"“{query}” uses {why}, which this search does not run (it runs every pattern in a time that grows "
                      "with the titles' length only, so that none can hold the page), so it was looked for as plain text.")
    return pattern, ""


def linear_time_refusal(query: str) -> str | None:
    """Why RE2 (Arrow's regular expressions, whose time grows linearly with the text) cannot run `query`, in plain
    words; None when it can. Python's engine backtracks: "(a+)+$" or "(\\w+\\s?){2,20}:" on a title it almost
    matches would run for hours in the page's thread, with no time limit; RE2 has no such patterns, but no
    look-arounds or back-references either."""
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern=query, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        text = str(error)
        if "(?<" in text or "(?=" in text or "(?!" in text:
            return "a look-around such as (?=…) or (?<!…)"
        if re.search(r"\\[1-9]", query):
            return "a back-reference such as \\1"
        return f"a part Arrow's regular expressions do not know ({text.split(':')[-1].strip()})"
    return None


PATTERN_SIGNS = set(".*+?^$|[](){}\\")  # a query holding one of these is read as a regular expression too


def title_search(titles: pd.Series, query: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(which titles match `query`, which of them hold it at the start of a word, whether it was read as a
    regular expression), case ignored: text anywhere in a title, as the item pickers and the Embedding
    Projector match ("tar" finds Star Wars); a query holding a pattern's signs also as a regular expression
    ("star.*(wars|trek)", "^Star"; a whole title with its year in brackets still finds itself, which as a pattern
    it would not). The matches at a word's start come first where they are listed and circled: "star" circled
    and titled Bastard Out of Carolina before Lone Star when popularity alone ordered them. Each title is matched
    as it is written and in natural word order (natural_title): "The Godfather" finds "Godfather, The (1972)"."""
    text = query.strip()
    none = np.zeros(len(titles), bool)
    if not text:
        return none, none, False
    titles = titles.astype(str)
    natural, changed = _natural(titles)
    pattern, _ = search_pattern(query)
    as_pattern = bool(PATTERN_SIGNS & set(text)) and pattern is not None
    word_start = (r"(?<!\w)" if re.match(r"\w", text) else "") + re.escape(text)

    def search(form: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        matched = form.str.contains(text, case=False, regex=False).to_numpy(bool, copy=True)  # pandas 3: read-only
        if as_pattern:  # RE2's time is linear in the titles' length (search_pattern let only such patterns through)
            found = pc.match_substring_regex(pa.array(form.tolist(), pa.string()), pattern=text, ignore_case=True)
            matched |= found.to_numpy(zero_copy_only=False).astype(bool)
        at_word = np.zeros(len(form), bool)  # among the matches only: a look-behind runs in Python's engine, per title
        at_word[matched] = form[matched].str.contains(word_start, case=False, regex=True).to_numpy(bool)
        return matched, at_word

    matched, at_word = search(titles)
    # and the titles written with the article last (a fifth of MovieLens's), in natural word order
    matched_natural, at_word_natural = search(pd.Series(natural[changed], dtype=titles.dtype))
    matched[changed] |= matched_natural
    at_word[changed] |= at_word_natural
    return matched, at_word, as_pattern


def title_matches(titles: pd.Series, query: str) -> np.ndarray:
    """Which titles match `query` (title_search's rule)."""
    return title_search(titles, query)[0]


def search_hits(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """The map's rows whose title matches `query` (see title_search): those holding it at a word's start first,
    then the others, each most popular first (ties in the table's order); the map circles the first
    SEARCH_CIRCLED and titles a few of them. `.attrs`: "at_word" (how many at a word's start), "pattern"."""
    matched, at_word, as_pattern = title_search(table["title"], query)
    hits = table[matched].assign(_word=at_word[matched])
    order = ["_word", "popularity"] if "popularity" in hits else ["_word"]
    hits = hits.sort_values(order, ascending=False, kind="stable").drop(columns="_word")
    hits.attrs.update(at_word=int(at_word.sum()), pattern=as_pattern)
    return hits


def search_sentence(found: int, query: str, at_word: int | None = None) -> str:
    """What a title search found, said over the map (`found` matching items, `at_word` of them holding it at a
    word's start, listed first): how many, and how many of them are circled; first, when `query` holds a
    pattern's signs but is no regular expression, that it was looked for as plain text. Markdown (for
    st.caption), the query and the regular expression's complaint escaped (plain.plain)."""
    _, complaint = search_pattern(query) if PATTERN_SIGNS & set(query.strip()) else (None, "")
    complaint = plain(complaint)
    said = f"“{plain(query.strip())}”"
    split = at_word is not None and 0 < at_word < found  # word starts first, then the others: each by popularity
    words = f" ({at_word:,} at the start of a word, listed first)" if split else ""
    if found == 0:
        sentence = f"No title on the map matches {said}."
    elif found == 1:
        sentence = f"1 title on the map matches {said}: it is circled, and listed under the map."
    elif found <= SEARCH_CIRCLED:
        sentence = f"{found:,} titles on the map match {said}{words}: all are circled, and listed under the map."
    else:
        sentence = (f"{found:,} titles on the map match {said}{words}: the {SEARCH_CIRCLED} "
                    f"{'first' if split else 'most popular'} are circled, and listed under the map.")
    return f"{complaint} {sentence}" if complaint else sentence
