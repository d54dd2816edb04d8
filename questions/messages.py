"""Patient-facing texts that are not questions (buttons, notes, validation messages)."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from questions.errors import DefinitionError, Msg, Problem
from questions.form import text
from questions.loader import HERE, read_yaml

DEFAULT_MESSAGES = HERE / "messages.yaml"


@dataclass(frozen=True)
class Messages:
    texts: dict[str, dict[str, str]]

    def get(self, message_id: str, lang: str = "en", **values: object) -> str:
        """The message in `lang` (English fallback), with {placeholders} filled."""
        template = text(self.texts.get(message_id), lang) or message_id
        return template.format(**values) if values else template

    def placeholders(self, message_id: str) -> set[str]:
        template = text(self.texts.get(message_id), "en")
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_messages(path: Path | str | None = None, languages: list[str] | None = None) -> Messages:
    """Load messages.yaml; every message needs every language (issue: translations)."""
    path = Path(path) if path else DEFAULT_MESSAGES
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("messages"), dict):
        raise DefinitionError([Problem.of(Msg.FIELD_MISSING, path.name, "file", field="messages")])
    problems = []
    texts: dict[str, dict[str, str]] = {}
    for message_id, value in raw["messages"].items():
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            problems.append(
                Problem.of(
                    Msg.FIELD_INVALID,
                    path.name,
                    str(message_id),
                    field="text",
                    detail="must be a mapping of language to text",
                    fix="write it as  en: \"...\"",
                )
            )
            continue
        for lang in languages or ["en"]:
            if not (value.get(lang) or "").strip():
                problems.append(
                    Problem.of(
                        Msg.MISSING_TRANSLATION, path.name, str(message_id), field="text", lang=lang
                    )
                )
        texts[str(message_id)] = value
    if problems:
        raise DefinitionError(problems)
    return Messages(texts)
