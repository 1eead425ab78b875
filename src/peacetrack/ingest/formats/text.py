"""Plain text and Markdown reports, and the byte-to-text decoding every format relies on.

A report stored as mojibake would poison every claim drawn from it, so bytes that are not
UTF-8 are accepted only when they read cleanly as Windows-1252 (the usual "Latin-1" of
saved web pages); anything else is refused with the offending byte's offset.
"""

from __future__ import annotations

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


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control bytes, mean this is not text whatever its name says."""
    head = data[:_SNIFF]
    if head.startswith(_UTF16_BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and chr(b) not in _ALLOWED_CONTROLS)
    return controls > len(head) // 20


def decode_text(data: bytes, origin: str) -> tuple[str, str | None]:
    """Text from bytes, and a note when it had to be re-encoded (for the ingest summary)."""
    if looks_binary(data):
        raise InputError(f"{origin}: binary content, not text (NUL or control bytes)")
    encoding = "utf-16" if data.startswith(_UTF16_BOMS) else "utf-8-sig"
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        error = exc
    text = _as_windows_1252(data)
    if text is None:
        raise InputError(
            f"{origin}: not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}) "
            "and not clean Latin-1 either; convert it to UTF-8, e.g. iconv -f ENCODING -t UTF-8"
        )
    return text, "re-encoded from Windows-1252 (Latin-1) to UTF-8"


def _as_windows_1252(data: bytes) -> str | None:
    if _UTF8_SEQUENCE.search(data):
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    printable = all(
        c in _ALLOWED_CONTROLS or not unicodedata.category(c).startswith("C") for c in text
    )
    return text if printable and not _MISREAD_RUN.search(text) else None
