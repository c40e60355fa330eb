"""Text encodings: UTF-8 with Windows-1252 where it is not (a registered codec), UTF-16 re-encoded, binary refused."""

from __future__ import annotations

import codecs

from mfviz.data.sources import INTERACTIONS, Blob
from mfviz.errors import UnreadableFile

# Text that is not UTF-8 is read as UTF-8 where it is and as Windows-1252 where it is not (a file
# joined from two exports, or one whose names were typed on Windows: re-reading all of it as
# Windows-1252 turned every UTF-8 "José" into "JosÃ©", and split an item into two ids). Windows-1252
# reads 0x96 as an en dash, where Latin-1 has a control code; its five undefined bytes are read as
# Latin-1, so that any byte decodes. Registered as a codec so that Arrow's CSV reader can transcode
# with it.
LEGACY_ENCODING = "utf8_cp1252"
ENCODING_NAMES = {LEGACY_ENCODING: "UTF-8 with Windows-1252 where not UTF-8"}


def _latin1_for_the_rest(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


def _cp1252_where_not_utf8(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start:exc.end].decode("cp1252", "mfviz_latin1"), exc.end


def _legacy_decoder(errors: str = "strict") -> codecs.IncrementalDecoder:
    # the UTF-8 decoder keeps a character cut by a block's end for the next block
    return codecs.getincrementaldecoder("utf-8-sig")("mfviz_cp1252")


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != LEGACY_ENCODING:
        return None
    return codecs.CodecInfo(name=LEGACY_ENCODING, encode=codecs.getencoder("utf-8"),
                            decode=lambda data, errors="strict": (bytes(data).decode("utf-8-sig", "mfviz_cp1252"),
                                                                  len(data)),
                            incrementaldecoder=_legacy_decoder)


codecs.register_error("mfviz_latin1", _latin1_for_the_rest)
codecs.register_error("mfviz_cp1252", _cp1252_where_not_utf8)
codecs.register(_find_codec)


def utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text written without its byte-order mark (some Windows exports),
    known by the NUL byte beside each character of Latin text; None otherwise (it was refused as binary, and no
    reading option could help)."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    odd, even = head[1:2 * pairs:2], head[0:2 * pairs:2]
    # Most characters of a Latin table have a NUL beside them, not all: a file of names with accents and
    # typographic quotes (’ is 0x2019) had 10-15% without one, and was refused as binary.
    if odd.count(0) >= 0.6 * pairs and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.6 * pairs and odd.count(0) == 0:
        return "utf-16-be"
    return None


NUL = b"\x00"


def check_text(blob: Blob, wanted: str = INTERACTIONS) -> Blob:
    """DataError for empty or binary files; UTF-16 text is re-encoded as UTF-8."""
    head = blob.head()
    codec = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else utf16_without_bom(head)
    if codec is not None:
        try:
            text = blob.read().decode(codec)
        except UnicodeDecodeError:
            raise UnreadableFile(f"{blob.name}: damaged UTF-16 text; save the file as UTF-8 CSV.") from None
        return Blob(blob.name, data=text.encode("utf-8"), folder=blob.folder, container=blob.container)
    if blob.size() == 0 or not head.strip():
        raise UnreadableFile(f"{blob.name}: the file is empty; choose {wanted}.")
    if b"\r" in head and b"\n" not in head:  # lines ended by CR alone (old Mac exports): read as one line otherwise
        return Blob(blob.name, data=blob.read().replace(b"\r", b"\n"), folder=blob.folder, container=blob.container)
    control = sum(head.count(bytes([c])) for c in (*range(0, 9), *range(14, 32)) if c != 0x1F)
    nuls = head.count(NUL)
    if nuls and control - nuls <= 0.02 * len(head) and nuls <= max(3, 0.01 * len(head)):
        # text with a stray NUL or two: where it is, not "binary" of a head that is plain text
        raise UnreadableFile(
            f"{blob.name}: the file holds a NUL byte (the first at byte {head.index(NUL):,}), which a text table "
            "does not: it is damaged, or text in another encoding. Save the data again as UTF-8 CSV/TSV or Parquet.")
    if b"\x00" in head or control > 0.02 * len(head):
        raise UnreadableFile(
            f"{blob.name}: binary content, not text: is it a Parquet, zip or gzip file renamed? It is no text table, "
            "and its first bytes are not those of Parquet, zip, gzip, bz2 or xz. Save the data as CSV/TSV (optionally "
            "gzip or zip compressed) or Parquet."
        )
    return blob


def first_non_utf8_line(blob: Blob) -> int | None:
    """1-based number of the first line that is not UTF-8 (None if all is; only on that path)."""
    decoder, lines, stream = codecs.getincrementaldecoder("utf-8")(), 0, blob.stream()
    try:
        while block := stream.read(1 << 24):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:  # exc.start counts from a character kept from the last block
                kept = len(exc.object) - len(block)
                return lines + exc.object.count(b"\n", kept, exc.start) + 1
            lines += block.count(b"\n")
    finally:
        stream.close()
    return None


