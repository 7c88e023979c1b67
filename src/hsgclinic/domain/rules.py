"""The clinical thresholds of ``domain.md`` as one value; each is a setting with the leaflet's default."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rules:
    max_temperature_c: Decimal = Decimal("37.5")  # ELIG-TEMP: must be strictly below
    visit_first_offset: int = 2  # ELIG-VISIT-DAY: visit on E+2 …
    visit_last_offset: int = 3  # … E+3
    window_first_offset: int = 3  # BOOK-WINDOW: procedure on E+3 …
    window_last_offset: int = 7  # … E+7
    lead_min_days: int = 1  # BOOK-LEAD: T+1 …
    lead_max_days: int = 2  # … T+2
    ovulation_margin_days: int = 2  # ELIG-OVULATION
    min_regular_cycle_days: int = 25  # ELIG-OVULATION: shorter cycles → REVIEW
    max_cycle_day_for_procedure: int = 12  # ELIG-OVULATION: later cycle day → REVIEW
    review_age: int = 40  # ELIG-OVULATION: this age or older → REVIEW
    irregular_variation_days: int = 7  # ELIG-IRREG: longest − shortest above this → REVIEW
    oligomenorrhoea_days: int = 35  # ELIG-IRREG: a usual cycle longer than this → REVIEW
    default_cycle_days: int = 28  # planning assumption when the patient does not know her cycle
    assumed_period_days: int = 5  # planning assumption when the first day of the period is unknown
    abstain_days: int = 14  # CARE-ABSTAIN
    bleeding_days: int = 7  # CARE-BLEED
    oil_contrast_wait_cycles: int = 3  # CARE-CONCEIVE
    default_antibiotic_days: int = 3  # CARE-ANTIBIOTIC
    min_antibiotic_days: int = 3
    max_antibiotic_days: int = 5
    dose_fluoro_limit_s: int = 240  # REPORT-DOSE
    postpartum_weeks: int = 6  # ELIG-CONTRA
    min_cycle_days: int = 15  # plausible input range for a usual cycle length
    max_cycle_days: int = 90
