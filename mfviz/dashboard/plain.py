"""User text (titles, ids, file, data, model and column names) made to read as itself where Streamlit renders Markdown."""

from __future__ import annotations

import re
import string

# Every ASCII punctuation sign, each escaped by a backslash. CommonMark lets any of them be escaped and shows it as
# the sign itself, so escaping all is never wrong, and it covers what Streamlit's Markdown reads besides CommonMark:
#   * _ ~          emphasis, strikethrough ("M*A*S*H (1970)" read "M<em>A</em>S*H")
#   ` [ ] ( ) < >  code, links ("[a](b)"), HTML-like tags, block quotes
#   # + - . ! = |  headings, lists ("1. " at a line's start), images, setext underlines, tables
#   $ \            LaTeX ("$9.99 … $5" set as mathematics), the escape itself
#   : [ ]          colour directives and badges (":red[x]"), emoji and icons (":smile:", ":material/star:")
#   & ;            character references ("AT&amp;T" would read "AT&T")
#   { } ^ " ' % @ , / ? must not, but escaping them costs nothing and no future extension can catch them out.
SIGNS = re.compile("([" + re.escape(string.punctuation) + "])")


def plain(text: object) -> str:
    """`text` escaped so that st.markdown, st.caption, the alerts (info/warning/success/error), widget labels, help
    texts, radio and pills options and metric values show it character for character: every ASCII punctuation
    sign gets a backslash (see SIGNS for which ones Streamlit reads and why). Use it on user text inside the
    app's own Markdown (f"**{plain(title)}**"), never on the app's Markdown itself, and not inside a code span
    (`...`), where a backslash shows. Dataframes and selectbox/multiselect options show text as it is: leave
    those alone."""
    return SIGNS.sub(r"\\\1", str(text))


CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def plain_message(text: object) -> str:
    """An mfviz message (a DataError's, a loader's) for st.error and the like: plain() outside its code spans. The
    messages quote file names, column names and values as they were read ("**x**.csv: no rating column"), and
    name commands in code spans (`mfviz dashboard FILE`), which show as code only unescaped."""
    return "".join(part if n % 2 else plain(part) for n, part in enumerate(CODE_SPAN.split(str(text))))
