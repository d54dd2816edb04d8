"""Patient-facing wording never promises results and matches the clinical spec verbatim.

Scans every label, hint, title, intro and choice label in the questionnaire and every
message in messages.yaml for the words the spec bans ("Messages to the patient").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from questions import DEFAULT_FORM, read_yaml
from questions.messages import DEFAULT_MESSAGES

SPEC = Path(__file__).parent.parent / "docs" / "clinical-content.md"

BANNED = re.compile(
    r"\b(?:in)?eligib\w*"  # eligible, ineligible, eligibility
    r"|\bqualif\w*"  # qualify, qualifies, qualified, qualification
    r"|\bcur(?:e|es|ed|ing)\b"  # cure and its forms, not secure/procure/accurate
    r"|\bregenerat\w*"  # regenerate, regeneration, regenerative
    r"|\bavoid(?:s|ed|ing)?\s+(?:\w+\s+)?surgery\b"  # avoid surgery, avoid knee surgery
    r"|\bproven\b",
    re.IGNORECASE,
)


def texts(node: object, path: str, languages: set[str]) -> Iterator[tuple[str, str]]:
    """(where, text) for every translatable text, whatever its key: {language: string}."""
    if isinstance(node, dict):
        if node and set(node) <= languages and all(isinstance(v, str) for v in node.values()):
            yield from ((f"{path}.{lang}", text) for lang, text in node.items())
            return
        for key, value in node.items():
            yield from texts(value, f"{path}.{key}", languages)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = (item.get("id") or item.get("code")) if isinstance(item, dict) else None
            yield from texts(item, f"{path}.{name or index}", languages)


def form_texts() -> list[tuple[str, str]]:
    form = read_yaml(DEFAULT_FORM)
    return list(texts(form, "form", set(form["languages"])))


def message_texts() -> list[tuple[str, str]]:
    messages = read_yaml(DEFAULT_MESSAGES)["messages"]
    return [(f"messages.{mid}.{lang}", t) for mid, value in messages.items()
            for lang, t in value.items()]


@pytest.mark.parametrize(
    ("sentence", "banned"),
    [
        ("You are eligible.", True),
        ("You may not be ELIGIBLE now.", True),
        ("Ineligible", True),
        ("You qualify for treatment.", True),
        ("This cures arthritis.", True),
        ("A cure for knee pain", True),
        ("Cured in weeks", True),
        ("It helps cartilage regenerate.", True),
        ("Regenerative injections", True),
        ("Avoid surgery with prolotherapy", True),
        ("avoid knee surgery", True),
        ("A proven treatment", True),
        ("Your answers are stored securely.", False),
        ("We procure supplies.", False),
        ("Please give an accurate answer.", False),
        ("A secure page", False),
        ("Have you had surgery on this joint?", False),
        ("The quality of your sleep", False),
    ],
)
def test_banned_word_check_catches_word_forms_but_not_longer_words(
    sentence: str, banned: bool
) -> None:
    assert bool(BANNED.search(sentence)) is banned


def test_every_kind_of_patient_text_is_scanned() -> None:
    where = [w for w, _ in form_texts()]
    assert "form.title.en" in where
    assert "form.pages.about_you.title.en" in where
    assert "form.pages.about_you.intro.en" in where
    assert "form.pages.about_you.questions.first_name.label.en" in where
    assert "form.pages.about_you.questions.phone.hint.en" in where
    assert "form.choice_lists.areas.knee_left.label.en" in where
    assert len(where) > 150
    assert len(message_texts()) > 30


@pytest.mark.parametrize(
    ("where", "text"), form_texts() + message_texts(), ids=lambda value: value[:60]
)
def test_patient_text_never_promises_results(where: str, text: str) -> None:
    assert BANNED.findall(text) == [], where


def spec_messages() -> dict[str, str]:
    """The patient messages quoted in the spec, keyed by their id in messages.yaml."""
    section = SPEC.read_text(encoding="utf-8").split("## Messages to the patient", 1)[1]
    section = " ".join(section.split("\n## ")[0].split())  # undo line wrapping
    markers = {
        "disclaimer": "Standing note on every page:",
        "urgent": "Urgent (always shown, as soon as known):",
        "outcome_neutral": "the same neutral message:",
        "outcome_exclude": "- exclude:",
        "outcome_review": "- review:",
        "outcome_candidate": "- candidate:",
    }
    found = {}
    for message_id, marker in markers.items():
        match = re.search(re.escape(marker) + r'\s*"([^"]+)"', section)
        assert match, f"spec has no quoted text after {marker!r}"
        found[message_id] = match.group(1)
    return found


@pytest.mark.parametrize("message_id", list(spec_messages()))
def test_urgent_and_outcome_messages_match_the_spec_word_for_word(message_id: str) -> None:
    messages = read_yaml(DEFAULT_MESSAGES)["messages"]
    assert messages[message_id]["en"] == spec_messages()[message_id]
