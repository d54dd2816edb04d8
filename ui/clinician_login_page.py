"""Page script registered at /clinician while nobody is logged in (see ui.clinician)."""

from ui.clinician import login_page

login_page()
