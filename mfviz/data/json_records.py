"""JSON interactions: JSON Lines (one object per line, as Amazon, Yelp and Goodreads publish their
reviews) streamed through Arrow, or one JSON array of objects; top-level fields are the columns."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.json as pajson

from mfviz.data.formats import Blob
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


def is_json(blob: Blob) -> bool:
    """Whether the text starts with a JSON object or array (after a byte-order mark and blanks)."""
    head = blob.head(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def sample(blob: Blob) -> JsonSample:
    """The fields of the first records and their types (ints, floats, text; nested values skipped)."""
    head = blob.head(SAMPLE_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lines = head.startswith("{")
    if lines:
        texts = head.splitlines()
        if len(texts) > 1 and len(head) >= SAMPLE_BYTES:
            texts = texts[:-1]  # the last line may be cut
        records = []
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
        mean_line_bytes = max(len(head.encode()) / max(len(texts), 1), 1.0)
    else:
        every = _array_records(blob)
        records, mean_line_bytes = every[:1000], max(blob.size() / max(len(every), 1), 1.0)
    if not records:
        raise DataError(f"{blob.name}: the JSON holds no records; give one object per interaction.")
    names: dict[str, None] = {}
    kinds: dict[str, set] = {}
    for record in records:
        for key, value in record.items():
            if isinstance(value, bool) or isinstance(value, dict | list):
                continue  # flags and nested values are never ids, ratings or times
            if value is not None:
                names.setdefault(str(key))
                kinds.setdefault(str(key), set()).add(type(value))
    if not names:
        found = f"one object with {_fields(records[0])}" if len(records) == 1 else \
            f"records with {_fields(records[0])} (the first)"
        raise DataError(_NOT_RECORDS.format(name=blob.name, found=found))
    types = {name: pa.string() if str in kinds[name] else pa.float64() if float in kinds[name] else pa.int64()
             for name in names}
    rows = [[_text(record.get(name)) for name in names] for record in records[:50]]
    return JsonSample(lines, list(names), rows, types, mean_line_bytes)


def batches(blob: Blob, found: JsonSample, needed: list[str]) -> Iterator[tuple[pa.Table, int]]:
    """(Arrow table of the needed fields, file lines before its first row) per block of records.
    Fields are read with the sampled types: ids given as numbers stay numbers, and a later record
    whose field has another type is an error naming it."""
    schema = pa.schema([(name, found.types[name]) for name in needed])
    if not found.lines:
        records = _array_records(blob)
        yield pa.Table.from_pylist([{name: record.get(name) for name in needed} for record in records],
                                   schema=schema), 1
        return
    source = pa.BufferReader(blob.read()) if blob.path is None else str(blob.path)
    seen = 0
    try:  # Arrow parses the first block on opening, the others as they are read
        reader = pajson.open_json(source, read_options=pajson.ReadOptions(block_size=BLOCK_BYTES),
                                  parse_options=pajson.ParseOptions(explicit_schema=schema,
                                                                    unexpected_field_behavior="ignore"))
        for batch in reader:
            yield pa.Table.from_batches([batch]), seen + 1
            seen += batch.num_rows
    except pa.ArrowInvalid as exc:
        raise DataError(f"{blob.name}: {exc} (rows counted from line {seen + 1:,}). A field must have one type in every record "
                        "(e.g. ids always text or always numbers) and every line must be one JSON object; fix "
                        "those records, or name other fields with user=/item=/rating=.") from None


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
