"""The one baseline patient of the tests, and the fixed date they are checked on.

A typical 64-year-old (on TODAY) with right-knee osteoarthritis and no reason for review:
every answer is valid on TODAY and no urgent, exclude or review rule fires. Tests that need
other values ask for them with `answers(**changes)`, so each difference is written where it
is needed. Values are as submitted (a date is an ISO string); tests/wizard_driver.py splits
them into the wizard's pages.
"""

from __future__ import annotations

import copy
import datetime as dt
from types import MappingProxyType
from typing import Any

TODAY = dt.date(2026, 11, 26)

KNEE_OA_PATIENT: MappingProxyType[str, Any] = MappingProxyType(
    {
        "first_name": "Maria",
        "last_name": "Lopez",
        "date_of_birth": "1962-05-14",  # 64 on TODAY
        "sex_at_birth": "female",
        "phone": "555-123-4567",
        "email": "maria.lopez@example.com",
        "contact_method": "phone",
        "height_ft": 5,
        "height_in": 5,
        "weight_lb": 170,  # BMI 28.3
        "pain_areas": ["knee_right"],
        "pain_duration": "over_1_year",
        "pain_onset": "gradual",
        "pain_average": 6,
        "pain_activity": "yes",
        "morning_stiffness": "under_30_min",
        "crepitus": "yes",
        "swelling": "mild",
        "knee_locked": "no",
        "hot_swollen": "no",
        "fever": "no",
        "injury_deformity": "no",
        "weight_loss": "no",
        "night_pain": "no",
        "cancer_history": "no",
        "treatments_tried": ["exercise_pt", "pain_medicine"],
        "joint_replaced": "no",
        "treatment_relief": "some",
        "blood_thinners": "no",
        "bleeding_disorder": "no",
        "diabetes": "no",
        "inflammatory_arthritis": ["none"],
        "immune_suppressed": "no",
        "allergies": ["none"],
        "skin_problem": "no",
        "daily_opioids": "no",
        "medications": "Acetaminophen 500 mg when needed.",
        "goals": "Walk my dog again.",
        "consent_store": True,
        "consent_not_advice": True,
        "signature": "Maria Lopez",
    }
)


def answers(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the baseline (in form order) with `changes` applied."""
    return {**copy.deepcopy(dict(KNEE_OA_PATIENT)), **changes}
