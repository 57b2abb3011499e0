"""The API's documentation pages, Swagger UI at /docs and ReDoc at /redoc, served from the
packages installed at set-up: a command centre's isolated network reaches no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PACKAGES = Path(__file__).parent / "node_modules"
SWAGGER = PACKAGES / "swagger-ui-dist"
REDOC = PACKAGES / "redoc" / "bundles"


def mount_docs(app: FastAPI) -> None:
    """/docs and /redoc with their scripts and styles from this server (the app is made with
    FastAPI's own CDN-backed pages turned off)."""
    if SWAGGER.is_dir():
        app.mount("/docs-assets/swagger", StaticFiles(directory=SWAGGER), name="swagger")
    if REDOC.is_dir():
        app.mount("/docs-assets/redoc", StaticFiles(directory=REDOC), name="redoc")

    @app.get("/docs", include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Fangkong 防控 · API",
            swagger_js_url="/docs-assets/swagger/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger/swagger-ui.css",
            swagger_favicon_url="/docs-assets/swagger/favicon-32x32.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc_page() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="Fangkong 防控 · API",
            redoc_js_url="/docs-assets/redoc/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/swagger/favicon-32x32.png",
            with_google_fonts=False,
        )
