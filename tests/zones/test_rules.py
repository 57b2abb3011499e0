from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fangkong.core.i18n import in_language
from fangkong.protocol.loader import get_protocol
from fangkong.zones.rules import ZoneFacts, evaluate_zone

CST = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2022, 3, day, hour, minute, tzinfo=CST)


# The founding outbreak: sealed zones drawn on the night of 6 March; the last infection found
# in the community was the index case (19:50); the household's last exposure 20:30.
SEALED = ZoneFacts(
    kind="sealed",
    drawn_at=at(6, 23),
    last_infection_at=at(6, 19, 50),
    last_close_exposure_at=at(6, 20, 30),
    negative_rounds=(at(13, 18), at(19, 20)),
)


def test_the_linyi_sealed_zones_become_eligible_on_20_march() -> None:
    cn8 = get_protocol("cn-8")
    early = evaluate_zone(cn8, SEALED, as_of=at(20, 12))
    assert not early.eligible and early.eligible_from == at(20, 23)
    assert any("连续14天无新增感染者" in u for u in early.unmet)
    lifted = evaluate_zone(cn8, SEALED, as_of=at(21, 0))
    assert lifted.eligible and lifted.becomes == "lifted" and lifted.unmet == []


def test_a_new_infection_restarts_the_clock_and_rounds_must_be_fresh() -> None:
    cn8 = get_protocol("cn-8")
    later = ZoneFacts(**{**SEALED.__dict__, "last_infection_at": at(10, 9)})
    verdict = evaluate_zone(cn8, later, as_of=at(21, 0))
    assert not verdict.eligible and verdict.eligible_from == at(24, 9)
    stale = ZoneFacts(**{**SEALED.__dict__, "negative_rounds": (at(13, 18),)})
    verdict = evaluate_zone(cn8, stale, as_of=at(21, 0))
    assert verdict.unmet == ["解封前2天内区域全员核酸检测均为阴性"]
    with in_language("en"):
        verdict = evaluate_zone(cn8, stale, as_of=at(21, 0))
    assert verdict.unmet == ["a whole-zone round, all negative, within 2 days before lifting"]


def test_precaution_waits_for_the_zones_inside() -> None:
    cn8 = get_protocol("cn-8")
    facts = ZoneFacts(kind="precaution", drawn_at=at(6, 23), inner_active=2)
    assert evaluate_zone(cn8, facts, as_of=at(21, 0)).unmet == ["内部仍有2个风险区未解除"]
    assert evaluate_zone(
        cn8, ZoneFacts(kind="precaution", drawn_at=at(6, 23)), as_of=at(21, 0)
    ).eligible


def test_ninth_edition_high_to_medium_to_low() -> None:
    cn9 = get_protocol("cn-9")
    high = ZoneFacts(
        kind="high",
        drawn_at=at(6, 23),
        last_infection_at=at(6, 19, 50),
        negative_rounds=(at(12, 20),),
    )
    verdict = evaluate_zone(cn9, high, as_of=at(13, 23, 30))
    assert verdict.eligible and verdict.becomes == "medium"
    assert not evaluate_zone(cn9, high, as_of=at(13, 22)).eligible  # 7 days not yet
    medium = ZoneFacts(
        kind="medium", drawn_at=at(6, 23), downgraded_from="high", downgraded_at=at(14, 0)
    )
    assert not evaluate_zone(cn9, medium, as_of=at(16, 12)).eligible
    done = evaluate_zone(cn9, medium, as_of=at(17, 0))
    assert done.eligible and done.becomes == "lifted"


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="no zone kind"):
        evaluate_zone(get_protocol("cn-9"), ZoneFacts(kind="sealed", drawn_at=at(6)), as_of=at(7))


def test_protocol_refuses_a_zone_that_becomes_nothing() -> None:
    from fangkong.protocol.loader import FILES, ProtocolError, parse_protocol

    text = (
        (FILES / "cn-9.toml")
        .read_text(encoding="utf-8")
        .replace('becomes = "medium"', 'becomes = "amber"')
    )
    with pytest.raises(ProtocolError, match="zones.high: 'amber' is not a zone kind"):
        parse_protocol(text, source="cn-9.toml")
