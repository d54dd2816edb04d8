"""Streamlit entry: the patient intake at "/" and the clinician area at "/clinician".

Thin on purpose: pages live in ui/, logic in questions/, rules/ and storage/.
"""

import streamlit as st

from ui.patient import patient_page

st.set_page_config(page_title="Joint pain questionnaire", page_icon="🦵", layout="centered")

pages = [st.Page(patient_page, title="Questionnaire", url_path="intake", default=True)]
st.navigation(pages, position="hidden").run()
