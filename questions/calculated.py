"""Calculated fields (age, BMI, NICE OA features), declared in the form YAML by kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from questions.answer_types import years_between
from questions.form import Form


def calculate(form: Form, values: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Every calculated field, in declaration order; None where its inputs are missing.

    Later fields may use earlier ones (nice_oa_features uses age).
    """
    out: dict[str, Any] = {}
    for calc in form.calculated:
        seen = {**values, **out}
        kind = calc.kind.value
        if kind == "age_years":
            born = seen.get(calc.inputs["date"])
            out[calc.id] = years_between(born, today) if isinstance(born, dt.date) else None
        elif kind == "bmi_imperial":
            out[calc.id] = bmi(
                seen.get(calc.inputs["feet"]),
                seen.get(calc.inputs["inches"]),
                seen.get(calc.inputs["pounds"]),
            )
        else:
            out[calc.id] = form.calculations[calc.id](seen)
    return out


def bmi(feet: int | None, inches: int | None, pounds: int | None) -> float | None:
    """703 × lb ÷ in², rounded half-up to one decimal (clinical convention, not banker's)."""
    if feet is None or inches is None or pounds is None:
        return None
    height = 12 * feet + inches
    if height <= 0:
        return None
    value = Decimal(703 * pounds) / Decimal(height * height)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
