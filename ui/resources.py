"""Process-wide resources, built once (st.cache_resource), never on every rerun."""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from intake_pipeline import Intake
from intake_settings import DRAFT_TTL_HOURS, number
from storage import SubmissionStore, default_url, open_engine
from storage.drafts import DraftStore

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def get_intake() -> Intake:
    """Definitions loaded and cross-checked once; a broken definition stops the app at start."""
    return Intake.load()


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> SubmissionStore:
    return SubmissionStore(open_engine(url))


def get_store() -> SubmissionStore:
    """The store for the configured URL (cached per URL so tests can point at their own file)."""
    return _store_for(default_url())


def get_drafts() -> DraftStore:
    """Drafts live in the same database as submissions; kept INTAKE_DRAFT_TTL_HOURS."""
    return DraftStore(get_store().engine, dt.timedelta(hours=number(DRAFT_TTL_HOURS)))
