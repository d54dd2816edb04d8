"""Altair charts of the dashboard aggregates (small frames from ui.clinician_stats).

Each chart is built from at most a few hundred numbers; labels come from the form and from
our own outcome names, never from patient text.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from storage.queries import OUTCOME_ORDER

OUTCOME_COLOURS = {
    "urgent": "#c62828",
    "exclude": "#6d4c41",
    "review": "#f9a825",
    "candidate": "#2e7d32",
    "not screened": "#9e9e9e",
}


WHOLE_NUMBERS = alt.Axis(tickMinStep=1, format="d")
"""Counts have no half submissions."""


def weekly_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: submissions per week, one colour per outcome (urgent at the bottom)."""
    order = [o for o in (*OUTCOME_ORDER, "not screened") if o in set(frame["outcome"])] \
        or list(OUTCOME_ORDER)
    data = frame.assign(
        rank=frame["outcome"].map({o: i for i, o in enumerate(order)}),
        # An ordinal axis of week starts gives each week a full-width bar (a time axis
        # drew one-day-wide slivers).
        label=pd.to_datetime(frame["week"]).dt.strftime("%Y-%m-%d"),
    )
    return (
        alt.Chart(data, title="Submissions per week, by outcome")
        .mark_bar()
        .encode(
            x=alt.X("label:O", title="Week starting (UTC)", sort="ascending",
                    axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(n):Q", title="Submissions", axis=WHOLE_NUMBERS),
            color=alt.Color("outcome:N", title="Outcome",
                            scale=alt.Scale(domain=order,
                                            range=[OUTCOME_COLOURS[o] for o in order])),
            order=alt.Order("rank:Q"),
            tooltip=[alt.Tooltip("week:T", title="Week", format="%Y-%m-%d"),
                     alt.Tooltip("outcome:N", title="Outcome"),
                     alt.Tooltip("n:Q", title="Submissions")],
        )
    )


def areas_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars, most frequent area on top, with the count written at each bar's end."""
    base = alt.Chart(frame, title="Painful areas (a patient may name several)").encode(
        y=alt.Y("area:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("n:Q", title="Submissions naming the area", axis=WHOLE_NUMBERS),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("n:Q", title="Submissions")],
    )
    bars = base.mark_bar(color="#1565c0")
    labels = base.mark_text(align="left", dx=4).encode(text="n:Q")
    return bars + labels


def score_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Bars for each score 0-10, in order, zeros included so the scale is honest."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar(color="#6a1b9a")
        .encode(
            x=alt.X("score:O", title="Score (0 = no pain, 10 = worst imaginable)",
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("n:Q", title="Submissions", axis=WHOLE_NUMBERS),
            tooltip=[alt.Tooltip("score:O", title="Score"),
                     alt.Tooltip("n:Q", title="Submissions")],
        )
    )
