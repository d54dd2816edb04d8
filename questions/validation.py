"""Validate a patient's answers against the form: relevance, required, types, cross-checks.

`AnswerValidator` builds one pydantic model per form (`create_model`, one field per
question). Its wrap validator walks the questions in form order so that relevance always
sees earlier answers that are already valid; answers to questions that are not relevant
are dropped before anything else looks at them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from questions.answer_types import answer_type, comparable_name, error
from questions.calculated import calculate
from questions.condition_eval import is_answered
from questions.form import Form
from questions.models import Question, QuestionType


@dataclass(frozen=True)
class AnswerProblem:
    """One answer to fix: the question id, the message id in messages.yaml, its values."""

    question_id: str
    message_id: str
    values: dict[str, Any] = field(default_factory=dict)


class AnswersInvalid(ValueError):
    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.question_id}: {p.message_id}" for p in problems))


@dataclass(frozen=True)
class ValidAnswers:
    """Relevant, valid answers as JSON values, the typed values conditions see, and calculations."""

    answers: dict[str, Any]
    values: dict[str, Any]
    calculated: dict[str, Any]


class AnswerValidator:
    """Validates answers for one form; build once (it compiles one pydantic model)."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.adapters: dict[str, TypeAdapter[Any]] = {}
        fields: dict[str, Any] = {}
        for q in form.questions():
            codes = [c.code for c in form.choices(q)] if q.choices else []
            fields[q.id] = answer_type(q, codes)
            self.adapters[q.id] = TypeAdapter(fields[q.id])
        self.model = create_model(  # type: ignore[call-overload]
            f"Answers_{form.form_id}",
            __base__=_AnswersBase,
            **fields,
        )
        self.model._validator = self
        self.calc_inputs = form.calculation_inputs

    def validate(
        self,
        raw: Mapping[str, Any],
        today: dt.date | None = None,
        report: Iterable[str] | None = None,
    ) -> ValidAnswers:
        """Validate; raise AnswersInvalid naming each question to fix.

        `report` limits which questions' problems are raised (the wizard checks one page at
        a time); relevance and calculations always use every answer given.
        """
        context = {"today": today or dt.date.today(), "report": set(report or [])}
        context["report_all"] = report is None
        try:
            self.model.model_validate(dict(raw), context=context)
        except ValidationError as e:
            raise AnswersInvalid(
                [AnswerProblem(str(err["loc"][0]), err["msg"], err.get("ctx") or {})
                 for err in e.errors()]
            ) from e
        return context["result"]

    def walk(self, raw: Mapping[str, Any], context: dict[str, Any]) -> tuple[
        ValidAnswers, list[InitErrorDetails]
    ]:
        """Form-order pass: relevance, per-answer type checks, required, cross-field checks."""
        today: dt.date = context["today"]
        wanted = context["report"]
        report_all = context["report_all"]
        errors: list[InitErrorDetails] = []
        failed: set[str] = set()
        values: dict[str, Any] = {}
        calculated: dict[str, Any] = {}
        known = set(self.adapters)
        for key in raw:
            if key not in known:
                errors.append(_line(key, error("unknown_question"), raw[key]))

        def fail(q: Question, err: PydanticCustomError, given: Any) -> None:
            failed.add(q.id)
            if report_all or q.id in wanted:
                errors.append(_line(q.id, err, given))

        for q in self.form.questions():
            seen = {**values, **calculated}
            auto = self._auto_answer(q, values)
            if auto is not None:
                values[q.id] = auto
                continue
            if not self.form.is_relevant(q.id, seen):
                continue
            given = raw.get(q.id)
            if is_answered(given):
                try:
                    value = self.adapters[q.id].validate_python(given, context=context)
                except ValidationError as e:
                    fail(q, _as_custom(e), given)
                    continue
                if not self._cross_check(q, value, values, given, fail, failed):
                    continue
                if is_answered(value):
                    values[q.id] = value
                    if q.id in self.calc_inputs:
                        calculated = calculate(self.form, values, today)
                    continue
            if q.required:
                kind = "must_check" if q.type is QuestionType.CHECKBOX else "required"
                fail(q, error(kind), given)
        calculated = calculate(self.form, values, today)
        answers = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
        return ValidAnswers(answers, values, calculated), errors

    def _auto_answer(self, q: Question, values: Mapping[str, Any]) -> Any:
        """A filtered choice with only one option left is answered without asking."""
        if q.auto_single_choice and q.choice_filter:
            options = values.get(q.choice_filter) or []
            if len(options) == 1:
                return options[0] if q.type is QuestionType.SELECT_ONE else list(options)
        return None

    def _cross_check(
        self,
        q: Question,
        value: Any,
        values: Mapping[str, Any],
        given: Any,
        fail: Any,
        failed: set[str],
    ) -> bool:
        """Checks that need other answers: filtered choices and the signature."""
        if q.choice_filter and value is not None:
            offered = set(values.get(q.choice_filter) or [])
            chosen = value if isinstance(value, list) else [value]
            if not set(chosen) <= offered:
                fail(q, error("choose_valid"), given)
                return False
        if q.must_match and value and failed.isdisjoint(q.must_match):
            # a name that itself failed is reported there; a signature error would only repeat it
            expected = " ".join(str(values.get(name, "")) for name in q.must_match)
            if comparable_name(value) != comparable_name(expected):
                fail(q, error("signature"), given)
                return False
        return True

    def options(self, q: Question, values: Mapping[str, Any]) -> list[str]:
        """Codes to offer for a choice question given earlier answers (choice_filter)."""
        codes = [c.code for c in self.form.choices(q)]
        if q.choice_filter:
            picked = set(values.get(q.choice_filter) or [])
            return [c for c in codes if c in picked]
        return codes

    def typed_values(self, raw: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
        """Best-effort typed values (valid answers only) plus calculations, for relevance."""
        context = {"today": today or dt.date.today(), "report": set(), "report_all": False}
        result, _ = self.walk(raw, context)
        return {**result.values, **result.calculated}


class _AnswersBase(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True)
    _validator: ClassVar[Any] = None

    @model_validator(mode="wrap")
    @classmethod
    def _relevance_first(cls, data: Any, handler: ValidatorFunctionWrapHandler, info: Any) -> Any:
        if not isinstance(data, Mapping):
            raise PydanticCustomError("not_an_object", "answers must be an object")
        result, errors = cls._validator.walk(data, info.context)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        info.context["result"] = result
        return handler(result.values)


def _line(question_id: str, err: PydanticCustomError, given: Any) -> InitErrorDetails:
    return {"type": err, "loc": (question_id,), "input": given}


def _as_custom(e: ValidationError) -> PydanticCustomError:
    """Our validators raise message ids; anything else pydantic found becomes a generic one."""
    first = e.errors()[0]
    if first["msg"].startswith("error_"):
        return PydanticCustomError(first["type"], first["msg"], first.get("ctx"))
    return error("choose_valid" if first["type"] == "literal_error" else "invalid")
