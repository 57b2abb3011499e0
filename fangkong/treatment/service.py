"""Treatment: hospitals and wards, admissions of infections to a bed of a kind, transfers,
clinical types over time, PCR tests, and discharge by the plan's criteria followed by its
health monitoring. Bed occupancy per hospital and day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.timeutil import refuse_future, start_of_local_day
from fangkong.people.service import readable_by
from fangkong.protocol.loader import get_protocol
from fangkong.tracing.service import infection_to_change
from fangkong.treatment.discharge import PcrTest, discharge_verdict
from fangkong.treatment.models import Admission, ClinicalRecord, Hospital, PcrRecord, Ward
from fangkong.treatment.permissions import MANAGE_HOSPITALS, TREAT
from fangkong.treatment.schemas import (
    AdmissionIn,
    AdmissionRead,
    ClinicalIn,
    HospitalIn,
    HospitalRead,
    OccupancyDay,
    PcrIn,
    WardRead,
)

if TYPE_CHECKING:
    from fangkong.tracing.models import Infection


def add_hospital(session: Session, *, actor: Actor, data: HospitalIn, now: datetime) -> Hospital:
    actor.require(MANAGE_HOSPITALS, what="manage hospitals")
    if session.scalar(select(Hospital.id).where(Hospital.name == data.name)):
        raise Conflict(_("a hospital %(name)s exists", name=data.name))
    hospital = Hospital(
        name=data.name, kind=data.kind, county_code=data.county_code, created_at=now
    )
    session.add(hospital)
    session.flush()
    session.add_all(
        Ward(hospital_id=hospital.id, name=w.name, bed_kind=w.bed_kind, beds=w.beds)
        for w in data.wards
    )
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="create",
        entity="hospital",
        entity_id=hospital.id,
        now=now,
        detail=data.name,
    )
    return hospital


def in_bed(at: datetime) -> ColumnElement[bool]:
    """Admissions holding their bed at `at`."""
    return and_(
        Admission.admitted_at <= at, or_(Admission.left_at.is_(None), Admission.left_at > at)
    )


def occupied(session: Session, at: datetime) -> dict[int, int]:
    """Beds taken in each ward at a moment."""
    rows = session.execute(
        select(Admission.ward_id, func.count()).where(in_bed(at)).group_by(Admission.ward_id)
    )
    return {ward_id: int(n) for ward_id, n in rows}


def list_hospitals(session: Session, *, at: datetime) -> list[HospitalRead]:
    """Hospitals and wards, beds and beds taken at a moment: no person in it, every reader's."""
    taken = occupied(session, at)
    wards: dict[int, list[WardRead]] = {}
    for w in session.scalars(select(Ward).order_by(Ward.id)):
        shown = WardRead(
            id=w.id,
            name=w.name,
            bed_kind=w.bed_kind,
            beds=w.beds,
            occupied=taken.get(w.id, 0),
        )
        wards.setdefault(w.hospital_id, []).append(shown)
    return [
        HospitalRead(
            id=h.id,
            name=h.name,
            kind=h.kind,
            county_code=h.county_code,
            wards=wards.get(h.id, []),
            beds=sum(w.beds for w in wards.get(h.id, [])),
            occupied=sum(w.occupied for w in wards.get(h.id, [])),
        )
        for h in session.scalars(select(Hospital).order_by(Hospital.id))
    ]


def _ward(session: Session, ward_id: int) -> Ward:
    ward = session.get(Ward, ward_id)
    if ward is None:
        raise InvalidInput.at(("ward_id",), _("no ward %(id)s", id=ward_id))
    return ward


def _bed_free(session: Session, ward: Ward, at: datetime) -> None:
    """Refuse an admission to a ward whose beds are all taken at that moment, or later (a bed
    given now must not be one a later admission already holds)."""
    later = select(func.count()).where(Admission.ward_id == ward.id, Admission.admitted_at > at)
    taken = occupied(session, at).get(ward.id, 0) + int(session.scalar(later) or 0)
    if taken >= ward.beds:
        raise Conflict(_("ward %(ward)s is full (%(beds)s beds)", ward=ward.name, beds=ward.beds))


def readable_admissions(actor: Actor) -> Select[Admission]:
    return select(Admission).where(readable_by(actor, Admission.person_id))


def admit(session: Session, *, actor: Actor, data: AdmissionIn, now: datetime) -> Admission:
    """An infection into a ward's bed; one bed at a time for each infection."""
    actor.require(TREAT, what="treat patients")
    infection = infection_to_change(session, actor=actor, infection_id=data.infection_id)
    refuse_future(data.admitted_at, now, "admitted_at")
    if data.admitted_at < infection.reported_at - timedelta(days=1):
        raise InvalidInput.at(("admitted_at",), _("admitted before the infection was found"))
    if session.scalar(
        select(Admission.id).where(
            Admission.infection_id == infection.id, Admission.left_at.is_(None)
        )
    ):
        raise Conflict(_("infection %(id)s is already in hospital", id=infection.id))
    ward = _ward(session, data.ward_id)
    _bed_free(session, ward, data.admitted_at)
    admission = Admission(
        infection_id=infection.id,
        person_id=infection.person_id,
        ward_id=ward.id,
        admitted_at=data.admitted_at,
    )
    session.add(admission)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="admit",
        entity="infection",
        entity_id=infection.id,
        now=now,
        detail=f"ward {ward.id}",
    )
    return admission


def _current(session: Session, actor: Actor, admission_id: int) -> Admission:
    actor.require(TREAT, what="treat patients")
    admission = session.scalar(readable_admissions(actor).where(Admission.id == admission_id))
    if admission is None:
        raise NotFound(_("admission %(id)s not found", id=admission_id))
    infection_to_change(session, actor=actor, infection_id=admission.infection_id)
    if admission.left_at is not None:
        raise Conflict(_("admission %(id)s has ended", id=admission.id))
    return admission


def transfer(
    session: Session, *, actor: Actor, admission_id: int, ward_id: int, at: datetime, now: datetime
) -> Admission:
    """To another ward (of this hospital or another): this stay ends, a new one begins."""
    current = _current(session, actor, admission_id)
    refuse_future(at, now, "at")
    if at < current.admitted_at:
        raise InvalidInput.at(("at",), _("before the admission"))
    ward = _ward(session, ward_id)
    _bed_free(session, ward, at)
    current.left_at, current.left_reason = at, "transferred"
    moved = Admission(
        infection_id=current.infection_id,
        person_id=current.person_id,
        ward_id=ward.id,
        admitted_at=at,
    )
    session.add(moved)
    session.flush()
    return moved


def discharge(
    session: Session, *, actor: Actor, admission_id: int, at: datetime, now: datetime
) -> Admission:
    """Out of hospital when the plan's criteria are met at `at`, into its health monitoring;
    refused naming what is missing."""
    current = _current(session, actor, admission_id)
    refuse_future(at, now, "at")
    infection = infection_to_change(session, actor=actor, infection_id=current.infection_id)
    rule = get_protocol(infection.protocol_id).treatment.discharge
    tests = [
        PcrTest(t.sampled_at, t.negative, t.n_ct, t.orf1ab_ct)
        for t in session.scalars(select(PcrRecord).where(PcrRecord.infection_id == infection.id))
    ]
    verdict = discharge_verdict(
        rule, tests, symptoms_resolved=_resolved(session, infection.id, at), at=at
    )
    if not verdict.met:
        raise InvalidInput.at(("tests",), "; ".join(verdict.missing))
    current.left_at, current.left_reason = at, "discharged"
    current.monitoring, current.monitoring_until = rule.monitoring, verdict.monitoring_until
    record_audit(
        session,
        actor=actor,
        action="discharge",
        entity="infection",
        entity_id=infection.id,
        now=now,
        detail=rule.monitoring,
    )
    return current


def _resolved(session: Session, infection_id: int, at: datetime) -> bool:
    latest = session.scalar(
        select(ClinicalRecord)
        .where(ClinicalRecord.infection_id == infection_id, ClinicalRecord.at <= at)
        .order_by(ClinicalRecord.at.desc(), ClinicalRecord.id.desc())
        .limit(1)
    )
    return bool(latest and latest.symptoms_resolved)


def _patient(
    session: Session, actor: Actor, infection_id: int, moment: datetime, now: datetime, field: str
) -> Infection:
    """The infection a record is about, if the actor treats its county's patients, and the
    record's moment not in the future."""
    actor.require(TREAT, what="treat patients")
    infection = infection_to_change(session, actor=actor, infection_id=infection_id)
    refuse_future(moment, now, field)
    return infection


def record_clinical(
    session: Session, *, actor: Actor, infection_id: int, data: ClinicalIn, now: datetime
) -> ClinicalRecord:
    infection = _patient(session, actor, infection_id, data.at, now, "at")
    kinds = get_protocol(infection.protocol_id).treatment.clinical_types
    if data.clinical_type not in kinds:
        raise InvalidInput.at(
            ("clinical_type",), _("unknown clinical type %(t)s", t=data.clinical_type)
        )
    record = ClinicalRecord(
        infection_id=infection.id,
        person_id=infection.person_id,
        at=data.at,
        clinical_type=data.clinical_type,
        symptoms_resolved=data.symptoms_resolved,
    )
    session.add(record)
    session.flush()
    return record


def record_pcr(
    session: Session, *, actor: Actor, infection_id: int, data: PcrIn, now: datetime
) -> PcrRecord:
    infection = _patient(session, actor, infection_id, data.sampled_at, now, "sampled_at")
    record = PcrRecord(
        infection_id=infection.id,
        person_id=infection.person_id,
        sampled_at=data.sampled_at,
        negative=data.negative,
        n_ct=data.n_ct,
        orf1ab_ct=data.orf1ab_ct,
    )
    session.add(record)
    session.flush()
    return record


class BedsByKind(NamedTuple):
    general: int
    general_beds: int
    icu: int
    icu_beds: int


def beds_by_kind(wards: Sequence[WardRead]) -> BedsByKind:
    """A hospital's beds taken and beds, general and intensive care."""

    def total(kind: str, taken: bool) -> int:
        return sum(w.occupied if taken else w.beds for w in wards if w.bed_kind == kind)

    return BedsByKind(
        total("general", True), total("general", False), total("icu", True), total("icu", False)
    )


def occupancy(session: Session, *, days: Sequence[date]) -> list[OccupancyDay]:
    """Beds taken in each hospital at the start of each day (no person: every reader's)."""
    return [
        OccupancyDay(day=day, hospital_id=h.id, hospital=h.name, **beds_by_kind(h.wards)._asdict())
        for day in days
        for h in list_hospitals(session, at=start_of_local_day(day))
    ]


def admissions_of(session: Session, *, actor: Actor, infection_id: int) -> list[Admission]:
    query = readable_admissions(actor).where(Admission.infection_id == infection_id)
    return list(session.scalars(query.order_by(Admission.admitted_at, Admission.id)))


def present(session: Session, admission: Admission) -> AdmissionRead:
    ward = session.get(Ward, admission.ward_id)
    hospital = session.get(Hospital, ward.hospital_id) if ward else None
    return AdmissionRead(
        id=admission.id,
        infection_id=admission.infection_id,
        hospital=hospital.name if hospital else "",
        ward=ward.name if ward else "",
        bed_kind=ward.bed_kind if ward else "",
        admitted_at=admission.admitted_at,
        left_at=admission.left_at,
        left_reason=admission.left_reason,
        monitoring=admission.monitoring,
        monitoring_until=admission.monitoring_until,
    )


def in_hospital(session: Session, *, actor: Actor, at: datetime) -> list[AdmissionRead]:
    """The actor's patients in a bed at `at` (no names: each links to its infection's page,
    which shows as much of the person as the reader may see)."""
    found = session.scalars(
        readable_admissions(actor).where(in_bed(at)).order_by(Admission.admitted_at)
    )
    return [present(session, a) for a in found]
