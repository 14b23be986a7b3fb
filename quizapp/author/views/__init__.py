"""The authoring routes, by area: banks (settings, editors, archive), questions (list,
editor, history) and transfer (import, export)."""

from quizapp.author.views import banks, questions, topics, transfer  # noqa: F401
