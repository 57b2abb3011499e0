"""Treatment and stockpiles, 6–21 March: the city's designated hospital and its cabin
hospital; each infection admitted within hours of its report, its clinical type as it went,
its PCR tests, and discharge when the plan's criteria were met (the father, severe from
10 March, moved to intensive care and still in hospital on the 21st); the city's and the
counties' warehouses and the labs' stores stocked on 6 March, sampling drawing them down, and
Linyi's sampling tubes under their safety level after its round of 9 March until the city
issued more on the 10th."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from fangkong.command import stock
from fangkong.command.schemas import StockLineIn, StockMoveIn, StoreIn
from fangkong.core.auth import Actor
from fangkong.demo.cast import LINYI, YANHU
from fangkong.demo.when import at
from fangkong.testing import labs
from fangkong.tracing import service as tracing
from fangkong.treatment import service as treatment
from fangkong.treatment.schemas import AdmissionIn, ClinicalIn, HospitalIn, PcrIn, WardIn

HOSPITALS = (
    HospitalIn(
        name="运城市传染病医院",
        kind="designated",
        county_code=YANHU,
        wards=[
            WardIn(name="感染一病区", bed_kind="general", beds=40),
            WardIn(name="重症监护病区", bed_kind="icu", beds=8),
        ],
    ),
    HospitalIn(
        name="运城市方舱医院",
        kind="cabin",
        county_code=YANHU,
        wards=[
            WardIn(name="A舱", bed_kind="general", beds=300),
        ],
    ),
)
# Each infection in report order: its types over the days after admission, and whether it
# goes home.
COURSES = (
    (("moderate", 0), ("mild", 6)),
    (("mild", 0),),
    (("moderate", 0), ("severe", 2), ("critical", 4)),
    (("mild", 0),),
    (("mild", 0),),
)


def hospitals(session: Session, commander: Actor) -> None:
    wards = []
    for data in HOSPITALS:
        made = treatment.add_hospital(session, actor=commander, data=data, now=at(6, 18))
        wards += [
            w.id
            for h in treatment.list_hospitals(session, at=at(6, 18))
            if h.id == made.id
            for w in h.wards
        ]
    general, icu, cabin = wards
    for n, infection in enumerate(tracing.list_infections(session, actor=commander)):
        course = COURSES[n % len(COURSES)]
        asymptomatic = infection.kind == "asymptomatic"
        admitted = infection.reported_at + timedelta(hours=2)
        admission = treatment.admit(
            session,
            actor=commander,
            now=admitted,
            data=AdmissionIn(
                infection_id=infection.id,
                ward_id=cabin if asymptomatic else general,
                admitted_at=admitted,
            ),
        )
        for kind, day in (("asymptomatic", 0),) if asymptomatic else course:
            moment = admitted + timedelta(days=day, hours=1)
            treatment.record_clinical(
                session,
                actor=commander,
                infection_id=infection.id,
                now=moment,
                data=ClinicalIn(clinical_type=kind, at=moment),
            )
            if kind == "critical":
                admission = treatment.transfer(
                    session,
                    actor=commander,
                    admission_id=admission.id,
                    ward_id=icu,
                    at=moment,
                    now=moment,
                )
        if course[-1][0] != "critical":
            _goes_home(session, commander, infection.id, admission.id, admitted)


def _goes_home(
    session: Session, commander: Actor, infection_id: int, admission_id: int, admitted: datetime
) -> None:
    """Tests from the ninth day: a weak positive (Ct 31), then two negative a day apart (which
    both plans accept); home after."""
    first = admitted + timedelta(days=9)
    for day, ct in ((0, 31.0), (1, None), (2, None)):
        moment = first + timedelta(days=day)
        data = PcrIn(sampled_at=moment, negative=ct is None, n_ct=ct, orf1ab_ct=ct and ct + 0.4)
        treatment.record_pcr(
            session, actor=commander, infection_id=infection_id, now=moment, data=data
        )
    well = first + timedelta(days=1)
    treatment.record_clinical(
        session,
        actor=commander,
        infection_id=infection_id,
        now=well,
        data=ClinicalIn(clinical_type="mild", at=well, symptoms_resolved=True),
    )
    leaves = first + timedelta(days=2, hours=6)
    treatment.discharge(session, actor=commander, admission_id=admission_id, at=leaves, now=leaves)


STORES = (
    ("运城市应急物资储备库", "warehouse", None),
    ("临猗县防疫物资仓库", "warehouse", LINYI),
    ("盐湖区防疫物资仓库", "warehouse", YANHU),
)
RECEIVED = {  # item -> (city, Linyi, Yanhu) received on 6 March
    "swab": (200_000, 6_000, 4_000),
    "sampling_tube": (40_000, 800, 600),
    "protective_suit": (20_000, 600, 400),
    "mask": (100_000, 3_000, 2_000),
    "disinfectant": (5_000, 400, 300),
    "room": (300, 0, 0),
}
SAFETY = {"swab": 1_000, "sampling_tube": 500, "protective_suit": 100, "mask": 500}


def stockpiles(session: Session, commander: Actor) -> None:
    ids = []
    for name, kind, county in STORES:
        store = stock.add_store(
            session,
            actor=commander,
            now=at(6, 12),
            data=StoreIn(name=name, kind=kind, county_code=county),
        )
        ids.append(store.id)
    for lab in labs.list_labs(session)[:3]:
        store = stock.add_store(
            session,
            actor=commander,
            now=at(6, 12),
            data=StoreIn(
                name=f"{lab.name}试剂库", kind="lab", lab_id=lab.id, county_code=lab.county_code
            ),
        )
        _move(session, commander, store.id, "receipt", "reagent", 20_000, at(6, 12))
        stock.set_safety_level(
            session,
            actor=commander,
            store_id=store.id,
            data=StockLineIn(item="reagent", safety_level=2_000),
        )
    for item, amounts in RECEIVED.items():
        for store_id, amount in zip(ids, amounts, strict=True):
            if amount:
                _move(session, commander, store_id, "receipt", item, amount, at(6, 12))
            if item in SAFETY and store_id != ids[0]:
                stock.set_safety_level(
                    session,
                    actor=commander,
                    store_id=store_id,
                    data=StockLineIn(item=item, safety_level=SAFETY[item]),
                )
    for day in range(7, 22):  # the sites' daily disinfection, entered by the warehouses
        _move(session, commander, ids[1], "use", "disinfectant", 20, at(day, 20))
    _move(session, commander, ids[0], "issue", "sampling_tube", 2_000, at(10, 9), to=ids[1])
    _move(session, commander, ids[0], "issue", "room", 120, at(12, 9), to=ids[1])


def _move(
    session: Session,
    commander: Actor,
    store_id: int,
    kind: str,
    item: str,
    n: int,
    moment: datetime,
    to: int | None = None,
) -> None:
    data = StockMoveIn.model_validate(
        {
            "store_id": store_id,
            "item": item,
            "kind": kind,
            "quantity": n,
            "at": moment,
            "to_store_id": to,
        }
    )
    stock.record_move(session, actor=commander, data=data, now=moment)
