"""The words for coded values printed on the documents (enum → translatable message)."""

from __future__ import annotations

from hsgclinic.documents.models import DoseUnit, PaymentMethod, PaymentStatus, Sex
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.messages import N_, Message
from hsgclinic.domain.report import ContrastKind, ObstructionLevel, Patency, Spill

SEX: dict[Sex, Message] = {Sex.FEMALE: N_("Female"), Sex.MALE: N_("Male")}

OUTCOME: dict[Outcome, Message] = {
    Outcome.PASS: N_("Passed"),
    Outcome.REVIEW: N_("Doctor's review"),
    Outcome.BLOCK: N_("Not passed"),
}

# Short names of the rules shown in the screening table (the rule ID is printed beside each).
RULE_TITLE: dict[str, Message] = {
    "ELIG-VISIT-DAY": N_("Visit day"),
    "ELIG-ABSTAIN": N_("No intercourse"),
    "ELIG-TEMP": N_("Body temperature"),
    "ELIG-RESP": N_("Cold / respiratory illness"),
    "ELIG-PAIN": N_("Lower abdominal pain"),
    "ELIG-LEUK": N_("Leukorrhea routine test"),
    "ELIG-PREG": N_("Pregnancy"),
    "ELIG-CONTRA": N_("Contraindications"),
    "ELIG-OVULATION": N_("Timing before ovulation"),
    "ELIG-IRREG": N_("Cycle regularity"),
    "BOOK-WINDOW": N_("Procedure window"),
    "BOOK-LEAD": N_("Days after the test"),
    "BOOK-OPEN": N_("Clinic open"),
}

PATENCY: dict[Patency, Message] = {
    Patency.PATENT: N_("Patent"),
    Patency.PARTIALLY_PATENT: N_("Partially patent"),
    Patency.OBSTRUCTED: N_("Obstructed"),
    Patency.NOT_VISUALISED: N_("Not visualised"),
}

LEVEL: dict[ObstructionLevel, Message] = {
    ObstructionLevel.PROXIMAL: N_("Proximal"),
    ObstructionLevel.MID: N_("Mid-segment"),
    ObstructionLevel.DISTAL: N_("Distal (fimbrial end)"),
    ObstructionLevel.NONE: N_("No obstruction"),
}

SPILL: dict[Spill, Message] = {
    Spill.FREE: N_("Free spill"),
    Spill.LOCULATED: N_("Loculated spill"),
    Spill.NONE: N_("No spill"),
}

CONTRAST: dict[ContrastKind, Message] = {
    ContrastKind.WATER: N_("Water-soluble"),
    ContrastKind.OIL: N_("Oil-based"),
}

HCG: dict[HcgResult, Message] = {HcgResult.NEGATIVE: N_("Negative"), HcgResult.POSITIVE: N_("Positive")}

# Cavity shapes as the report form offers them; anything else is printed as the radiologist typed it.
CAVITY_SHAPE: dict[str, Message] = {
    "normal": N_("Normal (inverted triangle)"),
    "arcuate": N_("Arcuate"),
    "septate": N_("Septate"),
    "subseptate": N_("Subseptate"),
    "bicornuate": N_("Bicornuate"),
    "unicornuate": N_("Unicornuate"),
    "didelphys": N_("Didelphys"),
    "t-shaped": N_("T-shaped"),
    "enlarged": N_("Enlarged"),
    "small": N_("Small"),
}

DOSE_KIND: dict[DoseUnit, Message] = {
    DoseUnit.DAP_UGY_M2: N_("Dose-area product"),
    DoseUnit.DAP_GY_CM2: N_("Dose-area product"),
    DoseUnit.AIR_KERMA_MGY: N_("Reference air kerma"),
}

PAYMENT_METHOD: dict[PaymentMethod, Message] = {
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.BANK_CARD: N_("Bank card"),
    PaymentMethod.WECHAT: N_("WeChat Pay"),
    PaymentMethod.ALIPAY: N_("Alipay"),
    PaymentMethod.INSURANCE_ACCOUNT: N_("Personal medical-insurance account"),
}

PAYMENT_STATUS: dict[PaymentStatus, Message] = {
    PaymentStatus.UNPAID: N_("Unpaid"),
    PaymentStatus.PAID: N_("Paid"),
    PaymentStatus.REFUNDED: N_("Refunded"),
}

PRESENT = N_("Present")
ABSENT = N_("Absent")


def cavity_shape(shape: str) -> Message | str:
    return CAVITY_SHAPE.get(shape.strip().lower(), shape)


def present(value: bool) -> Message:
    """A finding on the report: present / absent (有 / 无)."""
    return PRESENT if value else ABSENT
