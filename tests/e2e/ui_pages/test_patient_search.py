"""Patient search (issue 8): by name, last 4 of the ID, phone, access code, form number and full ID (matched
through the HMAC); the full ID never appears on the page. Both languages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in, take_number
from e2e.ui_pages.test_staff_booking import screened
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

HEADERS = {"en": {"Accept-Language": "en"}, "zh-CN": {"Accept-Language": "zh-CN"}}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_way_of_finding_her(service_client: TestClient, service_clinic: Any, lang: str) -> None:
    form = screened(service_clinic)
    other = take_number(service_clinic, 2)
    sign_in(service_client, service_clinic, "registrar", lang)
    h = HEADERS[lang]
    full = synthetic_resident_id(1)
    name = synthetic_name(1)
    from hsgclinic.services import registration
    from hsgclinic.services.context import Actor, Role

    number = next(
        n for n in registration.list_day(service_clinic.ctx, Actor(Role.REGISTRAR, "t"), other.day) if n.name == name
    )
    for query in (name, full[-4:], synthetic_phone(1), number.access_code, form.number, full):
        page = service_client.post("/staff/search", data={"q": query}, headers=h)
        assert page.status_code == 200 and "data-search-results" in page.text, query
        results = page.text.split("data-search-results", 1)[1]
        assert name in results, query
        assert full not in page.text  # never the full ID, not even the query written back
        assert full[-4:] in results
    nobody = service_client.post("/staff/search", data={"q": "不存在的人"}, headers=h).text
    assert ("No patient matches." if lang == "en" else "没有匹配的患者。") in nobody
    short = service_client.post("/staff/search", data={"q": "x"}, headers=h)
    assert short.status_code == 422
    assert 'href="/staff/search"' in service_client.get("/staff/desk", headers=h).text
