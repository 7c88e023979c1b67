"""The DICOM parts of the pages (issue 9): the radiologist's procedure form shows what the modality reported and
is filled from it (confirm by saving, or correct); the administrator's DICOM page shows the AE configuration and
the last exchanges, in both languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in
from e2e.ui_pages.test_staff_radiology import appointment  # noqa: F401  (fixture)
from hsgclinic.services import identifiers, worklist, worklist_mpps
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.worklist_mpps import Dose, StepStart, StepUpdate
from hsgtest import SHANGHAI

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _report(clinic: Any, appointment_id: int, fluoro: str) -> None:
    ids = identifiers.read(clinic.ctx, Actor(Role.RADIOLOGIST, "dr.zhao"), appointment_id)
    uid = "1.2.826.0.1.3680043.10.1017.50"
    worklist_mpps.start(
        clinic.ctx,
        "HSG_RF1",
        "127.0.0.1",
        StepStart(
            sop_instance_uid=uid,
            status="IN PROGRESS",
            started_at=dt.datetime(2026, 11, 22, 8, 2, tzinfo=SHANGHAI),
            study_instance_uid=ids.study_instance_uid,
            accession_number=ids.accession_number,
            station_ae_title="HSG_RF1",
        ),
    )
    worklist_mpps.update(
        clinic.ctx,
        "HSG_RF1",
        "127.0.0.1",
        StepUpdate(
            sop_instance_uid=uid,
            status="COMPLETED",
            ended_at=dt.datetime(2026, 11, 22, 8, 9, tzinfo=SHANGHAI),
            dose=Dose(
                fluoroscopy_s=Decimal(fluoro), exposures=3, dap_gy_cm2=Decimal("1.4"), entrance_dose_mgy=Decimal("2.5")
            ),
        ),
    )


def test_the_procedure_form_is_filled_from_the_modality_and_saving_confirms_it(
    service_client: TestClient,
    service_clinic: Any,
    appointment: int,  # noqa: F811
) -> None:
    _report(service_clinic, appointment, "300")
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 8, 30, tzinfo=SHANGHAI))  # after the procedure
    page = service_client.get(f"/staff/procedure/{appointment}", headers=EN)
    assert page.status_code == 200 and "Reported by the modality" in page.text and "REPORT-DOSE" in page.text
    for name, value in (
        ("started_at", "08:02"),
        ("ended_at", "08:09"),
        ("fluoroscopy_s", "300"),
        ("dap_gy_cm2", "1.4"),
    ):
        assert f'name="{name}"' in page.text and f'value="{value}"' in page.text
    zh = service_client.get(f"/staff/procedure/{appointment}", headers=ZH)
    assert "设备上报的内容" in zh.text and "保存即为确认" in zh.text
    form = {
        "hcg_result": "negative",
        "operator": "Dr Zhao",
        "started_at": "08:02",
        "ended_at": "08:09",
        "contrast_agent": "iohexol",
        "contrast_kind": "water",
        "volume_ml": "10",
        "fluoroscopy_s": "300",
        "dap_gy_cm2": "1.4",
        "air_kerma_mgy": "2.5",
    }
    saved = service_client.post(f"/staff/procedure/{appointment}", data=form, headers=EN)
    assert saved.status_code == 200 and "Procedure recorded" in saved.text
    step = worklist_mpps.for_appointment(service_clinic.ctx, Actor(Role.RADIOLOGIST, "dr.zhao"), appointment)
    assert step is not None and step.review["outcome"] == "confirmed"


def test_the_admin_dicom_page_shows_the_configuration_and_the_last_exchanges(
    service_client: TestClient, service_clinic: Any
) -> None:
    worklist.log_refused(service_clinic.ctx, "INTRUDER", "192.0.2.9", "association", "calling AE title not allowed")
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 19, 9, 0, tzinfo=SHANGHAI))
    sign_in(service_client, service_clinic, "admin")
    en = service_client.get("/staff/admin/dicom", headers=EN)
    assert en.status_code == 200 and "DICOM service" in en.text
    assert "HSGCLINIC" in en.text and ":11112" in en.text and "HSG_RF1" in en.text and "ISO_IR 192" in en.text
    assert "INTRUDER" in en.text and "192.0.2.9" in en.text and "Refused" in en.text
    zh = service_client.get("/staff/admin/dicom", headers=ZH)
    assert "DICOM 服务" in zh.text and "允许的调用方 AE 名称" in zh.text and "已拒绝" in zh.text


def test_only_an_administrator_sees_the_dicom_page(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "radiologist")
    r = service_client.get("/staff/admin/dicom", headers=EN)
    assert r.status_code in (403, 404)
