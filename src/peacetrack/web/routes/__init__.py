"""Routes, one module per group of pages; each page has its JSON twin beside it."""

from fastapi import APIRouter

from peacetrack.web.routes import add, audit, auth, browse, claims, compare, profiles, review

ROUTERS: list[APIRouter] = [
    browse.router,
    claims.router,
    compare.router,
    review.router,
    audit.router,
    profiles.router,
    add.router,
    auth.router,
]
