from __future__ import annotations

from fastapi import APIRouter

from fangkong.core.deps import CurrentActor
from fangkong.core.errors import NotFound
from fangkong.protocol.loader import available, get_protocol
from fangkong.protocol.models import Protocol

router = APIRouter(prefix="/protocols", tags=["protocol"])


@router.get("", response_model=list[str])
def list_protocols(_: CurrentActor) -> list[str]:
    return available()


@router.get("/{protocol_id}", response_model=Protocol)
def read_protocol(protocol_id: str, _: CurrentActor) -> Protocol:
    if protocol_id not in available():
        raise NotFound(f"protocol {protocol_id!r} not found; have {', '.join(available())}")
    return get_protocol(protocol_id)
