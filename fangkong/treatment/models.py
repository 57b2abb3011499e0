"""Treatment's tables: hospitals and their wards, admissions of infections (transfers between
wards and hospitals, discharges), clinical types over time and the PCR tests discharge is
judged by. Only the treatment domain writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Hospital(Base):
    """A designated hospital (定点医院) or a cabin hospital (方舱医院)."""

    __tablename__ = "treatment_hospitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # designated | cabin
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ward(Base):
    """A ward of a hospital with its beds of one kind (general, intensive care)."""

    __tablename__ = "treatment_wards"
    __table_args__ = (UniqueConstraint("hospital_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_hospitals.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    bed_kind: Mapped[str] = mapped_column(String(8))  # general | icu
    beds: Mapped[int] = mapped_column(Integer)


class Admission(Base):
    """An infection in a ward's bed, from admission until transferred, discharged or died."""

    __tablename__ = "treatment_admissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    infection_id: Mapped[int] = mapped_column(
        ForeignKey("infections.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("treatment_wards.id"), index=True)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    left_reason: Mapped[str | None] = mapped_column(String(16))  # transferred|discharged|died
    # After discharge: the plan's health monitoring, until when.
    monitoring: Mapped[str | None] = mapped_column(String(24))
    monitoring_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClinicalRecord(Base):
    """An infection's clinical type from a moment on (无症状, 轻型, 普通型, 重型, 危重型)."""

    __tablename__ = "treatment_clinical"

    id: Mapped[int] = mapped_column(primary_key=True)
    infection_id: Mapped[int] = mapped_column(
        ForeignKey("infections.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    clinical_type: Mapped[str] = mapped_column(String(16))
    symptoms_resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class PcrRecord(Base):
    """A patient's PCR test in hospital, with the two genes' Ct values."""

    __tablename__ = "treatment_pcr"

    id: Mapped[int] = mapped_column(primary_key=True)
    infection_id: Mapped[int] = mapped_column(
        ForeignKey("infections.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    negative: Mapped[bool] = mapped_column(Boolean)
    n_ct: Mapped[float | None] = mapped_column(Float)
    orf1ab_ct: Mapped[float | None] = mapped_column(Float)
