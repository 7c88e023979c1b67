"""A document download on a server without a Chinese font (issue 11, item 6): refused with 503 and a page that
names fonts-noto-cjk, in the reader's language — never a PDF of empty boxes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.test_document_downloads import ids, ready_case
from e2e.ui_pages.test_staff_visit_kiosk import look_up
from hsgclinic.documents import fonts


@pytest.fixture
def no_chinese_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "startup_check", lambda: fonts.FontCheck((), "fontconfig knows no font for Chinese"))


@pytest.mark.parametrize(("lang", "words"), [("en", "No Chinese font is installed"), ("zh-CN", "未安装中文字体")])
def test_her_download_is_refused_naming_the_font_package(
    service_client: TestClient, service_clinic: Any, no_chinese_font: None, lang: str, words: str
) -> None:
    number = ready_case(service_clinic)
    look_up(service_client, number, lang)
    r = service_client.get("/my-visit/documents/aftercare.pdf", headers={"Accept-Language": lang})
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("text/html")
    assert "fonts-noto-cjk" in r.text and words in r.text


def test_a_staff_download_is_refused_too(service_client: TestClient, service_clinic: Any, no_chinese_font: None):
    from e2e.ui_pages.staff_helpers import sign_in

    ready_case(service_clinic)
    appointment_id, _ = ids(service_clinic)
    sign_in(service_client, service_clinic, "registrar")
    r = service_client.get(f"/staff/documents/appointment/{appointment_id}/receipt.pdf?lang=en")
    assert r.status_code == 503 and "fonts-noto-cjk" in r.text
    assert not r.content.startswith(b"%PDF")
