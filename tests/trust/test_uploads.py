"""Hostile files and bodies: bounded before they are parsed, refused before they are read when
the sender may not send them, the limit named in the answer."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message, Scope

from fangkong.core.errors import InvalidInput
from fangkong.core.sheet_limits import MAX_COLUMNS, MAX_ROWS
from fangkong.core.sheets import Layout, read_sheet
from tests.conftest import Login
from tests.tracing.test_api import record_infection
from tests.trust import hostile_files

LAYOUT = Layout(headers={"name": ("姓名",), "id": ("身份证号",)}, required=("name",), anchor="name")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refusal(make: Callable[[], bytes], name: str = "list.xlsx") -> str:
    with pytest.raises(InvalidInput) as caught:
        read_sheet(name, make(), LAYOUT)
    return str(caught.value.problems[0].msg if caught.value.problems else caught.value)


class TestSheetsAreMeasuredFirst:
    def test_two_far_cells(self) -> None:
        assert "1,048,576" not in refusal(hostile_files.two_far_cells)  # the limit, not the ask
        assert f"{MAX_ROWS:,}" in refusal(hostile_files.two_far_cells)

    def test_a_declared_used_range(self) -> None:
        assert f"{MAX_ROWS:,}" in refusal(hostile_files.declared_huge)

    def test_cells_without_references(self) -> None:
        assert f"{MAX_COLUMNS:,}" in refusal(hostile_files.wide_without_references)

    def test_a_zip_bomb(self) -> None:
        bomb = hostile_files.unzips_huge()
        assert len(bomb) < 2 << 20
        assert "268,435,456" in refusal(lambda: bomb)

    def test_a_damaged_sheet(self) -> None:
        assert "无法读取的表格文件" in refusal(hostile_files.corrupt_sheet)

    def test_old_formats_are_sent_back_as_xlsx(self) -> None:
        for name in ("list.xls", "list.ods", "list.et"):
            assert ".xlsx" in refusal(lambda: b"\xd0\xcf\x11\xe0", name)

    def test_csv_rows_columns_and_fields(self) -> None:
        wide = ",".join(["x"] * (MAX_COLUMNS + 1)).encode()
        assert f"{MAX_COLUMNS:,}" in refusal(lambda: b"name\n" + wide, "list.csv")
        huge_field = b'name\n"' + b"x" * (csv.field_size_limit() + 10) + b'"\n'
        assert "CSV" in refusal(lambda: huge_field, "list.csv")

    def test_a_fair_sheet_still_reads(self) -> None:
        out = io.StringIO()
        out.write("姓名,身份证号\n" + "".join(f"某{i},\n" for i in range(1000)))
        table = read_sheet("list.csv", out.getvalue().encode(), LAYOUT)
        assert len(table.rows) == 1000


class TestBodies:
    def test_the_far_cells_over_the_api(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        files = {"file": ("list.xlsx", hostile_files.two_far_cells(), XLSX)}
        answer = client.post(
            f"/api/infections/{infection_id}/contacts/import", files=files, headers=headers
        )
        assert answer.status_code == 422
        assert f"{MAX_ROWS:,}" in answer.text

    def test_declared_length_over_the_limit(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        answer = client.post(
            "/api/infections",
            content=b"{}",
            headers={**headers, "content-length": str(5 << 20), "content-type": "application/json"},
        )
        assert answer.status_code == 413 and "4 MiB" in answer.json()["message"]

    def test_chunked_body_over_the_limit(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")

        def chunks() -> object:
            for _ in range(6):
                yield b" " * (1 << 20)

        answer = client.post(
            "/api/infections",
            content=chunks(),
            headers={**headers, "content-type": "application/json"},
        )
        assert answer.status_code == 413


def call(app: ASGIApp, method: str, path: str, headers: dict[str, str]) -> tuple[int, bool]:
    """Send a request straight to the ASGI app; whether the app asked for the body at all."""
    read = False
    status = 0

    async def receive() -> Message:
        nonlocal read
        read = True
        return {"type": "http.request", "body": b"x" * 1000, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope: Scope = {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(),
        "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
        "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip

    async def serve() -> None:
        await app(scope, receive, send)

    asyncio.run(serve())
    return status, read


MULTIPART = {"content-type": "multipart/form-data; boundary=x", "content-length": "1000"}


class TestNothingIsReadBeforeItMayBe:
    def test_unauthenticated(self, client: TestClient) -> None:
        for path in ("/api/infections", "/api/labs/1/results", "/api/zones/import"):
            assert call(client.app, "POST", path, MULTIPART) == (401, False)

    def test_a_forged_token(self, client: TestClient) -> None:
        import jwt

        forged = jwt.encode(
            {"sub": "1", "jti": "x", "exp": 4102444800}, "fangkong-development-secret-change-me"
        )
        headers = {**MULTIPART, "authorization": f"Bearer {forged}"}
        assert call(client.app, "POST", "/api/labs/1/results", headers) == (401, False)

    @pytest.mark.parametrize(
        "path",
        [
            "/api/labs/1/results",
            "/api/infections/1/contacts/import",
            "/api/sites/import",
            "/api/zones/import",
            "/api/risk-areas/import",
            "/api/rounds/1/samples/file",
        ],
    )
    def test_a_role_that_may_not_upload(self, client: TestClient, login: Login, path: str) -> None:
        headers = {**MULTIPART, **login("viewer")}
        status, read = call(client.app, "POST", path, headers)
        assert status in (403, 404) and not read


def test_hostile_geojson(client: TestClient, login: Login) -> None:
    headers = login("commander", None)

    def send(content: bytes) -> int:
        files = {"file": ("zones.geojson", content, "application/geo+json")}
        return int(client.post("/api/zones/import", files=files, headers=headers).status_code)

    assert send(b"[" * 100_000 + b"]" * 100_000) == 422  # nested past the parser's depth
    assert send(b'{"type": "FeatureCollection", "features": [1, "x", []]}') == 422
    feature = b'{"type": "Feature", "properties": {}, "geometry": null}'
    many = b'{"type": "FeatureCollection", "features": [' + b",".join([feature] * 10_001) + b"]}"
    assert send(many) == 422


def test_a_nested_json_body(client: TestClient, login: Login) -> None:
    headers = {**login("tracer"), "content-type": "application/json"}
    answer = client.post(
        "/api/infections", content=b"[" * 200_000 + b"]" * 200_000, headers=headers
    )
    assert answer.status_code in (400, 422) and "请求" in answer.json()["message"]
