"""The app's view of the content: loaded once when the app is created, reloaded in debug mode
when a file changes. The catalogue is immutable, so every worker derives the same one from
the same files."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .content import Catalogue, catalogue_for, quiz_slugs_in


def _load(root: Path, debug: bool) -> Catalogue:
    return catalogue_for(root, debug=debug, quiz_slugs=quiz_slugs_in(root))


def init_app(app: Flask) -> None:
    """Load and validate the content; a ContentError stops the app starting, naming every
    problem by file and line."""
    app.extensions["catalogue"] = _load(Path(app.config["CONTENT_ROOT"]), debug=False)


def catalogue() -> Catalogue:
    """The current catalogue; in debug mode, re-read if a file changed since the last request."""
    if current_app.debug:
        return _load(Path(current_app.config["CONTENT_ROOT"]), debug=True)
    return current_app.extensions["catalogue"]
