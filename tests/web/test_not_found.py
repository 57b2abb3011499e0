"""A page that is not there, or not the user's to see, answers 404 (as a page, not the API's
JSON); one the role may not use answers 403; the API keeps answering JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Login


def signed_in_cookie(client: TestClient, headers: dict[str, str]) -> None:
    client.cookies.set("fangkong_token", headers["Authorization"].removeprefix("Bearer "))


def test_unknown_and_unseen_pages_are_404(client: TestClient, login: Login) -> None:
    signed_in_cookie(client, login("tracer", "140802"))
    for path in ("/no-such-page", "/infections/424242", "/people/424242/code",
                 "/people/424242/quarantine"):  # fmt: skip
        page = client.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


def test_a_page_the_role_may_not_use_is_403(client: TestClient, login: Login) -> None:
    signed_in_cookie(client, login("viewer", None))
    scan = client.get("/scan")
    assert scan.status_code == 403 and scan.headers["content-type"].startswith("text/html")
    assert "无权" in scan.text
    api = client.post("/api/quarantine/sites", json={})  # the API answers its own way: JSON
    assert api.status_code == 403 and api.json()["message"].startswith("您的角色无权")


def test_the_api_docs_load_nothing_from_outside(client: TestClient) -> None:
    for page, asset in (
        ("/docs", "/docs-assets/swagger/swagger-ui-bundle.js"),
        ("/redoc", "/docs-assets/redoc/redoc.standalone.js"),
    ):
        html = client.get(page)
        assert html.status_code == 200 and asset in html.text
        assert "https://" not in html.text and "http://" not in html.text, page
        assert client.get(asset).status_code == 200
