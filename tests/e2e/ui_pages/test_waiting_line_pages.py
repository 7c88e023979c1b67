"""REG-LINE on the patient's pages: a sold-out day offers the waiting line, she sees her place (zh-CN and en),
a number that comes back is hers and the page says so, she can leave the line."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from hsgclinic.services import registration
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id


def person(n: int) -> dict[str, str]:
    return {"name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


def post_form(client: TestClient, action: str, n: int, lang: str = "en") -> Any:
    page = client.get("/number", headers={"Accept-Language": lang})
    day = re.search(r'name="day" value="([^"]+)"', page.text)
    key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert day and key, page.text[:300]
    data = {"day": day[1], "key": key[1], "id_kind": "resident", **person(n)}
    return client.post(action, data=data, headers={"Accept-Language": lang})


def sell_out(client: TestClient) -> None:
    for n in range(3):
        assert post_form(client, "/number", n).status_code == 200


def code_of(html: str) -> str:
    found = re.search(r'class="access-code">([2-9A-Z]{8})<', html)
    assert found, html[:500]
    return found[1]


def test_a_sold_out_day_offers_the_waiting_line(service_client: TestClient) -> None:
    sell_out(service_client)
    en = service_client.get("/number", headers={"Accept-Language": "en"}).text
    assert 'action="/number/line"' in en and "Join the waiting line" in en and "REG-LINE" in en
    zh = service_client.get("/number", headers={"Accept-Language": "zh-CN"}).text
    assert "加入候补排队" in zh and "重复提交不会让您排得更靠前" in zh


def test_she_sees_her_place_in_her_language(service_client: TestClient) -> None:
    sell_out(service_client)
    first = post_form(service_client, "/number/line", 10)
    second = post_form(service_client, "/number/line", 11, "zh-CN")
    assert first.status_code == 200 and second.status_code == 200
    assert "You are number" in first.text and 'class="ticket-no"' in first.text and ">1</p>" in first.text
    assert "您排在第" in second.text and ">2</p>" in second.text
    assert synthetic_resident_id(10) not in first.text
    again = service_client.get(f"/number/line/{code_of(first.text)}", headers={"Accept-Language": "en"})
    assert again.status_code == 200 and ">1</p>" in again.text and "Leave the line" in again.text


def test_a_cancelled_number_is_hers_and_the_page_says_so(service_client: TestClient, service_clinic: Any) -> None:
    sell_out(service_client)
    code = code_of(post_form(service_client, "/number/line", 10).text)
    desk = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
    day = registration.list_day(service_clinic.ctx, desk, service_clinic.ctx.today())
    registration.cancel_number(service_clinic.ctx, desk, day[0].registration_id, reason="staff")
    page = service_client.get(f"/number/line/{code}", headers={"Accept-Language": "en"})
    assert "A number came back and it is yours" in page.text and ">1</p>" in page.text
    assert f"/my-visit?code={code}" in page.text


def test_leaving_the_line_and_an_unknown_code(service_client: TestClient) -> None:
    sell_out(service_client)
    code = code_of(post_form(service_client, "/number/line", 10).text)
    left = service_client.post(f"/number/line/{code}/leave", headers={"Accept-Language": "zh-CN"})
    assert left.status_code == 200 and "您已退出候补排队" in left.text
    twice = service_client.post(f"/number/line/{code}/leave", headers={"Accept-Language": "en"})
    assert twice.status_code == 409 and "no longer waiting" in twice.text
    missing = service_client.get("/number/line/ZZZZZZZZ", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and "No place in the waiting line has this access code." in missing.text


def test_joining_when_a_number_is_free_gives_the_number(service_client: TestClient) -> None:
    r = post_form(service_client, "/number/line", 5)
    assert r.status_code == 200 and "Your access code" in r.text and ">1</p>" in r.text
