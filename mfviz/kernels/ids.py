"""Id kernels for streaming loads: text ids parsed as canonical integers, and integer ids coded through a dense table."""

import numpy as np
from numba import njit

INT64_MAX = np.iinfo(np.int64).max


@njit(cache=True, nogil=True)
def parse_canonical_ints(offsets, data):
    """Parse Arrow string slots (offsets (n + 1,) int32/int64, data uint8) as decimal integers.

    Canonical means what `str(int(text)) == text` accepts: an optional '-', digits, no leading
    zero (except "0" itself), no sign on zero, no spaces, fits in int64 (the minimum, written
    with 19 digits after '-', is refused too). Returns (values int64 (n,), all canonical).
    """
    n = offsets.shape[0] - 1
    values = np.empty(n, np.int64)
    for k in range(n):
        a, b = offsets[k], offsets[k + 1]
        negative = False
        if a < b and data[a] == 45:  # '-'
            negative = True
            a += 1
        if a >= b or (data[a] == 48 and b - a > 1) or (negative and data[a] == 48):
            return values, False  # empty, "-", leading zero, "-0..."
        if b - a > 19:
            return values, False
        value = 0
        for p in range(a, b):
            digit = data[p] - 48
            if digit < 0 or digit > 9:
                return values, False
            if b - a == 19 and value > (INT64_MAX - digit) // 10:  # only 19 digits can overflow
                return values, False
            value = value * 10 + digit
        values[k] = -value if negative else value
    return values, True


def parse_canonical_ints_reference(texts):
    """Slow version over Python strings: (values, all canonical)."""
    values = np.zeros(len(texts), np.int64)
    for k, text in enumerate(texts):
        try:
            number = int(text)
        except ValueError:
            return values, False
        if str(number) != text or text == "-0" or not -(2**63) < number < 2**63:
            return values, False
        values[k] = number
    return values, True


@njit(cache=True, nogil=True)
def encode_with_table(values, low, table, next_code, codes, new_ids):
    """Codes in first-seen order through a dense table (table[id - low] = code, -1 = unseen).

    values: int64 (n,) all within [low, low + len(table)); codes: (n,) output; new_ids: (n,)
    output, the ids seen for the first time, in order. Returns the number of new ids.
    """
    fresh = 0
    for k in range(values.shape[0]):
        slot = values[k] - low
        code = table[slot]
        if code < 0:
            code = next_code + fresh
            table[slot] = code
            new_ids[fresh] = values[k]
            fresh += 1
        codes[k] = code
    return fresh


def encode_with_table_reference(values, seen):
    """Slow version with a dict of seen ids -> code (updated): (codes, new ids)."""
    codes, new = np.empty(len(values), np.int64), []
    for k, value in enumerate(values.tolist()):
        if value not in seen:
            seen[value] = len(seen)
            new.append(value)
        codes[k] = seen[value]
    return codes, np.array(new, np.int64)
