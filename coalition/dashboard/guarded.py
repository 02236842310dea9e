"""The dashboard behind a host and origin check: what ``coalition serve`` runs.

``streamlit run coalition/dashboard/guarded.py`` serves the dashboard's entry script (named by
the ``COALITION_APP`` environment variable, which ``coalition serve`` sets) as a Streamlit
``st.App`` with two checks in front of every request, so that the server refuses what is not its
own page:

- **Host** (starlette's ``TrustedHostMiddleware``): a request whose ``Host`` header is not one of
  Streamlit's ``server.allowedHosts`` (``coalition serve`` sets them to 127.0.0.1, localhost and
  the ``--address``/``--allow-host`` names) is answered ``400`` — every page, file and WebSocket.
  That stops DNS rebinding: a web page whose name was rebound to 127.0.0.1 still sends its own
  name as ``Host``. (Streamlit checks ``server.allowedHosts`` on its WebSocket only.)
- **Origin** (:class:`SameOriginWebSockets`): a WebSocket handshake from another origin is
  answered ``403`` before Streamlit sees it. Streamlit would accept some cross-origin handshakes,
  and to decide it looks up this machine's external IP address over the internet.

Examples
--------
>>> import asyncio
>>> async def inner(scope, receive, send):
...     await send({"type": "websocket.accept"})
>>> sent = []
>>> async def send(message):
...     sent.append(message)
>>> guard = SameOriginWebSockets(inner)
>>> scope = {"type": "websocket", "headers": [(b"host", b"127.0.0.1:8501"),
...                                           (b"origin", b"http://evil.example")]}
>>> asyncio.run(guard(scope, None, send))
>>> sent[0]["status"]
403
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import streamlit as st
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit import config

logger = logging.getLogger(__name__)

# When Streamlit's option is empty (the guard run by hand without flags): local names only.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class SameOriginWebSockets:
    """ASGI middleware: refuse (403) a WebSocket handshake whose ``Origin`` is another site.

    A handshake without ``Origin`` (not a browser) or whose ``Origin`` is the page's own address
    (``scheme://`` + the ``Host`` header) goes through; the ``Host`` itself is checked by
    ``TrustedHostMiddleware`` in front of this one.

    Parameters
    ----------
    app : ASGI app
        The application behind the check.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = Headers(scope=scope)
            origin, host = headers.get("origin"), headers.get("host")
            if origin is not None and urlsplit(origin).netloc.lower() != (host or "").lower():
                logger.warning(
                    "Refused a WebSocket from another site (Origin %r, Host %r)",
                    origin[:200],
                    (host or "")[:200],
                )
                await PlainTextResponse("Cross-origin connections are refused.", status_code=403)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


def allowed_hosts() -> list[str]:
    """The host names served: Streamlit's ``server.allowedHosts`` (or 127.0.0.1 and localhost).

    Examples
    --------
    >>> set(LOCAL_HOSTS) <= set(allowed_hosts()) or bool(allowed_hosts())
    True
    """
    hosts = [str(h).strip().lower() for h in config.get_option("server.allowedHosts") or []]
    return [h for h in hosts if h] or list(LOCAL_HOSTS)


def _entry_script() -> str:
    entry = os.environ.get("COALITION_APP")
    if not entry:
        raise RuntimeError("COALITION_APP is not set: start the dashboard with `coalition serve`.")
    return entry


def warm_up() -> None:
    """Load the dashboard's modules and compute what the Overview shows, into the shared cache.

    Run in a thread while the server starts, so the work overlaps the browser loading
    Streamlit's own page: the first visitor then finds it done or under way (a cached result
    being computed is waited for, never computed twice). A problem is only logged: the page
    that needs the result computes it again and says what is wrong.

    Examples
    --------
    >>> warm_up()  # doctest: +SKIP
    """
    try:
        from coalition.dashboard import cache

        snap = cache.snapshot()
        cache.info(snap)
        cache.counts(snap)
        cache.coverage(snap)
        cache.gaps(snap)
        cache.ranking(snap)
    except Exception as exc:  # any problem: a warm-up never stops the server
        logger.warning("warm-up skipped: %s", exc)


@asynccontextmanager
async def _warm_while_starting(_app: st.App) -> AsyncIterator[None]:
    threading.Thread(target=warm_up, name="coalition-warm-up", daemon=True).start()
    yield


if os.environ.get("COALITION_APP"):  # as the server's launcher (not when imported for docs)
    app = st.App(
        _entry_script(),
        lifespan=_warm_while_starting,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(), www_redirect=False),
            Middleware(SameOriginWebSockets),
        ],
    )
