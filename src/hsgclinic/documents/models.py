"""The documents' own input values (view models), independent of the database models.

A service reads its rows, builds these small frozen values and hands them to a render function. Every
identifier here is already masked: the documents never see a full ID number or phone number.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.findings import Finding
from hsgclinic.domain.report import ContrastKind, ReportFindings


class Sex(enum.StrEnum):
    FEMALE = "F"
    MALE = "M"


@dataclass(frozen=True)
class PatientView:
    name: str
    masked_id: str  # e.g. "**************123X" (domain.identity.mask_id); never the full number
    sex: Sex = Sex.FEMALE
    age: int | None = None
    phone_masked: str = ""  # e.g. "138****5678"

    def __post_init__(self) -> None:
        visible = self.masked_id.replace("*", "")
        if len(visible) > 4:
            raise ValueError("PatientView.masked_id must show at most the last 4 characters")


@dataclass(frozen=True)
class DoctorView:
    name: str
    title: str = ""  # free text as the hospital writes it, e.g. "主治医师"


@dataclass(frozen=True)
class ApplicationFormView:
    """申请单: issued when screening passes (or a doctor confirmed every REVIEW)."""

    form_number: str
    patient: PatientView
    screening_date: dt.date
    findings: tuple[Finding, ...]
    procedure_date: dt.date
    procedure_time: dt.time
    price: Decimal
    access_code: str
    issued_at: dt.datetime
    doctor: DoctorView
    access_url: str | None = None  # what the QR code opens; the access code alone when None
    provisional: bool = False  # CAL-SOURCE: the procedure date is in a year without official holiday data

    @property
    def qr_payload(self) -> str:
        return self.access_url or self.access_code


@dataclass(frozen=True)
class BeforeProcedureView:
    """The before-the-procedure sheet: what to do until the day and what to bring."""

    procedure_date: dt.date
    procedure_time: dt.time | None = None
    patient: PatientView | None = None
    form_number: str | None = None
    abstain_from: dt.date | None = None  # the day the period ended (ELIG-ABSTAIN)
    price: Decimal | None = None
    report_ready_on: dt.date | None = None
    provisional: bool = False


class DoseUnit(enum.StrEnum):
    DAP_UGY_M2 = "µGy·m²"  # dose-area product
    DAP_GY_CM2 = "Gy·cm²"
    AIR_KERMA_MGY = "mGy"  # reference air kerma


@dataclass(frozen=True)
class CorrectionView:
    corrected_at: dt.datetime
    corrected_by: str
    reason: str
    fields: tuple[str, ...] = ()  # which parts changed, in the radiologist's words


@dataclass(frozen=True)
class ReportView:
    """The signed radiology report the kiosk prints (REPORT-FIELDS, PROC)."""

    report_number: str
    patient: PatientView
    procedure_date: dt.date
    findings: ReportFindings
    contrast_agent: str
    contrast_kind: ContrastKind
    contrast_volume_ml: Decimal
    fluoroscopy_seconds: Decimal
    dose: Decimal
    dose_unit: DoseUnit
    hcg: HcgResult
    operator: str
    radiologist: str
    signed_at: dt.datetime
    form_number: str | None = None
    procedure_start: dt.time | None = None
    procedure_end: dt.time | None = None
    corrections: tuple[CorrectionView, ...] = ()
    verification_code: str = ""
    verification_url: str | None = None
    dose_flagged: bool = False  # REPORT-DOSE

    @property
    def qr_payload(self) -> str:
        return self.verification_url or self.verification_code or self.report_number


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    BANK_CARD = "bank_card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    INSURANCE_ACCOUNT = "insurance_account"  # paid from the personal medical-insurance account


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class ReceiptView:
    """BOOK-PRICE: the receipt for the self-pay fee (amount in CNY as Decimal, never float)."""

    receipt_number: str
    amount: Decimal
    paid_at: dt.datetime | None
    method: PaymentMethod | None
    status: PaymentStatus
    patient: PatientView | None = None
    form_number: str | None = None
    cashier: str = ""
    refunded_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("ReceiptView.amount must be a Decimal")
        if self.amount < 0 or self.amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("ReceiptView.amount must be a non-negative amount in yuan with at most 2 decimals")


@dataclass(frozen=True)
class PrintInfo:
    """When a document was printed (footer); pass it for reproducible output."""

    printed_at: dt.datetime

    @classmethod
    def now(cls) -> PrintInfo:
        from zoneinfo import ZoneInfo

        return cls(dt.datetime.now(ZoneInfo("Asia/Shanghai")))


__all__ = [
    "ApplicationFormView",
    "BeforeProcedureView",
    "CorrectionView",
    "DoctorView",
    "DoseUnit",
    "PatientView",
    "PaymentMethod",
    "PaymentStatus",
    "PrintInfo",
    "ReceiptView",
    "ReportView",
    "Sex",
]
