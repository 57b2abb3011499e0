from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.core.i18n import in_language
from fangkong.core.ids import (
    InvalidIdNumber,
    division,
    divisions_in,
    make_id_number,
    mask_id_number,
    mask_mobile,
    mask_name,
    validate_id_number,
    validate_mobile,
)

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("11010519491231002X", "11010519491231002X"),  # GB 11643 test vectors (domain.md §8)
        ("440524188001010014", "440524188001010014"),  # a code retired in 1993 stays valid
        ("14082119630122028x", "14082119630122028X"),
        (" 610113199504080668 ", "610113199504080668"),
        ("１４０８２１１９９０ ０２０３０４２０", "140821199002030420"),
    ],
)
def test_valid_numbers(raw: str, canonical: str) -> None:
    assert validate_id_number(raw, today=TODAY) == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("14082119900203042", "must be 18 characters"),
        ("1408211990020304A0", "17 digits followed by a digit or X"),
        ("140821199002300420", "not a real date"),
        ("140821203001010011", "in the future"),
        ("999999199002030420", "not a GB/T 2260 division code"),
        ("140899199002030420", "not a GB/T 2260 division code"),
        ("140821199002030421", "check character is 1, expected 0"),
    ],
)
def test_invalid_numbers_say_why(raw: str, reason: str) -> None:
    with in_language("en"), pytest.raises(InvalidIdNumber, match=reason):
        validate_id_number(raw, today=TODAY)


def test_the_reason_is_chinese_unless_asked_otherwise() -> None:
    with pytest.raises(InvalidIdNumber, match="校验码为 1，应为 0"):
        validate_id_number("140821199002030421", today=TODAY)


def test_made_numbers_validate() -> None:
    number = make_id_number("140802", date(2001, 2, 3), 57)
    assert validate_id_number(number, today=TODAY) == number


def test_divisions_come_from_the_data_package() -> None:
    linyi = division("140821")
    assert linyi is not None and linyi.name == "临猗县"
    names = {d.name for d in divisions_in("1408")}
    assert {"盐湖区", "临猗县", "永济市", "河津市"} <= names and "市辖区" not in names


@pytest.mark.parametrize(
    "raw", ["13834561234", "138 3456 1234", "１３８３４５６１２３４", "+86 138-3456-1234"]
)
def test_mobiles(raw: str) -> None:
    assert validate_mobile(raw) == "13834561234"


@pytest.mark.parametrize("raw", ["12834561234", "1383456123", "0351-1234567"])
def test_bad_mobiles(raw: str) -> None:
    with pytest.raises(ValueError):
        validate_mobile(raw)


def test_masks() -> None:
    assert mask_name("王某某") == "王**" and mask_name("李") == "李*"
    assert mask_id_number("14082119630122028X") == "140821********028X"
    assert mask_mobile("13834561234") == "138****1234"


class TestCheckIdCommand:
    def test_valid_exits_0(self) -> None:
        result = CliRunner().invoke(app, ["people", "check-id", "11010519491231002X"])
        assert (
            result.exit_code == 0 and "valid" in result.output and "北京市朝阳区" in result.output
        )

    def test_invalid_exits_1_with_the_reason(self) -> None:
        result = CliRunner().invoke(app, ["people", "check-id", "110105194912310021"])
        assert result.exit_code == 1 and "校验码" in " ".join(result.output.split())
