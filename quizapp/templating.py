"""Template globals and filters."""

from flask import Flask

from quizapp.models import User


def nav_links(user: User) -> list[tuple[str, str]]:
    links = [("main.home", "Home"), ("study.review", "Flashcards"), ("quiz.start", "Quiz"),
             ("progress.dashboard", "Progress"), ("classes.index", "Classes"),
             ("study.settings", "Settings")]
    if user.is_instructor:
        links += [("author.banks", "Banks"), ("progress.class_banks", "Class")]
    if user.is_admin:
        links.append(("admin.users", "Users"))
    if user.is_instructor:
        links.append(("main.getting_started", "Help"))
    return links


def register(app: Flask) -> None:
    app.add_template_global(nav_links)
