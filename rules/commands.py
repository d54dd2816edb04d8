"""Pure functions behind the CLI's screening commands: documents in, plain dicts out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from questions import AnswerProblem, AnswersInvalid, AnswerValidator, Form
from rules.engine import screen
from rules.models import RuleSet


def screen_document(
    doc: Mapping[str, Any],
    form: Form,
    validator: AnswerValidator,
    ruleset: RuleSet,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Validate and screen one document `{"submission_key"?, "submitted_at"?, "answers"}`.

    Age is counted on the submission date: `submitted_at`'s date if given, else `today`.
    Returns `{"outcome", "rules": [ids], "calculated": {...}}`; raises AnswersInvalid.
    """
    answers = doc.get("answers") if isinstance(doc, Mapping) else None
    if not isinstance(answers, Mapping):
        raise AnswersInvalid([AnswerProblem("answers", "error_invalid")])
    on = submission_date(doc.get("submitted_at")) or today or dt.date.today()
    valid = validator.validate(answers, today=on)
    screening = screen(ruleset, {**valid.values, **valid.calculated})
    return {
        "outcome": screening.outcome.value,
        "rules": screening.rule_ids,
        "calculated": dict(valid.calculated),
    }


def submission_date(submitted_at: Any) -> dt.date | None:
    """The UTC calendar date of an ISO timestamp (no offset means UTC), as `intake submit` uses."""
    if submitted_at is None or submitted_at == "":
        return None
    if isinstance(submitted_at, dt.date) and not isinstance(submitted_at, dt.datetime):
        return submitted_at
    try:
        at = (
            submitted_at
            if isinstance(submitted_at, dt.datetime)
            else dt.datetime.fromisoformat(str(submitted_at))
        )
    except ValueError as e:
        raise AnswersInvalid([AnswerProblem("submitted_at", "error_date")]) from e
    return at.date() if at.tzinfo is None else at.astimezone(dt.UTC).date()
