"""Patient contact for messages (issue 5): an optional email and a preferred language, by the service and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hsgclinic.persistence.models import Patient
from hsgclinic.services import registration
from hsgclinic.services.errors import InvalidInput
from hsgtest import TODAY


def _patient(clinic, patient_id: int) -> Patient:
    with clinic.ctx.read() as u:
        return u.session.execute(select(Patient).where(Patient.id == patient_id)).scalar_one()


def test_a_number_without_contact_keeps_chinese_and_no_email(clinic, public, person):
    pid = registration.take_number(clinic.ctx, public, day=TODAY, **person(1)).number.patient_id
    p = _patient(clinic, pid)
    assert (p.email, p.preferred_lang) == (None, "zh_CN")


def test_email_and_language_are_stored_and_updated_only_when_given(clinic, public, person, registrar):
    taken = registration.take_number(
        clinic.ctx, public, day=TODAY, **person(2), email=" li@example.invalid ", lang="en"
    ).number
    p = _patient(clinic, taken.patient_id)
    assert (p.email, p.preferred_lang) == ("li@example.invalid", "en")
    registration.cancel_number(clinic.ctx, registrar, taken.registration_id)
    registration.take_number(clinic.ctx, public, day=TODAY, **person(2))  # nothing given: kept
    p = _patient(clinic, taken.patient_id)
    assert (p.email, p.preferred_lang) == ("li@example.invalid", "en")


@pytest.mark.parametrize(
    ("email", "lang", "code"), [("not-an-email", None, "invalid_email"), (None, "fr", "invalid_language")]
)
def test_bad_contact_is_refused(clinic, public, person, email, lang, code):
    with pytest.raises(InvalidInput) as err:
        registration.take_number(clinic.ctx, public, day=TODAY, **person(3), email=email, lang=lang)
    assert err.value.code == code
