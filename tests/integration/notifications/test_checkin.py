"""The post-procedure check-in (CARE-BLEED): a signed link, her report stored, a flag on the desk's list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hsgclinic.domain.reminders import CheckinAnswers, Pain
from hsgclinic.notifications.checkin import (
    CheckinClaims,
    CheckinLinkInvalid,
    close_flag,
    make_token,
    open_flags,
    read_token,
    record_checkin,
)

from .conftest import TEST_SECRET

PROC = dt.date(2026, 11, 23)
CLAIMS = CheckinClaims("case-7", None, PROC)


def _report(clinic, answers):
    with clinic.ctx.write() as u:
        out = record_checkin(
            u.session,
            CLAIMS,
            answers,
            bleeding_days=clinic.settings.bleeding_days,
            fever_threshold_c=clinic.settings.max_temperature_c,
            now=clinic.ctx.now(),
        )
        u.commit()
    return out


def test_the_link_round_trips_and_rejects_tampering_and_other_keys():
    token = make_token(TEST_SECRET, CLAIMS)
    assert read_token(TEST_SECRET, token, max_age_days=60) == CLAIMS
    with pytest.raises(CheckinLinkInvalid):
        read_token(TEST_SECRET, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), max_age_days=60)
    with pytest.raises(CheckinLinkInvalid):
        read_token("another-secret-key-0123456789abcdef", token, max_age_days=60)


def test_bleeding_past_day_7_raises_a_care_bleed_flag(notif_clinic):
    out = _report(notif_clinic, CheckinAnswers(reported_on=PROC + dt.timedelta(days=8), bleeding=True))
    assert [(f.rule, f.reason) for f in out.flags] == [("CARE-BLEED", "bleeding_past_d7")]
    with notif_clinic.ctx.read() as u:
        (flag,) = open_flags(u.session)
    assert (flag.rule, flag.reason, flag.case_ref, flag.checkin_id) == (
        "CARE-BLEED",
        "bleeding_past_d7",
        "case-7",
        out.report_id,
    )


def test_fever_and_severe_pain_each_raise_a_flag(notif_clinic):
    answers = CheckinAnswers(
        reported_on=PROC + dt.timedelta(days=2), bleeding=True, temperature_c=Decimal("38.1"), pain=Pain.SEVERE
    )
    out = _report(notif_clinic, answers)
    assert sorted(f.reason for f in out.flags) == ["fever", "pain"]


def test_a_reassuring_report_is_stored_without_a_flag_and_a_flag_can_be_closed(notif_clinic):
    calm = _report(notif_clinic, CheckinAnswers(reported_on=PROC + dt.timedelta(days=3), bleeding=True, pain=Pain.MILD))
    assert calm.flags == ()
    _report(notif_clinic, CheckinAnswers(reported_on=PROC + dt.timedelta(days=9), bleeding=True))
    with notif_clinic.ctx.write() as u:
        (flag,) = open_flags(u.session)
        assert close_flag(u.session, flag.id, by="nurse.wang", now=notif_clinic.ctx.now())
        u.commit()
    with notif_clinic.ctx.read() as u:
        assert open_flags(u.session) == []
