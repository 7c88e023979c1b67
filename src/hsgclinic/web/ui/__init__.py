"""The clinic's pages (server-rendered Jinja2, progressively enhanced with small vanilla JS).

``mount_ui(app, clinic)`` adds the page routes, the static files and the Jinja2 environment to a FastAPI app.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from hsgclinic.web.security import install_security
from hsgclinic.web.ui.app_pages import install


def mount_ui(app: FastAPI, clinic: Any) -> None:
    """Add the patient, kiosk and staff pages, ``/static`` and the HTML error pages to ``app``."""
    install(app, clinic)
    install_security(app, clinic.settings)
    from hsgclinic.web.ui import (
        desk,
        desk_booking,
        desk_corrections,
        desk_screening,
        kiosk_pages,
        printing,
        radiology,
    )

    for router in (
        kiosk_pages.router,
        desk.router,
        desk_screening.router,
        desk_booking.router,
        desk_corrections.router,
        printing.router,
        radiology.router,
    ):
        app.include_router(router)
    app.include_router(__import__("hsgclinic.web.ui.admin_pages", fromlist=["router"]).router)
    app.include_router(__import__("hsgclinic.web.ui.dicom_admin", fromlist=["router"]).router)
    app.include_router(__import__("hsgclinic.web.ui.checkin", fromlist=["router"]).router)
    app.include_router(__import__("hsgclinic.web.ui.documents_pages", fromlist=["router"]).router)
    app.include_router(__import__("hsgclinic.web.ui.waiting_line_pages", fromlist=["router"]).router)


__all__ = ["mount_ui"]
