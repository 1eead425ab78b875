"""Errors PeaceTrack raises on purpose.

Every message names the input at fault and says how to fix it: the CLI prints these as they
are, without a traceback, so the message is all the user sees.
"""

from collections.abc import Mapping


class PeaceTrackError(Exception):
    """Base of every error that is the user's to fix (bad input, bad setting)."""


class CodebookError(PeaceTrackError):
    """A codebook file is malformed or contradicts another: names the file and line."""


class InputError(PeaceTrackError):
    """An input (file, URL, JSON line, form) cannot be read: names the input.

    ``fields`` says, where it is known, which field is at fault and why, so that a form
    can show each problem beside its field rather than one sentence above them all.
    """

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class FetchError(InputError):
    """A URL could not be fetched or was refused (private address, size, content type)."""


class StoreError(PeaceTrackError):
    """The store cannot be opened or migrated, or an id does not exist."""


class ExtractorNotFound(PeaceTrackError):
    """No extractor is registered under the requested name."""


class MissingExtra(PeaceTrackError):
    """An optional dependency group is not installed; says which pip extra brings it."""

    def __init__(self, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional '{extra}' dependencies: "
            f"pip install 'peacetrack[{extra}]'"
        )
        self.extra = extra
