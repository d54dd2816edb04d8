"""Streamlit entry: the patient intake at "/" and the clinician area at "/clinician".

Thin on purpose: pages live in ui/, logic in questions/, rules/ and storage/.
The page list is built from the login state on every run: without a login, "/clinician"
is the login form and the dashboard is not registered at all (so no URL reaches it).
"""

import streamlit as st

from ui.clinician import clinician_page, session_user
from ui.patient import patient_page

user = session_user()
clinician = clinician_page(user)
page = st.navigation(
    [st.Page(patient_page, title="Questionnaire", url_path="intake", default=True), clinician],
    position="hidden",
)
# One page config per run, chosen for the page about to run (a second call that changes the
# layout makes the browser flip between layouts on reruns).
dashboard = user is not None and page.url_path == clinician.url_path
st.set_page_config(
    page_title="Clinician area" if page.url_path == clinician.url_path
    else "Joint pain questionnaire",
    page_icon="🦵",
    layout="wide" if dashboard else "centered",
)
page.run()
