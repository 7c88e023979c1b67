"""The administrator's capacity planner page: bounded run, three server-side SVG plots, both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
QUERY = "/staff/admin/capacity?from=2027-01-20&to=2027-03-10&demand=250&seed=2"


@pytest.fixture
def admin(service_client: TestClient, service_clinic: Any) -> TestClient:
    sign_in(service_client, service_clinic, "admin")
    return service_client


def test_the_page_draws_the_plots_and_ranks_the_what_ifs(admin: TestClient) -> None:
    r = admin.get(QUERY, headers=EN)
    assert r.status_code == 200, r.text
    html = r.text
    for chart in ("capacity-weekly", "capacity-heat", "capacity-ranking"):
        assert f'id="{chart}"' in html
    assert "holiday week" in html and 'class="closed-day"' in html  # Spring Festival shaded
    assert "Open Wed 10 Feb 2027" in html  # the last day of the Spring Festival break, opened
    lost = int(re.search(r'id="kpi-lost">(\d+)<', html).group(1))
    assert lost > 0
    table = html.split('id="what-ifs"', 1)[1].split("</table>", 1)[0]
    per = [float(x) for x in re.findall(r"<td>(-?\d+\.\d{3})</td>", table)]
    assert per == sorted(per, reverse=True)
    assert "Booking policies on the same women" in html and "BOOK-PROTECT" in html
    again = admin.get(QUERY, headers=EN).text
    assert re.search(r'id="kpi-lost">(\d+)<', again).group(1) == str(lost)  # same seed, same answer


def test_the_page_in_chinese(admin: TestClient) -> None:
    r = admin.get(QUERY, headers=ZH)
    assert r.status_code == 200
    assert "容量规划" in r.text and "损失周期" in r.text and "春节" in r.text


def test_a_period_too_long_or_backwards_is_a_422_in_the_readers_language(admin: TestClient) -> None:
    r = admin.get("/staff/admin/capacity?from=2027-01-01&to=2027-12-31", headers=EN)
    assert r.status_code == 422 and "at most 92 days" in r.text
    r = admin.get("/staff/admin/capacity?from=2027-03-01&to=2027-02-01", headers=ZH)
    assert r.status_code == 422 and 'id="capacity-weekly"' not in r.text
    r = admin.get("/staff/admin/capacity?from=soon&seed=x", headers=EN)
    assert r.status_code == 422


@pytest.mark.parametrize("role", ["registrar", "doctor"])
def test_only_the_administrator_opens_it(service_client: TestClient, service_clinic: Any, role: str) -> None:
    sign_in(service_client, service_clinic, role, "zh-CN")
    r = service_client.get(QUERY, headers=ZH)
    assert r.status_code == 403
