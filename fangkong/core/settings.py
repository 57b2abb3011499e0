"""One place for configuration: every knob is a FANGKONG_* environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FANGKONG_", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = ""
    data_dir: Path = Path("var")
    # Signs session tokens. Empty: the data folder's own (core/secret.py), made on first start.
    secret_key: str = ""
    token_hours: int = 12
    host: str = "127.0.0.1"
    port: int = 8000
    # The city the platform serves: its GB/T 2260 prefecture prefix and name, and its time zone.
    city_code: str = "1408"
    timezone: str = "Asia/Shanghai"
    # Residents (运城市, 7th national census, 2020): the war game's city and forecasts.
    city_population: int = 4_774_508
    # Runs of the forecast a page asks for: 200 carry the estimates' uncertainty (docs/sim.md);
    # a smaller machine may take fewer.
    forecast_runs: int = 200
    protocol: str = "cn-8"
    # The city's box (west, south, east, north; WGS-84 degrees) where the map package that
    # gives its boundary is not installed (core/citymap.py).
    city_bounds: tuple[float, float, float, float] | None = None
    # The grid: square cells of this size on a metric projection, by default the UTM zone of
    # the city's centre (core/citymap.py). People's homes and grid zones are in these cells.
    grid_epsg: int | None = None
    cell_size_m: int = 800
    # Days a contact's personal data is kept after their last management order ends.
    retention_days: int = 30
    # How often the running server purges what is past retention (fangkong/maintenance.py).
    retention_every_hours: float = 24.0
    # How often the command centre's raising pass runs while the server does.
    command_raise_every_seconds: float = 60.0
    # How often sentinel surveillance's detection pass runs while the server does.
    sentinel_detect_every_seconds: float = 3600.0
    # The platform's time, for a demo or a replay (core/platform_clock.py): "2022-03-08 20:00",
    # optionally followed by "running". Empty: the wall clock, or the data folder's clock.json.
    clock: str = ""
    # Production runs on the wall clock unless this says a fixed or replay clock is meant.
    allow_fixed_clock: bool = False

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.secret_key and len(self.secret_key) < 32:
            raise ValueError("FANGKONG_SECRET_KEY must be at least 32 characters (or unset)")
        if self.environment == "production" and self.clock and not self.allow_fixed_clock:
            raise ValueError(
                "FANGKONG_CLOCK fixes the platform's time; production runs on the wall clock "
                "unless FANGKONG_ALLOW_FIXED_CLOCK=true"
            )
        if len(self.city_code) != 4 or not self.city_code.isdigit():
            raise ValueError("FANGKONG_CITY_CODE must be a 4-digit GB/T 2260 prefecture code")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'fangkong.db').as_posix()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
