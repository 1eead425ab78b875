"""The browser app and its JSON API: `peacetrack serve`."""

from peacetrack.web.app import create_app

__all__ = ["create_app"]
