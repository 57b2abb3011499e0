"""A war-game scenario: the city, the virus, the protocol and the capacities, as a TOML file.
Every key is checked when the file is read; a bad one is named with its path."""

from __future__ import annotations

import os
import tomllib
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.protocol.loader import ProtocolError, get_protocol

VARIANTS_FILE = Path(__file__).with_name("variants.toml")
# What a person costs while a run is going: the city (~19 B), the epidemic (~12 B), the lists
# of the active, the placed, the pending tests and the tracing queue (~40 B at their starting
# sizes), and numpy's working copies while the city is built (~60 B). Measured, rounded up.
BYTES_PER_PERSON = 160
Probability = float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Variant(_Strict):
    label: str
    r0: float = Field(gt=0, le=30)
    latent_days: float = Field(gt=0, le=30)
    latent_shape: float = Field(gt=0, le=100)
    presymptomatic_days: float = Field(ge=0, le=10)
    infectious_days: float = Field(gt=0, le=30)
    infectious_shape: float = Field(gt=0, le=100)
    asymptomatic_fraction: Probability = Field(ge=0, le=1)
    asymptomatic_infectiousness: Probability = Field(ge=0, le=1)
    care_seeking_days: float = Field(ge=0, le=14)
    care_seeking_fraction: Probability = Field(ge=0, le=1)
    hospitalised_by_age: list[Probability] = Field(min_length=9, max_length=9)

    @model_validator(mode="after")
    def _probabilities(self) -> Variant:
        if any(not 0 <= p <= 1 for p in self.hospitalised_by_age):
            raise ValueError("hospitalised_by_age: every share must be between 0 and 1")
        return self


class CitySpec(_Strict):
    people: int = Field(ge=1_000, le=2_000_000_000)  # memory is checked against the machine
    counties: int = Field(default=13, ge=1, le=200)
    per_cell: int = Field(default=2_500, ge=100, le=100_000)


class Seeding(_Strict):
    initial_infections: int = Field(default=10, ge=1)
    # Infect each first case's whole household with them (a replay that starts from a
    # household cluster, as Linyi's did).
    with_households: bool = False
    importations_per_day: float = Field(default=0.0, ge=0, le=10_000)
    # Share of imported infections caught by the inbound loop's landing test.
    arrivals_caught: Probability = Field(default=0.0, ge=0, le=1)


class Mixing(_Strict):
    mode: Literal["network", "homogeneous"] = "network"
    # Share of R0 each layer carries in the network mode ⚠ (our choice, Covasim-like).
    household_share: Probability = Field(default=0.3, ge=0, le=1)
    group_share: Probability = Field(default=0.3, ge=0, le=1)
    community_contacts: float = Field(default=10.0, ge=0, le=200)
    work_contacts: int = Field(default=8, ge=0, le=200)
    school_contacts: int = Field(default=15, ge=0, le=200)


class Response(_Strict):
    """The response as the protocol and the city's capacities allow."""

    detection: bool = True  # fever clinics and pharmacies; severe cases at hospital
    tracing: bool = True
    tracing_per_day: int = Field(default=5_000, ge=0, description="contacts placed a day")
    trace_delay_days: int = Field(default=1, ge=0, le=14)
    found_fraction: Probability = Field(default=0.9, ge=0, le=1)
    group_trace_max: int = Field(default=30, ge=0, le=10_000)
    companions_per_case: int = Field(default=10, ge=0, le=10_000)
    rooms: int = Field(default=5_000, ge=0, description="central quarantine rooms")
    transfer_delay_days: int = Field(default=0, ge=0, le=7)
    zones: bool = True
    controlled_community: Probability = Field(default=0.3, ge=0, le=1)
    screening_days: list[int] = Field(default=[], max_length=60)
    pool_size: int = Field(default=10, ge=1, le=50)
    lab_tubes_per_day: int = Field(default=200_000, ge=1)
    sensitivity: Probability = Field(default=0.95, ge=0, le=1)


class Scenario(_Strict):
    name: str = "scenario"
    protocol: str = "cn-8"
    variant: str = "delta"
    seed: int = Field(default=1, ge=0, le=2**32 - 1)
    days: int = Field(default=60, ge=1, le=730)
    city: CitySpec
    disease: dict[str, Any] = Field(default_factory=dict, description="overrides of the variant")
    seeding: Seeding = Seeding()
    mixing: Mixing = Mixing()
    interventions: bool = True
    response: Response = Response()

    def resolved_variant(self) -> Variant:
        known = variants()
        if self.variant not in known:
            raise InvalidInput.at(
                ("variant",), f"unknown variant {self.variant!r}: {sorted(known)}"
            )
        try:
            return Variant.model_validate({**known[self.variant], **self.disease})
        except ValidationError as exc:
            raise InvalidInput(
                "invalid disease",
                [FieldProblem(("disease", *e["loc"]), e["msg"]) for e in exc.errors()],
            ) from None


@cache
def variants() -> dict[str, dict[str, Any]]:
    with VARIANTS_FILE.open("rb") as f:
        return tomllib.load(f)


def available_memory() -> int:
    """Bytes of memory available now (Linux), or the machine's total elsewhere."""
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_scenario(data: dict[str, Any], *, source: str = "scenario") -> Scenario:
    """Validate a scenario: every problem named by its key, before anything runs."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            f"{source}: invalid scenario",
            [FieldProblem(tuple(e["loc"]), e["msg"]) for e in exc.errors()],
        ) from None
    try:
        get_protocol(scenario.protocol)
    except ProtocolError:
        raise InvalidInput.at(
            ("protocol",), f"unknown protocol version {scenario.protocol!r}"
        ) from None
    scenario.resolved_variant()
    need = scenario.city.people * BYTES_PER_PERSON
    have = available_memory()
    if need > have:
        raise InvalidInput.at(
            ("city", "people"),
            f"{scenario.city.people:,} people need about {need / 2**30:.1f} GiB "
            f"({BYTES_PER_PERSON} B each); {have / 2**30:.1f} GiB is available",
        )
    return scenario


def load_scenario(path: Path) -> Scenario:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput.at(("file",), f"{path.name}: not valid TOML ({exc})") from None
    return check_scenario(data, source=path.name)
