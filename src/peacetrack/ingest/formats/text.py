"""Plain text and Markdown reports, and the byte-to-text decoding every format relies on.

A report stored as mojibake would poison every claim drawn from it, so bytes that are not
UTF-8 are accepted only when they read cleanly as Windows-1252 (the usual "Latin-1" of
saved web pages); anything else is refused with the offending byte's offset.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from peacetrack.errors import InputError

_SNIFF = 8192
_ALLOWED_CONTROLS = frozenset("\n\r\t\f\v")
#: Four accented letters in a row are how Cyrillic or Greek bytes look when misread as
#: Windows-1252 ("Ïðèâåò"); Western European words almost never do that.
_MISREAD_RUN = re.compile(r"[À-ÿ]{4,}")
#: UTF-8 sequences for accented letters and typographic quotes: if they are there, the file
#: is UTF-8 with a few stray bytes, and reading it as Windows-1252 would garble the rest.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8 = "utf-8-sig"
#: Printable text has few of these; decoded binary is full of them (Cn: unassigned).
_NOT_TEXT = frozenset({"Cc", "Cs", "Co", "Cn"})


def sniff_encoding(data: bytes) -> str:
    """The codec for these bytes: UTF-16 if a BOM or the NUL-byte pattern says so, else UTF-8.

    Some Windows tools save UTF-16 without a byte-order mark. In Latin-script text every
    other byte of it is NUL (at odd offsets little-endian, even ones big-endian), which
    would otherwise make it look binary. Binary data seldom has that pattern and also
    decodes to printable text, so both are required.
    """
    head = data[:_SNIFF]
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    for codec, nul_at in (("utf-16-le", 1), ("utf-16-be", 0)):
        if _nul_pattern(head, nul_at) and _printable_as(head, codec):
            return codec
    return UTF8


def _nul_pattern(head: bytes, nul_at: int) -> bool:
    pairs = len(head) // 2
    expected = head[nul_at::2][:pairs].count(0)
    elsewhere = head[1 - nul_at :: 2][:pairs].count(0)
    return expected * 10 >= pairs > 0 and elsewhere * 50 <= pairs


def _printable_as(head: bytes, codec: str) -> bool:
    try:  # an incremental decoder forgives a character cut in two at the end of the sample
        text = codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return _count_odd(text, _NOT_TEXT) <= len(text) // 20


def _count_odd(text: str, categories: frozenset[str]) -> int:
    """Characters of these Unicode categories, other than the usual whitespace controls."""
    return sum(
        1 for c in text if c not in _ALLOWED_CONTROLS and unicodedata.category(c) in categories
    )


def looks_binary(data: bytes) -> bool:
    """NUL bytes (unless laid out as UTF-16), or many control bytes, mean this is not text."""
    head = data[:_SNIFF]
    if sniff_encoding(head) != UTF8:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and chr(b) not in _ALLOWED_CONTROLS)
    return controls > len(head) // 20


def decode_text(data: bytes, origin: str) -> tuple[str, str | None]:
    """Text from bytes, and a note when it had to be re-encoded (for the ingest summary).

    UTF-8 (with or without BOM) and UTF-16 are decoded as they are; anything else only if
    it reads cleanly as Windows-1252, since a report stored as mojibake poisons its claims.
    """
    if looks_binary(data):
        raise InputError(f"{origin}: binary content, not text (NUL or control bytes)")
    encoding = sniff_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        error = exc
    else:
        bare = encoding.startswith("utf-16-")
        return text, f"read as {encoding.upper()} (it has no byte-order mark)" if bare else None
    if encoding != UTF8:
        raise InputError(
            f"{origin}: looks like UTF-16 but breaks off at byte {error.start} ({error.reason}); "
            "convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8"
        )
    text_1252 = _as_windows_1252(data)
    if text_1252 is None:
        raise InputError(
            f"{origin}: not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}) "
            "and not clean Latin-1 either; convert it to UTF-8, e.g. iconv -f ENCODING -t UTF-8"
        )
    return text_1252, "re-encoded from Windows-1252 (Latin-1) to UTF-8"


def _as_windows_1252(data: bytes) -> str | None:
    if _UTF8_SEQUENCE.search(data):
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    printable = _count_odd(text, _NOT_TEXT | {"Cf"}) == 0
    return text if printable and not _MISREAD_RUN.search(text) else None
