from __future__ import annotations

from pathlib import Path

import pytest

from fangkong.protocol.loader import (
    FILES,
    ProtocolError,
    get_protocol,
    load_all,
    load_protocol_file,
    parse_protocol,
)

CN8 = (FILES / "cn-8.toml").read_text(encoding="utf-8")


def test_both_editions_load() -> None:
    protocols = load_all()
    assert set(protocols) == {"cn-8", "cn-9"}


def test_8th_edition_close_contacts_are_14_plus_7() -> None:
    close = get_protocol("cn-8").categories["close"]
    assert [(p.kind, p.days, p.test_days) for p in close.management] == [
        ("central_quarantine", 14, (1, 4, 7, 14)),
        ("home_monitoring", 7, (2, 7)),
    ]
    assert get_protocol("cn-8").tracing.close_lookback_days == 2


def test_9th_edition_close_contacts_are_7_plus_3() -> None:
    p = get_protocol("cn-9")
    assert [(m.kind, m.days) for m in p.categories["close"].management] == [
        ("central_quarantine", 7),
        ("home_monitoring", 3),
    ]
    assert p.categories["secondary"].management[0].kind == "home_quarantine"
    assert p.tracing.close_lookback_days == 4


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("days = 14", "days = -1"), "categories.close.management.0.days"),
        (('kind = "central_quarantine"', 'kind = "hotel"'), "categories.close.management.0.kind"),
        (
            ("test_days = [1, 4, 7, 14]", "test_days = [1, 4, 7, 15]"),
            "categories.close.management.0",
        ),
        (("close_lookback_days = 2", 'close_lookback_days = "two"'), "tracing.close_lookback_days"),
        (("[categories.general]", "[categories.casual]"), "categories.casual"),
        (
            ('label_en = "household"', 'label_en = "household", colour = "red"'),
            "settings.household.colour",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_key(change: tuple[str, str], key: str) -> None:
    broken = CN8.replace(*change, 1)
    assert broken != CN8
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(broken, source="cn-8.toml")
    assert key in str(caught.value) and "cn-8.toml" in str(caught.value)


def test_not_toml(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="not valid TOML"):
        parse_protocol("id = ", source="x.toml")


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "cn-10.toml"
    path.write_text(CN8, encoding="utf-8")
    with pytest.raises(ProtocolError, match="does not match the file name"):
        load_protocol_file(path)


def test_unknown_protocol() -> None:
    with pytest.raises(ProtocolError, match="cn-8, cn-9"):
        get_protocol("cn-99")
