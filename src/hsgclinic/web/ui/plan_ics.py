"""Her planned dates as an iCalendar file, built by the documents package (``documents.ics.visit_plan_ics``)."""

from __future__ import annotations

import datetime as dt
import hashlib

from hsgclinic.config import SiteProfile
from hsgclinic.documents.ics import visit_plan_ics
from hsgclinic.domain.planning import VisitPlan
from hsgclinic.i18n import Translator


def plan_to_ics(plan: VisitPlan, t: Translator, site: SiteProfile, release_time: dt.time, now: dt.datetime) -> bytes:
    """Stable event UIDs for the same answers, so re-importing updates her calendar instead of duplicating."""
    seed = f"{plan.cycle.period_end}|{plan.period_start}|{plan.cycle_length}".encode()
    case_id = "plan-" + hashlib.sha256(seed).hexdigest()[:12]
    return visit_plan_ics(plan, site, t.locale, case_id=case_id, release_time=release_time, now=now)
