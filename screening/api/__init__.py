"""The HTTP API (``/api/v1``): token auth with roles, one JSON error shape, routes over the
service layer. :func:`screening.app.create_app` mounts it beside the pages."""

from fastapi import APIRouter

from screening.api import analysis, docs, health, referrals, routes, uploads
from screening.api.errors import ApiError

router = APIRouter()
for _module in (uploads, routes, analysis, referrals):
    router.include_router(_module.router)

__all__ = ["ApiError", "docs", "health", "router"]
