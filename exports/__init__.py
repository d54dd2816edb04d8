"""Exports: raw and labelled CSV, a REDCap data dictionary, and FHIR R4 — formula-safe, streaming.

`write_export` / `export_bytes` are the entry points of both `intake export` and the
clinician's Download buttons; `FORMATS` names each format with its file suffix and MIME type.
"""

from exports.columns import header, row_function
from exports.dictionary import HEADERS as DICTIONARY_HEADERS
from exports.dictionary import dictionary_rows, write_dictionary
from exports.fhir import questionnaire_resource, response_resource, write_bundle
from exports.fhir_questionnaire import write_questionnaire
from exports.formats import (
    FORMATS,
    ExportError,
    ExportFormat,
    export_bytes,
    export_format,
    write_export,
    write_records,
)
from exports.formula import guard
from exports.redcap_logic import redcap_logic

__all__ = [
    "DICTIONARY_HEADERS",
    "FORMATS",
    "ExportError",
    "ExportFormat",
    "dictionary_rows",
    "export_bytes",
    "export_format",
    "guard",
    "header",
    "questionnaire_resource",
    "redcap_logic",
    "response_resource",
    "row_function",
    "write_bundle",
    "write_dictionary",
    "write_export",
    "write_questionnaire",
    "write_records",
]
