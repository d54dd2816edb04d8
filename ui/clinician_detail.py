"""One submission: answers by page, calculated fields, fired rules, histories, status change.

Patient answers are shown in dataframes (the grid draws text, never Markdown or HTML) and
long free text with st.text; Markdown only ever carries our own labels. Opening a
submission writes one `view_submission` audit entry, not one per rerun.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from questions import Form, Question, QuestionType, text
from storage import audit
from storage.status import StatusError, change_status, history
from storage.submissions import STATUSES
from ui.clinician_common import engine, local, now, plain, record, user, zone_name
from ui.resources import get_intake, get_store

OPEN_KEY = "clinician_open"
MESSAGE_KEY = "clinician_status_message"
ERROR_KEY = "clinician_status_error"
YES_NO = ("Yes", "No")


def open_submission(submission_id: str) -> None:
    """Show this submission (callback of the table and the reference picker) and audit it."""
    st.session_state[OPEN_KEY] = submission_id
    record(audit.VIEW, [submission_id])


def close_submission() -> None:
    st.session_state.pop(OPEN_KEY, None)


def detail_view(submission_id: str) -> None:
    st.button("← Back to the list", key="clinician_back", on_click=close_submission)
    row = get_store().get(submission_id)
    if row is None:
        st.warning("This submission no longer exists.")
        return
    form = get_intake().form
    st.title(f"Submission {row['reference']}")
    overview(row)
    status_form(row)
    st.header("Screening")
    fired_rules(row.get("rules_fired") or [])
    st.header("Answers")
    answers(form, row["answers"])
    st.header("Calculated fields")
    calculated(form, row.get("calculated") or {})
    st.header("Status history")
    status_history(submission_id)
    st.header("Screening history")
    screening_history(submission_id)


def overview(row: dict[str, Any]) -> None:
    st.dataframe(pd.DataFrame({
        "Field": ["Reference", f"Submitted ({zone_name()})", "Outcome", "Status",
                  "Form version", "Rules version"],
        "Value": [row["reference"], local(row["submitted_at"]), row.get("outcome") or "",
                  row["status"], str(row["form_version"]), row.get("rules_version") or ""],
    }), hide_index=True)


def status_form(row: dict[str, Any]) -> None:
    sid = row["id"]
    with st.form(f"clinician_status_form_{sid}"):
        st.selectbox("Status", STATUSES, index=STATUSES.index(row["status"]),
                     key=f"clinician_status_{sid}")
        st.text_area("Note (optional)", key=f"clinician_status_note_{sid}", max_chars=2000)
        st.form_submit_button("Save status", on_click=_save_status, args=(sid,))
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        st.success(message)
    error = st.session_state.pop(ERROR_KEY, None)
    if error:
        st.error("The status could not be saved:")
        plain(error)


def _save_status(submission_id: str) -> None:
    """Form callback: runs before the page is drawn, so the histories below show the change."""
    note_key = f"clinician_status_note_{submission_id}"
    to_status = st.session_state.get(f"clinician_status_{submission_id}")
    try:
        change = change_status(engine(), submission_id, str(to_status), user().username, now(),
                               st.session_state.get(note_key) or "")
    except StatusError as e:
        st.session_state[ERROR_KEY] = str(e)
        return
    st.session_state[note_key] = ""
    st.session_state[MESSAGE_KEY] = (
        "Nothing changed." if change is None else f"Status saved: {change.to_status}.")


def fired_rules(rules: list[dict[str, Any]]) -> None:
    if not rules:
        st.caption("No rule fired.")
        return
    for rule in rules:
        with st.container(border=True):
            plain(f"{rule.get('id', '')} ({rule.get('level', '')})")
            plain(str(rule.get("note", "")))
            explanation = rule.get("explanation") or []
            if explanation:
                st.caption("Why it fired")
                plain("\n".join(f"• {line}" for line in explanation))
            if rule.get("source"):
                st.caption("Source")
                plain(str(rule["source"]))


def answers(form: Form, values: dict[str, Any]) -> None:
    """Every stored (i.e. relevant) answer with its question label, page by page."""
    for page in form.pages:
        shown = [q for q in page.questions if q.id in values]
        if not shown:
            continue
        st.subheader(text(page.title))
        short = [q for q in shown if not (q.type is QuestionType.TEXT and q.multiline)]
        if short:
            st.dataframe(pd.DataFrame({
                "Question": [text(q.label) for q in short],
                "Answer": [answer_text(form, q, values[q.id]) for q in short],
            }), hide_index=True, column_config={"Question": st.column_config.TextColumn(
                width="large"), "Answer": st.column_config.TextColumn(width="large")})
        for q in shown:
            if q not in short:
                st.caption(text(q.label))
                plain(str(values[q.id]))


def answer_text(form: Form, q: Question, value: Any) -> str:
    """An answer in words: choice labels instead of codes, Yes/No for checkboxes."""
    if q.type is QuestionType.SELECT_ONE:
        return form.choice_label(q, str(value))
    if q.type is QuestionType.SELECT_MULTIPLE:
        return "; ".join(form.choice_label(q, str(code)) for code in value or [])
    if q.type is QuestionType.CHECKBOX:
        return YES_NO[0] if value else YES_NO[1]
    return str(value)


def calculated(form: Form, values: dict[str, Any]) -> None:
    def shown(value: Any) -> str:
        if value is None:
            return "not available"
        if isinstance(value, bool):
            return YES_NO[0] if value else YES_NO[1]
        return str(value)

    st.dataframe(pd.DataFrame({
        "Field": [text(c.label) for c in form.calculated],
        "Value": [shown(values.get(c.id)) for c in form.calculated],
    }), hide_index=True)


def status_history(submission_id: str) -> None:
    changes = history(engine(), submission_id)
    if not changes:
        st.caption("No status change yet.")
        return
    st.dataframe(pd.DataFrame({
        f"When ({zone_name()})": [local(c.at) for c in changes],
        "Who": [c.user for c in changes],
        "From": [c.from_status for c in changes],
        "To": [c.to_status for c in changes],
        "Note": [c.note for c in changes],
    }), hide_index=True)


def screening_history(submission_id: str) -> None:
    rows = get_store().screening_history(submission_id)
    st.dataframe(pd.DataFrame({
        f"When ({zone_name()})": [local(r["screened_at"]) for r in rows],
        "Why": [r["reason"] for r in rows],
        "Outcome": [r["outcome"] or "" for r in rows],
        "Rules version": [r["rules_version"] or "" for r in rows],
        "Rules fired": [", ".join(f.get("id", "") for f in r["rules_fired"] or []) for r in rows],
    }), hide_index=True)
