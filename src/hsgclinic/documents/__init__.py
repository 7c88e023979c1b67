"""Printed documents (PDF through WeasyPrint, HTML for the web) and calendar files (.ics) for patients.

The documents take small view models (:mod:`hsgclinic.documents.models`) and domain values, never database
rows. Importing this package is cheap: WeasyPrint is imported only when a PDF is rendered.
"""

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
from hsgclinic.documents.rendering import DocumentError
from hsgclinic.documents.sheets import (
    render_aftercare_html,
    render_aftercare_pdf,
    render_application_form_html,
    render_application_form_pdf,
    render_before_procedure_html,
    render_before_procedure_pdf,
    render_receipt_html,
    render_receipt_pdf,
    render_report_html,
    render_report_pdf,
)

__all__ = [
    "ApplicationFormView",
    "BeforeProcedureView",
    "CorrectionView",
    "DoctorView",
    "DocumentError",
    "DoseUnit",
    "PatientView",
    "PaymentMethod",
    "PaymentStatus",
    "ReceiptView",
    "ReportView",
    "Sex",
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
