"""One Streamlit widget per question type, keyed so tests and state can find them.

Labels and hints are our own content (from the YAML); patient text is never rendered as
Markdown here: widgets show it as their value, which Streamlit does not interpret.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from questions import Form, Question, QuestionType, text
from ui.wizard import widget_key

EARLIEST_DATE = dt.date(1900, 1, 1)


def render_question(
    form: Form, q: Question, lang: str, optional_note: str, options: list[str]
) -> None:
    """Draw the widget; its value lands in st.session_state[widget_key(q.id)]."""
    label = text(q.label, lang) + ("" if q.required else f" {optional_note}")
    key = widget_key(q.id)
    if q.type is QuestionType.TEXT:
        _text(q, label, key)
    elif q.type is QuestionType.INTEGER:
        _integer(q, label, key)
    elif q.type is QuestionType.DATE:
        st.date_input(
            label,
            value=None,
            min_value=EARLIEST_DATE,
            max_value=dt.date.today(),
            format="MM/DD/YYYY",
            key=key,
        )
    elif q.type is QuestionType.SELECT_ONE:
        labels = {c.code: text(c.label, lang) for c in form.choices(q)}
        st.radio(
            label,
            options,
            index=None,
            format_func=labels.__getitem__,
            key=key,
            horizontal=len(options) <= 3 and all(len(labels[o]) <= 12 for o in options),
        )
    elif q.type is QuestionType.SELECT_MULTIPLE:
        st.markdown(f"**{label}**")
        if q.hint:  # before a list of boxes, where it helps to choose
            st.caption(text(q.hint, lang))
        for choice in form.choices(q):
            st.checkbox(text(choice.label, lang), key=widget_key(q.id, choice.code))
        return
    elif q.type is QuestionType.CHECKBOX:
        st.checkbox(label, key=key)
    if q.hint:
        st.caption(text(q.hint, lang))


def _text(q: Question, label: str, key: str) -> None:
    kind = {"phone": "phone", "email": "email"}.get(q.format.value if q.format else "", "default")
    if q.multiline:
        st.text_area(label, key=key, max_chars=q.max_length, height=120)
    else:
        st.text_input(
            label,
            key=key,
            max_chars=q.max_length,
            type=kind,  # type: ignore[arg-type]
            autocomplete=_autocomplete(q),
            # No browser-side check: it would hold back the typed value (so the server never
            # sees it) and show Streamlit's wording; the validator's plain-words message rules.
            validate="",
        )


def _autocomplete(q: Question) -> str | None:
    """Let phones fill names and contact details (WCAG 1.3.5 input purpose)."""
    if q.format is not None:
        return {"phone": "tel", "email": "email"}[q.format.value]
    return q.autocomplete


def _integer(q: Question, label: str, key: str) -> None:
    if q.widget == "scale" and q.min is not None and q.max is not None:
        st.radio(label, list(range(q.min, q.max + 1)), index=None, key=key, horizontal=True)
        return
    st.number_input(label, value=None, step=1, format="%d", key=key)


def show_value(form: Form, q: Question, value: Any, lang: str, yes: str, no: str) -> str:
    """An answer as the patient would say it (labels, not codes), for the review page."""
    if q.type is QuestionType.SELECT_ONE:
        return form.choice_label(q, value, lang)
    if q.type is QuestionType.SELECT_MULTIPLE:
        return "\n".join(form.choice_label(q, code, lang) for code in value)
    if q.type is QuestionType.CHECKBOX:
        return yes if value else no
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    return str(value)
