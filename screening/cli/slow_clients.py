"""The server's protection against slow clients: a connection must send its request's headers
within a deadline, or it is closed.

uvicorn times out only idle keep-alive connections, and any byte received resets that timer,
so a client sending its headers one byte at a time (or never) held a connection for ever
(100 of 100 stalled connections were still open after 60 s). This h11 protocol starts a
deadline when a connection opens and again after each response; a request whose headers are
not complete by then is dropped.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol


def protocol_with_deadline(seconds: float) -> type[H11Protocol]:
    """An h11 protocol class closing connections whose request headers take over ``seconds``."""

    class HeaderDeadline(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._deadline = self.loop.call_later(seconds, self._expire, self.cycle)

        def _expire(self, cycle_then: object) -> None:
            # no new request has started since the deadline was armed: the headers never came
            if self.cycle is cycle_then and not self.transport.is_closing():
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._deadline.cancel()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._deadline.cancel()
            super().connection_lost(exc)

    return HeaderDeadline


__all__ = ["protocol_with_deadline"]
