from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Person(Base):
    """Anyone the platform tracks. `person_key` is what makes a person entered twice one person:
    the ID number when there is one, else P+passport, else a key generated from their details."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(32), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    passport: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(8), default="unknown")
    birth_date: Mapped[date | None] = mapped_column(Date)
    age_text: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(11))
    address: Mapped[str] = mapped_column(String(200), default="")
    # County of residence (GB/T 2260); decides whose jurisdiction the person is in.
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    # Home location (WGS-84) and its grid cell, where known: grid and polygon zones count the
    # people who live in them from these.
    home_lon: Mapped[float | None] = mapped_column(Float)
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_cell: Mapped[str | None] = mapped_column(String(24), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonMerge(Base):
    """A record folded into another: its old key still finds the person it became."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    merged_key: Mapped[str] = mapped_column(String(32), unique=True)
    merged_person_id: Mapped[int] = mapped_column()
    into_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))
