"""The app's view of the content: modules and quizzes loaded once when the app is created,
reloaded in debug mode when a file changes. Both catalogues are immutable, so every worker
derives the same ones from the same files."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .content import Catalogue, catalogue_for, quiz_slugs_in
from .quizzes import QuizCatalogue, quizzes_for


def _load(root: Path, debug: bool) -> tuple[Catalogue, QuizCatalogue]:
    modules = catalogue_for(root, debug=debug, quiz_slugs=quiz_slugs_in(root))
    return modules, quizzes_for(root, debug=debug, module_slugs=frozenset(modules.slugs))


def init_app(app: Flask) -> None:
    """Load and validate the content; a ContentError stops the app starting, naming every
    problem by file and line."""
    root = Path(app.config["CONTENT_ROOT"])
    app.extensions["catalogue"], app.extensions["quizzes"] = _load(root, debug=False)


def _current() -> tuple[Catalogue, QuizCatalogue]:
    if current_app.debug:
        return _load(Path(current_app.config["CONTENT_ROOT"]), debug=True)
    return current_app.extensions["catalogue"], current_app.extensions["quizzes"]


def catalogue() -> Catalogue:
    """The modules; in debug mode, re-read if a file changed since the last request."""
    return _current()[0]


def quizzes() -> QuizCatalogue:
    """The quizzes and cases; in debug mode, re-read if a file changed."""
    return _current()[1]
