"""The API's documentation pages, Swagger UI at /docs and ReDoc at /redoc, served from the
packages installed at set-up: a command centre's isolated network reaches no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PACKAGES = Path(__file__).parent / "node_modules"
SWAGGER = PACKAGES / "swagger-ui-dist"
REDOC = PACKAGES / "redoc" / "bundles"


# FastAPI's page starts Swagger UI with an inline script, which the Content-Security-Policy
# refuses (core/guard.py): the same page, started from /static/docs.js.
SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Fangkong 防控 · API</title>
<link rel="stylesheet" href="/docs-assets/swagger/swagger-ui.css">
<link rel="icon" href="/docs-assets/swagger/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger/swagger-ui-bundle.js"></script>
<script src="/docs-assets/swagger/swagger-ui-standalone-preset.js"></script>
<script src="/static/docs.js"></script></body></html>
"""


def mount_docs(app: FastAPI) -> None:
    """/docs and /redoc with their scripts and styles from this server (the app is made with
    FastAPI's own CDN-backed pages turned off)."""
    if SWAGGER.is_dir():
        app.mount("/docs-assets/swagger", StaticFiles(directory=SWAGGER), name="swagger")
    if REDOC.is_dir():
        app.mount("/docs-assets/redoc", StaticFiles(directory=REDOC), name="redoc")

    @app.get("/docs", include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return HTMLResponse(SWAGGER_PAGE)

    @app.get("/redoc", include_in_schema=False)
    def redoc_page() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="Fangkong 防控 · API",
            redoc_js_url="/docs-assets/redoc/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/swagger/favicon-32x32.png",
            with_google_fonts=False,
        )
