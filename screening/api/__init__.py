"""The HTTP API of the service (FastAPI): :func:`create_app` builds it."""

from screening.api.app import ServiceSettings, create_app

__all__ = ["ServiceSettings", "create_app"]
