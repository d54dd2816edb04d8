"""The questionnaire as data: definition models, loader, conditions, answer validation."""

from questions.compiled import Condition, compile_condition
from questions.condition_check import FieldSpec
from questions.errors import DefinitionError, Msg, Problem, did_you_mean
from questions.form import Form, text
from questions.loader import DEFAULT_FORM, load_form, read_yaml
from questions.messages import Messages, load_messages
from questions.models import FormDefinition, Question, QuestionType
from questions.validation import AnswerProblem, AnswersInvalid, AnswerValidator, ValidAnswers

__all__ = [
    "DEFAULT_FORM",
    "AnswerProblem",
    "AnswerValidator",
    "AnswersInvalid",
    "Condition",
    "DefinitionError",
    "FieldSpec",
    "Form",
    "FormDefinition",
    "Messages",
    "Msg",
    "Problem",
    "Question",
    "QuestionType",
    "ValidAnswers",
    "compile_condition",
    "did_you_mean",
    "load_form",
    "load_messages",
    "read_yaml",
    "text",
]
