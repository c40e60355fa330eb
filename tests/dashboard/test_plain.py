"""plain.plain and plain_message: user text escaped for Streamlit's Markdown reads back as itself."""

import string

from mfviz.dashboard.plain import plain, plain_message


def read_back(markdown: str) -> str:
    """What CommonMark shows of inline text made only of characters and backslash escapes: a backslash before
    an ASCII punctuation sign is that sign; anything else is itself. Asserts that no punctuation sign is left
    unescaped, as each would start a Markdown construct (emphasis, link, math, directive, ...)."""
    shown, n = [], 0
    while n < len(markdown):
        char = markdown[n]
        if char == "\\":
            assert n + 1 < len(markdown) and markdown[n + 1] in string.punctuation, markdown
            shown.append(markdown[n + 1])
            n += 2
            continue
        assert char not in string.punctuation, f"{char!r} unescaped in {markdown!r}"
        shown.append(char)
        n += 1
    return "".join(shown)


def test_every_ascii_punctuation_sign_is_escaped_and_reads_back_as_itself():
    for sign in string.punctuation:
        assert plain(sign) == "\\" + sign
        assert read_back(plain(f"a{sign}b{sign}{sign}")) == f"a{sign}b{sign}{sign}"
    assert read_back(plain(string.punctuation)) == string.punctuation


def test_titles_ids_and_names_read_back_as_written():
    for text in ["M*A*S*H (1970)", "B*A*P*S (1997)", "$9.99 :red[x] [a](b)", "**x**.csv", "# 1. <b>AT&amp;T</b>",
                 ":material/star: :smile: ~~no~~ `code` | a | b", "back\\slash\\", "user_01668", "Amélie (2001) — ★"]:
        assert read_back(plain(text)) == text


def test_letters_digits_spaces_and_other_scripts_are_left_alone():
    text = "Godfather The 1972 Amélie Ⅱ 東京物語 ★ — “quoted”"
    assert plain(text) == text
    assert plain(554) == "554"


def test_a_message_keeps_its_code_spans_and_escapes_the_rest():
    message = "**x**.csv: no rating column named $9 [a](b); start it with `mfviz dashboard FILE --explicit` instead."
    said = plain_message(message)
    assert "`mfviz dashboard FILE --explicit`" in said
    before, code, after = said.partition("`mfviz dashboard FILE --explicit`")
    assert read_back(before) + code + read_back(after) == message
    assert plain_message("no code at all: *a*") == plain("no code at all: *a*")
