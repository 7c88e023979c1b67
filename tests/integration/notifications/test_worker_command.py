"""``hsgclinic worker --once`` sends what is due through the configured SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest
import typer
from typer.testing import CliRunner

from hsgclinic.cli.worker import register
from hsgclinic.domain.reminders import Appointment, AppointmentEvent, EventKind

from .helpers import EMAIL, case_dates, enqueue


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_worker_once_sends_what_is_due(notif_clinic, mailbox, monkeypatch, smtp):
    # The command runs on the real clock: a reschedule notice made an hour ago is due and still useful.
    now = dt.datetime.now()
    event = AppointmentEvent(
        EventKind.RESCHEDULED, Appointment.VISIT, now - dt.timedelta(hours=1), now + dt.timedelta(days=1)
    )
    enqueue(notif_clinic, case_dates(notif_clinic, procedure_at=None, events=(event,)), lang="en")
    s = notif_clinic.settings
    for key, value in {
        "HSGCLINIC_ENVIRONMENT": "test",
        "HSGCLINIC_SECRET_KEY": s.secret_key,
        "HSGCLINIC_DATABASE_URL": s.resolved_database_url,
        "HSGCLINIC_DATA_DIR": str(s.data_dir),
        "HSGCLINIC_SMTP_HOST": "127.0.0.1",
        "HSGCLINIC_SMTP_PORT": str(smtp[1]),
    }.items():
        monkeypatch.setenv(key, value)
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer from collapsing the app into the single command
        pass

    result = CliRunner().invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    (mail,) = mailbox.to(EMAIL)
    assert mail["Subject"] == "Your appointment has been moved"
