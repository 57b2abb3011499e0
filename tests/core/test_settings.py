from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from fangkong.core.settings import DEV_SECRET, Settings


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="FANGKONG_SECRET_KEY"):
        Settings(environment="production", secret_key=DEV_SECRET)
    assert Settings(environment="production", secret_key="s3cret-from-the-vault").secret_key


def test_default_database_is_the_embedded_sqlite(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/fangkong.db"


def test_city_code_is_a_prefecture() -> None:
    with pytest.raises(ValidationError, match="CITY_CODE"):
        Settings(city_code="14")
