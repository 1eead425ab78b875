"""Printing stored text on a terminal as text: never as markup, emoji codes or control codes.

Titles, file names, evidence sentences and proposal names come from reports and users. On
a terminal, ``[/b]`` in a title would be read as Rich markup (and crash the command),
``:x:`` would become an emoji, and an ANSI escape in a file name would recolour, move or
retitle the user's terminal. Everything stored is therefore printed through ``visible``:
control characters (other than newline and tab) and the bidirectional overrides that can
reorder what a line appears to say become escapes a reader can see, like ``\\x1b``.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, HighlighterType, JustifyMethod, OverflowMethod
from rich.style import Style
from rich.text import Text

#: C0 controls except tab and newline, DEL, C1 controls, and the bidirectional marks,
#: embeddings, overrides and isolates ("Trojan Source" reordering).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character that could act on the terminal written as an escape."""
    return _UNSAFE.sub(_escape, text)


def plain(text: object, style: str | Style = "") -> Text:
    """Text to print as it is: no markup, no emoji codes, no control characters."""
    return Text(visible(str(text)), style=style)


class PlainConsole(Console):
    """A console that prints every string as plain text (see ``plain``).

    Strings reach Rich from many places (``print``, table cells, titles); turning them into
    text in ``render_str``, the one place Rich parses them, means no caller can forget.
    Styling is done with ``Text`` objects and ``style=`` instead of markup.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        """Rich's own conversion, with markup and emoji off and control codes escaped."""
        return super().render_str(
            visible(text),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=False,
            markup=False,
            highlight=highlight,
            highlighter=highlighter,
        )
