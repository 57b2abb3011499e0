from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from fangkong.core.secret import SECRET_FILE, installation_secret
from fangkong.core.settings import Settings


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="FANGKONG_SECRET_KEY"):
        Settings(environment="production", secret_key="s3cret")
    assert Settings(environment="production", secret_key="s" * 32).secret_key


def test_each_installation_makes_its_own_secret(tmp_path: Path) -> None:
    first = installation_secret(tmp_path / "one")
    assert len(first) >= 32
    assert (tmp_path / "one" / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert installation_secret(tmp_path / "two") != first
    installation_secret.cache_clear()
    assert installation_secret(tmp_path / "one") == first  # kept, not remade


def test_default_database_is_the_embedded_sqlite(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/fangkong.db"


def test_city_code_is_a_prefecture() -> None:
    with pytest.raises(ValidationError, match="CITY_CODE"):
        Settings(city_code="14")
