from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import SHANGHAI


def person(n: int) -> dict[str, str]:
    return {"name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


def take(client: TestClient, n: int, lang: str = "en", **override: str) -> Any:
    page = client.get("/number", headers={"Accept-Language": lang})
    day = re.search(r'name="day" value="([^"]+)"', page.text)
    key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert day and key, page.text[:300]
    data = {"day": day[1], "key": key[1], "id_kind": "resident", **person(n), **override}
    return client.post("/number", data=data, headers={"Accept-Language": lang})


def test_take_a_number_shows_the_queue_number_and_access_code(service_client: TestClient) -> None:
    r = take(service_client, 1)
    assert r.status_code == 200
    assert 'class="ticket-no"' in r.text and ">1</p>" in r.text
    assert re.search(r'class="access-code">[2-9A-Z]{8}<', r.text)
    assert synthetic_resident_id(1) not in r.text  # never the full ID back (REG-REALNAME)
    assert "*" * 14 + synthetic_resident_id(1)[-4:] in r.text


def test_the_same_person_twice_is_told_she_already_has_a_number(service_client: TestClient) -> None:
    take(service_client, 1)
    r = take(service_client, 1, "zh-CN")
    assert r.status_code == 409 and "REG-REALNAME" in r.text
    assert f'value="{synthetic_name(1)}"' in r.text  # the form keeps what she typed


def test_sold_out_is_said_plainly(service_client: TestClient) -> None:
    for n in range(3):
        assert take(service_client, n).status_code == 200
    page = service_client.get("/number", headers={"Accept-Language": "en"}).text
    assert "have been taken" in page and "REG-QUOTA" in page and 'action="/number"' not in page


def test_too_many_attempts_is_said_in_her_language_with_the_form_kept(
    service_client: TestClient, service_clinic: Any
) -> None:
    service_clinic.settings.grab_rate_per_minute = 1
    assert take(service_client, 1).status_code == 200
    r = take(service_client, 2, "zh-CN")
    assert r.status_code == 429 and "秒后再试" in r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert f'value="{synthetic_name(2)}"' in r.text
    en = take(service_client, 3)
    assert en.status_code == 429 and "Too many attempts" in en.text


def test_a_wrong_check_digit_is_refused_with_the_form_kept(service_client: TestClient) -> None:
    good = synthetic_resident_id(5)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = take(service_client, 5, id_number=bad)
    assert r.status_code == 422 and "check digit" in r.text and f'value="{bad}"' in r.text


def test_before_release_there_is_a_countdown(service_client: TestClient, service_clinic: Any) -> None:
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 20, 6, 30, tzinfo=SHANGHAI))
    page = service_client.get("/number", headers={"Accept-Language": "en"}).text
    assert 'data-seconds="1800"' in page and "REG-RELEASE" in page


def test_on_a_holiday_the_clinic_is_closed(service_client: TestClient, service_clinic: Any) -> None:
    service_clinic.ctx.clock.set(dt.datetime(2026, 10, 2, 8, 0, tzinfo=SHANGHAI))
    page = service_client.get("/number", headers={"Accept-Language": "zh-CN"}).text
    assert "国庆节" in page and "CAL-OPEN" in page and 'action="/number"' not in page


def test_my_visit_form_keeps_what_was_typed_on_error(service_client: TestClient) -> None:
    r = service_client.post("/my-visit", data={"code": "AB1", "last4": "12"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422 and 'value="AB1"' in r.text and 'value="12"' in r.text
    assert "8 letters and digits" in r.text


def test_kiosk_is_a_full_screen_page_in_her_language(service_client: TestClient) -> None:
    r = service_client.get("/kiosk", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and 'class="kiosk"' in r.text and "输入或扫描查询码" in r.text


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_ticket_survives_a_reload_and_has_its_qr_and_arrival_time(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    h = {"Accept-Language": lang}
    form = service_client.get("/number", headers=h).text
    key = form.split('name="key" value="', 1)[1].split('"', 1)[0]
    data = {
        "day": "2026-11-20",
        "name": synthetic_name(7),
        "id_kind": "resident",
        "id_number": synthetic_resident_id(7),
        "phone": synthetic_phone(7),
        "language": "en",
        "key": key,
    }
    taken = service_client.post("/number", data=data, headers=h, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"] == "/number/ticket"
    first = service_client.get("/number/ticket", headers=h)
    again = service_client.get("/number/ticket", headers=h)  # the reload
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert 'class="ticket-no"' in again.text and 'src="/number/ticket/qr.svg"' in again.text
    assert "data-arrive-by" in again.text and "08:00" in again.text
    assert synthetic_resident_id(7) not in again.text
    qr = service_client.get("/number/ticket/qr.svg", headers=h)
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml") and b"<svg" in qr.content
    stranger = TestClient(service_client.app)
    assert stranger.get("/number/ticket", follow_redirects=False).status_code == 303  # no ticket: back to /number
    assert stranger.get("/number/ticket/qr.svg").status_code == 404


def test_a_wrong_check_digit_is_said_once_in_the_summary_and_once_at_the_field(service_client: TestClient) -> None:
    good = synthetic_resident_id(5)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    for lang, text in (
        ("en", "check digit is wrong; please check each digit."),
        ("zh-CN", "该身份证号码的校验位不正确"),
    ):
        r = take(service_client, 5, lang=lang, id_number=bad)
        assert r.status_code == 422
        # the summary links to the field; the field says it; the live check uses the same words and is told
        # not to repeat the server's error when the page loads
        assert r.text.count(text) == 3, r.text
        assert '<a href="#f-id_number">' in r.text and 'id="e-id_number"' in r.text
        assert 'data-server-error="e-id_number"' in r.text
        assert "校验位不符" not in r.text and "does not match" not in r.text
