"""Security headers on every response.

The Content-Security-Policy allows scripts only from this server (no inline scripts, no event-handler
attributes, no eval: Vega runs with its expression interpreter), connections only to this server, and no
framing by other sites.  Styles allow 'unsafe-inline' because MapLibre and Vega set element styles.

:class:`RequestGuard` answers only to the allowed host names (loopback by default; ``serve --allowed-host``),
refuses state-changing requests from other sites' pages, and rate-limits consent records.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CSP = "; ".join(CSP_DIRECTIVES)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


# -- who may talk to the server ---------------------------------------------------------------------------------
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ORIGIN_REQUIRED = ("/privacy/consent",)      # state-changing forms: a request without an Origin is refused
FORM_PREFIXES = ("/alerts/rules",)            # … and every form under these paths (the alert rules' add and delete)


def host_name(value: str | None) -> str | None:
    """The host name of a ``Host`` header or an origin's netloc (``[::1]:8000`` → ``::1``), lower-case; None when
    it is missing or malformed."""
    if not value or any(c.isspace() or c in "/?#@\\" for c in value):
        return None
    try:
        parts = urlsplit(f"//{value}")
        _ = parts.port    # a malformed port raises ValueError
    except ValueError:
        return None
    return parts.hostname or None


def normalise_hosts(hosts) -> frozenset[str]:
    """Allowed host names as given on the command line (``[::1]``, ``Example.org``) in the form compared."""
    out = set()
    for host in hosts:
        host = str(host).strip().lower()
        if host == "*":
            out.add("*")
        elif host:
            out.add(host[1:-1] if host.startswith("[") and host.endswith("]") else host)
    return frozenset(out)


class RequestGuard:
    """Refuses, before any route runs: a ``Host`` that is not one of the allowed host names (DNS rebinding: a page
    of ``attacker.example`` whose name now resolves to 127.0.0.1 would otherwise read the whole store), and a
    state-changing request (POST, …) whose ``Origin`` (or, without one, ``Referer``) is another site; the
    consent form needs one of them.  Consent records are also rate-limited per client.  Pure ASGI."""

    def __init__(self, app, allowed_hosts=LOOPBACK_HOSTS, consent_limit=None):
        self.app = app
        self.allowed = normalise_hosts(allowed_hosts)
        self.consent_limit = consent_limit

    def allows(self, host: str | None) -> bool:
        return host is not None and ("*" in self.allowed or host in self.allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        host = host_name(headers.get("host"))
        if not self.allows(host):
            shown = (headers.get("host") or "")[:80]
            message = (f"this server does not answer to the host name {shown!r}: open it as "
                       f"http://127.0.0.1 (or start it with --allowed-host NAME)" if shown else
                       "the request has no Host header")
            return await _refuse(scope, receive, send, 400, message)
        if scope["type"] == "http" and scope.get("method") in UNSAFE_METHODS:
            origin = headers.get("origin") or headers.get("referer")
            if origin is not None and not self.allows(host_name(urlsplit(origin).netloc) if origin != "null"
                                                      else None):
                return await _refuse(scope, receive, send, 403,
                                     "a request from another site's page is refused (its Origin is not this site)")
            if origin is None and path in ORIGIN_REQUIRED:
                return await _refuse(scope, receive, send, 403, "a consent choice can only be made on this site's "
                                     "own pages (the request has no Origin)")
            if origin is None and path.startswith(FORM_PREFIXES):
                return await _refuse(scope, receive, send, 403, "this form can only be sent from this site's own "
                                     "pages (the request has no Origin); scripts use the API (/api/v1)")
            if path in ORIGIN_REQUIRED and self.consent_limit is not None:
                client = (scope.get("client") or ("unknown", 0))[0]
                wait = self.consent_limit.hit(client)
                if wait is not None:
                    return await _refuse(scope, receive, send, 429, "too many consent choices from this client: "
                                         f"try again in {wait} s", {"Retry-After": str(wait)})
        return await self.app(scope, receive, send)


async def _refuse(scope, receive, send, status: int, message: str, headers: dict | None = None):
    from starlette.responses import JSONResponse, PlainTextResponse
    if scope["type"] == "websocket":
        return await send({"type": "websocket.close", "code": 1008})
    accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
    if scope.get("path", "").startswith("/api/") or "text/html" not in accept:
        response = JSONResponse({"error": {"status": status, "message": message}}, status_code=status,
                                headers=headers)
    else:
        response = PlainTextResponse(message, status_code=status, headers=headers)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    await response(scope, receive, send)
