"""Read a rule file, check every rule against the form, and compile it: all problems at once.

A rule that names an unknown question, an unknown code or parameter, or compares values of
different types stops the application at start-up with a message that says where and how
to fix it; it is never discovered while screening a patient.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from questions import DefinitionError, Form, Msg, Problem, compile_condition, did_you_mean, read_yaml
from questions.conditions import And, Answered, Compare, Has, InList, Node, Not, Or, Param
from questions.loader import shape_problems
from rules.models import Level, Rule, RuleDefinition, RuleFile, RuleSet

DEFAULT_RULES = Path(__file__).parent / "default_rules.yaml"
LEVELS = [level.value for level in Level]


def load_rules(form: Form, path: Path | str | None = None) -> RuleSet:
    """Load and compile a rule file for `form`; raise DefinitionError listing every problem.

    Warnings (e.g. an unused parameter) do not stop loading; they are kept on the RuleSet.
    Loading parses and compiles every condition, so callers load once and keep the result.
    """
    path = Path(path) if path else DEFAULT_RULES
    raw = read_yaml(path)
    file = path.name
    if not isinstance(raw, dict):
        raise DefinitionError([Problem.of(Msg.RULES_NOT_A_MAPPING, file, "file")])
    problems: list[Problem] = []
    try:
        parsed: RuleFile | None = RuleFile.model_validate(raw)
        definitions = parsed.rules
    except ValidationError as e:
        parsed = None
        problems += shape_problems(e, raw, file, RuleFile)
        definitions = list(_shape_valid_rules(raw.get("rules")))
    problems += duplicate_ids(definitions, file)
    rules: list[Rule] = []
    for definition in definitions:
        rule, found = compile_rule(definition, form, file)
        problems += found
        if rule:
            rules.append(rule)
    if parsed is None or any(not p.warning for p in problems):
        raise DefinitionError(problems)
    return RuleSet(parsed.description, rules_version(raw), tuple(rules), file, tuple(problems))


def rules_version(content: Any) -> str:
    """First 12 hex digits of SHA-256 over canonical JSON: layout and comments do not count."""
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def compile_rule(
    definition: RuleDefinition, form: Form, file: str
) -> tuple[Rule | None, list[Problem]]:
    """Check the level, compile `when` against the form's fields, and spot unused params."""
    problems = []
    if definition.level not in LEVELS:
        problems.append(
            Problem.of(
                Msg.UNKNOWN_LEVEL,
                file,
                definition.id,
                level=definition.level,
                suggestion=did_you_mean(definition.level, LEVELS),
                levels=", ".join(LEVELS),
            )
        )
    condition, found = compile_condition(
        definition.when, form.fields, where="when", params=definition.params
    )
    problems += [Problem.of(msg, file, definition.id, **values) for msg, values in found]
    if condition is None:
        return None, problems
    used = params_used(condition.node)
    for name in definition.params:
        if name not in used:
            unused = Problem.of(Msg.UNUSED_PARAM, file, definition.id, name=name)
            problems.append(replace(unused, warning=True))
    if any(not p.warning for p in problems):
        return None, problems
    rule = Rule(
        definition.id,
        Level(definition.level),
        condition,
        dict(definition.params),
        definition.note,
        definition.source,
    )
    return rule, problems


def duplicate_ids(definitions: Iterable[RuleDefinition], file: str) -> list[Problem]:
    """Rule ids are stored with submissions and exported, so each must name one rule."""
    counts = Counter(d.id for d in definitions)
    return [
        Problem.of(Msg.DUPLICATE_ID, file, rule_id, id=rule_id, kind="rule")
        for rule_id, count in counts.items()
        if count > 1
    ]


def params_used(node: Node) -> set[str]:
    """Names of the $params a condition refers to."""
    if isinstance(node, And | Or):
        return set().union(*(params_used(part) for part in node.parts))
    if isinstance(node, Not):
        return params_used(node.part)
    if isinstance(node, Compare):
        return {o.name for o in (node.left, node.right) if isinstance(o, Param)}
    if isinstance(node, InList | Has):
        return {node.items.name} if isinstance(node.items, Param) else set()
    if isinstance(node, Answered):
        return set()
    raise TypeError(f"unknown condition node {node!r}")  # pragma: no cover


def _shape_valid_rules(items: Any) -> Iterable[RuleDefinition]:
    """The rules that are well formed on their own, so their conditions are checked too."""
    for item in items if isinstance(items, list) else ():
        try:
            yield RuleDefinition.model_validate(item)
        except ValidationError:
            continue
