"""The code as a picture: the QR a person shows carries the token a checkpoint scans."""

from __future__ import annotations

import io

import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from fangkong.people.service import upsert_people
from tests.builders.people import make_person
from tests.conftest import NOW, Login


def decoded(png: bytes) -> str:
    """What a phone's camera reads from the picture."""
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text


def test_the_qr_decodes_to_the_token_a_checkpoint_scans(
    client: TestClient, login: Login, session: Session
) -> None:
    [person] = upsert_people(session, items=[make_person("居民甲")], now=NOW).people
    session.commit()
    headers = login("tracer")
    url = f"/api/people/{person.id}/healthcode/qr.png"
    assert client.get(url, headers=headers).status_code == 404  # no token issued yet
    issued = client.post(f"/api/people/{person.id}/healthcode/token", headers=headers)
    token = issued.json()["token"]
    picture = client.get(url, headers=headers)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.headers["cache-control"] == "no-store"
    assert decoded(picture.content) == token
    scanned = client.post("/api/scan", json={"token": decoded(picture.content)}, headers=headers)
    assert scanned.status_code == 200 and scanned.json()["colour"] == "green"

    client.cookies.set("fangkong_token", headers["Authorization"].removeprefix("Bearer "))
    page = client.get(f"/people/{person.id}/code").text
    assert 'id="code-qr"' in page and "<svg" in page and url in page

    replaced = client.post(f"/api/people/{person.id}/healthcode/token", headers=headers)
    assert decoded(client.get(url, headers=headers).content) == replaced.json()["token"] != token


def test_no_qr_for_a_person_outside_the_jurisdiction(
    client: TestClient, login: Login, session: Session
) -> None:
    [person] = upsert_people(session, items=[make_person("居民乙")], now=NOW).people
    session.commit()
    mine = login("tracer")
    client.post(f"/api/people/{person.id}/healthcode/token", headers=mine)
    elsewhere = login("tracer", "140802")  # 盐湖区's tracer
    answer = client.get(f"/api/people/{person.id}/healthcode/qr.png", headers=elsewhere)
    assert answer.status_code == 404 and b"PNG" not in answer.content
