"""Routes, one module per group of pages; each page has its JSON twin beside it."""

from fastapi import APIRouter

from peacetrack.web.routes import (
    add,
    audit,
    auth,
    browse,
    claims,
    compare,
    conflicts,
    profiles,
    review,
)

ROUTERS: list[APIRouter] = [
    browse.router,
    claims.router,
    compare.router,
    conflicts.router,
    review.router,
    audit.router,
    profiles.router,
    add.router,
    auth.router,
]
