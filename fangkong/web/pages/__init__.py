"""The pages people use in a browser, a module a domain; each page calls services and renders
a template (kit.py holds what they share)."""

from __future__ import annotations

from fastapi import APIRouter

from fangkong.web.pages import (
    centre,
    command,
    forecast,
    healthcode,
    quarantine,
    session,
    testing,
    tracing,
    travel,
    zones,
)
from fangkong.web.pages.kit import (
    LoginRequired,
    forbidden_page,
    login_redirect,
    missing_page,
    vendor_dir,
)

MODULES = (
    session,
    command,
    centre,
    tracing,
    quarantine,
    healthcode,
    zones,
    testing,
    forecast,
    travel,
)
router = APIRouter(include_in_schema=False)
for module in MODULES:
    router.include_router(module.router)

__all__ = [
    "MODULES", "LoginRequired", "forbidden_page", "login_redirect", "missing_page", "router",
    "vendor_dir",
]  # fmt: skip
