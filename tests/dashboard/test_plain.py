"""plain.plain and plain_message: user text escaped for Streamlit's Markdown reads back as itself. What Chromium
shows of each escaped text is checked in test_browser_plain; these check the escaping itself."""

import re
import string

from mfviz.dashboard.plain import plain, plain_message

ANYWHERE = "\\`*_~[]$|"


def read_back(markdown: str) -> str:
    """What CommonMark shows of text made of characters and backslash escapes: a backslash before an ASCII
    punctuation sign is that sign; anything else is itself."""
    return re.sub(r"\\([" + re.escape(string.punctuation) + "])", r"\1", markdown)


def unescaped(markdown: str, signs: str) -> list[int]:
    """Where one of `signs` stands without a backslash before it (a backslash escapes the sign after it only), but
    for an _ between two letters or digits, which Markdown reads as itself."""
    found, n = [], 0
    while n < len(markdown):
        if markdown[n] == "\\" and n + 1 < len(markdown) and markdown[n + 1] in string.punctuation:
            n += 2
            continue
        inside_word = markdown[n] == "_" and 0 < n < len(markdown) - 1 and markdown[n - 1].isalnum() \
            and markdown[n + 1].isalnum()
        if markdown[n] in signs and not inside_word:
            found.append(n)
        n += 1
    return found


SAMPLES = ["M*A*S*H (1970)", "B*A*P*S (1997)", "$9.99 :red[x] [a](b)", "**x**.csv", "# 1. <b>AT&amp;T</b>",
           ":material/star: :smile: :+1: :a:b: ~~no~~ `code` | a | b", "back\\slash\\", "user_01668",
           "Amélie (2001) — ★", "1. first\n- second\n+ third\n10) fourth\n= fifth\n  # sixth", "x.csv: 943 users"]


def test_titles_ids_and_names_read_back_as_written():
    for text in SAMPLES:
        assert read_back(plain(text)) == text, (text, plain(text))


def test_signs_read_anywhere_are_escaped_everywhere():
    for sign in ANYWHERE:
        assert plain(f"{sign}a {sign}b{sign} c{sign}") == f"\\{sign}a \\{sign}b\\{sign} c\\{sign}"
    for text in SAMPLES:
        assert not unescaped(plain(text), ANYWHERE), plain(text)


def test_an_underscore_inside_a_word_is_left_as_it_is():
    # between two letters or digits an _ neither opens nor closes emphasis (CommonMark's flanking rules)
    assert plain("user_01668 spark_als.zip") == "user_01668 spark_als.zip"
    assert plain("_a_ b_ _c x__y") == "\\_a\\_ b\\_ \\_c x\\_\\_y"


def test_a_tag_a_reference_and_a_quote_are_escaped_and_comparisons_are_not():
    assert plain("<b>x</b> <http://a.b> <!-- c -->") == "\\<b>x\\</b> \\<http://a.b> \\<!-- c -->"
    assert plain("AT&amp;T &#58; &x;") == "AT\\&amp;T \\&#58; \\&x;"
    assert plain("> quote") == "\\> quote"
    assert plain("k < 3, R&B, factors must be >= 1") == "k < 3, R&B, factors must be >= 1"


def test_named_colons_are_escaped_with_their_names_signs_and_other_colons_are_not():
    assert plain(":smile:") == "\\:smile\\:"
    assert plain(":material/star:") == "\\:material\\/star\\:"
    assert plain(":red[x]") == "\\:red\\[x\\]"
    assert plain(":blue-badge[x]") == "\\:blue\\-badge\\[x\\]"
    assert plain(":a:b:") == "\\:a\\:b\\:"  # either pair could be read as a shortcode
    assert plain("u.data: 943 users :) at 12:52:38, see http://a.b") == "u.data: 943 users :) at 12:52:38, see http://a.b"
    assert plain("a :100: b") == "a \\:100\\: b"


def test_signs_read_at_a_line_start_are_escaped_there_only():
    assert plain("1. one") == "1\\. one" and plain("10) ten") == "10\\) ten"
    for sign in "#-+=>":
        assert plain(f"{sign} x") == f"\\{sign} x"
        assert plain(f"a\n   {sign} x") == f"a\n   \\{sign} x"
        assert plain(f"ALS {sign}2 1. x") == f"ALS {sign}2 1. x"  # mid-line: Markdown reads nothing there
    assert plain("Sci-Fi (1999). 2001: A Space Odyssey") == "Sci-Fi (1999). 2001: A Space Odyssey"


def test_letters_digits_spaces_and_other_scripts_are_left_alone():
    text = "Godfather The 1972 Amélie Ⅱ 東京物語 ★ — “quoted” (f=64)"
    assert plain(text) == text
    assert plain(554) == "554"


def test_a_message_keeps_its_code_spans_and_escapes_the_rest():
    message = "**x**.csv: no rating column named $9 [a](b); start it with `mfviz dashboard FILE --explicit` instead."
    said = plain_message(message)
    before, code, after = said.partition("`mfviz dashboard FILE --explicit`")
    assert code and read_back(before) + code + read_back(after) == message
    assert not unescaped(before, ANYWHERE) and not unescaped(after, ANYWHERE)
    assert plain_message("no code at all: *a*") == plain("no code at all: *a*")
