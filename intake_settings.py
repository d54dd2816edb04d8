"""Settings, declared as data: name, default and help. Read from the environment.

A test checks that every setting here is documented in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.name, self.default)


DATABASE_URL = Setting(
    "INTAKE_DATABASE_URL",
    "",
    "SQLAlchemy URL of the database. Empty: a SQLite file in INTAKE_DATA_DIR. "
    "PostgreSQL: postgresql+psycopg://user:password@host/dbname",
)
DATA_DIR = Setting(
    "INTAKE_DATA_DIR",
    "data",
    "Folder of the default SQLite database, created with owner-only permissions (0700).",
)
SHOW_OUTCOME = Setting(
    "INTAKE_SHOW_OUTCOME_MESSAGE",
    "false",
    "true: after submitting, patients see the outcome-specific wording instead of the "
    "neutral thank-you (the urgent message is always shown).",
)
IDLE_TIMEOUT_MINUTES = Setting(
    "INTAKE_IDLE_TIMEOUT_MINUTES",
    "15",
    "Minutes of inactivity after which a clinician must log in again.",
)
DRAFT_TTL_HOURS = Setting(
    "INTAKE_DRAFT_TTL_HOURS",
    "72",
    "Hours an unfinished questionnaire (draft) is kept for the patient to resume.",
)

SETTINGS = [DATABASE_URL, DATA_DIR, SHOW_OUTCOME, IDLE_TIMEOUT_MINUTES, DRAFT_TTL_HOURS]


def flag(setting: Setting) -> bool:
    return setting.get().strip().lower() in {"1", "true", "yes", "on"}


def number(setting: Setting) -> float:
    """A numeric setting; a malformed value is a start-up error naming the setting."""
    raw = setting.get()
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{setting.name}={raw!r} is not a number ({setting.help})") from None
