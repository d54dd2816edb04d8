"""Cross-checks of a shape-valid definition: ids, choice lists, references, conditions.

Each check is a small function returning problems; `cross_check` runs them all so the
author sees every problem in one go, then compiles the conditions into a `Form`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from questions.compiled import Condition, compile_condition
from questions.condition_check import FieldSpec
from questions.errors import Msg, Problem, did_you_mean
from questions.form import CALCULATED_KINDS, Form, field_spec
from questions.models import Calculated, FormDefinition, Question, QuestionType

CHOICE_TYPES = (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)
CALC_INPUTS = {
    "age_years": {"date": "date"},
    "bmi_imperial": {"feet": "integer", "inches": "integer", "pounds": "integer"},
    "condition": {},
}


def cross_check(definition: FormDefinition, file: str) -> tuple[Form, list[Problem]]:
    problems = [
        *duplicate_ids(definition, file),
        *choice_lists(definition, file),
        *translations(definition, file),
    ]
    for question in definition.questions():
        problems += question_fields(question, definition, file)
    fields = {q.id: field_spec(q, definition.choice_lists) for q in definition.questions()}
    for calc in definition.calculated:
        fields[calc.id] = FieldSpec(CALCULATED_KINDS[calc.kind.value])
    relevance, more = relevance_conditions(definition, fields, file)
    calculations, calc_problems = calculated_fields(definition, fields, file)
    form = Form(definition, relevance, calculations, file, fields)
    return form, problems + more + calc_problems


def duplicate_ids(definition: FormDefinition, file: str) -> list[Problem]:
    """Question and calculated ids share one namespace (answers, exports); pages have their own."""
    problems = []
    groups = {
        "question": [q.id for q in definition.questions()] + [c.id for c in definition.calculated],
        "page": [p.id for p in definition.pages],
    }
    for kind, ids in groups.items():
        for dup, count in Counter(ids).items():
            if count > 1:
                problems.append(Problem.of(Msg.DUPLICATE_ID, file, dup, id=dup, kind=kind))
    return problems


def choice_lists(definition: FormDefinition, file: str) -> list[Problem]:
    problems = []
    for name, choices in definition.choice_lists.items():
        for code, count in Counter(c.code for c in choices).items():
            if count > 1:
                where = f"choice_lists.{name}"
                problems.append(Problem.of(Msg.DUPLICATE_CODE, file, where, code=code, list=name))
    return problems


def translations(definition: FormDefinition, file: str) -> list[Problem]:
    """Every patient-facing text has every configured language."""
    problems = []

    def need(item: str, field: str, value: dict[str, str] | None) -> None:
        for lang in definition.languages:
            if value is not None and not (value.get(lang) or "").strip():
                problems.append(
                    Problem.of(Msg.MISSING_TRANSLATION, file, item, field=field, lang=lang)
                )

    need("form", "title", definition.title)
    for page in definition.pages:
        need(page.id, "title", page.title)
        need(page.id, "intro", page.intro)
        for q in page.questions:
            need(q.id, "label", q.label)
            need(q.id, "hint", q.hint)
    for name, choices in definition.choice_lists.items():
        for choice in choices:
            need(f"choice_lists.{name}", f"label of '{choice.code}'", choice.label)
    for calc in definition.calculated:
        need(calc.id, "label", calc.label)
    return problems


def question_fields(q: Question, definition: FormDefinition, file: str) -> list[Problem]:
    """Type-specific settings: choice lists exist, limits are sane, references resolve."""
    problems: list[Problem] = []
    lists = definition.choice_lists
    before = _questions_before(definition, q.id)
    if q.type in CHOICE_TYPES:
        if q.choices is None:
            problems.append(Problem.of(Msg.CHOICES_MISSING, file, q.id, type=q.type.value))
        elif q.choices not in lists:
            problems.append(
                Problem.of(
                    Msg.UNKNOWN_CHOICE_LIST,
                    file,
                    q.id,
                    name=q.choices,
                    suggestion=did_you_mean(q.choices, lists),
                )
            )
        else:
            codes = [c.code for c in lists[q.choices]]
            problems += _codes_exist(q.exclusive, codes, q, file, "exclusive")
    else:
        for name in ("choices", "choice_filter", "exclusive", "auto_single_choice"):
            if getattr(q, name):
                problems.append(
                    Problem.of(
                        Msg.CHOICES_ON_WRONG_TYPE, file, q.id, field=name, types="choice"
                    )
                )
    if q.min is not None and q.max is not None and q.min > q.max:
        problems.append(Problem.of(Msg.BAD_RANGE, file, q.id, min=q.min, max=q.max))
    if q.choice_filter:
        problems += _reference(
            q, "choice_filter", [q.choice_filter], before, "select_multiple", file
        )
    if q.must_match:
        problems += _reference(q, "must_match", q.must_match, before, "text", file)
    return problems


def _codes_exist(
    codes: Iterable[str], known: list[str], q: Question, file: str, field: str
) -> list[Problem]:
    return [
        Problem.of(
            Msg.UNKNOWN_CODE,
            file,
            q.id,
            code=code,
            where=f"list '{q.choices}' ({field})",
            suggestion=did_you_mean(code, known),
            codes=", ".join(known),
        )
        for code in codes
        if code not in known
    ]


def _reference(
    q: Question,
    field: str,
    names: list[str],
    before: dict[str, Question],
    expected: str,
    file: str,
) -> list[Problem]:
    found = [_reference_problem(q.id, field, name, before, expected, file) for name in names]
    return [problem for problem in found if problem is not None]


def _reference_problem(
    owner: str,
    field: str,
    name: str,
    targets: dict[str, Question],
    expected: str,
    file: str,
) -> Problem | None:
    """Why `name` (in `owner`'s `field`) is not a question of type `expected`, or None."""
    target = targets.get(name)
    if target is None:
        return Problem.of(
            Msg.UNKNOWN_REFERENCE,
            file,
            owner,
            field=field,
            name=name,
            suggestion=did_you_mean(name, targets),
        )
    if target.type.value != expected:
        return Problem.of(
            Msg.WRONG_REFERENCE_TYPE,
            file,
            owner,
            field=field,
            expected=expected,
            name=name,
            actual=target.type.value,
        )
    return None


def _questions_before(definition: FormDefinition, question_id: str) -> dict[str, Question]:
    before: dict[str, Question] = {}
    for q in definition.questions():
        if q.id == question_id:
            break
        before[q.id] = q
    return before


def relevance_conditions(
    definition: FormDefinition, fields: dict[str, FieldSpec], file: str
) -> tuple[dict[str, Condition], list[Problem]]:
    """Compile each `relevant`; it may only look back (earlier questions) or at calculations."""
    compiled: dict[str, Condition] = {}
    problems: list[Problem] = []
    seen: set[str] = set()
    order = [q.id for q in definition.questions()]
    for index, q in enumerate(definition.questions()):
        if q.relevant is not None:
            later = frozenset(order[index:])
            cond, found = compile_condition(q.relevant, fields, where="relevant", later=later)
            problems += [Problem.of(m, file, q.id, **v) for m, v in found]
            if cond:
                compiled[q.id] = cond
        seen.add(q.id)
    return compiled, problems


def calculated_fields(
    definition: FormDefinition, fields: dict[str, FieldSpec], file: str
) -> tuple[dict[str, Condition], list[Problem]]:
    compiled: dict[str, Condition] = {}
    problems: list[Problem] = []
    questions = {q.id: q for q in definition.questions()}
    for calc in definition.calculated:
        problems += _calc_inputs(calc, questions, file)
        if calc.kind.value == "condition":
            if not calc.condition:
                problems.append(Problem.of(Msg.FIELD_MISSING, file, calc.id, field="condition"))
                continue
            cond, found = compile_condition(calc.condition, fields, where="condition")
            problems += [Problem.of(m, file, calc.id, **v) for m, v in found]
            if cond:
                compiled[calc.id] = cond
    return compiled, problems


def _calc_inputs(calc: Calculated, questions: dict[str, Question], file: str) -> list[Problem]:
    problems = []
    wanted = CALC_INPUTS[calc.kind.value]
    for role, kind in wanted.items():
        name = calc.inputs.get(role)
        if name is None:
            problems.append(Problem.of(Msg.FIELD_MISSING, file, calc.id, field=f"inputs.{role}"))
            continue
        problem = _reference_problem(calc.id, f"inputs.{role}", name, questions, kind, file)
        if problem is not None:
            problems.append(problem)
    for role in calc.inputs.keys() - wanted.keys():
        problems.append(
            Problem.of(Msg.FIELD_UNKNOWN, file, calc.id, field=f"inputs.{role}", suggestion="")
        )
    return problems
