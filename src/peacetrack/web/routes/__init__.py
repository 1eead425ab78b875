"""Routes, one module per group of pages; each page has its JSON twin beside it."""

from fastapi import APIRouter

from peacetrack.web.routes import add, auth, browse, claims, compare, conflicts, review

ROUTERS: list[APIRouter] = [
    browse.router,
    claims.router,
    compare.router,
    conflicts.router,
    review.router,
    add.router,
    auth.router,
]
