"""The dashboard's list view: counts, filters, one page of submissions, charts, downloads.

Only one page of rows (PAGE_SIZE) is ever read and sent to the browser; counts and charts
are database aggregates cached until the data changes (`clinician_stats.data_version`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from questions import Form, text
from storage.queries import OUTCOME_ORDER, SubmissionFilter, count, page_of
from storage.submissions import STATUSES
from ui import clinician_charts as charts
from ui import clinician_stats as stats
from ui.clinician_common import db_key, engine, local, zone_name
from ui.clinician_detail import open_submission
from ui.clinician_downloads import download_buttons
from ui.resources import get_intake

PAGE_SIZE = 50
K_DATES, K_OUTCOMES, K_STATUSES, K_AREAS, K_TEXT = (
    "clinician_f_dates", "clinician_f_outcomes", "clinician_f_statuses", "clinician_f_areas",
    "clinician_f_text")
K_PAGE, K_SIGNATURE, K_PAGE_IDS, K_PICK = (
    "clinician_page_no", "clinician_filter_signature", "clinician_page_ids", "clinician_pick")
K_TABLE = "clinician_table"
K_TAB = "clinician_tab"


def list_view() -> None:
    form = get_intake().form
    eng = engine()
    version = stats.data_version(eng)
    st.title("Submissions")
    summary(eng, version)
    flt = filters(form)
    # Stateful tabs: only the open one is computed (charts cost a pass over the table).
    table_tab, charts_tab = st.tabs(["Table", "Charts"], key=K_TAB, on_change="rerun")
    if charts_tab.open:
        with charts_tab:
            chart_section(eng, form, flt, version)
    else:
        with table_tab:
            table(eng, form, flt, version)
            download_buttons(eng, form, flt)


# ---- cached aggregates (keyed on the database URL and its data version) ---------------


@st.cache_data(show_spinner=False, max_entries=16)
def _counts(_engine: Engine, db: str, version: tuple[Any, ...]) -> pd.DataFrame:
    return stats.counts(_engine)


@st.cache_data(show_spinner=False, max_entries=64)
def _total(_engine: Engine, db: str, version: tuple[Any, ...], flt: SubmissionFilter) -> int:
    return count(_engine, flt)


@st.cache_data(show_spinner=False, max_entries=32)
def _chart_frames(_engine: Engine, _form: Form, db: str, version: tuple[Any, ...],
                  flt: SubmissionFilter) -> dict[str, pd.DataFrame]:
    fields = stats.dashboard_fields(_form)
    frames = {"weekly": stats.weekly_outcomes(_engine, flt)}
    if fields.areas:
        frames["areas"] = stats.area_counts(_engine, flt, _form, fields.areas)
    if fields.pain_score:
        frames["score"] = stats.score_distribution(_engine, flt, fields.pain_score)
    return frames


# ---- parts ---------------------------------------------------------------------------


def summary(eng: Engine, version: tuple[Any, ...]) -> None:
    frame = _counts(eng, db_key(), version)
    outcomes, statuses = stats.by_outcome(frame), stats.by_status(frame)
    urgent_new = int(frame[(frame["outcome"] == "urgent") & (frame["status"] == "new")]["n"].sum())
    if urgent_new:
        st.error(f"{urgent_new} urgent submission(s) not reviewed yet. They are listed first.",
                 icon=":material/emergency:")
        st.button("Show only urgent, new submissions", key="clinician_show_urgent",
                  on_click=_only_urgent_new)
    for column, (outcome, n) in zip(st.columns(len(outcomes)), outcomes.items(), strict=True):
        column.metric(outcome.capitalize(), n)
    for column, (status, n) in zip(st.columns(len(statuses)), statuses.items(), strict=True):
        column.metric(f"Status: {status}", n)


def _only_urgent_new() -> None:
    st.session_state[K_OUTCOMES] = ["urgent"]
    st.session_state[K_STATUSES] = ["new"]


def filters(form: Form) -> SubmissionFilter:
    fields = stats.dashboard_fields(form)
    with st.container(border=True):
        dates_col, outcome_col, status_col, area_col, text_col = st.columns([2, 2, 2, 2, 3])
        dates = dates_col.date_input("Submitted between (UTC days)", value=(), key=K_DATES,
                                     format="YYYY-MM-DD")
        outcomes = outcome_col.multiselect("Outcome", OUTCOME_ORDER, key=K_OUTCOMES)
        statuses = status_col.multiselect("Status", STATUSES, key=K_STATUSES)
        areas: list[str] = []
        if fields.areas:
            question = form.question(fields.areas)
            codes = [c.code for c in form.choices(question)]
            labels = {c.code: text(c.label) for c in form.choices(question)}
            areas = area_col.multiselect("Painful area", codes, key=K_AREAS,
                                         format_func=labels.__getitem__)
        search = text_col.text_input("Search name or reference", key=K_TEXT, max_chars=100)
    since, until = _date_range(dates)
    return SubmissionFilter(
        since=since,
        until=until,
        outcomes=tuple(outcomes),
        statuses=tuple(statuses),
        choices=tuple((fields.areas, code) for code in areas) if fields.areas else (),
        text=search.strip(),
    )


def _date_range(value: Any) -> tuple[Any, Any]:
    if isinstance(value, tuple | list):
        picked = [d for d in value if d is not None]
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return None, None
    return (value, value) if value else (None, None)


def table(eng: Engine, form: Form, flt: SubmissionFilter, version: tuple[Any, ...]) -> None:
    total = stats.matching(_counts(eng, db_key(), version), flt)
    if total is None:
        total = _total(eng, db_key(), version, flt)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    signature = repr(flt)
    if st.session_state.get(K_SIGNATURE) != signature:  # new filter: back to page 1
        st.session_state[K_SIGNATURE] = signature
        st.session_state[K_PAGE] = 1
    if st.session_state.get(K_PAGE, 1) > pages:
        st.session_state[K_PAGE] = pages
    info, pager = st.columns([3, 1])
    pager.number_input("Page", min_value=1, max_value=pages, step=1, key=K_PAGE)
    page = int(st.session_state[K_PAGE])
    info.caption(f"{total} submission(s) match · page {page} of {pages} · "
                 f"{PAGE_SIZE} per page · urgent first, then newest")
    rows = page_of(eng, flt, page - 1, PAGE_SIZE)
    st.session_state[K_PAGE_IDS] = {row["reference"]: row["id"] for row in rows}
    ids = [row["id"] for row in rows]
    table_key = f"{K_TABLE}_{page}"
    st.dataframe(
        table_frame(form, rows),
        hide_index=True,
        key=table_key,
        on_select=lambda: _on_row_selected(table_key, ids),
        selection_mode="single-row",
    )
    st.selectbox("Open a submission by reference", list(st.session_state[K_PAGE_IDS]),
                 index=None, key=K_PICK, placeholder="Choose a reference from this page",
                 on_change=_on_reference_picked)


def table_frame(form: Form, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The visible columns of one page (patient text stays data: the grid shows it plain)."""
    fields = stats.dashboard_fields(form)
    return pd.DataFrame({
        "Reference": [r["reference"] for r in rows],
        f"Submitted ({zone_name()})": [local(r["submitted_at"]) for r in rows],
        "Outcome": [r["outcome"] or "" for r in rows],
        "Status": [r["status"] for r in rows],
        "Name": [" ".join(str(r["answers"].get(q, "")) for q in fields.names).strip()
                 for r in rows],
        "Main area": [main_area(form, fields, r["answers"]) for r in rows],
    })


def main_area(form: Form, fields: stats.DashboardFields, answers: dict[str, Any]) -> str:
    """The area the patient chose as the worst, or their only area."""
    code = answers.get(fields.main_area) if fields.main_area else None
    if code is None and fields.areas:
        areas = answers.get(fields.areas) or []
        code = areas[0] if len(areas) == 1 else None
    if code is None or not fields.areas:
        return ""
    return form.choice_label(form.question(fields.areas), code)


def _on_row_selected(key: str, ids: list[str]) -> None:
    selection = st.session_state.get(key)
    rows = selection.selection.rows if selection is not None else []
    if rows and rows[0] < len(ids):
        open_submission(ids[rows[0]])


def _on_reference_picked() -> None:
    reference = st.session_state.get(K_PICK)
    submission_id = st.session_state.get(K_PAGE_IDS, {}).get(reference)
    st.session_state[K_PICK] = None
    if submission_id:
        open_submission(submission_id)


def chart_section(eng: Engine, form: Form, flt: SubmissionFilter,
                  version: tuple[Any, ...]) -> None:
    st.caption("Charts show the submissions that match the filters.")
    frames = _chart_frames(eng, form, db_key(), version, flt)
    if frames["weekly"].empty:
        st.info("No submissions match the filters.")
        return
    st.altair_chart(charts.weekly_chart(frames["weekly"]), width="stretch")
    left, right = st.columns(2)
    if "areas" in frames:
        left.altair_chart(charts.areas_chart(frames["areas"]), width="stretch")
    if "score" in frames:
        fields = stats.dashboard_fields(form)
        # The full question (shown as the chart's tooltip-free title) was cut off; the
        # question id says which answer this is, the axis says what the scale means.
        title = f"Pain scores ({fields.pain_score})" if fields.pain_score else "Pain scores"
        right.altair_chart(charts.score_chart(frames["score"], title), width="stretch")
