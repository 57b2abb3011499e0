"""Names as people write them: endings, spaces, full-width forms; a slip gets a suggestion."""

from __future__ import annotations

import pytest

from fangkong.protocol.loader import get_protocol
from fangkong.protocol.names import normalise
from fangkong.tracing.service import resolve_category, resolve_setting


@pytest.mark.parametrize(
    ("written", "category"),
    [
        ("密接", "close"),
        ("密切接触", "close"),
        ("密切接触者", "close"),
        ("密接人员", "close"),
        ("密 接", "close"),
        ("密　接　者", "close"),  # ideographic spaces
        ("ＣＬＯＳＥ", "close"),  # full-width letters
        (" Close Contact ", "close"),
        ("次密接人员", "secondary"),
        ("次密切接触者", "secondary"),
        ("一般接触人员", "general"),
        ("时空伴随人员", "companion"),
        ("时空伴随者", "companion"),
    ],
)
def test_categories_as_written(written: str, category: str) -> None:
    assert resolve_category(get_protocol("cn-8"), written) == category


def test_settings_as_written() -> None:
    cn8 = get_protocol("cn-8")
    assert resolve_setting(cn8, "同住人员") == "household"
    assert resolve_setting(cn8, "ＫＴＶ") == "entertainment"
    assert resolve_setting(cn8, "同乘出租车（运城北站）") == "taxi"


def test_an_unknown_name_gets_the_nearest_or_the_list() -> None:
    cn8 = get_protocol("cn-8")
    with pytest.raises(ValueError, match="是否为“密切接触者”"):
        resolve_category(cn8, "密切接处者")
    with pytest.raises(ValueError, match="可填：密切接触者、次密切接触者"):
        resolve_category(cn8, "路人")


def test_normalise_keeps_a_name_that_is_only_an_ending() -> None:
    assert normalise("者") == "者" and normalise("人员") == "人员"
    assert normalise("密接者") == "密接"
