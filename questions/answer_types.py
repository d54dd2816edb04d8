"""Pydantic field types for answers, one per question, built from the definition.

Pydantic checks types, ranges and choice codes; the validators here add what the clinic
asks for (clean text, phone and email formats, exclusive codes), each raising an error
whose type is a message id in `messages.yaml` so the patient reads plain words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from questions.models import Question, QuestionType, TextFormat

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
PHONE_SEPARATORS = re.compile(r"[\s\-.()\[\]]")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def error(kind: str, **ctx: Any) -> PydanticCustomError:
    """An error whose type names the message `error_<kind>` in messages.yaml."""
    return PydanticCustomError(kind, f"error_{kind}", ctx or None)


def clean_text(value: Any, multiline: bool) -> str:
    """NFC-normalise and strip; refuse NUL, control and bidirectional-override characters."""
    if not isinstance(value, str):
        raise error("not_text")
    value = unicodedata.normalize("NFC", value).strip()
    if multiline:
        value = value.replace("\r\n", "\n")
    allowed = {"\n", "\t"} if multiline else set()
    for char in value:
        if char in BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and char not in allowed):
            raise error("text_characters")
    return value


def phone_digits(value: str) -> str:
    """The digits of a phone number once separators and a leading + are removed."""
    stripped = PHONE_SEPARATORS.sub("", value)
    return stripped[1:] if stripped.startswith("+") else stripped


def _text_type(q: Question) -> Any:
    def check(value: Any) -> str:
        value = clean_text(value, q.multiline)
        if q.max_length is not None and len(value) > q.max_length:
            raise error("text_too_long", max=q.max_length)
        if value and q.format is TextFormat.PHONE:
            digits = phone_digits(value)
            if not re.fullmatch(r"[0-9]{10,15}", digits):
                raise error("phone")
        if value and q.format is TextFormat.EMAIL and (len(value) > 254 or not EMAIL.match(value)):
            raise error("email")
        return value

    return Annotated[str, BeforeValidator(check)]


def _integer_type(q: Question) -> Any:
    def whole(value: Any) -> int:
        if isinstance(value, bool):
            raise error("whole_number")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
            return int(value)
        if not isinstance(value, int):
            raise error("whole_number")
        return value

    def in_range(value: int) -> int:
        low, high = q.min, q.max
        if (low is not None and value < low) or (high is not None and value > high):
            raise error("range", min=low, max=high)
        return value

    return Annotated[int, BeforeValidator(whole), AfterValidator(in_range)]


def _date_type(q: Question) -> Any:
    def parse(value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise error("date")

    def in_window(value: dt.date, info: ValidationInfo) -> dt.date:
        today = (info.context or {}).get("today") or dt.date.today()
        if q.not_future and value > today:
            raise error("date_future")
        if q.max_years_ago is not None and years_between(value, today) > q.max_years_ago:
            raise error("date_too_old", years=q.max_years_ago)
        return value

    return Annotated[dt.date, BeforeValidator(parse), AfterValidator(in_window)]


def _choice_type(q: Question, codes: list[str]) -> Any:
    code_type = Literal[tuple(codes)] if codes else str  # type: ignore[valid-type]

    if q.type is QuestionType.SELECT_ONE:
        def one(value: Any) -> Any:
            if not isinstance(value, str) or value not in codes:
                raise error("choose_valid")
            return value

        return Annotated[code_type, BeforeValidator(one)]

    def many(value: Any) -> list[str]:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set):
            raise error("choose_valid")
        picked = set(value)
        if not all(isinstance(v, str) and v in codes for v in picked) or len(picked) != len(value):
            raise error("choose_valid")
        for code in q.exclusive:
            if code in picked and len(picked) > 1:
                raise error("exclusive", choice=code)
        return [c for c in codes if c in picked]  # form order, so equal answers hash equal

    return Annotated[list[code_type], BeforeValidator(many)]


def _checkbox_type(q: Question) -> Any:
    def ticked(value: Any) -> bool:
        if not isinstance(value, bool):
            raise error("must_check")
        if q.must_be_checked and not value:
            raise error("must_check")
        return value

    return Annotated[bool, BeforeValidator(ticked)]


def answer_type(q: Question, codes: list[str]) -> Any:
    """The pydantic type of one answer (without relevance and required, which need context)."""
    builders = {
        QuestionType.TEXT: lambda: _text_type(q),
        QuestionType.INTEGER: lambda: _integer_type(q),
        QuestionType.DATE: lambda: _date_type(q),
        QuestionType.SELECT_ONE: lambda: _choice_type(q, codes),
        QuestionType.SELECT_MULTIPLE: lambda: _choice_type(q, codes),
        QuestionType.CHECKBOX: lambda: _checkbox_type(q),
    }
    return Annotated[builders[q.type]() | None, Field(default=None)]


def years_between(born: dt.date, on: dt.date) -> int:
    """Whole years from `born` to `on` (a birthday on 29 February counts on 1 March)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def comparable_name(value: str) -> str:
    """Case, spacing and accents ignored: how a signature is compared with the name."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
