"""Read a rule file, check every rule against the form, and compile it: all problems at once.

A rule that names an unknown question, an unknown code or parameter, or compares values of
different types stops the application at start-up with a message that says where and how
to fix it; it is never discovered while screening a patient.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from questions import (
    Condition,
    DefinitionError,
    Form,
    Msg,
    Problem,
    compile_condition,
    did_you_mean,
    read_yaml,
)
from questions.conditions import And, Answered, Compare, Has, InList, Node, Not, Or, Param
from questions.loader import shape_problems
from questions.models import Identifier
from rules.models import Level, ParamValue, Rule, RuleDefinition, RuleFile, RuleSet

DEFAULT_RULES = Path(__file__).parent / "default_rules.yaml"
LEVELS = [level.value for level in Level]
PARAMS: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[Identifier, ParamValue])


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
    problems = duplicate_ids(raw.get("rules"), file)
    parsed: RuleFile | None = None
    shape_error: ValidationError | None = None
    try:
        parsed = RuleFile.model_validate(raw)
    except ValidationError as e:
        shape_error, problems = e, shape_problems(e, raw, file, RuleFile) + problems
    rules: list[Rule] = []
    for index, item in enumerate(raw.get("rules") if isinstance(raw.get("rules"), list) else []):
        rule, found = check_rule(item, index, form, file)
        problems += found
        if rule:
            rules.append(rule)
    if parsed is None or any(not p.warning for p in problems):
        raise DefinitionError(problems) from shape_error
    return RuleSet(parsed.description, rules_version(raw), tuple(rules), file, tuple(problems))


def rules_version(content: Any) -> str:
    """First 12 hex digits of SHA-256 over canonical JSON: layout and comments do not count."""
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def check_rule(item: Any, index: int, form: Form, file: str) -> tuple[Rule | None, list[Problem]]:
    """Compile one rule; a rule with a broken shape still has its level and `when` checked."""
    if not isinstance(item, dict):
        return None, []  # reported by the shape check
    try:
        definition = RuleDefinition.model_validate(item)
    except ValidationError:
        rule_id = item["id"] if isinstance(item.get("id"), str) else f"rules.{index}"
        level, when, params = item.get("level"), item.get("when"), _params(item.get("params"))
        problems = check_level(rule_id, level, file) if isinstance(level, str) else []
        if isinstance(when, str) and when.strip() and params is not None:
            problems += check_when(rule_id, when, params, form, file)[1]
        return None, problems
    problems = check_level(definition.id, definition.level, file)
    condition, found = check_when(definition.id, definition.when, definition.params, form, file)
    problems += found
    if condition is None or any(not p.warning for p in problems):
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


def check_level(rule_id: str, level: str, file: str) -> list[Problem]:
    """A level outside Level, with a 'did you mean' for a typo."""
    if level in LEVELS:
        return []
    suggestion = did_you_mean(level, LEVELS)
    levels = ", ".join(LEVELS)
    return [
        Problem.of(
            Msg.UNKNOWN_LEVEL, file, rule_id, level=level, suggestion=suggestion, levels=levels
        )
    ]


def check_when(
    rule_id: str, when: str, params: Mapping[str, Any], form: Form, file: str
) -> tuple[Condition | None, list[Problem]]:
    """Compile with the questions' own checker; a param never used is a warning."""
    condition, found = compile_condition(when, form.fields, where="when", params=params)
    problems = [Problem.of(msg, file, rule_id, **values) for msg, values in found]
    if condition is not None:
        used = params_used(condition.node)
        for name in params:
            if name not in used:
                unused = Problem.of(Msg.UNUSED_PARAM, file, rule_id, name=name)
                problems.append(replace(unused, warning=True))
    return condition, problems


def duplicate_ids(items: Any, file: str) -> list[Problem]:
    """Rule ids are stored with submissions and exported, so each must name one rule."""
    ids = [i.get("id") for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    counts = Counter(i for i in ids if isinstance(i, str))
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


def _params(value: Any) -> dict[str, Any] | None:
    """Params of a rule with a broken shape, if they at least are valid (else None)."""
    try:
        return PARAMS.validate_python(value or {})
    except ValidationError:
        return None
