"""The patient intake page: one page of questions at a time, a review page, confirmation."""

from __future__ import annotations

import streamlit as st

from intake_pipeline import Intake
from intake_settings import SHOW_OUTCOME, flag
from questions import text
from ui.question_widgets import render_question, show_value
from ui.resources import get_intake
from ui.wizard import RESUME_PARAM, Wizard, WizardState, pick_language, resumed_state

STATE_KEY = "wizard"
LANGUAGE_KEY = "language"


def wizard() -> Wizard:
    if STATE_KEY not in st.session_state:  # a new session: `?lang=es` opens it in Spanish
        languages = get_intake().form.definition.languages
        st.session_state[STATE_KEY] = resumed_state(
            get_intake(),
            st.query_params.get(RESUME_PARAM),
            pick_language(st.query_params.get("lang"), languages),
        )
    return Wizard(get_intake(), st.session_state[STATE_KEY], st.session_state, st.query_params)


def patient_page() -> None:
    w = wizard()
    msg = w.intake.messages
    lang = w.state.language
    if w.state.saved is not None:
        confirmation(w)
        return
    w.sync_from_widgets()
    if w.state.step == 0:
        language_choice(w)
    total = len(w.pages) + 1
    if w.on_review:
        title = msg.get("review_title", lang)
    else:
        title = text(w.pages[w.state.step].title, lang)
    st.progress(
        (w.state.step + 1) / total,
        text=msg.get("progress", lang, page=w.state.step + 1, pages=total, title=title),
    )
    if w.state.urgent:
        st.error(msg.get("urgent", lang), icon=":material/emergency:")
    if w.on_review:
        review(w)
    else:
        questions_page(w)
    st.divider()
    st.caption(msg.get("disclaimer", lang))


def language_choice(w: Wizard) -> None:
    """English / Español at the top of the first page, labelled in every language."""
    msg, languages = w.intake.messages, w.intake.form.definition.languages
    if len(languages) < 2:
        return
    if LANGUAGE_KEY not in st.session_state:  # cleaned up while on other pages: re-seed
        st.session_state[LANGUAGE_KEY] = w.state.language
    st.radio(
        " / ".join(msg.get("language_label", code) for code in languages),
        languages,
        format_func=lambda code: msg.get("language_name", code),  # each name in itself
        key=LANGUAGE_KEY,
        horizontal=True,
        on_change=change_language,
    )


def change_language() -> None:
    """Every text follows at once; `lang` in the URL follows too, so a reload keeps it."""
    state = st.session_state[STATE_KEY]
    state.language = st.session_state[LANGUAGE_KEY]
    st.query_params["lang"] = state.language


def questions_page(w: Wizard) -> None:
    msg, lang = w.intake.messages, w.state.language
    page = w.pages[w.state.step]
    st.header(text(page.title, lang))
    if page.intro:
        st.write(text(page.intro, lang))
    if w.state.errors:
        st.warning(msg.get("errors_on_page", lang))
    values = w.values()
    shown = w.visible(w.state.step, values)
    w.seed_widgets(shown)
    for q in shown:
        options = w.intake.validator.options(q, values) if q.choices else []
        render_question(w.intake.form, q, lang, msg.get("optional", lang), options)
        problem = w.state.errors.get(q.id)
        if problem is not None:
            details = dict(problem.values)
            if q.choices and "choice" in details:  # the patient sees labels, never codes
                details["choice"] = w.intake.form.choice_label(q, details["choice"], lang)
            st.error(msg.get(problem.message_id, lang, **details))
    back, forward = st.columns(2)
    if w.state.step > 0:
        back.button(msg.get("button_back", lang), key="nav_back", on_click=w.back,
                    use_container_width=True)
    forward.button(msg.get("button_next", lang), key="nav_next", on_click=w.next, type="primary",
                   use_container_width=True)


def review(w: Wizard) -> None:
    msg, lang, form = w.intake.messages, w.state.language, w.intake.form
    st.header(msg.get("review_title", lang))
    st.write(msg.get("review_intro", lang))
    values = w.values()
    yes, no = msg.get("checked", lang), msg.get("unchecked", lang)
    for index, page in enumerate(w.pages):
        with st.container(border=True):
            st.subheader(text(page.title, lang))
            for q in w.visible(index, values):
                st.markdown(f"**{text(q.label, lang)}**")
                value = w.state.answers.get(q.id)
                if value is None:
                    st.caption(msg.get("review_not_answered", lang))
                else:
                    st.text(show_value(form, q, value, lang, yes, no))  # patient text: plain
            st.button(msg.get("button_edit", lang), key=f"edit_{page.id}", on_click=w.edit,
                      args=(index,))
    if w.state.save_failed:
        st.error(msg.get("submitting_failed", lang))
    back, forward = st.columns(2)
    back.button(msg.get("button_back", lang), key="nav_back", on_click=w.back,
                use_container_width=True)
    forward.button(msg.get("button_submit", lang), key="nav_submit", on_click=w.submit,
                   type="primary", use_container_width=True)


def confirmation(w: Wizard) -> None:
    msg, lang = w.intake.messages, w.state.language
    saved = w.state.saved
    assert saved is not None  # noqa: S101 - only called after a commit
    st.header(msg.get("confirmation_title", lang))
    if w.state.urgent or saved.outcome == "urgent":
        st.error(msg.get("urgent", lang), icon=":material/emergency:")
    st.success(outcome_message(w.intake, saved.outcome, lang))
    st.subheader(saved.reference)
    st.write(msg.get("confirmation_reference", lang, reference=saved.reference))
    st.button(msg.get("button_start_over", lang), key="start_over", on_click=start_over)
    st.divider()
    st.caption(msg.get("disclaimer", lang))


def outcome_message(intake: Intake, outcome: str | None, lang: str) -> str:
    """Neutral by default; the clinic may choose outcome-specific wording (setting)."""
    if flag(SHOW_OUTCOME) and outcome in ("exclude", "review", "candidate"):
        return intake.messages.get(f"outcome_{outcome}", lang)
    return intake.messages.get("outcome_neutral", lang)


def start_over() -> None:
    for key in [k for k in st.session_state if str(k).startswith("q_")]:
        del st.session_state[key]
    st.session_state[STATE_KEY] = WizardState(language=st.session_state[STATE_KEY].language)
