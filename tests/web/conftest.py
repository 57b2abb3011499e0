"""Fixtures of the page and walk tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.demo_client import Demo, served_demo


@pytest.fixture(scope="module")
def demo(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo served in-process at noon on 10 March, a copy of this module's own."""
    with served_demo(demo_data, tmp_path_factory.mktemp("walk")) as served:
        yield served
