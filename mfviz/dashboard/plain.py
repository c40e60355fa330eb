"""User text (titles, ids, file, data, model and column names) made to read as itself where Streamlit renders Markdown."""

from __future__ import annotations

import re

# Signs Streamlit's Markdown reads anywhere in a line, each escaped by a backslash (CommonMark shows a backslash-escaped
# ASCII punctuation sign as the sign itself):
#   * _ ~      emphasis and strikethrough ("M*A*S*H (1970)" read "M<em>A</em>S*H (1970)"); an _ between two letters or
#              digits can neither open nor close emphasis, so "user_01668" and "spark_als.zip" are left as they are
#   [ ]        links and images ("[a](b)"), and the colour directives and badges (":red[x]", ":blue-badge[x]")
#   `          code;  $  LaTeX ("$9.99 … $5" set as mathematics);  \  the escape itself;  |  table cells
#   <          before a letter, / ! or ?: an HTML-like tag or an autolink ("<b>", "<http://…>"); "k < 3" is left
#   &          before a name or number and ";": a character reference ("AT&amp;T" read "AT&T"); "R&B" is left
ANYWHERE = re.compile(r"([\\`*_~\[\]$|]|<(?=[A-Za-z/!?])|&(?=#?\w+;))")
# A colon is read where a name follows it: an emoji (":smile:"), an icon (":material/star:"), a colour or badge
# (":red[x]", ":blue-badge[x]"). Streamlit finds these in the text after Markdown's own escapes are taken, so the
# brackets escaped alone still coloured ":red[x]", and both colons escaped still drew the icon: the colon, the
# name's signs (/ + -) and a closing colon are all escaped. A colon before a space or a slash ("u.data: 943 users",
# "http://…") is left.
# A name of digits is read only when closed (":100:"): a clock's "12:52:38" is left. A lookahead: overlapping runs
# (":a:b:") are found too.
NAMED = re.compile(r"(?=(:(?:[A-Za-z+\-][\w+\-/]*:?|\d\w*:(?!\d))))")
# Signs read only where a line starts (after up to 3 spaces): headings (#), lists (- + and "1." or "1)"), setext
# underlines (=), block quotes (>). There only: "ALS #2", "Sci-Fi" and "5 > 3" mean nothing to Markdown.
LINE_START = re.compile(r"^ {0,3}(?:([#=+\->])|\d{1,9}([.)]))", re.MULTILINE)
# Not escapable: Streamlit turns -> <- <-> <= >= and -- into → ← ↔ ≤ ≥ and — after Markdown has taken its escapes
# (seen in Chromium: "\->" and "-\-" still turn), so those read as their symbols. Only an invisible joiner between
# the two signs would stop it, and a title copied from the page into a search would then no longer match: left so.


def plain(text: object) -> str:
    """`text` escaped so that st.markdown, st.caption, the alerts (info/warning/success/error), headings, widget
    labels, help texts, radio and pills options and metric labels and values show it character for character (which
    signs, and why, above). Use it on user text inside the app's own Markdown (f"**{plain(title)}**"), never on the
    app's Markdown itself, and not inside a code span (`…`), where a backslash shows. Dataframes and selectbox and
    multiselect options show text as it is: leave those alone."""
    text = str(text)
    marked = {match.start(1) for match in ANYWHERE.finditer(text)
              if not (match.group(1) == "_" and 0 < match.start(1) < len(text) - 1
                      and text[match.start(1) - 1].isalnum() and text[match.start(1) + 1].isalnum())}
    for match in NAMED.finditer(text):
        marked |= {n for n in range(match.start(1), match.end(1)) if not (text[n].isalnum() or text[n] == "_")}
    for match in LINE_START.finditer(text):
        marked.add(match.start(1) if match.group(1) else match.start(2))
    return "".join("\\" + char if n in marked else char for n, char in enumerate(text))


CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def plain_message(text: object) -> str:
    """An mfviz message (a DataError's, a loader's) for st.error and the like: plain() outside its code spans. The
    messages quote file names, column names and values as they were read ("**x**.csv: no rating column"), and
    name commands in code spans (`mfviz dashboard FILE`), which show as code only unescaped."""
    return "".join(part if n % 2 else plain(part) for n, part in enumerate(CODE_SPAN.split(str(text))))
