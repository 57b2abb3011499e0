from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from fangkong.core.deps import CurrentActor
from fangkong.core.errors import InvalidInput
from fangkong.core.schemas import ReadModel
from fangkong.testing.pooling import advise_pool_size

router = APIRouter(prefix="/testing", tags=["testing"])


class PoolOptionRead(BaseModel):
    size: int
    tests_per_person: float
    sensitivity: float


class PoolAdviceRead(ReadModel):
    prevalence: float
    recommended: PoolOptionRead
    options: list[PoolOptionRead]


@router.get("/pool-size", response_model=PoolAdviceRead)
def pool_size(
    _: CurrentActor,
    prevalence: Annotated[float, Query(gt=0, lt=1, description="estimated share infected")],
    sensitivity: Annotated[float, Query(gt=0, le=1)] = 0.95,
    dilution_loss: Annotated[float, Query(ge=0, lt=1)] = 0.01,
    min_sensitivity: Annotated[float, Query(ge=0, le=1)] = 0.85,
) -> PoolAdviceRead:
    """The pool size with the fewest tests per case found at a prevalence (Dorfman)."""
    try:
        advice = advise_pool_size(
            prevalence,
            sensitivity=sensitivity,
            dilution_loss=dilution_loss,
            min_sensitivity=min_sensitivity,
        )
    except ValueError as exc:
        raise InvalidInput.at(("prevalence",), str(exc)) from None
    return PoolAdviceRead.model_validate(advice, from_attributes=True)
