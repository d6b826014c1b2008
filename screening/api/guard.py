"""The request guard: a request's size and an API call's token are checked before its body is
read, and uploads are kept in memory, never in a temporary file.

Without it a client could send a 1 GB body with no token and the server read all of it before
answering 401, or a 300 MB upload be written to a temporary file first. The guard answers
413 for a ``Content-Length`` over the limit and 401 for an API call without a valid token at
once, and stops a body (sent without a length) as soon as it passes the limit.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartParser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening.api.errors import error
from screening.service import Services
from screening.store import accounts

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def body_limit(services: Services) -> int:
    """The largest request body in bytes: two files of the upload limit and 1 MB for the rest
    of a form."""
    return int(2 * services.settings.max_upload_mb * 1e6) + 1_000_000


class RequestGuard:
    """ASGI middleware: request size at once, API tokens before the body, no temporary files.

    Parameters
    ----------
    app : ASGI app
    services : Services
        For the upload limit and the store that knows the tokens.
    api_prefix : str
        Paths whose calls need a bearer token (``/api/v1``).
    signed_in : callable, optional
        ``signed_in(scope) -> bool``: whether a page request comes from a signed-in session
        (the web's check, given by the app that composes both); a form with files from anyone
        else is sent to the sign-in form before its body is read.
    """

    def __init__(self, app: ASGIApp, services: Services, api_prefix: str,
                 signed_in: Callable[[Scope], bool] | None = None) -> None:
        self.app, self.services, self.api_prefix = app, services, api_prefix
        self.signed_in = signed_in
        self.limit = body_limit(services)
        # an upload stays in memory up to the limit: never a temporary file on disk
        MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        is_api = scope["path"].startswith(self.api_prefix)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send, 413, "too_large",
                               f"The request is larger than the limit of "
                               f"{self.limit / 1e6:.0f} MB.", is_api)
            return
        if is_api and not await self._token_ok(headers.get("authorization", "")):
            # the route's own check says why (and counts the failure); its body is not read
            await self.app(scope, _empty, send)
            return
        files = headers.get("content-type", "").startswith("multipart/form-data")
        if (not is_api and files and self.signed_in is not None
                and not await run_in_threadpool(self.signed_in, scope)):
            await RedirectResponse("/sign-in", status_code=303)(scope, receive, send)
            return
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"The request is larger than the limit of "
                                             f"{self.limit / 1e6:.0f} MB.")
            return message

        await self.app(scope, bounded, send)

    async def _token_ok(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        user = await run_in_threadpool(accounts.authenticate, self.services.engine,
                                       token.strip())
        return user is not None

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int,
                      code: str, message: str, is_api: bool) -> None:
        if is_api:
            await error(status, code, message)(scope, receive, send)
            return

        async def refused() -> Message:  # the page's handler renders it, nothing is read
            raise HTTPException(status, message)

        await self.app(scope, refused, send)


async def _empty() -> Message:
    """A request body of nothing (the real one is never read)."""
    return {"type": "http.request", "body": b"", "more_body": False}


__all__ = ["RequestGuard", "body_limit"]
