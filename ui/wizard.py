"""The patient wizard's state and transitions, kept apart from rendering.

Answers live in `WizardState.answers`, outside widget state: Streamlit deletes the state
of a widget that is not rendered in a run, so a hidden question or another page would
otherwise lose its answer. Widgets are re-seeded from this dict whenever they reappear.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from intake_pipeline import Intake
from questions import AnswerProblem, AnswersInvalid, Question, QuestionType
from storage import Saved
from storage.drafts import new_token
from ui.resources import get_drafts, get_store

log = logging.getLogger(__name__)


@dataclass
class WizardState:
    step: int = 0
    """Index into the form's pages; len(pages) is the review page."""
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, AnswerProblem] = field(default_factory=dict)
    submission_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    urgent: bool = False
    """An urgent rule fires on the answers given so far (checked at every Next)."""
    return_to_review: bool = False
    saved: Saved | None = None
    resume_token: str | None = None
    """Key of this form's draft; also in the page URL (?resume=...) so a reload resumes."""
    save_failed: bool = False
    language: str = "en"


RESUME_PARAM = "resume"


def widget_key(question_id: str, code: str | None = None) -> str:
    return f"q_{question_id}" if code is None else f"q_{question_id}__{code}"


def pick_language(requested: object, languages: list[str]) -> str:
    """The URL's `?lang=` ("es", "ES", "es-US") when the form has it, else its first language."""
    code = str(requested or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in languages else languages[0]


class Wizard:
    """Transitions of one patient's form; `widgets` is Streamlit's session state (a mapping)."""

    def __init__(
        self, intake: Intake, state: WizardState, widgets: Any, params: Any = None
    ) -> None:
        self.intake = intake
        self.state = state
        self.widgets = widgets
        self.params = {} if params is None else params
        """The page URL's query parameters (st.query_params), where the resume token lives."""

    @property
    def pages(self) -> list[Any]:
        return self.intake.form.pages

    @property
    def on_review(self) -> bool:
        return self.state.step >= len(self.pages)

    def values(self) -> dict[str, Any]:
        """Typed valid answers plus calculated fields: what relevance and rules see."""
        return self.intake.validator.typed_values(self.state.answers, today=dt.date.today())

    def visible(self, page_index: int, values: dict[str, Any] | None = None) -> list[Question]:
        """Questions of a page that are shown now (relevant, and not answered automatically)."""
        values = self.values() if values is None else values
        shown = []
        for q in self.pages[page_index].questions:
            if q.auto_single_choice and len(values.get(q.choice_filter or "") or []) == 1:
                continue
            if self.intake.form.is_relevant(q.id, values):
                shown.append(q)
        return shown

    def sync_from_widgets(self) -> None:
        """Copy the current page's widget values into the answers (widgets hold the latest)."""
        if self.on_review:
            return
        for q in self.pages[self.state.step].questions:
            if q.type is QuestionType.SELECT_MULTIPLE:
                keys = {c.code: widget_key(q.id, c.code) for c in self.intake.form.choices(q)}
                if any(k in self.widgets for k in keys.values()):
                    picked = [code for code, k in keys.items() if self.widgets.get(k)]
                    self._set(q.id, picked)
            elif widget_key(q.id) in self.widgets:
                self._set(q.id, self.widgets[widget_key(q.id)])

    def _set(self, question_id: str, value: Any) -> None:
        if value is None or value == "" or value == []:
            self.state.answers.pop(question_id, None)
        else:
            self.state.answers[question_id] = value

    def seed_widgets(self, questions: list[Question]) -> None:
        """Give widgets that Streamlit cleaned up their stored answer back."""
        for q in questions:
            value = self.state.answers.get(q.id)
            if q.type is QuestionType.SELECT_MULTIPLE:
                for choice in self.intake.form.choices(q):
                    key = widget_key(q.id, choice.code)
                    if key not in self.widgets:
                        self.widgets[key] = choice.code in (value or [])
            elif widget_key(q.id) not in self.widgets:
                default = False if q.type is QuestionType.CHECKBOX else None
                if q.type is QuestionType.TEXT:
                    default = ""
                self.widgets[widget_key(q.id)] = default if value is None else value

    def next(self) -> None:
        """Validate this page; on success drop answers that stopped being relevant and move on."""
        self.sync_from_widgets()
        page_ids = [q.id for q in self.pages[self.state.step].questions]
        self.state.errors = self._problems(page_ids)
        if self.state.errors:
            return
        self.prune()
        self._check_urgent()
        if self.state.return_to_review and not self._problems(None):
            self.state.step = len(self.pages)
        else:
            self.state.step += 1
        self.state.return_to_review = self.state.return_to_review and not self.on_review
        self.save_draft(self.state.step)

    def back(self) -> None:
        self.sync_from_widgets()
        self.state.errors = {}
        self.state.step = max(0, self.state.step - 1)

    def edit(self, page_index: int) -> None:
        self.state.errors = {}
        self.state.step = page_index
        self.state.return_to_review = True

    def prune(self) -> None:
        """Drop answers whose questions are no longer relevant (they are never stored)."""
        values = self.values()
        for q in self.intake.form.questions():
            if q.id in self.state.answers and not self.intake.form.is_relevant(q.id, values):
                del self.state.answers[q.id]
                for key in [k for k in list(self.widgets) if k == widget_key(q.id)
                            or k.startswith(widget_key(q.id) + "__")]:
                    del self.widgets[key]

    def _problems(self, question_ids: list[str] | None) -> dict[str, AnswerProblem]:
        try:
            self.intake.validator.validate(
                self.state.answers, today=dt.date.today(), report=question_ids
            )
        except AnswersInvalid as e:
            first: dict[str, AnswerProblem] = {}
            for problem in e.problems:
                first.setdefault(problem.question_id, problem)
            return first
        return {}

    def _check_urgent(self) -> None:
        """Re-evaluated at every Next, so the message matches what the clinic will see."""
        self.state.urgent = bool(self.intake.urgent(self.values()))

    def submit(self) -> None:
        """Store once (idempotent on the form's key); confirm only after the commit."""
        if self.state.saved is not None:
            return
        problems = self._problems(None)
        if problems:
            self.state.errors = problems
            first = min(self.intake.form.pages.index(self.intake.form.page_of(q)) for q in problems)
            self.state.step = first
            self.state.return_to_review = True
            return
        try:
            self.state.saved = self.intake.submit(
                get_store(),
                self.state.answers,
                self.state.submission_key,
                language=self.state.language,
            )
            self.state.save_failed = False
            self.discard_draft()
        except (SQLAlchemyError, OSError) as e:
            # The patient keeps every answer and can press Submit again; no answer is logged.
            log.warning("submit failed, the patient was asked to retry: %s", type(e).__name__)
            self.state.save_failed = True

    def save_draft(self, step: int) -> None:
        """Saved server-side at every Next, so a reload or a closed tab resumes here.

        A failure to save a draft never blocks the patient: Submit is what must succeed.
        """
        if self.state.resume_token is None:
            self.state.resume_token = new_token()
        try:
            get_drafts().save(
                self.state.resume_token,
                json_answers(self.state.answers),
                step,
                self.state.language,
            )
        except SQLAlchemyError as e:
            log.warning("draft not saved: %s", type(e).__name__)
            return
        self.params[RESUME_PARAM] = self.state.resume_token

    def discard_draft(self) -> None:
        """After the commit the draft has done its job; its answers must not linger."""
        token, self.state.resume_token = self.state.resume_token, None
        self.params.pop(RESUME_PARAM, None)
        if token is None:
            return
        try:
            get_drafts().delete(token)
        except SQLAlchemyError as e:  # expired drafts are purged later anyway
            log.warning("draft not deleted: %s", type(e).__name__)


def resumed_state(intake: Intake, token: str | None, language: str) -> WizardState:
    """A new form, or the patient's saved draft when the URL carries a live resume token."""
    if token:
        try:
            draft = get_drafts().load(token)
        except SQLAlchemyError as e:
            log.warning("draft not loaded: %s", type(e).__name__)
            draft = None
        if draft is not None:
            return WizardState(
                step=min(draft.step, len(intake.form.pages)),
                answers=intake.form.typed(draft.answers),
                language=draft.language,
                resume_token=token,
            )
    return WizardState(language=language)


def json_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in answers.items()}
