"""JSON interactions: JSON Lines (one object per line, as Amazon, Yelp and Goodreads publish their
reviews) streamed through Arrow, or one JSON array of objects; top-level fields are the columns."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.json as pajson

from mfviz.data.report import NAME_COLUMNS
from mfviz.data.sources import Blob
from mfviz.errors import DataError

SAMPLE_BYTES = 1 << 18  # read to find the fields and their types
BLOCK_BYTES = 1 << 22  # Arrow parses JSON Lines in blocks of this size


@dataclass
class JsonSample:
    lines: bool  # JSON Lines (else one array)
    names: list[str]  # top-level fields holding plain values, in order of first appearance
    sample: list[list[str]]  # the first rows as text, one entry per name (for column detection)
    types: dict[str, pa.DataType]  # each field's Arrow type from the sampled values
    mean_line_bytes: float
    records: list[dict] | None = None  # every record of a JSON array (parsed once)
    mixed: dict[str, str] = field(default_factory=dict)  # JSON Lines fields of text and numbers: why
    nested: list[str] = field(default_factory=list)  # fields holding only lists or objects (never ids)


def is_json(blob: Blob) -> bool:
    """Whether the text starts with a JSON object or array (after a byte-order mark and blanks)."""
    head = blob.head(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def sample(blob: Blob) -> JsonSample:
    """The fields of the records and their types (JSON Lines: the first 256 KiB; an array: all)."""
    head = blob.head(SAMPLE_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lines = head.startswith("{")
    if lines:
        texts = head.splitlines()
        if len(texts) > 1 and len(head) >= SAMPLE_BYTES:
            texts = texts[:-1]  # the last line may be cut
        records, numbers = [], []
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                _check_not_one_object(blob)  # a pretty-printed object spans many lines
                raise DataError(f"{blob.name}: line {number} is not a JSON object ({exc.msg}): {text[:80]!r}. "
                                "JSON files need one object per line (JSON Lines) or one array of objects.") from None
            if not isinstance(record, dict):
                raise DataError(f"{blob.name}: line {number} is not a JSON object: {text[:80]!r}.")
            records.append(record)
            numbers.append(number)
        mean_line_bytes = max(len(head.encode()) / max(len(texts), 1), 1.0)
    else:
        every = _array_records(blob)
        records, mean_line_bytes = every, max(blob.size() / max(len(every), 1), 1.0)
    if not records:
        raise DataError(f"{blob.name}: the JSON holds no records; give one object per interaction.")
    # an array is in memory already: its types come from every record, so that a fraction or a
    # text id after the first thousand records is read as written (never truncated to int64)
    types = _types(records, big_ints_as_text=not lines)
    if not types:
        found = f"one object with {_fields(records[0])}" if len(records) == 1 else \
            f"records with {_fields(records[0])} (the first)"
        raise DataError(_NOT_RECORDS.format(name=blob.name, found=found))
    mixed = _mixed_fields(blob, records, numbers, types) if lines else {}
    names = list(types)
    rows = [[_text(record.get(name)) for name in names] for record in records[:50]]
    nested = list(dict.fromkeys(str(key) for record in records[:1000] for key, value in record.items()
                                if isinstance(value, dict | list) and str(key) not in types))
    return JsonSample(lines, names, rows, types, mean_line_bytes, None if lines else records, mixed, nested)


def _types(records: list[dict], big_ints_as_text: bool) -> dict[str, pa.DataType]:
    """Each top-level field's Arrow type, in order of first appearance: text if any value is
    text (or, in an array, an integer beyond int64: kept exact as text), else float64 if any is
    fractional, else int64, and bool when every value is true/false; fields holding only nested
    values or nulls are left out."""
    kinds: dict[str, set] = {}
    for record in records:
        for key, value in record.items():
            if value is None or isinstance(value, dict | list):
                continue  # nested values are never ids, ratings or times
            kind = type(value)
            if kind is int and big_ints_as_text and not -(2**63) <= value < 2**63:
                kind = str
            kinds.setdefault(str(key), set()).add(kind)
    order = ((str, pa.string()), (float, pa.float64()), (int, pa.int64()), (bool, pa.bool_()))
    return {name: next(arrow for kind, arrow in order if kind in found) for name, found in kinds.items()}


def batches(blob: Blob, found: JsonSample, needed: list[str], rating: str | None = None,
            note: Callable[[str], None] = lambda text: None) -> Iterator[tuple[pa.Table, int | None]]:
    """(Arrow table of the needed fields, file lines before its first row: None for an array)
    per block of records. Fields are read with the sampled types, except that whole-number
    ratings are read as float64 (a half star past the sample is read, not refused); a record
    whose field has another type is an error naming its line (or record)."""
    types = {name: found.types[name] for name in needed}
    if rating is not None and pa.types.is_integer(types[rating]):
        types[rating] = pa.float64()
    if found.records is not None:
        mixed = [name for name, kind in types.items() if kind == pa.string() and any(
            isinstance(record.get(name), int | float) and not isinstance(record.get(name), bool)
            for record in found.records)]
        if mixed:  # said as for JSON Lines: 7 and "7" are one id here too
            note(_MIXED_NOTE.format(fields=", ".join(repr(name) for name in mixed), where="", how=""))
        yield pa.table({name: _column(blob, found.records, name, kind) for name, kind in types.items()}), None
        return
    mixed = [name for name in needed if name in found.mixed]
    if mixed:  # Arrow cannot read numbers as text: Python reads them
        note(_MIXED_NOTE.format(fields=", ".join(repr(name) for name in mixed), where="", how=_BY_PYTHON))
        yield from _python_batches(blob, types)
        return
    source = pa.BufferReader(blob.read()) if blob.path is None else str(blob.path)
    options = pajson.ParseOptions(explicit_schema=pa.schema(list(types.items())),
                                  unexpected_field_behavior="ignore")
    seen = 0
    try:  # Arrow parses the first block on opening, the others as they are read
        reader = pajson.open_json(source, read_options=pajson.ReadOptions(block_size=BLOCK_BYTES),
                                  parse_options=options)
        for batch in reader:
            yield pa.Table.from_batches([batch]), seen  # one record per line, no header
            seen += batch.num_rows
    except pa.ArrowInvalid as exc:
        field = _clashing_field(blob, types, seen)
        if field is None:
            raise _clash(blob, types, seen, exc) from None
    else:
        return
    # text in a field of numbers (or a number among text) past the sample: Python reads the rest, that
    # field as text (so 7 and "7" are one id), from the first record Arrow had not handed over
    note(_MIXED_NOTE.format(fields=repr(field), where=f" from record {seen + 1:,} on" if seen else "", how=_BY_PYTHON))
    yield from _python_batches(blob, {**types, field: pa.string()}, skip=seen)


_MIXED_NOTE = ("Numbers and text in field {fields}: read as text{where}, a number as written (7 and \"7\" are one "
               "id, a rating \"4\" is 4){how}.")
_BY_PYTHON = ", by Python's JSON reader, more slowly than Arrow's"
PYTHON_BATCH = 100_000  # records parsed by Python's json at a time, for fields of text and numbers


def _python_batches(blob: Blob, types: dict[str, pa.DataType], skip: int = 0) -> Iterator[tuple[pa.Table, int]]:
    """JSON Lines whose used fields hold both text and numbers, parsed line by line (slower than
    Arrow, which reads a field as one or the other): a number in a text field is read as its JSON
    spelling (7 and "7" are one id; a rating "4" is then read as 4), and a field of numbers that
    meets text is read as text from there on. The first `skip` records were read already."""
    types = dict(types)
    records, numbers, first_line = [], [], 0

    def table() -> pa.Table:
        for name, kind in types.items():
            if kind != pa.string() and any(isinstance(record.get(name), str) for record in records):
                types[name] = pa.string()
        return pa.table({name: _column(blob, records, name, kind, numbers) for name, kind in types.items()})

    with io.TextIOWrapper(blob.stream(), encoding="utf-8-sig") as text:
        for line, raw in enumerate(text, start=1):
            if not raw.strip():
                continue
            if skip:
                skip -= 1
                first_line = line
                continue
            try:
                records.append(json.loads(raw))
            except json.JSONDecodeError as exc:
                raise DataError(f"{blob.name}: line {line:,} is not a JSON object ({exc.msg}); fix it, or remove "
                                "it.") from None
            numbers.append(line)
            if len(records) == PYTHON_BATCH:
                yield table(), first_line
                records, numbers, first_line = [], [], line
    if records:
        yield table(), first_line


_TYPE_WORDS = {pa.string(): "text", pa.float64(): "numbers", pa.int64(): "whole numbers",
               pa.bool_(): "true/false"}
_ONE_TYPE = ("A field must have one type in every record (e.g. ids always text or always numbers); "
             f"fix those records, or use other fields. {NAME_COLUMNS}")


def _mixed_fields(blob: Blob, records: list[dict], numbers: list[int], types: dict) -> dict[str, str]:
    """JSON Lines fields holding both text and numbers in the sampled lines (Arrow reads one
    or the other), each with a message naming a line of each (raised if the field is used)."""
    mixed = {}
    for name, kind in types.items():
        if kind != pa.string():
            continue
        number = next((k for k, r in enumerate(records) if isinstance(r.get(name), int | float)), None)
        if number is not None:
            text = next(k for k, r in enumerate(records) if isinstance(r.get(name), str))
            mixed[name] = (f"{blob.name}: field {name!r} holds a number on line {numbers[number]:,} "
                           f"({records[number][name]!r}) and text on line {numbers[text]:,} "
                           f"({records[text][name]!r}). {_ONE_TYPE}")
    return mixed


def _fits(value, kind: pa.DataType, numbers_as_text: bool = True) -> bool:
    """Whether a parsed JSON value can be read as `kind` without changing it (Arrow's JSON
    Lines reader cannot read numbers as text: numbers_as_text=False)."""
    if value is None:
        return True
    if isinstance(value, dict | list):
        return False
    if kind == pa.string():
        return numbers_as_text or isinstance(value, str)
    if kind == pa.bool_():
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == pa.float64() or (isinstance(value, int) and -(2**63) <= value < 2**63)


def _column(blob: Blob, records: list[dict], name: str, kind: pa.DataType,
            lines: list[int] | None = None) -> pa.Array:
    """One field of records (a JSON array's, or JSON Lines' on these `lines`) as an Arrow array of `kind`."""
    values = [record.get(name) for record in records]
    if kind == pa.string():  # numbers among text ids keep their JSON spelling ("7", "3.5")
        values = [v if v is None or isinstance(v, str | dict | list) else json.dumps(v) for v in values]
    try:
        return pa.array(values, kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        k = next(k for k, v in enumerate(values) if not _fits(v, kind))
        where = f"record {k + 1:,}" if lines is None else f"line {lines[k]:,}"
        raise DataError(f"{blob.name}: {where} has {values[k]!r} in field {name!r}, where other "
                        f"records hold {_TYPE_WORDS[kind]}. {_ONE_TYPE}") from None


def _lines_after(blob: Blob, seen: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the records after the first `seen` (blank lines hold none)."""
    stream = open(blob.path, "rb") if blob.path is not None else io.BytesIO(blob.data or b"")
    with stream:
        records = 0
        for number, line in enumerate(stream, start=1):
            if line.strip():
                records += 1
                if records > seen:
                    yield number, line


def _clashing_field(blob: Blob, types: dict[str, pa.DataType], seen: int) -> str | None:
    """The field of the first record after `seen` that Arrow could not read, when the reason is
    only text among numbers or a number among text (a field Python can read as text); else None."""
    for _, line in _lines_after(blob, seen):
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(record, dict):
            return None
        bad = next((name for name, kind in types.items() if not _fits(record.get(name), kind, False)), None)
        if bad is not None:
            value = record[bad]
            plain = isinstance(value, str | int | float) and not isinstance(value, bool)
            return bad if plain and not (isinstance(value, int) and types[bad] == pa.int64()) else None
    return None


def _clash(blob: Blob, types: dict[str, pa.DataType], seen: int, exc: Exception) -> DataError:
    """The first line (after the `seen` records read) that Arrow could not read, found again
    with the json module to name it (only on the error path)."""
    for number, line in _lines_after(blob, seen):
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return DataError(f"{blob.name}: line {number:,} is not a JSON object ({error}): "
                             f"{line[:80]!r}. JSON Lines files need one object per line.")
        if not isinstance(record, dict):
            return DataError(f"{blob.name}: line {number:,} is not a JSON object: {line[:80]!r}.")
        bad = next((name for name, kind in types.items() if not _fits(record.get(name), kind, False)), None)
        if bad is not None:
            value, kind = record[bad], types[bad]
            if isinstance(value, int) and kind == pa.int64():
                return DataError(f"{blob.name}: line {number:,} has {value} in field {bad!r}, beyond "
                                 "64-bit integers; write such ids as text (in quotes) in every record.")
            return DataError(f"{blob.name}: line {number:,} has {value!r} in field {bad!r}, where other "
                             f"records hold {_TYPE_WORDS[kind]}. {_ONE_TYPE}")
    return DataError(f"{blob.name}: cannot read the JSON Lines after line {seen:,} ({exc}). {_ONE_TYPE}")


def item_table(blob: Blob) -> pd.DataFrame:
    """An item table written as JSON Lines or a JSON array (Amazon's and Goodreads' metadata): a row per
    object, its plain top-level fields as columns; a field of lists (Amazon's categories, nested lists
    too) becomes each item's list of names, for genres; other nested fields are left out."""
    if blob.head(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":
        records = _array_records(blob)
    else:
        records = []
        with io.TextIOWrapper(blob.stream(), encoding="utf-8-sig") as text:
            for line, raw in enumerate(text, start=1):
                if raw.strip():
                    try:
                        records.append(json.loads(raw))
                    except json.JSONDecodeError as exc:
                        raise DataError(f"{blob.name}: line {line:,} is not a JSON object ({exc.msg}); fix it, or "
                                        "remove it.") from None
    rows = [{key: _names(value) if isinstance(value, list) else value for key, value in record.items()
             if not isinstance(value, dict)} for record in records if isinstance(record, dict)]
    return pd.DataFrame(rows)


def _names(value: list) -> list[str]:
    """The text in a (nested) list, in order, each once: [["Books", "Fiction"], ["Books"]] → Books, Fiction."""
    flat, stack = [], [value]
    while stack:
        part = stack.pop(0)
        if isinstance(part, list):
            stack[:0] = part
        elif isinstance(part, str) and part.strip() and part not in flat:
            flat.append(part.strip())
    return flat


def _array_records(blob: Blob) -> list[dict]:
    try:
        data = json.load(io.TextIOWrapper(io.BytesIO(blob.read()), encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{blob.name}: not valid JSON ({exc}). JSON files need one object per line "
                        "(JSON Lines) or one array of objects.") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{blob.name}: the JSON is not an array of objects; give one object per interaction, "
                        "e.g. [{\"user\": 1, \"item\": 7, \"rating\": 4}, ...], or one object per line.")
    return data


_NOT_RECORDS = (
    "{name}: the JSON must be an array of objects, or one object per line, whose top-level fields hold "
    "plain values (text or numbers) for the user, item and rating, e.g. "
    '[{{"user": 1, "item": 7, "rating": 4}}, ...]; found {found}. Put the records in an array (not inside an '
    "object) with their fields at the top level, or with pandas write "
    "DataFrame.to_json(orient='records') (add lines=True for one object per line)."
)


def _fields(record: dict) -> str:
    """A record's fields and what they hold, for messages: "fields 'ratings' (a list)"."""
    kinds = {list: "a list", dict: "an object", bool: "true/false", type(None): "null"}
    shown = [f"{key!r} ({kinds.get(type(value), type(value).__name__)})" for key, value in list(record.items())[:6]]
    return f"fields {', '.join(shown)}{' ...' if len(record) > 6 else ''}" if shown else "no fields"


def _check_not_one_object(blob: Blob) -> None:
    """DataError when the whole file is one JSON object (e.g. {"ratings": [...]})."""
    try:
        data = json.loads(blob.read().decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError:
        return
    if isinstance(data, dict):
        raise DataError(_NOT_RECORDS.format(name=blob.name, found=f"one object with {_fields(data)}"))


def _text(value) -> str:
    return "" if value is None else str(value)
