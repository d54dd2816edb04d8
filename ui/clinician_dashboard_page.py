"""Page script registered at /clinician only after a login (see ui.clinician)."""

from ui.clinician import dashboard_page

dashboard_page()
