"""Synthetic, valid answers for any questionnaire: demo data, benchmarks and tests.

Everything is read from the definition: types and limits, relevance, choice filters,
exclusive codes, phone and email formats, signatures, must-tick boxes and date windows.
The inputs of calculated fields get realistic values (a date of birth gives an age drawn
from `AGE_BANDS`, height and weight a plausible BMI). How often each answer is given is
the only content-specific knowledge, and it lives apart, in `WEIGHTS`; weights naming
questions, lists or codes a form does not have are ignored, so any valid form works.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from questions.answer_types import years_between
from questions.calculated import calculate
from questions.conditions import Name
from questions.form import Form
from questions.models import Question, QuestionType, TextFormat

Weights = Mapping[str, Mapping[Any, float]]
"""Question id or choice-list name → {code or integer: chance}. A question's own entry wins.

select_one / integer: the chance of each listed value; the rest is shared evenly by the
values not listed. select_multiple: the chance that each code is ticked; for an exclusive
code (e.g. none), the chance that it is the only answer.
"""

AGE_BANDS = ((0.03, 12, 17), (0.12, 18, 39), (0.78, 40, 80), (0.07, 81, 95))
"""(share, youngest, oldest): patients are mostly 40–80, with a few children and elders."""
HEIGHT_INCHES = (66.0, 4.0)  # mean, standard deviation
BMI = (29.5, 6.0)
OPTIONAL_ANSWERED = {QuestionType.TEXT: 0.4}
"""Chance that an optional question is answered (0.7 for types not listed)."""

GIVEN_NAMES = ("Maria", "María", "James", "Linda", "José", "Patricia", "Robert", "Zoë",
               "Michael", "Siobhán", "David", "Nguyễn Thị", "Ahmed", "Mary-Jane", "Chen")
FAMILY_NAMES = ("Smith", "López", "Johnson", "Nguyen", "O'Brien", "García", "Müller",
                "Brown", "Kowalski", "Patel", "Williams", "Da Silva", "Jones", "Øster")
FREE_TEXT = ("Walk my dog without stopping.", "Play with my grandchildren.",
             "Ibuprofen 400 mg when needed, lisinopril 10 mg daily.", "Nothing else.",
             "Climb stairs at work.\nGo back to gardening.", "High blood pressure.",
             "Dance at my daughter's wedding.", "Metformin 500 mg twice a day.")

# ---- Content-specific: how often each answer is given on the prolotherapy form. -------
# Chosen so that every screening outcome appears (a few urgent red flags, some
# exclusions, many reviews and a share of typical knee-OA candidates).
WEIGHTS: Weights = {
    # choice lists, for every question using them unless the question has its own entry
    "yes_no": {"yes": 0.03},
    "yes_no_unsure": {"yes": 0.05, "not_sure": 0.02},
    # questions
    "sex_at_birth": {"female": 0.58, "male": 0.4, "intersex": 0.005},
    "contact_method": {"phone": 0.5, "text": 0.3},
    "pain_areas": {"knee_right": 0.6, "knee_left": 0.45, "hip_left": 0.05, "hip_right": 0.05,
                   "shoulder_left": 0.04, "shoulder_right": 0.04, "elbow_wrist_hand": 0.04,
                   "ankle_foot": 0.04, "low_back": 0.1, "neck": 0.04, "other": 0.03},
    "main_area": {"knee_right": 0.45, "knee_left": 0.35},
    "pain_duration": {"under_6_weeks": 0.03, "under_3_months": 0.05, "under_6_months": 0.12,
                      "under_1_year": 0.2},
    "pain_onset": {"gradual": 0.8, "injury": 0.12},
    "injury_recent": {"yes": 0.25},
    "walk_4_steps": {"yes": 0.85},
    "bend_90": {"yes": 0.85},
    "kneecap_tender": {"yes": 0.15},
    "fibula_tender": {"yes": 0.1},
    "pain_average": {0: 0.01, 1: 0.01, 2: 0.02, 3: 0.04, 4: 0.1, 5: 0.16, 6: 0.2, 7: 0.2,
                     8: 0.14, 9: 0.07},
    "pain_activity": {"yes": 0.85},
    "morning_stiffness": {"none": 0.3, "under_30_min": 0.55},
    "crepitus": {"yes": 0.6},
    "swelling": {"none": 0.55, "mild": 0.41},
    "knee_locked": {"yes": 0.01},
    "hot_swollen": {"yes": 0.01},
    "injury_deformity": {"yes": 0.005},
    "saddle_numbness": {"yes": 0.01},
    "bladder_bowel": {"yes": 0.01},
    "leg_weakness": {"yes": 0.01},
    "both_legs_pain": {"yes": 0.02},
    "fever": {"yes": 0.01},
    "weight_loss": {"yes": 0.02},
    "night_pain": {"yes": 0.05},
    "cancer_history": {"yes": 0.05},
    "treatments_tried": {"none": 0.12, "exercise_pt": 0.5, "weight_loss": 0.2,
                         "pain_medicine": 0.7, "brace": 0.25, "steroid_injection": 0.25,
                         "hyaluronic_injection": 0.08, "prp_injection": 0.03,
                         "prolotherapy": 0.02, "surgery": 0.03},
    "last_injection": {"under_3_months": 0.1, "not_sure": 0.03},
    "joint_replaced": {"yes": 0.03},
    "treatment_relief": {"none": 0.45, "some": 0.5},
    "diabetes": {"no": 0.88, "yes_controlled": 0.08},
    "inflammatory_arthritis": {"none": 0.92},
    "allergies": {"none": 0.9, "latex": 0.6, "corn_dextrose": 0.2, "local_anaesthetic": 0.2},
    "skin_problem": {"yes": 0.01},
    "daily_opioids": {"yes": 0.05},
}
# ----------------------------------------------------------------------------------------


def synthetic_answers(
    form: Form, rng: random.Random, today: dt.date, weights: Weights = WEIGHTS
) -> dict[str, Any]:
    """One patient's valid answers (JSON values, form order) as of `today`."""
    return Synthesizer(form, weights).answers(rng, today)


class Synthesizer:
    """Generates answers for one form; build once and call `answers` many times."""

    def __init__(self, form: Form, weights: Weights = WEIGHTS) -> None:
        self.form = form
        self.weights = weights
        self.birth_dates = {c.inputs["date"] for c in form.calculated if c.kind == "age_years"}
        self.body: dict[str, str] = {}
        """Question id → 'feet' | 'inches' | 'pounds' for BMI inputs."""
        for calc in form.calculated:
            if calc.kind == "bmi_imperial":
                self.body.update({qid: role for role, qid in calc.inputs.items()})
        self.inputs = {qid for calc in form.calculated for qid in calc.inputs.values()}
        """Answers the calculated fields use: only these make `calculate` run again."""
        for condition in form.calculations.values():
            self.inputs |= names_in(condition.node)
        self.names: list[str] = []
        """Answers a signature must match, in order: a given name, then family names."""
        for q in form.questions():
            self.names += [n for n in q.must_match if n not in self.names]
        self.given = set(self.names[:1])

    def answers(self, rng: random.Random, today: dt.date) -> dict[str, Any]:
        """Walk the form in order, answering each relevant question from earlier answers."""
        patient = _Patient(rng)
        values: dict[str, Any] = {}
        calculated = calculate(self.form, values, today)
        for q in self.form.questions():
            value = self._auto_answer(q, values)
            if value is None:
                if not self.form.is_relevant(q.id, {**values, **calculated}):
                    continue
                if not q.required and rng.random() >= OPTIONAL_ANSWERED.get(q.type, 0.7):
                    continue
                value = self._answer(q, rng, today, patient, values)
            if value is None or value == "" or value == []:
                continue
            values[q.id] = value
            if q.id in self.inputs:
                calculated = calculate(self.form, values, today)
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}

    @staticmethod
    def _auto_answer(q: Question, values: Mapping[str, Any]) -> Any:
        """As the validator does: a filtered choice with one option left is answered."""
        if q.auto_single_choice and q.choice_filter:
            options = values.get(q.choice_filter) or []
            if len(options) == 1:
                return options[0] if q.type is QuestionType.SELECT_ONE else list(options)
        return None

    def _spec(self, q: Question) -> Mapping[str, float]:
        spec = self.weights.get(q.id)
        if spec is None and q.choices:
            spec = self.weights.get(q.choices)
        return {str(k): v for k, v in (spec or {}).items()}

    def _answer(
        self, q: Question, rng: random.Random, today: dt.date, patient: _Patient,
        values: Mapping[str, Any],
    ) -> Any:
        if q.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
            options = [c.code for c in self.form.choices(q)]
            if q.choice_filter:
                picked = set(values.get(q.choice_filter) or [])
                options = [c for c in options if c in picked]
            if not options:
                return None
            if q.type is QuestionType.SELECT_ONE:
                return pick_one(rng, options, self._spec(q))
            return pick_many(rng, options, self._spec(q), q.exclusive)
        if q.type is QuestionType.INTEGER:
            return self._integer(q, rng, patient)
        if q.type is QuestionType.DATE:
            return self._date(q, rng, today, patient)
        if q.type is QuestionType.CHECKBOX:
            return True if q.must_be_checked or q.required else rng.random() < 0.5
        return self._text(q, rng, values)

    def _integer(self, q: Question, rng: random.Random, patient: _Patient) -> int:
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else low + 100
        role = self.body.get(q.id)
        if role == "feet":
            value = patient.height // 12
        elif role == "inches":
            value = patient.height % 12
        elif role == "pounds":
            value = round(patient.bmi * patient.height**2 / 703)
        elif self._spec(q) and high - low <= 1000:
            value = int(pick_one(rng, [str(v) for v in range(low, high + 1)], self._spec(q)))
        else:
            value = rng.randint(low, high)
        return min(max(value, low), high)

    def _date(self, q: Question, rng: random.Random, today: dt.date, patient: _Patient) -> dt.date:
        oldest = q.max_years_ago if q.max_years_ago is not None else 10
        if q.id in self.birth_dates:
            age = min(patient.age, max(oldest - 1, 0))
            day = today - dt.timedelta(days=int((age + rng.random()) * 365.2425))
        else:
            back = rng.randint(0, max(oldest - 1, 0) * 365)
            ahead = 0 if q.not_future else rng.randint(0, 365)
            day = today - dt.timedelta(days=back) + dt.timedelta(days=ahead)
        if q.not_future:
            day = min(day, today)
        while q.max_years_ago is not None and years_between(day, today) > q.max_years_ago:
            day += dt.timedelta(days=1)
        return day

    def _text(self, q: Question, rng: random.Random, values: Mapping[str, Any]) -> str:
        if q.must_match:  # the signature: the named answers joined, as the validator expects
            signed = " ".join(str(values.get(name, "")) for name in q.must_match)
            value = signed.upper() if rng.random() < 0.1 else signed
        elif q.format is TextFormat.PHONE:
            value = phone_number(rng)
        elif q.format is TextFormat.EMAIL:
            names = [values[n] for n in self.names if n in values]
            value = email_address(rng, names)
        elif q.id in self.given:
            value = rng.choice(GIVEN_NAMES)
        elif q.id in self.names:
            value = rng.choice(FAMILY_NAMES)
        elif q.identifier:
            value = f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"
        else:
            value = rng.choice(FREE_TEXT) if q.multiline else rng.choice(FREE_TEXT).split("\n")[0]
        if q.max_length is not None:
            value = value[: q.max_length].strip() or "A"
        return value


class _Patient:
    """The facts behind the calculated-field inputs, drawn once per patient."""

    def __init__(self, rng: random.Random) -> None:
        _, youngest, oldest = rng.choices(AGE_BANDS, weights=[b[0] for b in AGE_BANDS])[0]
        self.age = rng.randint(youngest, oldest)
        self.height = round(rng.gauss(*HEIGHT_INCHES))
        self.bmi = min(max(rng.gauss(*BMI), 15.0), 60.0)


def pick_one(rng: random.Random, options: Sequence[str], spec: Mapping[str, float]) -> str:
    """One option: listed ones with their chance, the rest sharing what is left evenly."""
    listed = {o: spec[o] for o in options if o in spec}
    others = [o for o in options if o not in spec]
    left = max(0.0, 1.0 - sum(listed.values()))
    chances = [listed.get(o, left / len(others) if others else 0.0) for o in options]
    if sum(chances) <= 0:
        return rng.choice(list(options))
    return rng.choices(list(options), weights=chances)[0]


def pick_many(
    rng: random.Random, options: Sequence[str], spec: Mapping[str, float], exclusive: Sequence[str]
) -> list[str]:
    """Some options in form order: an exclusive one alone, or each other one by its chance."""
    alone = [o for o in options if o in exclusive]
    for code in alone:
        if rng.random() < spec.get(code, 1 / len(options)):
            return [code]
    rest = [o for o in options if o not in exclusive]
    if not rest:
        return [rng.choice(alone)]
    chosen = [o for o in rest if rng.random() < spec.get(o, 1 / len(rest))]
    return chosen or [pick_one(rng, rest, {o: spec.get(o, 0.0) for o in rest})]


def names_in(node: Any) -> set[str]:
    """Every question or calculated id a parsed condition refers to."""
    if isinstance(node, Name):
        return {node.id}
    if isinstance(node, tuple | list):
        return set().union(*(names_in(part) for part in node))
    if dataclasses.is_dataclass(node):
        return set().union(*(names_in(getattr(node, f.name)) for f in dataclasses.fields(node)))
    return set()


def phone_number(rng: random.Random) -> str:
    """A fictional North American number (555-0100 to 555-0199), in a common layout."""
    area, line = rng.randint(201, 989), f"01{rng.randint(0, 99):02d}"
    layouts = (f"({area}) 555-{line}", f"{area}-555-{line}", f"+1 {area} 555 {line}",
               f"{area}.555.{line}")
    return rng.choice(layouts)


def email_address(rng: random.Random, names: Sequence[str]) -> str:
    """An address at example.com (reserved for examples), built from the patient's names."""
    folded = unicodedata.normalize("NFKD", ".".join(names).lower())
    local = "".join(c for c in folded if c.isascii() and (c.isalnum() or c == ".")).strip(".")
    return f"{local or 'patient'}{rng.randint(1, 99)}@example.com"
