"""Signing in and out, the language switch, and the home page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from fangkong.core.auth import Actor
from fangkong.core.deps import TOKEN_COOKIE, SessionDep, set_token_cookie
from fangkong.core.i18n import known_lang
from fangkong.users.service import actor_for_token, authenticate, sign_out
from fangkong.web.pages.kit import PageActor, city_map, render

router = APIRouter(include_in_schema=False)


@router.get("/vendor-map/city.js")
def city_map_js() -> Response:
    found = city_map()
    if found is None:
        return Response("/* no boundaries installed for this city */", media_type="text/javascript")
    return FileResponse(found[0], media_type="text/javascript")


# Where each role's work is: checkpoint staff scan, site staff run their site, lab staff their
# rounds' tubes, a county's tracers its 48-hour board; the city's staff start from the cases.
LANDING = {"checkpoint": "/scan", "site": "/sites", "lab": "/testing", "tracer": "/board"}


def landing_for(actor: Actor) -> str:
    return LANDING.get(actor.role, "/infections")


@router.get("/")
def home(actor: PageActor) -> RedirectResponse:
    return RedirectResponse(landing_for(actor), status_code=303)


def local_path(url: str | None) -> str:
    """A path of this site to send someone back to, or "/": never another site (an absolute
    URL, a scheme-relative //host, a backslash browsers read as a slash, a control character)."""
    if not url:
        return "/"
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in url
        or any(ord(c) < 32 for c in url)
    ):
        return "/"
    return path


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request) -> RedirectResponse:
    """Back to the page the switch was clicked on (its path only: never another site)."""
    response = RedirectResponse(local_path(request.headers.get("referer")), status_code=303)
    response.set_cookie("lang", known_lang(lang), samesite="strict")
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", None, next=next, failed=False)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else ""
    signed = authenticate(session, username=username, password=password, address=address)
    token = signed.token
    if token is None:
        session.commit()  # the failure counts toward the throttle
        failed = "throttled" if signed.throttled else "wrong"
        return render(request, "login.html", None, next=next, failed=failed)
    target = local_path(next) if urlsplit(next).netloc == "" else "/"
    if target == "/":
        actor = actor_for_token(session, token=token)
        target = landing_for(actor) if actor else "/"
    response = RedirectResponse(target, status_code=303)
    set_token_cookie(response, token)
    return response


@router.get("/logout")
def logout(request: Request, session: SessionDep) -> RedirectResponse:
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        sign_out(session, token=token)  # the session ends on the server, not only here
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response
