"""The post-procedure check-in page (/checkin/{token}) and the desk's flag list (/staff/flags) on the real services."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from e2e.ui_pages.staff_helpers import sign_in
from hsgclinic.notifications.checkin import SALT, CheckinClaims, make_token
from hsgclinic.persistence.models import AuditEvent
from hsgclinic.persistence.notification_models import CareFlag
from hsgclinic.services import registration
from hsgclinic.services.context import Actor
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import TODAY

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _patient(clinic: Any, lang: str = "zh_CN") -> int:
    taken = registration.take_number(
        clinic.ctx,
        Actor.public("203.0.113.7"),
        day=TODAY,
        name=synthetic_name(1),
        id_number=synthetic_resident_id(1),
        phone=synthetic_phone(1),
        lang=lang,
    )
    return int(taken.number.patient_id)


def _token(clinic: Any, patient_id: int | None, procedure_date: dt.date = dt.date(2026, 11, 10)) -> str:
    return make_token(clinic.settings.secret_key, CheckinClaims("form-1", patient_id, procedure_date))


def _flags(clinic: Any) -> list[CareFlag]:
    with clinic.ctx.read() as u:
        return list(u.session.execute(select(CareFlag).order_by(CareFlag.id)).scalars())


def test_the_form_is_in_her_language_and_a_calm_answer_raises_nothing(
    service_client: TestClient, service_clinic: Any
) -> None:
    token = _token(service_clinic, _patient(service_clinic, "zh_CN"), dt.date(2026, 11, 18))
    page = service_client.get(f"/checkin/{token}", headers=EN)  # her language wins over the browser's
    assert page.status_code == 200
    assert "造影术后您感觉怎么样" in page.text and 'name="bleeding"' in page.text and 'inputmode="decimal"' in page.text
    r = service_client.post(
        f"/checkin/{token}", data={"bleeding": "yes", "heavier": "no", "temperature": "36.8", "pain": "mild"}
    )
    assert r.status_code == 200 and "目前无需联系门诊" in r.text and "CARE-BLEED" in r.text
    assert _flags(service_clinic) == []


def test_warning_signs_tell_her_to_call_and_raise_flags_with_the_care_rule(
    service_client: TestClient, service_clinic: Any
) -> None:
    token = _token(service_clinic, _patient(service_clinic, "en"))  # procedure 11-10: day 10 today
    r = service_client.post(
        f"/checkin/{token}",
        data={"bleeding": "yes", "heavier": "yes", "temperature": "38,1", "pain": "severe"},
        headers=ZH,
    )
    assert r.status_code == 200
    assert "Please contact the clinic today" in r.text and "010-52277602" in r.text
    assert "Still bleeding after day 7" in r.text and "CARE-BLEED" in r.text
    assert sorted(f.reason for f in _flags(service_clinic)) == ["bleeding_heavy", "bleeding_past_d7", "fever", "pain"]
    assert {f.rule for f in _flags(service_clinic)} == {"CARE-BLEED"}


def test_a_missing_answer_or_a_silly_temperature_is_asked_again(
    service_client: TestClient, service_clinic: Any
) -> None:
    token = _token(service_clinic, _patient(service_clinic, "en"))
    r = service_client.post(f"/checkin/{token}", data={"temperature": "98.6", "pain": "none"})
    assert r.status_code == 422
    assert "Please answer yes or no." in r.text and "Enter the temperature in °C" in r.text
    assert _flags(service_clinic) == []


def test_a_forged_or_expired_link_gets_a_clear_page(service_client: TestClient, service_clinic: Any) -> None:
    pid = _patient(service_clinic, "en")
    forged = _token(service_clinic, pid)[:-3] + "abc"
    r = service_client.get(f"/checkin/{forged}", headers=ZH)
    assert r.status_code == 404 and "此术后随访链接无效" in r.text and "010-52277602" in r.text
    days = service_clinic.settings.checkin_link_days + 1

    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - days * 86400

    signed_then = URLSafeTimedSerializer(service_clinic.settings.secret_key, salt=SALT, signer=Past)
    old = signed_then.dumps({"c": "form-1", "p": pid, "d": "2026-09-01"})
    r = service_client.get(f"/checkin/{old}", headers=ZH)
    assert r.status_code == 410 and "This check-in link has expired." in r.text  # her language: English
    assert service_client.post(f"/checkin/{old}", data={"bleeding": "no", "pain": "none"}).status_code == 410
    assert _flags(service_clinic) == []


def test_the_desk_lists_open_flags_and_a_nurse_closes_one_with_a_note(
    service_client: TestClient, service_clinic: Any
) -> None:
    token = _token(service_clinic, _patient(service_clinic, "zh_CN"))
    service_client.post(f"/checkin/{token}", data={"bleeding": "no", "temperature": "38.0", "pain": "none"})
    assert service_client.get("/staff/flags", headers=EN, follow_redirects=False).status_code == 303
    sign_in(service_client, service_clinic, "registrar")
    desk = service_client.get("/staff/desk", headers=EN)
    assert 'href="/staff/flags"' in desk.text
    page = service_client.get("/staff/flags", headers=EN)
    assert page.status_code == 200
    assert "CARE-BLEED" in page.text and "Fever" in page.text and "38.0 °C" in page.text
    assert synthetic_resident_id(1)[-4:] in page.text and synthetic_resident_id(1) not in page.text
    (flag,) = _flags(service_clinic)
    empty = service_client.post(f"/staff/flags/{flag.id}/close", data={"note": "  "}, headers=EN)
    assert empty.status_code == 422 and "Write what was done" in empty.text
    r = service_client.post(
        f"/staff/flags/{flag.id}/close", data={"note": "Called her; seen in clinic"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/flags?done=closed"
    after = service_client.get("/staff/flags?done=closed", headers=ZH)
    assert "该提醒已关闭" in after.text and "没有待处理的提醒" in after.text
    (closed,) = _flags(service_clinic)
    assert (closed.status, closed.closed_by) == ("closed", "registrar.one")
    with service_clinic.ctx.read() as u:
        event = u.session.execute(select(AuditEvent).where(AuditEvent.action == "care_flag.close")).scalar_one()
    assert event.detail["note"] == "Called her; seen in clinic" and event.record_id == str(flag.id)
    again = service_client.post(f"/staff/flags/{flag.id}/close", data={"note": "again"}, headers=EN)
    assert again.status_code == 404


def test_one_answer_with_several_warning_signs_is_one_row_closed_together(
    service_client: TestClient, service_clinic: Any
) -> None:
    token = _token(service_clinic, _patient(service_clinic, "zh_CN"))
    service_client.post(
        f"/checkin/{token}", data={"bleeding": "yes", "heavier": "yes", "temperature": "38.1", "pain": "severe"}
    )
    flags = _flags(service_clinic)
    assert len(flags) == 4
    sign_in(service_client, service_clinic, "registrar")
    for headers, find in ((EN, "Find her in patient search"), (ZH, "在患者查询中找到她")):
        page = service_client.get("/staff/flags", headers=headers)
        assert page.text.count('id="flag-') == 1 and page.text.count('action="/staff/flags/') == 1
        assert page.text.count('<code class="rule-id">CARE-BLEED</code>') == 4
        assert find in page.text and 'action="/staff/search"' in page.text
        assert f'name="q" value="{synthetic_name(1)}"' in page.text
    found = service_client.post("/staff/search", data={"q": synthetic_name(1)}, headers=EN)
    assert found.status_code == 200 and synthetic_resident_id(1)[-4:] in found.text
    r = service_client.post(f"/staff/flags/{flags[0].id}/close", data={"note": "Seen"}, follow_redirects=False)
    assert r.status_code == 303
    assert {(f.status, f.closed_by) for f in _flags(service_clinic)} == {("closed", "registrar.one")}
    with service_clinic.ctx.read() as u:
        events = u.session.execute(select(AuditEvent).where(AuditEvent.action == "care_flag.close")).scalars()
        assert sorted(e.record_id for e in events) == sorted(str(f.id) for f in flags)
    assert "没有待处理的提醒" in service_client.get("/staff/flags", headers=ZH).text
