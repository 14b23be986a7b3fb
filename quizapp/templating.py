"""Template globals and filters."""

from flask import Flask

from quizapp.models import User


def nav_links(user: User) -> list[tuple[str, str]]:
    links = [("main.home", "Home"), ("study.review", "Flashcards"), ("quiz.start", "Quiz"),
             ("progress.dashboard", "Progress"), ("classes.index", "Classes"),
             ("study.settings", "Settings")]
    if user.is_instructor:
        links += [("author.banks", "Banks"), ("progress.class_banks", "Statistics")]
    if user.is_admin:
        links.append(("admin.users", "Users"))
    if user.is_instructor:
        links.append(("main.getting_started", "Help"))
    return links


def percent(value: float | None) -> str:
    """A share as a whole percentage ("–" when there is none): one filter, not a macro, as
    the class page calls it for every learner and assignment."""
    return "–" if value is None else f"{round(value * 100)}%"


def register(app: Flask) -> None:
    app.add_template_global(nav_links)
    app.add_template_filter(percent)
