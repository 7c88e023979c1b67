"""Reading a screening input file (JSON) into the domain's :class:`ScreeningInput` (docs/screening-input.md)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import Contraindication, ContrastReaction, HcgResult, ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.messages import N_, MessageError
from hsgclinic.domain.rules import Rules


class ScreeningFileError(MessageError):
    """Input that cannot be accepted (see :class:`MessageError`)."""


def _date(data: dict[str, Any], key: str, required: bool = False) -> dt.date | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ScreeningFileError(N_("The field {field} is required.", field=key))
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ScreeningFileError(N_("{field}: {value!r} is not a date (YYYY-MM-DD).", field=key, value=value)) from None


def _bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise ScreeningFileError(N_("{field} must be true, false or null.", field=key))


def _int(data: dict[str, Any], key: str, low: int | None = None, high: int | None = None) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScreeningFileError(N_("{field} must be a whole number.", field=key))
    if low is not None and high is not None and not low <= value <= high:
        raise ScreeningFileError(
            N_(
                "{option}: {value} is out of range; enter a number from {low} to {high}.",
                option=f"cycle.{key}",
                value=value,
                low=low,
                high=high,
            )
        )
    return value


def _decimal(data: dict[str, Any], key: str) -> Decimal | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ScreeningFileError(N_("{field}: {value!r} is not a number.", field=key, value=value)) from None


def _enum(cls: Any, value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ScreeningFileError(
            N_("{field}: {value!r} is not one of: {allowed}.", field=field, value=value, allowed=allowed)
        ) from None


def parse_screening(data: dict[str, Any], rules: Rules) -> ScreeningInput:
    """The screening input, refusing what cannot be true (cycle lengths outside the plausible range, a period that
    ends after the visit …: :meth:`CycleFacts.validate`, as the desk's screening form does)."""
    if not isinstance(data, dict):
        raise ScreeningFileError(N_("The screening file must hold one JSON object."))
    cycle_data = data.get("cycle") or {}
    if not isinstance(cycle_data, dict):
        raise ScreeningFileError(N_("The field {field} must be an object.", field="cycle"))
    period_end = _date(cycle_data, "period_end", required=True)
    assert period_end is not None
    cycle = CycleFacts.from_usual(
        period_end,
        period_start=_date(cycle_data, "period_start"),
        cycle_length=_int(cycle_data, "cycle_length", rules.min_cycle_days, rules.max_cycle_days),
        shortest=_int(cycle_data, "shortest_cycle", rules.min_cycle_days, rules.max_cycle_days),
        longest=_int(cycle_data, "longest_cycle", rules.min_cycle_days, rules.max_cycle_days),
        age=_int(cycle_data, "age", 14, 60),
        irregular=bool(_bool(cycle_data, "irregular")),
    )
    leuk_data = data.get("leukorrhea")
    leukorrhea = None
    if leuk_data is not None:
        if not isinstance(leuk_data, dict):
            raise ScreeningFileError(N_("The field {field} must be an object.", field="leukorrhea"))
        grade = leuk_data.get("cleanliness")
        leukorrhea = LeukorrheaResult(
            cleanliness=None if grade is None else _grade(grade),
            wbc_per_hpf=_int(leuk_data, "wbc_per_hpf"),
            trichomonas=_bool(leuk_data, "trichomonas"),
            yeast=_bool(leuk_data, "yeast"),
            clue_cells=_bool(leuk_data, "clue_cells"),
            ph=_decimal(leuk_data, "ph"),
            amine_test=_bool(leuk_data, "amine_test"),
            sialidase=_bool(leuk_data, "sialidase"),
            leukocyte_esterase=_bool(leuk_data, "leukocyte_esterase"),
            h2o2=_bool(leuk_data, "h2o2"),
        )
    contra = data.get("contraindications") or []
    if not isinstance(contra, list):
        raise ScreeningFileError(N_("The field {field} must be a list.", field="contraindications"))
    reaction = data.get("contrast_reaction") or {}
    visit_date = _date(data, "visit_date", required=True)
    assert visit_date is not None
    cycle.validate(visit_date, rules)
    hcg = data.get("hcg")
    return ScreeningInput(
        visit_date=visit_date,
        cycle=cycle,
        temperature_c=_decimal(data, "temperature_c"),
        respiratory_illness=_bool(data, "respiratory_illness"),
        lower_abdominal_pain=_bool(data, "lower_abdominal_pain"),
        intercourse_since_period_end=_bool(data, "intercourse_since_period_end"),
        intercourse_during_period=bool(_bool(data, "intercourse_during_period")),
        suspected_pregnancy=bool(_bool(data, "suspected_pregnancy")),
        hcg=None if hcg is None else _enum(HcgResult, hcg, "hcg"),
        leukorrhea=leukorrhea,
        contraindications=frozenset(_enum(Contraindication, c, "contraindications") for c in contra),
        contrast_reaction=_enum(ContrastReaction, reaction.get("severity", "none"), "contrast_reaction.severity"),
        contrast_reaction_agent=str(reaction.get("agent", "")),
        contrast_reaction_description=str(reaction.get("reaction", "")),
    )


def _grade(value: Any) -> Cleanliness:
    names = {"I": Cleanliness.I, "II": Cleanliness.II, "III": Cleanliness.III, "IV": Cleanliness.IV}
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return Cleanliness(value)
    if isinstance(value, str) and value.strip().upper() in names:
        return names[value.strip().upper()]
    raise ScreeningFileError(N_("cleanliness must be I, II, III or IV (or 1–4), not {value!r}.", value=value))


def read_screening_file(path: Path, rules: Rules) -> ScreeningInput:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ScreeningFileError(N_("Cannot read the file {path}.", path=str(path))) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScreeningFileError(
            N_("{path} is not valid JSON (line {line}).", path=str(path), line=exc.lineno)
        ) from None
    return parse_screening(data, rules)
