"""Streamlit entry: the patient intake at "/" and the clinician area at "/clinician".

Thin on purpose: pages live in ui/, logic in questions/, rules/ and storage/.
The page list is built from the login state on every run: without a login, "/clinician"
is the login form and the dashboard is not registered at all (so no URL reaches it).
"""

import streamlit as st

from ui.clinician import clinician_page, session_user
from ui.patient import patient_page

st.set_page_config(page_title="Joint pain questionnaire", page_icon="🦵", layout="centered")

pages = [
    st.Page(patient_page, title="Questionnaire", url_path="intake", default=True),
    clinician_page(session_user()),
]
st.navigation(pages, position="hidden").run()
