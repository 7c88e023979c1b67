"""The pathway's rules, pure: standard library only, no clock, no database, no settings object.

Dates, the calendar and thresholds are arguments. Every decision carries the ID of the rule in
``docs/domain.md`` that made it (e.g. ``ELIG-TEMP``).
"""
