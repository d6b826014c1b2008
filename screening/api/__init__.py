"""The HTTP API (``/api/v1``): token auth with roles, one JSON error shape, routes over the
service layer. :func:`screening.app.create_app` mounts it beside the pages."""

from screening.api import referrals
from screening.api.errors import ApiError
from screening.api.routes import router

router.include_router(referrals.router)

__all__ = ["ApiError", "router"]
