"""Email addresses as the platform compares them. Pure, so that both the accounts (with the
database) and the enrolment sheet reader (without it) can use it."""

from __future__ import annotations


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and without surrounding space."""
    return email.strip().lower()
