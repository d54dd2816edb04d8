"""The one path from raw answers to a stored, screened submission.

Used by the patient wizard and by `intake submit`, so both validate, screen and store the
same way: definition → validate + calculate → screen → save (committed before confirming).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from exports.cells_cache import CellsCache
from questions import (
    AnswerValidator,
    Form,
    Messages,
    QuestionType,
    ValidAnswers,
    load_form,
    load_messages,
)
from rules import (
    RuleSet,
    Screening,
    firing,
    load_rules,
    outcome_of,
    screen,
    urgent_rules,
)
from storage import (
    NewSubmission,
    Saved,
    SubmissionStore,
    open_engine,
    rescreening,
    searchable,
)
from storage.collector import quiet_collector
from storage.workers import run_parts


@dataclass(frozen=True)
class RescreenReport:
    screened: int
    outcomes_changed: int
    transitions: dict[tuple[str | None, str], int]
    """(old outcome, new outcome) → how many submissions moved."""
    rules_version: str

    @classmethod
    def merged(cls, parts: list[RescreenReport], rules_version: str) -> RescreenReport:
        """The report of a rescreen done in parts (one per worker process)."""
        transitions: Counter[tuple[str | None, str]] = Counter()
        for part in parts:
            transitions.update(part.transitions)
        return cls(sum(p.screened for p in parts), sum(p.outcomes_changed for p in parts),
                   dict(transitions), rules_version)


@dataclass(frozen=True)
class Intake:
    """Everything loaded from the definitions, once per process (Streamlit caches it)."""

    form: Form
    messages: Messages
    rules: RuleSet

    @classmethod
    def load(cls, form_path: Path | None = None, rules_path: Path | None = None) -> Intake:
        """Load and cross-check questionnaire, messages and rules; DefinitionError if broken."""
        form = load_form(form_path)
        messages = load_messages(languages=form.definition.languages)
        return cls(form, messages, load_rules(form, rules_path))

    @cached_property
    def validator(self) -> AnswerValidator:
        return AnswerValidator(self.form)

    @cached_property
    def cells_cache(self) -> CellsCache:
        """How the raw CSV cells of a new submission are written once, at submit."""
        return CellsCache.of(self.form)

    def validate(self, raw: Mapping[str, Any], on: dt.date | None = None) -> ValidAnswers:
        return self.validator.validate(raw, today=on)

    def screen(self, valid: ValidAnswers) -> Screening:
        return screen(self.rules, {**valid.values, **valid.calculated})

    def urgent(self, values: Mapping[str, Any]) -> list[Any]:
        """Urgent rules that fire on the answers so far (the wizard's interrupt)."""
        return urgent_rules(self.rules, values)

    def prepare(
        self,
        raw: Mapping[str, Any],
        submission_key: str,
        submitted_at: dt.datetime | None = None,
        language: str = "en",
    ) -> NewSubmission:
        """Validate and screen into a record ready to store; AnswersInvalid if invalid.

        Age is counted on the UTC date of submission.
        """
        at = (submitted_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        valid = self.validate(raw, on=at.date())
        screening = self.screen(valid)
        return NewSubmission(
            submission_key=submission_key,
            form_id=self.form.form_id,
            form_version=self.form.version,
            answers=valid.answers,
            calculated=valid.calculated,
            submitted_at=at,
            language=language,
            outcome=screening.outcome.value,
            rules_version=screening.rules_version,
            rules_fired=[rule.to_json() for rule in screening.fired],
            search_text=self.search_text(valid.answers),
            export_layout=self.cells_cache.layout,
            export_cells=self.cells_cache.for_new(valid.answers, valid.calculated),
        )

    def submit(
        self,
        store: SubmissionStore,
        raw: Mapping[str, Any],
        submission_key: str,
        submitted_at: dt.datetime | None = None,
        language: str = "en",
    ) -> Saved:
        """Validate, screen and store (committed on return); AnswersInvalid or KeyConflict."""
        return store.save(self.prepare(raw, submission_key, submitted_at, language))

    def rescreen(self, engine: Engine, at: dt.datetime | None = None, jobs: int = 1
                 ) -> RescreenReport:
        """Screen every stored submission with the current rules; store what changed.

        Answers were validated when submitted, and calculated fields (age on the submission
        date) are stored, so only the rules run again. Unchanged screenings write nothing.
        A one-shot command (`intake rescreen`): it quietens the garbage collector while it
        runs, and with `jobs` > 1 screens that many ranges of ids in forked processes.
        """
        at = at or dt.datetime.now(dt.UTC)
        if jobs > 1 and engine.url.database not in (None, "", ":memory:"):
            url = engine.url.render_as_string(hide_password=False)
            ranges = rescreening.id_ranges(engine, jobs)
            engine.dispose()  # no pooled connection may cross the fork: children open their own
            parts = run_parts(partial(self._rescreen_url, url, at), ranges)
            return RescreenReport.merged(parts, self.rules.version)
        with quiet_collector():
            return self._rescreen(engine, at)

    def _rescreen_url(self, url: str, at: dt.datetime, ids: rescreening.IdRange
                      ) -> RescreenReport:
        """One range, in a worker process, on its own engine."""
        engine = open_engine(url)
        try:
            with quiet_collector():
                return self._rescreen(engine, at, ids)
        finally:
            engine.dispose()

    def _rescreen(self, engine: Engine, at: dt.datetime,
                  ids: rescreening.IdRange = ("", None)) -> RescreenReport:
        seen = outcome_changed = 0
        version = self.rules.version
        transitions: Counter[tuple[str | None, str]] = Counter()
        for batch in rescreening.batches(engine, ids=ids):
            changes = []
            for stored in batch:
                values = self.form.typed(stored.answers)
                values.update(stored.calculated)
                fired = firing(self.rules, values)
                outcome = outcome_of(fired).value
                if (
                    outcome != stored.outcome
                    or version != stored.rules_version
                    or tuple(rule.id for rule in fired) != stored.rule_ids
                ):
                    screening = screen(self.rules, values)  # explained only when it changed
                    changes.append(
                        rescreening.NewScreening(
                            stored.id, outcome, version,
                            [rule.to_json() for rule in screening.fired],
                        )
                    )
                if outcome != stored.outcome:
                    outcome_changed += 1
                    transitions[(stored.outcome, outcome)] += 1
            rescreening.record(engine, changes, at)
            seen += len(batch)
        return RescreenReport(seen, outcome_changed, dict(transitions), version)

    def search_text(self, answers: Mapping[str, Any]) -> str:
        """Identifying text answers (names, phone, email), folded for the clinician's search."""
        parts = [
            str(answers[q.id])
            for q in self.form.questions()
            if q.identifier and q.type is QuestionType.TEXT and q.id in answers
        ]
        return searchable(*parts)
