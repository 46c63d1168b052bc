"""``GET /`` (the patient page) and ``GET /static/{name}`` (its stylesheet and script).

The page is static: it holds no patient data. Its script signs in with the patient's bearer token and calls the
``/v1`` API, so every read stays authenticated and scoped there. Everything is served from the package (no CDN,
no build step), under a Content-Security-Policy that allows our own script and stylesheet only: no inline code,
no other origin, so markup that slipped into the page could not run or send anything anywhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.http_errors import ApiError

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).parent / "static"

#: The only files served: a fixed list, so no request path can reach anything else on disk.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "api.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        # The forms are handled by the script; without it they must not send the token anywhere.
        "form-action 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Small files that change with each release: revalidate instead of serving a stale script.
    "Cache-Control": "no-cache",
}


@router.get("/", response_class=FileResponse)
def page() -> FileResponse:
    """The patient page."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/static/{name}", response_class=FileResponse)
def asset(name: str) -> FileResponse:
    """The page's stylesheet or script."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise ApiError(404, "not_found", "no such file")
    return FileResponse(STATIC / name, media_type=media_type, headers=SECURITY_HEADERS)
