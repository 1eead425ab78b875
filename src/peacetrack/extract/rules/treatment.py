"""How the rules treat each issue, read from the codebook rather than from issue codes.

Some issues behave differently in a claim: territorial ones carry places, recognition
carries its kind, a whole deal gives way to any specific term named beside it, a partial
ceasefire stands for the ceasefire named loosely next to it, and talks named as a setting
("agreed at the talks") are no term. ``issues.toml`` says which issue does what, so a user
codebook's issue gets the same treatment by declaring it, and the rules name no issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from peacetrack.errors import CodebookError

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook


@dataclass(frozen=True)
class Treatment:
    """The codebook's issue behaviour, gathered once per extractor."""

    #: Issues whose claims carry the places they are about.
    territories: frozenset[str]
    #: Issues too general to stand beside a specific one in one scope.
    general: frozenset[str]
    #: (broad, narrow): named in one scope, the broad issue is the narrow one named loosely.
    subsumed: tuple[tuple[str, str], ...]
    #: Issues that talks named as a setting ("at the talks") do not stand for.
    settings: frozenset[str]
    #: The issue whose claims carry a recognition, and its kind when the text names none.
    recognition: str | None
    recognition_kind: str

    @classmethod
    def of(cls, codebook: Codebook) -> Treatment:
        """Read the treatment from ``codebook``; a ``narrows`` naming an unknown issue is
        an error, since it would silently never apply."""
        issues = codebook.issues.values()
        subsumed = tuple((broad, i.code) for i in issues for broad in i.narrows)
        unknown = [broad for broad, _ in subsumed if broad not in codebook.issues]
        if unknown:
            raise CodebookError(
                f"narrows names unknown issue {unknown[0]!r}; fix the code in the codebook"
            )
        recognising = [i for i in issues if i.recognition]
        return cls(
            territories=frozenset(i.code for i in issues if i.territories),
            general=frozenset(i.code for i in issues if i.general),
            subsumed=subsumed,
            settings=frozenset(i.code for i in issues if i.setting),
            recognition=recognising[0].code if recognising else None,
            recognition_kind=(recognising[0].recognition or "") if recognising else "",
        )
