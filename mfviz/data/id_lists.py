"""Original ids as text: several written as one (a link's parameter, a command-line option), comma-separated,
a comma or a backslash inside an id escaped by a backslash; a user's id as a sentence names the user."""

from __future__ import annotations


def join_ids(ids) -> str:
    """The ids as one text; `split_ids` reads it back exactly (text ids may hold commas)."""
    return ",".join(str(i).replace("\\", "\\\\").replace(",", "\\,") for i in ids)


def split_ids(text: str) -> list[str]:
    """`join_ids`' inverse; a backslash before any other character is kept as written (a hand-written list)."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(following if following in (",", "\\") else char + following)
        elif char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def user_named(user_id, capital: bool = False) -> str:
    """"user 554", or an id that names itself as is ("user_01668", not "user user_01668"); `capital`: "User 554"."""
    text = str(user_id)
    if text.lower().startswith("user"):
        return text
    return f"{'U' if capital else 'u'}ser {text}"
