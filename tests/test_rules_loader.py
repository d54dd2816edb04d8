"""Loading rule files: the default set loads cleanly; a broken file names every problem.

Each broken file is written inline next to the message it must produce; expected messages
are built from the `Msg` catalogue, so wording changes in one place.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from questions import DefinitionError, Form, Msg, Problem, load_form
from rules import DEFAULT_RULES, Level, load_rules

FILE = "rules.yaml"
LEVELS = "urgent, exclude, review, candidate"


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


def write(tmp_path: Path, rules: str, head: str = "description: Test rules\nrules:\n") -> Path:
    path = tmp_path / FILE
    path.write_text(head + textwrap.indent(textwrap.dedent(rules).strip("\n"), "  ") + "\n")
    return path


def rule(when: str, rule_id: str = "CR-test", level: str = "review", params: str = "") -> str:
    """One rule as YAML; `when` is written in double quotes, as in the default file."""
    params_line = f"\n  params: {params}" if params else ""
    return f"""
- id: {rule_id}
  level: {level}
  when: "{when}"{params_line}
  note: A note for the clinician.
  source: A reference.
"""


def error(msg: Msg, item: str = "CR-test", **values: object) -> str:
    return str(Problem.of(msg, FILE, item, **values))


BROKEN = [
    (
        "unknown question, with did-you-mean",
        rule("pain_avrage < 4"),
        [error(Msg.UNKNOWN_NAME, field="when", name="pain_avrage",
               suggestion=" (did you mean 'pain_average'?)")],
    ),
    (
        "unknown choice code, with did-you-mean",
        rule("swelling = 'larg'"),
        [error(Msg.UNKNOWN_CODE, code="larg", where="'swelling'",
               suggestion=" (did you mean 'large'?)", codes="none, mild, large")],
    ),
    (
        "unknown code in a list parameter",
        rule("last_injection in $recent", params="{recent: [under_3_month]}"),
        [error(Msg.UNKNOWN_CODE, code="under_3_month", where="'last_injection'",
               suggestion=" (did you mean 'under_3_months'?)",
               codes="under_3_months, under_6_months, over_6_months, not_sure")],
    ),
    (
        "number compared with text",
        rule("pain_average = 'high'"),
        [error(Msg.TYPE_MISMATCH, field="when",
               detail="'pain_average' is a number, but is compared with 'high'",
               fix="compare it with a number without quotes")],
    ),
    (
        "bare yes in params is read as true, not as the code",
        rule("blood_thinners in $answers", params="{answers: [yes, not_sure]}"),
        [error(Msg.TYPE_MISMATCH, field="when",
               detail="'blood_thinners' holds choice codes, but is compared with True",
               fix="quote the code, e.g. 'yes'")],
    ),
    (
        "multiple choice compared with =",
        rule("pain_areas = 'knee_left'"),
        [error(Msg.TYPE_MISMATCH, field="when",
               detail="'pain_areas' is multiple choice and cannot be compared with =",
               fix="write pain_areas has '...' or count(pain_areas) >= 1")],
    ),
    (
        "unknown parameter, with did-you-mean",
        rule("age < $adult_age", params="{adult_ag: 18}"),
        [error(Msg.UNKNOWN_PARAM, field="when", name="adult_age",
               suggestion=" (did you mean 'adult_ag'?)")],
    ),
    (
        "duplicate rule id",
        rule("fever = 'yes'", rule_id="EX-fever") + rule("fever = 'yes'", rule_id="EX-fever"),
        [error(Msg.DUPLICATE_ID, "EX-fever", id="EX-fever", kind="rule")],
    ),
    (
        "unknown level, with did-you-mean",
        rule("fever = 'yes'", level="reveiw"),
        [error(Msg.UNKNOWN_LEVEL, level="reveiw", suggestion=" (did you mean 'review'?)",
               levels=LEVELS)],
    ),
    (
        "condition syntax error",
        rule("fever = 'yes' and"),
        [error(Msg.CONDITION_SYNTAX, field="when",
               detail="expected a question id, a quoted code, a number, true or false "
                      "but found the end of the condition",
               position=17, source="fever = 'yes' and")],
    ),
    (
        "unknown key in a rule, with did-you-mean",
        rule("fever = 'yes'").replace("note:", "nots:"),
        [error(Msg.FIELD_MISSING, field="note"),
         error(Msg.FIELD_UNKNOWN, field="nots", suggestion=" (did you mean 'note'?)")],
    ),
    (
        "parameter that is not a number, code or list",
        rule("age < $adult_age", params="{adult_age: {years: 18}}"),
        [error(Msg.FIELD_INVALID, field="adult_age",
               detail="a parameter must be a number, true/false, a code or a list of codes",
               fix="correct the value")],
    ),
]


@pytest.mark.parametrize(("name", "rules", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rule_file_reports_its_catalogue_message(
    name: str, rules: str, expected: list[str], form: Form, tmp_path: Path
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_rules(form, write(tmp_path, rules))
    assert [str(p) for p in caught.value.problems] == expected


def test_every_problem_in_a_file_is_reported_together(form: Form, tmp_path: Path) -> None:
    rules = (
        rule("pain_avrage < 4", rule_id="CR-one")
        + rule("fever = 'yes'", rule_id="CR-two", level="reveiw").replace("note:", "nots:")
        + rule("swelling = 'larg'", rule_id="CR-one")
    )
    with pytest.raises(DefinitionError) as caught:
        load_rules(form, write(tmp_path, rules))
    assert [str(p) for p in caught.value.problems] == [
        error(Msg.FIELD_MISSING, "CR-two", field="note"),
        error(Msg.FIELD_UNKNOWN, "CR-two", field="nots", suggestion=" (did you mean 'note'?)"),
        error(Msg.DUPLICATE_ID, "CR-one", id="CR-one", kind="rule"),
        error(Msg.UNKNOWN_NAME, "CR-one", field="when", name="pain_avrage",
              suggestion=" (did you mean 'pain_average'?)"),
        error(Msg.UNKNOWN_LEVEL, "CR-two", level="reveiw",
              suggestion=" (did you mean 'review'?)", levels=LEVELS),
        error(Msg.UNKNOWN_CODE, "CR-one", code="larg", where="'swelling'",
              suggestion=" (did you mean 'large'?)", codes="none, mild, large"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("description: x\nrules:\n  - id: A\n    when: \"fever = 'yes'\n",
         str(Problem.of(Msg.YAML_UNREADABLE, FILE, "line 5",
                        detail="found unexpected end of stream"))),
        ("- id: A\n", str(Problem.of(Msg.RULES_NOT_A_MAPPING, FILE, "file"))),
        ("rules:\n" + textwrap.indent(rule("fever = 'yes'").strip("\n"), "  ") + "\n",
         str(Problem.of(Msg.FIELD_MISSING, FILE, "file", field="description"))),
    ],
    ids=["YAML syntax error", "not a mapping", "no description"],
)
def test_unreadable_rule_file_is_one_clear_problem(
    text: str, expected: str, form: Form, tmp_path: Path
) -> None:
    path = tmp_path / FILE
    path.write_text(text)
    with pytest.raises(DefinitionError) as caught:
        load_rules(form, path)
    assert [str(p) for p in caught.value.problems] == [expected]


def test_missing_rule_file_is_a_problem_not_a_traceback(form: Form, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(DefinitionError) as caught:
        load_rules(form, path)
    assert [str(p) for p in caught.value.problems] == [
        str(Problem.of(Msg.FILE_MISSING, str(path), "file"))
    ]


def test_unused_parameter_is_a_warning_and_the_rules_still_load(
    form: Form, tmp_path: Path
) -> None:
    ruleset = load_rules(form, write(tmp_path, rule("fever = 'yes'", params="{max_bmi: 40}")))
    expected = replace(Problem.of(Msg.UNUSED_PARAM, FILE, "CR-test", name="max_bmi"), warning=True)
    assert ruleset.warnings == (expected,)
    assert ruleset.ids == ["CR-test"]
    assert ": warning: " in str(expected)


def test_default_rules_load_without_problems_in_severity_then_file_order(form: Form) -> None:
    ruleset = load_rules(form)
    assert ruleset.warnings == ()
    assert len(ruleset.rules) == 27
    severities = [r.level.severity for r in ruleset.rules]
    assert severities == sorted(severities)
    urgent = [r.id for r in ruleset.rules if r.level is Level.URGENT]
    assert [r.id for r in ruleset.urgent] == urgent
    assert ruleset.file == DEFAULT_RULES.name


def test_thresholds_are_params_of_the_rule_file(form: Form) -> None:
    params = {r.id: r.params for r in load_rules(form).rules}
    assert params["EX-under-18"] == {"adult_age": 18}
    assert params["CR-age-outside-trials"] == {
        "adult_age": 18, "trial_min_age": 40, "trial_max_age": 76,
    }
    assert params["CR-bmi"] == {"max_bmi": 40}
    assert params["CR-mild-pain"] == {"min_pain": 4}
    assert params["RF-knee-fracture"]["ottawa_age"] == 55
    assert params["CR-recent-injection"] == {"recent_codes": ["under_3_months", "not_sure"]}
    assert params["CR-short-duration"] == {"short_codes": ["under_6_weeks", "under_3_months"]}


def test_changing_a_threshold_in_the_file_changes_the_screening(
    form: Form, tmp_path: Path
) -> None:
    ruleset = load_rules(form, write(tmp_path, rule("bmi > $max_bmi", params="{max_bmi: 35}")))
    assert ruleset.rules[0].when({"bmi": 36.0})
    assert not ruleset.rules[0].when({"bmi": 35.0})


def test_rules_version_is_12_hex_digits_of_the_content(form: Form) -> None:
    version = load_rules(form).version
    assert len(version) == 12
    assert int(version, 16) >= 0


def test_rules_version_ignores_layout_and_comments_but_not_content(
    form: Form, tmp_path: Path
) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    three = tmp_path / "three"
    for folder in (one, two, three):
        folder.mkdir()
    plain = load_rules(form, write(one, rule("bmi > $max_bmi", params="{max_bmi: 40}")))
    relaid = load_rules(form, write(two, """
        # same rule, other layout, key order and comments
        - source: A reference.
          note: A note for the clinician.
          params:
            max_bmi: 40   # trial cap
          when: 'bmi > $max_bmi'
          level: review
          id: CR-test
    """))
    changed = load_rules(form, write(three, rule("bmi > $max_bmi", params="{max_bmi: 35}")))
    assert plain.version == relaid.version
    assert plain.version != changed.version
