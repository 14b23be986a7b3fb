"""All models, imported here so Alembic and the app see every table."""

from quizapp.models.bank import Bank, Question, QuestionRevision, QuestionTag, Topic, bank_editor
from quizapp.models.classes import Assignment, AssignmentAttempt, ClassMember, SchoolClass
from quizapp.models.job import Job
from quizapp.models.password_reset import PasswordReset
from quizapp.models.quiz import AttemptAnswer, QuizAttempt
from quizapp.models.security import ThrottleCounter
from quizapp.models.source import BankSource, SourceArticle, SourceParagraph
from quizapp.models.study import Card, Enrolment, Review
from quizapp.models.transfer import PendingImport
from quizapp.models.user import DEFAULT_SETTINGS, Role, User

__all__ = [
    "DEFAULT_SETTINGS",
    "Assignment",
    "AssignmentAttempt",
    "AttemptAnswer",
    "Bank",
    "BankSource",
    "Card",
    "ClassMember",
    "Enrolment",
    "Job",
    "PasswordReset",
    "PendingImport",
    "Question",
    "QuestionRevision",
    "QuestionTag",
    "QuizAttempt",
    "Review",
    "Role",
    "SchoolClass",
    "SourceArticle",
    "SourceParagraph",
    "ThrottleCounter",
    "Topic",
    "User",
    "bank_editor",
]
