"""Library messages reworded for someone using the web app.

The library's messages are written for the command line: they name files on disk, suggest
options (``--max-mb``) and commands (`` `peacetrack documents list` ``). A web user has no
shell on the server, and the server's paths (the temporary folder an upload was saved in)
are none of their business. ``for_web`` swaps the paths it knows for the names the user
gave, replaces the hints it knows with what to do in the browser, and removes any other
command-line hint or server path rather than show it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Command-line hints and what a web user can do instead ("" drops the hint).
_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"list them with `peacetrack claims`"), "find claims on the Claims page"),
    (
        re.compile(r"(?:list them with |see )`peacetrack documents list`"),
        "see the Documents page",
    ),
    (
        re.compile(
            r"known issues are listed by `peacetrack codebook issues`"
            r"|`peacetrack codebook issues` lists them"
        ),
        "the Compare page shows the issues in use",
    ),
    (re.compile(r"\s*\(raise it with --max-mb[^)]*\)"), ""),
    (
        re.compile(r"pass --allow-private \(allow_private=True\) to fetch it[^;.]*"),
        "the web app fetches only public addresses",
    ),
    (re.compile(r"convert it, e\.g\. iconv[^;]*"), "save it as UTF-8 and try again"),
]
#: Whatever hint is left: a clause naming a `peacetrack` command or a --option.
_CLAUSE_SEPARATORS = r"[;:,(]"
_LEFTOVER = re.compile(
    rf"(?:{_CLAUSE_SEPARATORS}\s*)?[^;:,()]*(?:`peacetrack [^`]*`|(?<![\w-])--[a-z][\w-]*)"
    r"[^;:,()]*\)?"
)
#: An absolute path on the server (not the path part of a URL: no host or dot before it).
_PATH = re.compile(r"(?<![\w.:/\\-])/(?:[\w.@+~-]+/)+[\w.@+~-]*")


def for_web(message: str, names: Mapping[str, str] | None = None) -> str:
    """``message`` with the server paths in ``names`` (path -> the user's name for it) and
    every other server path and command-line hint replaced or removed."""
    for path in sorted(names or {}, key=len, reverse=True):
        message = message.replace(path, (names or {})[path])
    for pattern, instead in _HINTS:
        message = pattern.sub(instead, message)
    message = _LEFTOVER.sub("", message)
    message = _PATH.sub("a file on the server", message)
    return re.sub(r"\s+([;:,.])", r"\1", message).strip(" ;:,")
