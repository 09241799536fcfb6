"""Entry point for gunicorn (``gunicorn app:app``) and the ``flask`` command."""

from learning import create_app

app = create_app()
