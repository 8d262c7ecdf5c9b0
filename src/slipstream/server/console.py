"""The console: the built single-page app (`ui/`, bundled into `ui_dist/` by
scripts/build_ui.sh) served at `/` by the same app as the REST API it reads.

It is the router's fallback, not a route: only a GET or HEAD that no API route matched reaches
it, so unknown API paths keep their JSON 404 (and wrong methods their 405), the OpenAPI document
is unchanged, and nothing is read from disk until the first page is asked for.

    /assets/<hashed name>   the bundle's files, cached for a year (their names change per build)
    /<file in the bundle>   that file (favicon and such), cached for an hour
    any other path          index.html, never cached: the app routes on the client
    /api/...                never the console: the API's 404

Without a bundle, pages answer 503 with how to build it; the API is unaffected.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

#: Where scripts/build_ui.sh writes the bundle (package data).
BUNDLE = Path(__file__).with_name("ui_dist")
_IMMUTABLE = "public, max-age=31536000, immutable"
_SHORT = "public, max-age=3600"
_NO_CACHE = "no-cache"
_NOT_CONSOLE = ("/api/", "/ajax-api/")

_MISSING = """<!doctype html><html><head><title>Slipstream console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 42em; margin: 3em auto">
<h1>The Slipstream console is not built</h1>
<p>This server found no console bundle in <code>{folder}</code>.
Build it (Node.js 20+ and npm) from a checkout of Slipstream:</p>
<pre>bash scripts/build_ui.sh</pre>
<p>then restart the server. The REST API works without it: see <a href="/docs">/docs</a>.</p>
</body></html>"""


def mount_console(app: ASGIApp, folder: Path = BUNDLE) -> None:
    """Serve the bundle in `folder` from `app`'s router fallback (`app` a Starlette app)."""
    router = app.router  # type: ignore[attr-defined]
    router.default = ConsoleFallback(folder, router.default)


class ConsoleFallback:
    """ASGI app: the console's files and pages, else `not_found` (the router's own 404)."""

    def __init__(self, folder: Path, not_found: ASGIApp) -> None:
        self.folder = folder
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "/")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):] or "/"
        if (scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD")
                or path.startswith(_NOT_CONSOLE)):
            await self.not_found(scope, receive, send)
            return
        response = self.response_for(path)
        if response is None:
            await self.not_found(scope, receive, send)
        else:
            await response(scope, receive, send)

    def response_for(self, path: str) -> Response | None:
        """The file, index.html or the missing-bundle page for a GET of `path`; None: 404."""
        index = self.folder / "index.html"
        if not index.is_file():
            return HTMLResponse(_MISSING.format(folder=self.folder), status_code=503,
                                headers={"Cache-Control": _NO_CACHE})
        relative = path.lstrip("/")
        if relative and relative != "index.html":
            found = self._file(relative)
            if found is not None:
                cache = _IMMUTABLE if relative.startswith("assets/") else _SHORT
                return FileResponse(found, headers={"Cache-Control": cache})
            if relative.startswith("assets/") or _looks_like_a_file(relative):
                return None  # a missing asset must not come back as HTML
        return FileResponse(index, headers={"Cache-Control": _NO_CACHE})

    def _file(self, relative: str) -> Path | None:
        root = self.folder.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate


def _looks_like_a_file(relative: str) -> bool:
    """Client routes are words and ids (/executions/84f6…); a last segment with an extension
    (/favicon.ico, /robots.txt) asks for a file."""
    last = relative.rsplit("/", 1)[-1]
    return "." in last and not last.startswith(".")
