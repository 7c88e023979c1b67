"""The five printed documents of the pathway, each as HTML (for the web) and as an A4 PDF.

* application form (申请单) — :func:`render_application_form_pdf`
* before-the-procedure sheet — :func:`render_before_procedure_pdf`
* radiology report (what the kiosk prints) — :func:`render_report_pdf`
* aftercare sheet (CARE-*) — :func:`render_aftercare_pdf`
* receipt for the self-pay fee (BOOK-PRICE) — :func:`render_receipt_pdf`

``lang`` is 'zh_CN' or 'en' (one language per document). ``printed_at`` (for the footer) defaults to now in
Asia/Shanghai; pass it for reproducible output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hsgclinic.documents import labels
from hsgclinic.documents.amount_words import rmb_capital
from hsgclinic.documents.models import (
    ApplicationFormView,
    BeforeProcedureView,
    PatientView,
    PaymentStatus,
    PrintInfo,
    ReceiptView,
    ReportView,
)
from hsgclinic.documents.rendering import html_to_pdf, lang_of, qr_svg_data_uri, render_html
from hsgclinic.domain.aftercare import AftercareItem, AftercarePlan
from hsgclinic.domain.findings import overall
from hsgclinic.domain.messages import N_, Message

if TYPE_CHECKING:
    from hsgclinic.config import SiteProfile


def _printed(printed_at: dt.datetime | None) -> dt.datetime:
    return printed_at if printed_at is not None else PrintInfo.now().printed_at


def _patient_rows(patient: PatientView | None) -> list[tuple[Message, object]]:
    if patient is None:
        return []
    rows: list[tuple[Message, object]] = [
        (N_("Name"), patient.name),
        (N_("Sex"), labels.SEX[patient.sex]),
        (N_("ID number"), patient.masked_id),
        (N_("Age"), N_("{years} years", years=patient.age) if patient.age is not None else "—"),
    ]
    if patient.phone_masked:
        rows.append((N_("Phone"), patient.phone_masked))
    return rows


# -- application form ---------------------------------------------------------------------------------------
def render_application_form_html(
    view: ApplicationFormView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> str:
    t = lang_of(lang)
    return render_html(
        "application_form.html",
        t,
        site,
        _printed(printed_at),
        title=t("HSG application form"),
        doc_number=view.form_number,
        doc_number_label=t("Form No."),
        form=view,
        patient_rows=_patient_rows(view.patient),
        overall=overall(view.findings),
        outcome_label=labels.OUTCOME,
        rule_title=labels.RULE_TITLE,
        qr=qr_svg_data_uri(view.qr_payload),
    )


def render_application_form_pdf(
    view: ApplicationFormView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> bytes:
    return html_to_pdf(render_application_form_html(view, site, lang, printed_at=printed_at))


# -- before the procedure -----------------------------------------------------------------------------------
def render_before_procedure_html(
    view: BeforeProcedureView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> str:
    t = lang_of(lang)
    return render_html(
        "before_procedure.html",
        t,
        site,
        _printed(printed_at),
        title=t("Before your HSG"),
        doc_number=view.form_number or "",
        doc_number_label=t("Form No."),
        view=view,
        patient_rows=_patient_rows(view.patient),
    )


def render_before_procedure_pdf(
    view: BeforeProcedureView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> bytes:
    return html_to_pdf(render_before_procedure_html(view, site, lang, printed_at=printed_at))


# -- radiology report ---------------------------------------------------------------------------------------
def render_report_html(view: ReportView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None) -> str:
    t = lang_of(lang)
    f = view.findings
    tube_rows = [
        (N_("Patency"), labels.PATENCY[f.left.patency], labels.PATENCY[f.right.patency]),
        (N_("Level of obstruction"), labels.LEVEL[f.left.obstruction_level], labels.LEVEL[f.right.obstruction_level]),
        (N_("Hydrosalpinx"), labels.present(f.left.hydrosalpinx), labels.present(f.right.hydrosalpinx)),
        (N_("Peritoneal spill"), labels.SPILL[f.left.spill], labels.SPILL[f.right.spill]),
    ]
    cavity_rows = [
        (N_("Shape"), labels.cavity_shape(f.cavity.shape)),
        (N_("Anomaly"), labels.present(f.cavity.anomaly)),
        (N_("Filling defects"), labels.present(f.cavity.filling_defects)),
        (N_("Venous or lymphatic intravasation"), labels.present(f.cavity.intravasation)),
    ]
    return render_html(
        "report.html",
        t,
        site,
        _printed(printed_at),
        title=t("Hysterosalpingography report"),
        doc_number=view.report_number,
        doc_number_label=t("Report No."),
        report=view,
        patient_rows=_patient_rows(view.patient),
        tube_rows=tube_rows,
        cavity_rows=cavity_rows,
        contrast_label=labels.CONTRAST[view.contrast_kind],
        hcg_label=labels.HCG[view.hcg],
        dose_kind=labels.DOSE_KIND[view.dose_unit],
        qr=qr_svg_data_uri(view.qr_payload),
    )


def render_report_pdf(
    view: ReportView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> bytes:
    return html_to_pdf(render_report_html(view, site, lang, printed_at=printed_at))


# -- aftercare ----------------------------------------------------------------------------------------------
_CARE_TITLE: dict[str, Message] = {
    "CARE-ABSTAIN": N_("No intercourse, no tub bath"),
    "CARE-ANTIBIOTIC": N_("Antibiotics"),
    "CARE-BLEED": N_("Bleeding"),
    "CARE-REPORT": N_("Your report"),
    "CARE-CONCEIVE": N_("Trying to conceive"),
    "CARE-ECTOPIC": N_("Pregnancy test"),
    "CARE-REFER": N_("Further care"),
}


@dataclass(frozen=True)
class _TimelineRow:
    when: Message
    title: Message
    item: AftercareItem


def _when(item: AftercareItem, plan: AftercarePlan) -> Message:
    day = item.day
    assert day is not None
    if item.rule in ("CARE-ABSTAIN",) or (item.rule == "CARE-ANTIBIOTIC" and day != plan.procedure_date):
        return N_("through {day}", day=day)
    if item.rule == "CARE-BLEED":
        return N_("by {day}", day=day)
    if item.rule in ("CARE-CONCEIVE", "CARE-ECTOPIC"):
        return N_("from about {day}", day=day)
    if day == plan.procedure_date:
        return N_("on {day}", day=day)
    return N_("from {day}", day=day)


def render_aftercare_html(
    plan: AftercarePlan,
    site: SiteProfile,
    lang: str,
    *,
    patient: PatientView | None = None,
    printed_at: dt.datetime | None = None,
) -> str:
    t = lang_of(lang)
    dated = sorted((i for i in plan.items if i.day is not None and not i.warning), key=lambda i: i.day or dt.date.min)
    timeline = [_TimelineRow(_when(i, plan), _CARE_TITLE.get(i.rule, N_("Aftercare")), i) for i in dated]
    undated = [i for i in plan.items if i.day is None and not i.warning]
    return render_html(
        "aftercare.html",
        t,
        site,
        _printed(printed_at),
        title=t("Aftercare after your HSG"),
        doc_number="",
        doc_number_label="",
        plan=plan,
        patient_rows=_patient_rows(patient),
        timeline=timeline,
        warnings=[i for i in plan.items if i.warning],
        ectopic=[i for i in undated if i.rule == "CARE-ECTOPIC"],
        refer=[i for i in undated if i.rule == "CARE-REFER"],
        other=[i for i in undated if i.rule not in ("CARE-ECTOPIC", "CARE-REFER")],
        care_title=_CARE_TITLE,
        contrast_label=labels.CONTRAST[plan.contrast],
    )


def render_aftercare_pdf(
    plan: AftercarePlan,
    site: SiteProfile,
    lang: str,
    *,
    patient: PatientView | None = None,
    printed_at: dt.datetime | None = None,
) -> bytes:
    return html_to_pdf(render_aftercare_html(plan, site, lang, patient=patient, printed_at=printed_at))


# -- receipt ------------------------------------------------------------------------------------------------
def render_receipt_html(
    view: ReceiptView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> str:
    t = lang_of(lang)
    return render_html(
        "receipt.html",
        t,
        site,
        _printed(printed_at),
        title=t("Receipt"),
        doc_number=view.receipt_number,
        doc_number_label=t("Receipt No."),
        receipt=view,
        patient_rows=_patient_rows(view.patient),
        capital=rmb_capital(view.amount),
        method_label=labels.PAYMENT_METHOD[view.method] if view.method is not None else None,
        status_label=labels.PAYMENT_STATUS[view.status],
        paid=view.status is PaymentStatus.PAID,
    )


def render_receipt_pdf(
    view: ReceiptView, site: SiteProfile, lang: str, *, printed_at: dt.datetime | None = None
) -> bytes:
    return html_to_pdf(render_receipt_html(view, site, lang, printed_at=printed_at))


__all__ = [
    "render_aftercare_html",
    "render_aftercare_pdf",
    "render_application_form_html",
    "render_application_form_pdf",
    "render_before_procedure_html",
    "render_before_procedure_pdf",
    "render_receipt_html",
    "render_receipt_pdf",
    "render_report_html",
    "render_report_pdf",
]
