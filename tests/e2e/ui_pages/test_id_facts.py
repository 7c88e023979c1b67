"""The screening and booking pages show age and sex from the resident ID; a man's ID gets a clear warning first
(issue 8). Both languages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import TODAY, sign_in
from e2e.ui_pages.test_staff_booking import screened
from hsgclinic.domain.identity import check_digit
from hsgclinic.services import registration
from hsgclinic.services.context import Actor, Role

HEADERS = {"en": {"Accept-Language": "en"}, "zh-CN": {"Accept-Language": "zh-CN"}}


def male_id() -> str:
    first17 = "99999919900101001"  # 17th digit 1: odd → male; born 1990-01-01
    return first17 + check_digit(first17)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_male_id_is_warned_about_and_a_womans_age_is_shown(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    man = registration.take_number(
        service_clinic.ctx,
        Actor.public("203.0.113.9"),
        day=TODAY,
        name="测试男",
        id_number=male_id(),
        phone="13900000099",
    ).number
    registration.check_in(service_clinic.ctx, Actor(Role.REGISTRAR, "n"), man.registration_id)
    form = screened(service_clinic, 1)
    sign_in(service_client, service_clinic, "doctor", lang)
    h = HEADERS[lang]
    page = service_client.get(f"/staff/screening/{man.registration_id}", headers=h).text
    assert "data-male-id" in page and "REG-REALNAME" in page
    assert ("36 years · male" if lang == "en" else "36 岁 · 男") in page
    booking = service_client.get(f"/staff/booking/{form.form_id}", headers=h).text
    assert "data-id-facts" in booking and "data-male-id" not in booking
    assert ("female" if lang == "en" else "女") in booking.split("data-id-facts", 1)[1].split("</p>", 1)[0]
    assert male_id() not in page
