"""Raw and labelled CSV: exact text for three stored submissions, formula safety, streaming.

The three submissions go through `Intake.submit` (validation, screening, storage) with
fixed keys and times; their ids, references and the rules hash are random or derived, so
they are read back from the store and put into the expected text, which is otherwise
compared byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from exports import FORMATS, export_bytes, guard, header, write_export, write_records
from intake_pipeline import Intake
from questions import Form, load_form
from storage import NewSubmission, SubmissionStore
from storage.bulk import save_many
from storage.queries import SubmissionFilter
from storage.schema import submissions

HEADER = (
    "submission_id,reference,submitted_at,form_version,rules_version,outcome,rules_fired,status,"
    "first_name,last_name,date_of_birth,sex_at_birth,phone,email,contact_method,height_ft,"
    "height_in,weight_lb,pain_areas___knee_left,pain_areas___knee_right,pain_areas___hip_left,"
    "pain_areas___hip_right,pain_areas___shoulder_left,pain_areas___shoulder_right,"
    "pain_areas___elbow_wrist_hand,pain_areas___ankle_foot,pain_areas___low_back,"
    "pain_areas___neck,pain_areas___other,pain_other,main_area,pain_duration,pain_onset,"
    "injury_recent,walk_4_steps,bend_90,kneecap_tender,fibula_tender,pain_average,pain_activity,"
    "morning_stiffness,crepitus,swelling,knee_locked,hot_swollen,fever,injury_deformity,"
    "saddle_numbness,bladder_bowel,leg_weakness,both_legs_pain,weight_loss,night_pain,"
    "cancer_history,treatments_tried___exercise_pt,treatments_tried___weight_loss,"
    "treatments_tried___pain_medicine,treatments_tried___brace,"
    "treatments_tried___steroid_injection,treatments_tried___hyaluronic_injection,"
    "treatments_tried___prp_injection,treatments_tried___prolotherapy,"
    "treatments_tried___surgery,treatments_tried___none,last_injection,joint_replaced,"
    "treatment_relief,blood_thinners,bleeding_disorder,diabetes,"
    "inflammatory_arthritis___rheumatoid,inflammatory_arthritis___gout,"
    "inflammatory_arthritis___pseudogout,inflammatory_arthritis___psoriatic,"
    "inflammatory_arthritis___lupus,inflammatory_arthritis___not_sure,"
    "inflammatory_arthritis___none,immune_suppressed,allergies___corn_dextrose,"
    "allergies___local_anaesthetic,allergies___latex,allergies___none,skin_problem,"
    "daily_opioids,pregnant,medications,other_conditions,goals,consent_store,"
    "consent_not_advice,signature,age,bmi,nice_oa_features"
)

RAW_ROWS = [
    "<id-a>,<ref-a>,2026-11-26T14:03:00Z,2026112601,<rules>,candidate,,new,Maria,Lopez,"
    "1962-05-14,female,555-123-4567,maria.lopez@example.com,phone,5,5,170,"
    "0,1,0,0,0,0,0,0,0,0,0,,knee_right,over_1_year,gradual,,,,,,6,yes,under_30_min,yes,mild,"
    "no,no,no,no,,,,,no,no,no,1,0,1,0,0,0,0,0,0,0,,no,some,no,no,no,0,0,0,0,0,0,1,no,"
    '0,0,0,1,no,no,,Acetaminophen 500 mg when needed.,,"Walk my dog again.\nClimb stairs, '
    'slowly.",1,1,Maria Lopez,64,28.3,1',
    "<id-b>,<ref-b>,2026-11-27T09:30:15Z,2026112601,<rules>,review,"
    "CR-blood-thinners;CR-diabetes,reviewed,Zoë,O'Brien,1976-02-29,female,555-123-4567,,phone,"
    "5,5,170,1,0,0,0,0,0,0,0,1,0,1,'=SUM(A1:A2),knee_left,over_1_year,injury,no,,,,,6,yes,"
    "under_30_min,yes,mild,no,no,no,no,no,no,no,no,no,no,no,0,0,0,0,1,0,0,0,0,0,"
    "under_6_months,no,none,not_sure,no,yes_controlled,0,0,0,0,0,0,1,no,0,0,1,0,no,no,no,"
    "\"'-5 mg \"\"daily\"\", as needed\",,Walk my dog again.,1,1,Zoe O'Brien,50,28.3,1",
    "<id-c>,<ref-c>,2026-11-28T00:00:00Z,2026112601,<rules>,urgent,"
    "RF-hot-swollen-joint;CR-bmi;CR-not-knee;CR-age-outside-trials,new,James,Smith,1940-01-01,"
    "male,555-123-4567,,phone,5,10,300,0,0,0,1,0,0,0,0,0,0,0,,hip_right,over_1_year,gradual,"
    ",,,,,6,no,under_30_min,yes,mild,,yes,no,no,,,,,no,no,no,0,0,0,0,0,0,0,0,0,1,,no,,"
    "no,no,no,0,0,0,0,0,0,1,no,0,0,0,1,no,no,,,,,1,1,James Smith,86,43.0,0",
]

LABEL_ROWS = [
    "<id-a>,<ref-a>,2026-11-26T14:03:00Z,2026112601,<rules>,candidate,,new,Maria,Lopez,"
    "1962-05-14,Female,555-123-4567,maria.lopez@example.com,Phone call,5,5,170,"
    "Unchecked,Checked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,"
    "Unchecked,Unchecked,,Right knee,More than 1 year,It came on slowly,,,,,,6,Yes,"
    "Less than 30 minutes,Yes,Some swelling,No,No,No,No,,,,,No,No,No,Checked,Unchecked,Checked,"
    "Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,,No,"
    "They helped a little,No,No,No,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,"
    "Checked,No,Unchecked,Unchecked,Unchecked,Checked,No,No,,Acetaminophen 500 mg when needed.,"
    ',"Walk my dog again.\nClimb stairs, slowly.",Checked,Checked,Maria Lopez,64,28.3,Yes',
    "<id-b>,<ref-b>,2026-11-27T09:30:15Z,2026112601,<rules>,review,"
    "CR-blood-thinners;CR-diabetes,reviewed,Zoë,O'Brien,1976-02-29,Female,555-123-4567,,"
    "Phone call,5,5,170,Checked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,"
    "Unchecked,Checked,Unchecked,Checked,'=SUM(A1:A2),Left knee,More than 1 year,"
    "It started after an injury,No,,,,,6,Yes,Less than 30 minutes,Yes,Some swelling,No,No,No,"
    "No,No,No,No,No,No,No,No,Unchecked,Unchecked,Unchecked,Unchecked,Checked,Unchecked,"
    "Unchecked,Unchecked,Unchecked,Unchecked,3 to 6 months ago,No,They did not help,Not sure,"
    'No,"Yes, well controlled",Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,'
    "Checked,No,Unchecked,Unchecked,Checked,Unchecked,No,No,No,"
    "\"'-5 mg \"\"daily\"\", as needed\",,Walk my dog again.,Checked,Checked,Zoe O'Brien,50,"
    "28.3,Yes",
    "<id-c>,<ref-c>,2026-11-28T00:00:00Z,2026112601,<rules>,urgent,"
    "RF-hot-swollen-joint;CR-bmi;CR-not-knee;CR-age-outside-trials,new,James,Smith,1940-01-01,"
    "Male,555-123-4567,,Phone call,5,10,300,Unchecked,Unchecked,Unchecked,Checked,Unchecked,"
    "Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,,Right hip,More than 1 year,"
    "It came on slowly,,,,,,6,No,Less than 30 minutes,Yes,Some swelling,,Yes,No,No,,,,,No,No,"
    "No,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,"
    "Unchecked,Checked,,No,,No,No,No,Unchecked,Unchecked,Unchecked,Unchecked,Unchecked,"
    "Unchecked,Checked,No,Unchecked,Unchecked,Unchecked,Checked,No,No,,,,,Checked,Checked,"
    "James Smith,86,43.0,No",
]


def three_submissions(answers: dict[str, Any]) -> list[tuple[str, dict[str, Any], dt.datetime]]:
    """A knee-OA candidate; a review with formula-like and quoted text; an urgent hip."""
    a = {**answers, "goals": "Walk my dog again.\nClimb stairs, slowly."}
    b = {**answers, "first_name": "Zoë", "last_name": "O'Brien", "signature": "Zoe O'Brien",
         "date_of_birth": "1976-02-29", "pain_areas": ["knee_left", "low_back", "other"],
         "pain_other": "=SUM(A1:A2)", "main_area": "knee_left", "saddle_numbness": "no",
         "bladder_bowel": "no", "leg_weakness": "no", "both_legs_pain": "no",
         "pain_onset": "injury", "injury_recent": "no", "treatments_tried": ["steroid_injection"],
         "last_injection": "under_6_months", "treatment_relief": "none",
         "blood_thinners": "not_sure", "diabetes": "yes_controlled", "allergies": ["latex"],
         "pregnant": "no", "medications": '-5 mg "daily", as needed'}
    del b["email"]
    c = {k: v for k, v in answers.items()
         if k not in ("knee_locked", "treatment_relief", "medications", "goals", "email")}
    c.update(first_name="James", last_name="Smith", signature="James Smith",
             date_of_birth="1940-01-01", sex_at_birth="male", hot_swollen="yes",
             pain_areas=["hip_right"], treatments_tried=["none"], pain_activity="no",
             weight_lb=300, height_ft=5, height_in=10)
    plus_one = dt.timezone(dt.timedelta(hours=1))
    return [
        ("a", a, dt.datetime(2026, 11, 26, 14, 3, tzinfo=dt.UTC)),
        ("b", b, dt.datetime(2026, 11, 27, 10, 30, 15, tzinfo=plus_one)),  # 09:30:15Z
        ("c", c, dt.datetime(2026, 11, 28, tzinfo=dt.UTC)),
    ]


def store_three(intake: Intake, engine: Engine, answers: dict[str, Any]) -> dict[str, str]:
    """Store the three submissions (b reviewed); return the placeholders' values."""
    store = SubmissionStore(engine)
    values = {"<rules>": intake.rules.version}
    for name, submission, at in three_submissions(answers):
        saved = intake.submit(store, submission, f"export-{name}", submitted_at=at)
        values[f"<id-{name}>"], values[f"<ref-{name}>"] = saved.id, saved.reference
    with engine.begin() as conn:
        conn.execute(update(submissions).where(submissions.c.id == values["<id-b>"])
                     .values(status="reviewed"))
    return values


@pytest.fixture
def stored(intake: Intake, engine: Engine, valid_answers: dict[str, Any]) -> dict[str, str]:
    return store_three(intake, engine, valid_answers)


def expected(rows: list[str], values: dict[str, str]) -> bytes:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text.encode("utf-8")


@pytest.mark.parametrize("fmt, rows", [("csv", RAW_ROWS), ("labels", LABEL_ROWS)])
def test_export_matches_the_expected_text_byte_for_byte(
    engine: Engine, form: Form, stored: dict[str, str], fmt: str, rows: list[str]
) -> None:
    assert export_bytes(fmt, engine, form, SubmissionFilter()) == expected(rows, stored)


@pytest.mark.postgres
@pytest.mark.parametrize("fmt, rows", [("csv", RAW_ROWS), ("labels", LABEL_ROWS)])
def test_postgresql_exports_the_same_bytes(
    intake: Intake, pg_engine: Engine, valid_answers: dict[str, Any], fmt: str, rows: list[str]
) -> None:
    values = store_three(intake, pg_engine, valid_answers)
    assert export_bytes(fmt, pg_engine, intake.form, SubmissionFilter()) == expected(rows, values)


def test_header_is_the_documented_column_contract(form: Form) -> None:
    assert ",".join(header(form)) == HEADER


def test_write_export_counts_rows_and_honours_the_filter(
    engine: Engine, form: Form, stored: dict[str, str]
) -> None:
    out = io.StringIO(newline="")
    flt = SubmissionFilter(outcomes=("urgent", "review"))
    assert write_export("csv", engine, form, flt, out) == 2
    assert out.getvalue().encode() == expected(RAW_ROWS[1:], stored)


def test_an_empty_store_gives_only_the_header(engine: Engine, form: Form) -> None:
    assert export_bytes("csv", engine, form, SubmissionFilter()) == (HEADER + "\r\n").encode()


def test_every_format_has_a_suffix_and_mime_type() -> None:
    assert set(FORMATS) == {"csv", "labels", "dictionary", "fhir", "fhir-questionnaire", "audit"}
    assert FORMATS["csv"].filename("intake-2026-11-26") == "intake-2026-11-26.csv"
    for fmt in FORMATS.values():
        assert fmt.suffix.endswith((".csv", ".json")) and "/" in fmt.mime


# ---- formula safety -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, cell",
    [
        ("=1+1", "'=1+1"), ("+15551234567", "'+15551234567"), ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"), ("\tTab", "'\tTab"), ("\rCR", "'\rCR"), ("\nLF", "'\nLF"),
        ("plain", "plain"), ("", ""), ("a=b", "a=b"), ("'quoted", "'quoted"), (" =1", " =1"),
    ],
)
def test_guard_quotes_text_that_a_spreadsheet_would_run(text: str, cell: str) -> None:
    assert guard(text) == cell


TINY_FORM = """
form_id: tiny
version: 1
title: {en: "Tiny"}
canonical_url: "https://example.org/fhir/Questionnaire/tiny"
languages: [en]
choice_lists:
  odd:
    - {code: "minus", label: {en: "-5 or less"}}
    - {code: "formula", label: {en: "=1+1"}}
pages:
  - id: only
    title: {en: "Only"}
    questions:
      - {id: level, type: select_one, label: {en: "Level"}, choices: odd}
      - {id: picks, type: select_multiple, label: {en: "Picks"}, choices: odd,
         relevant: "level = 'formula'"}
      - {id: offset, type: integer, label: {en: "Offset"}, min: -10, max: 10}
      - {id: note, type: text, label: {en: "Note"}}
"""


@pytest.fixture
def tiny_form(tmp_path: Path) -> Form:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_FORM, encoding="utf-8")
    return load_form(path)


def record(answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    base = {"id": "id-1", "reference": "ABCD-EFGH", "form_version": 1, "status": "new",
            "submitted_at": dt.datetime(2026, 11, 26, 14, 3, 7, 999_999, tzinfo=dt.UTC),
            "rules_version": None, "outcome": None, "rules_fired": None,
            "answers": answers, "calculated": {}}
    return {**base, **extra}


def export_text(fmt: str, records: list[dict[str, Any]], form: Form) -> list[list[str]]:
    out = io.StringIO(newline="")
    write_records(fmt, records, form, out)
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def test_numbers_are_never_quoted_but_text_that_looks_like_a_number_is(tiny_form: Form) -> None:
    [_, row] = export_text("csv", [record({"level": "minus", "offset": -5, "note": "-5"})],
                           tiny_form)
    assert row[-2:] == ["-5", "'-5"]  # integer answer -5; text answer "-5"


def test_choice_labels_are_guarded_too(tiny_form: Form) -> None:
    [head, row] = export_text(
        "labels", [record({"level": "formula", "picks": ["minus"], "offset": 3})], tiny_form)
    cells = dict(zip(head, row, strict=True))
    assert cells["level"] == "'=1+1"
    assert (cells["picks___minus"], cells["picks___formula"]) == ("Checked", "Unchecked")


def test_an_absent_multi_select_is_empty_cells_not_zeros(tiny_form: Form) -> None:
    [head, row] = export_text("csv", [record({"level": "minus"})], tiny_form)
    cells = dict(zip(head, row, strict=True))
    assert (cells["picks___minus"], cells["picks___formula"]) == ("", "")
    assert cells["offset"] == "" and cells["note"] == ""


def test_submitted_at_is_utc_to_the_second_and_meta_fields_may_be_empty(tiny_form: Form) -> None:
    [head, row] = export_text("csv", [record({})], tiny_form)
    assert row[:8] == ["id-1", "ABCD-EFGH", "2026-11-26T14:03:07Z", "1", "", "", "", "new"]


# ---- streaming ----------------------------------------------------------------------------


class CountingSink:
    """A text sink that keeps only a count, so memory measures the exporter, not the output."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def generated(form: Form, n: int, answers: dict[str, Any], sink: CountingSink | None = None,
              seen: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """n distinct records made one at a time; with `seen`, notes the output size at each."""
    for i in range(n):
        if seen is not None and sink is not None:
            seen.append(sink.chars)
        goals = f"Goal number {i}, with a comma and a \"quote\"\n" * 3
        yield record({**answers, "goals": goals, "first_name": f"Name{i}"},
                     id=f"00000000-0000-4000-8000-{i:012d}", reference=f"REF-{i:05d}",
                     calculated={"age": 64, "bmi": 28.3, "nice_oa_features": True})


@pytest.mark.parametrize("fmt", ["csv", "labels", "fhir"])
def test_the_exporter_writes_each_row_before_pulling_the_next(
    form: Form, valid_answers: dict[str, Any], fmt: str
) -> None:
    sink, seen = CountingSink(), []
    count = write_records(fmt, generated(form, 50, valid_answers, sink, seen), form, sink)  # type: ignore[arg-type]
    assert count == 50
    # Between pulling one record and the next, that record's row was written out.
    assert all(after > before for before, after in itertools.pairwise(seen))


@pytest.mark.parametrize("fmt, n", [("csv", 5000), ("labels", 5000), ("fhir", 500)])
def test_memory_stays_far_below_the_output_size(
    form: Form, valid_answers: dict[str, Any], fmt: str, n: int
) -> None:
    sink = CountingSink()
    tracemalloc.start()
    try:
        write_records(fmt, generated(form, n, valid_answers), form, sink)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.chars > 2_000_000
    assert peak < sink.chars / 10, (peak, sink.chars)


def test_exporting_from_the_database_streams_in_batches(
    engine: Engine, form: Form, valid_answers: dict[str, Any]
) -> None:
    """Peak memory for 6,000 stored rows is about that for 2,000: it depends on the batch."""
    def new(i: int) -> NewSubmission:
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)
        return NewSubmission(f"k{i}", form.form_id, form.version, valid_answers,
                             {"age": 64, "bmi": 28.3, "nice_oa_features": True}, at)

    save_many(engine, [new(i) for i in range(6000)])
    first_day = dt.date(2026, 1, 1)  # 1,440 rows; the whole store is 6,000 (about 4 days)

    def peak(flt: SubmissionFilter) -> tuple[int, int]:
        sink = CountingSink()
        tracemalloc.start()
        try:
            rows = write_export("csv", engine, form, flt, sink)  # type: ignore[arg-type]
            return rows, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small_rows, small = peak(SubmissionFilter(until=first_day))
    all_rows, large = peak(SubmissionFilter())
    assert (small_rows, all_rows) == (1440, 6000)
    assert large < 2 * small, (small, large)


def test_rows_are_produced_in_submission_order(engine: Engine, form: Form,
                                              stored: dict[str, str]) -> None:
    text = export_bytes("csv", engine, form, SubmissionFilter()).decode()
    ids = [row[0] for row in itertools.islice(csv.reader(io.StringIO(text, newline="")), 1, None)]
    assert ids == [stored["<id-a>"], stored["<id-b>"], stored["<id-c>"]]
