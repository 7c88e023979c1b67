"""Invented, synthetic example documents (for tests, screenshots and demos). No real person's data.

The ID numbers are made up but valid-looking: their GB 11643 check digit is computed, and they are only ever
passed on masked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hsgclinic.documents.models import (
    ApplicationFormView,
    BeforeProcedureView,
    CorrectionView,
    DoctorView,
    DoseUnit,
    PatientView,
    PaymentMethod,
    PaymentStatus,
    ReceiptView,
    ReportView,
    Sex,
)
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.identity import check_digit, mask_id
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import (
    CavityFinding,
    ContrastKind,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROCEDURE_DATE = dt.date(2026, 12, 4)  # domain.md's worked example (a Friday)
PROCEDURE_TIME = dt.time(8, 15)


def synthetic_resident_id(first17: str = "11010119930512062") -> str:
    """A made-up resident ID number with a correct check digit (Dongcheng area code, born 1993-05-12, female)."""
    return first17 + check_digit(first17)


SAMPLE_ID = synthetic_resident_id()


def sample_patient(name: str = "林晓雯") -> PatientView:
    return PatientView(
        name=name,
        masked_id=mask_id(SAMPLE_ID),
        sex=Sex.FEMALE,
        age=33,
        phone_masked="139****2468",
    )


def sample_findings() -> tuple[Finding, ...]:
    return (
        Finding(
            "ELIG-VISIT-DAY", Outcome.PASS, N_("Visit on day {offset} after the period, as recommended.", offset=2)
        ),
        Finding("ELIG-ABSTAIN", Outcome.PASS, N_("No intercourse since the period ended.")),
        Finding(
            "ELIG-TEMP",
            Outcome.PASS,
            N_("Temperature {value} °C is below {limit} °C.", value=Decimal("36.6"), limit=Decimal("37.5")),
        ),
        Finding("ELIG-RESP", Outcome.PASS, N_("No cold or respiratory illness.")),
        Finding("ELIG-PAIN", Outcome.PASS, N_("No recent lower abdominal pain.")),
        Finding("ELIG-LEUK", Outcome.PASS, N_("The leukorrhea routine test is normal.")),
        Finding(
            "ELIG-PREG",
            Outcome.PASS,
            N_("No sign of pregnancy; a urine hCG test is still done on the procedure day."),
        ),
        Finding("ELIG-CONTRA", Outcome.PASS, N_("No contraindication reported.")),
        Finding(
            "ELIG-OVULATION",
            Outcome.PASS,
            N_(
                "A procedure on {day} is before the estimated ovulation ({ovulation}).",
                day=PROCEDURE_DATE,
                ovulation=dt.date(2026, 12, 11),
            ),
        ),
    )


def sample_application_form() -> ApplicationFormView:
    return ApplicationFormView(
        form_number="HSG-20261202-0007",
        patient=sample_patient(),
        screening_date=dt.date(2026, 12, 2),
        findings=sample_findings(),
        procedure_date=PROCEDURE_DATE,
        procedure_time=PROCEDURE_TIME,
        price=Decimal("1000.00"),
        access_code="K7QM-4WZP",
        issued_at=dt.datetime(2026, 12, 2, 9, 42, tzinfo=SHANGHAI),
        doctor=DoctorView("周明远", "主治医师"),
        access_url="https://hsg.example.invalid/my/K7QM-4WZP",
    )


def sample_before_procedure() -> BeforeProcedureView:
    return BeforeProcedureView(
        procedure_date=PROCEDURE_DATE,
        procedure_time=PROCEDURE_TIME,
        patient=sample_patient(),
        form_number="HSG-20261202-0007",
        abstain_from=dt.date(2026, 11, 30),
        price=Decimal("1000.00"),
        report_ready_on=dt.date(2026, 12, 7),
    )


def sample_report_findings() -> ReportFindings:
    return ReportFindings(
        cavity=CavityFinding(shape="normal", anomaly=False, filling_defects=False, intravasation=False),
        left=TubeFinding(Patency.PATENT, ObstructionLevel.NONE, hydrosalpinx=False, spill=Spill.FREE),
        right=TubeFinding(Patency.PARTIALLY_PATENT, ObstructionLevel.DISTAL, hydrosalpinx=False, spill=Spill.LOCULATED),
        impression="",
    )


_IMPRESSION = {
    "zh_CN": "宫腔形态正常，未见充盈缺损。左侧输卵管通畅；右侧输卵管通而不畅，伞端造影剂局限性弥散。",
    "en": "Normal uterine cavity without filling defects. Left tube patent; right tube partially patent with "
    "loculated spill at the fimbrial end.",
}


def sample_report(lang: str = "zh_CN", *, corrected: bool = True) -> ReportView:
    findings = sample_report_findings()
    findings = ReportFindings(findings.cavity, findings.left, findings.right, _IMPRESSION.get(lang, _IMPRESSION["en"]))
    corrections: tuple[CorrectionView, ...] = ()
    if corrected:
        corrections = (
            CorrectionView(
                corrected_at=dt.datetime(2026, 12, 4, 15, 20, tzinfo=SHANGHAI),
                corrected_by="陈思远" if lang == "zh_CN" else "Chen Siyuan",
                reason="右侧输卵管弥散类型由“自由”更正为“局限”。"
                if lang == "zh_CN"
                else "Right tube spill corrected from free to loculated.",
                fields=("右侧输卵管",) if lang == "zh_CN" else ("Right tube",),
            ),
        )
    return ReportView(
        report_number="RF-2026-120431",
        patient=sample_patient(),
        procedure_date=PROCEDURE_DATE,
        findings=findings,
        contrast_agent="碘海醇 Iohexol 300" if lang == "zh_CN" else "Iohexol 300",
        contrast_kind=ContrastKind.WATER,
        contrast_volume_ml=Decimal("12"),
        fluoroscopy_seconds=Decimal("38"),
        dose=Decimal("52.4"),
        dose_unit=DoseUnit.DAP_UGY_M2,
        hcg=HcgResult.NEGATIVE,
        operator="王静怡" if lang == "zh_CN" else "Wang Jingyi",
        radiologist="陈思远" if lang == "zh_CN" else "Chen Siyuan",
        signed_at=dt.datetime(2026, 12, 4, 11, 5, tzinfo=SHANGHAI),
        form_number="HSG-20261202-0007",
        procedure_start=dt.time(8, 17),
        procedure_end=dt.time(8, 23),
        corrections=corrections,
        verification_code="V3H9-28QX",
        verification_url="https://hsg.example.invalid/r/V3H9-28QX",
    )


def sample_receipt(status: PaymentStatus = PaymentStatus.PAID) -> ReceiptView:
    return ReceiptView(
        receipt_number="SF-2026-0012087",
        amount=Decimal("1000.00"),
        paid_at=dt.datetime(2026, 12, 2, 10, 3, tzinfo=SHANGHAI) if status is not PaymentStatus.UNPAID else None,
        method=PaymentMethod.WECHAT if status is not PaymentStatus.UNPAID else None,
        status=status,
        patient=sample_patient(),
        form_number="HSG-20261202-0007",
        cashier="C03",
    )
