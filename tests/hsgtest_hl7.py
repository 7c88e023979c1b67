"""HL7 test helpers (importable as ``hsgtest_hl7``): ADT messages as a HIS writes them, the listener in a thread,
the @medplum/hl7 peer scripts (tests/peers/hl7) and a booked case to send messages about."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hsgclinic.bootstrap import Clinic
from hsgclinic.config import Settings
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import CavityFinding, ObstructionLevel, Patency, ReportFindings, Spill, TubeFinding
from hsgclinic.hl7.inbound import AdtHandler
from hsgclinic.hl7.server import Listener
from hsgclinic.services import booking, payments, procedure, registration, screening
from hsgclinic.services.context import Actor, Role
from hsgtest import TODAY, require_all, water_contrast_procedure

PEERS = Path(__file__).parent / "peers" / "hl7"
REGISTRAR = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
DOCTOR = Actor(Role.DOCTOR, "dr.li", "10.0.0.3")
RADIOLOGIST = Actor(Role.RADIOLOGIST, "dr.zhao", "10.0.0.4", display_name="赵医生")


def adt(
    trigger: str,
    name: str,
    id_number: str,
    phone: str,
    *,
    control: str = "MSG0001",
    facility: str = "HOSP",
    charset: str = "UNICODE UTF-8",
    id_type: str = "NNCHN",
    message_type: str = "ADT",
    with_pid: bool = True,
) -> str:
    """An ADT as a HIS sends it: HIS patient number and resident ID in PID-3, name family^given, mobile phone."""
    if " " in name:  # "Anna Müller" → Müller^Anna
        given, family = name.split(" ", 1)
    else:  # a Chinese name: family name first (one character here), then the given name
        family, given = (name[0], name[1:]) if name else ("", "")
    segments = [
        f"MSH|^~\\&|HIS|{facility}|HSGCLINIC|HSG|20261120080000||{message_type}^{trigger}^ADT_A01|{control}|P|2.5.1"
        f"||||||{charset}",
        f"EVN|{trigger}|20261120080000",
    ]
    if with_pid:
        segments.append(
            f"PID|1||H0042^^^HIS^PI~{id_number}^^^CHN^{id_type}||{family}^{given}||19920101|F|||||{phone}^PRN^CP"
        )
    segments.append("PV1|1|O")
    return "\r".join(segments) + "\r"


def ack_fields(data: bytes, encoding: str = "utf-8") -> dict[str, Any]:
    import hl7

    message = hl7.parse(data.decode(encoding))
    errs = list(message.segments("ERR")) if any(s[0][0] == "ERR" for s in message) else []
    return {
        "code": str(message["MSA.F1"]),
        "control_id": str(message["MSA.F2"]),
        "charset": str(message["MSH.F18"]),
        "err": [str(e) for e in errs],
    }


@contextmanager
def running_listener(clinic: Clinic, settings: Settings) -> Iterator[Listener]:
    """``hsgclinic hl7 serve``'s listener on a free port, in a thread with its own event loop."""
    loop = asyncio.new_event_loop()
    listener = Listener(AdtHandler(clinic.ctx, settings), settings)
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(listener.start("127.0.0.1", 0))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield listener
    finally:
        asyncio.run_coroutine_threadsafe(listener.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def node_peer() -> str:
    """The ``node`` binary, with the peer's packages installed (else skip, or fail under HSGCLINIC_REQUIRE_ALL)."""
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "@medplum" / "hl7").is_dir():
        if require_all():
            pytest.fail("node or tests/peers/hl7/node_modules missing: run `make install-test-system`")
        pytest.skip("node / @medplum/hl7 not installed (make install-test-system)")
    return node


def medplum_send(port: int, encoding: str, files: list[Path]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [node_peer(), str(PEERS / "send.js"), "127.0.0.1", str(port), encoding, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


class Receiver:
    """@medplum/hl7's Hl7Server in a node process: what it received, one dict per message."""

    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self.proc, self.port = proc, port
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip():
                self.lines.put(json.loads(line))

    def take(self, n: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        return [self.lines.get(timeout=timeout) for _ in range(n)]

    def nothing_more(self) -> bool:
        return self.lines.empty()


@contextmanager
def medplum_receiver(encoding: str = "utf-8", mode: str = "aa") -> Iterator[Receiver]:
    proc = subprocess.Popen(
        [node_peer(), str(PEERS / "receive.js"), encoding, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("LISTENING "), (first, proc.stderr.read() if proc.stderr else "")
        yield Receiver(proc, int(first.split()[1]))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


NORMAL_LEUK = LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False)


def good_screening() -> ScreeningInput:
    return ScreeningInput(
        visit_date=TODAY,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=NORMAL_LEUK,
    )


@dataclasses.dataclass(frozen=True)
class Case:
    patient_id: int
    registration_id: int
    form_id: int


def screened_case(clinic: Clinic, person: dict[str, str]) -> Case:
    """A patient with a number for today and an application form (nothing booked yet)."""
    number = registration.take_number(clinic.ctx, Actor.public("203.0.113.7"), day=TODAY, **person).number
    view = screening.record_screening(
        clinic.ctx,
        DOCTOR,
        patient_id=number.patient_id,
        screening=good_screening(),
        doctor_name="Dr Li",
        issue_form=True,
    )
    form = screening.issue_application_form(clinic.ctx, DOCTOR, view.screening_id)
    return Case(number.patient_id, number.registration_id, form.form_id)


def book(clinic: Clinic, case: Case, day: dt.date = dt.date(2026, 11, 21)) -> int:
    return booking.book(clinic.ctx, REGISTRAR, case.form_id, day).appointment_id


PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
BLOCKED = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.DISTAL, True, Spill.NONE)
FINDINGS = ReportFindings(
    CavityFinding("normal", False, False, False), PATENT, BLOCKED, "左侧通畅，右侧远端阻塞伴积水。"
)


def signed_report(clinic: Clinic, appointment_id: int, on: dt.date = dt.date(2026, 11, 21)) -> tuple[int, int]:
    """The procedure done at 09:00 on ``on`` and its report written and signed: (procedure id, report id)."""
    started = dt.datetime.combine(on, dt.time(1, 0), tzinfo=dt.UTC)  # 09:00 in the clinic
    payments.record_payment(clinic.ctx, REGISTRAR, appointment_id, "wechat", Decimal("1000"))
    clinic.clock.set(started)  # type: ignore[attr-defined]
    proc = procedure.record_procedure(clinic.ctx, RADIOLOGIST, appointment_id, water_contrast_procedure(started))
    report = procedure.write_report(clinic.ctx, RADIOLOGIST, proc.procedure_id, FINDINGS)
    procedure.sign_report(clinic.ctx, RADIOLOGIST, report.report_id)
    return proc.procedure_id, report.report_id
