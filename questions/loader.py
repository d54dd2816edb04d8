"""Read a questionnaire YAML file into a `Form`, reporting every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from questions.checks import cross_check
from questions.errors import DefinitionError, Msg, Problem, did_you_mean
from questions.form import Form
from questions.models import FormDefinition

HERE = Path(__file__).parent
DEFAULT_FORM = HERE / "prolotherapy_intake.yaml"


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it: the same documents, read about 10×
faster (the questionnaire took 0.14 s of every start with the pure-Python loader)."""


def read_yaml(path: Path) -> Any:
    """Safe-load a file; a missing or unreadable file becomes a Problem, not a traceback."""
    if not path.exists():
        raise DefinitionError([Problem.of(Msg.FILE_MISSING, str(path), "file")])
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader, C or Python)
    except yaml.YAMLError:
        pass
    try:  # broken: read again by the pure-Python loader, whose messages say what it expected
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        detail = getattr(e, "problem", None) or str(e)
        problem = Problem.of(Msg.YAML_UNREADABLE, path.name, where, detail=detail)
        raise DefinitionError([problem]) from e


def load_form(path: Path | str | None = None) -> Form:
    """Load, validate and compile the questionnaire; raise DefinitionError listing all problems."""
    path = Path(path) if path else DEFAULT_FORM
    raw = read_yaml(path)
    file = path.name
    if not isinstance(raw, dict):
        raise DefinitionError([Problem.of(Msg.NOT_A_MAPPING, file, "file")])
    problems = _code_types(raw, file)
    try:
        definition = FormDefinition.model_validate(raw)
    except ValidationError as e:
        problems += shape_problems(e, raw, file, FormDefinition)
        raise DefinitionError(problems) from e
    form, more = cross_check(definition, file)
    problems += more
    if [p for p in problems if not p.warning]:
        raise DefinitionError(problems)
    return form


def _code_types(raw: dict[str, Any], file: str) -> list[Problem]:
    """Bare yes/no in YAML become booleans; say so before pydantic's generic message."""
    problems = []
    lists = raw.get("choice_lists")
    for name, choices in (lists or {}).items() if isinstance(lists, dict) else ():
        for choice in choices or []:
            code = choice.get("code") if isinstance(choice, dict) else None
            if code is not None and not isinstance(code, str):
                code_text = {True: "yes", False: "no"}.get(code, str(code))
                problems.append(
                    Problem.of(
                        Msg.CODE_NOT_STRING,
                        file,
                        f"choice_lists.{name}",
                        code=code,
                        list=name,
                        code_text=code_text,
                    )
                )
    return problems


def shape_problems(
    error: ValidationError, raw: Any, file: str, model: type[BaseModel]
) -> list[Problem]:
    """Translate pydantic's errors into catalogue problems pinned to the item's id."""
    problems = []
    for err in error.errors():
        loc = err["loc"]
        if _is_choice_code(loc) and err["type"] == "string_type":
            continue  # already explained by CODE_NOT_STRING (see _code_types)
        item = _item_name(raw, loc)
        field = str(loc[-1]) if loc else "file"
        if err["type"] == "extra_forbidden":
            known = _known_fields(model, loc[:-1])
            msg = Msg.FIELD_UNKNOWN
            values: dict[str, object] = {"field": field, "suggestion": did_you_mean(field, known)}
        elif err["type"] == "missing":
            msg, values = Msg.FIELD_MISSING, {"field": field}
        else:
            if loc and isinstance(loc[-1], int):
                field = ".".join(str(p) for p in loc[-2:])
            msg = Msg.FIELD_INVALID
            values = {"field": field, "detail": err["msg"], "fix": _fix_for(err)}
        problem = Problem.of(msg, file, item, **values)
        if problem not in problems:
            problems.append(problem)
    return problems


def _is_choice_code(loc: tuple[Any, ...]) -> bool:
    return len(loc) == 4 and loc[0] == "choice_lists" and loc[3] == "code"


def _item_name(raw: Any, loc: tuple[Any, ...]) -> str:
    """The most specific id on the path: the question id, else page id, else the key path."""
    node, name = raw, None
    path: list[str] = []
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        path.append(str(part))
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            name = node["id"]
    return name or ".".join(path[:2]) or "file"


def _known_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found at `loc`, for 'did you mean'."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not hasattr(current, "model_fields"):
            continue
        info = current.model_fields.get(part)
        if info is None:
            break
        current = _inner_model(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _fix_for(err: Any) -> str:
    kind = err["type"]
    if kind == "enum":
        return f"use one of {err.get('ctx', {}).get('expected', 'the allowed values')}"
    if kind == "string_pattern_mismatch":
        return "use lower-case letters, digits and underscores, starting with a letter"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "give a value of the right type"
    return "correct the value"
