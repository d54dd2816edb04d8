"""The wizard's floor: a bare Streamlit script drawing the same elements, and nothing else.

`bench.wizard` records what each rerun of the real wizard drew (element kinds, labels,
options, keys, layout blocks) into a JSON file named by BENCH_BARE_SPEC; run k of this
script draws exactly what run k of the wizard drew, with no validation, relevance, rules
or storage. The time left is what Streamlit itself costs for those widgets.
"""

import json
import os

import streamlit as st


@st.cache_resource
def recorded(path: str) -> list:
    with open(path, encoding="utf-8") as spec:
        return json.load(spec)


def draw(items: list) -> None:
    for item in items:
        kind, label, key = item["type"], item.get("label") or "", item.get("key")
        children = item.get("children")
        if children is not None and children and all(c["type"] == "column" for c in children):
            for column, child in zip(st.columns(len(children)), children, strict=True):
                with column:
                    draw(child.get("children") or [])
        elif children is not None:  # a bordered container (the review page's boxes)
            with st.container(border=True):
                draw(children)
        elif kind == "radio":
            st.radio(label, item.get("options") or ["-"], index=None, key=key,
                     horizontal=bool(item.get("horizontal")))
        elif kind == "text_input":
            st.text_input(label, key=key)
        elif kind == "text_area":
            st.text_area(label, key=key)
        elif kind == "number_input":
            st.number_input(label, value=None, step=1, key=key)
        elif kind == "date_input":
            st.date_input(label, value=None, key=key)
        elif kind == "checkbox":
            st.checkbox(label, key=key)
        elif kind == "button":
            st.button(label, key=key)
        elif kind == "progress":
            st.progress(0.5, text=label)
        elif kind in ("header", "subheader", "markdown", "caption", "text", "error",
                      "warning", "success", "info"):
            getattr(st, kind)(item.get("value") or "-")
        elif kind == "divider":
            st.divider()
        else:
            st.markdown(item.get("value") or kind)


run = st.session_state.get("bare_run", 0)
st.session_state["bare_run"] = run + 1
runs = recorded(os.environ["BENCH_BARE_SPEC"])
draw(runs[run % len(runs)])
