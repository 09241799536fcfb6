"""Attempts at quizzes and branching cases: started, saved as the learner goes, graded once.

Domain functions take explicit arguments, flush and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from . import grading, progress, versions
from .curriculum import Curriculum
from .extensions import db
from .items import ItemKind
from .models import QuizAttempt, QuizResponse, User, utcnow
from .quizzes import Quiz, Step, cases, questions


class AttemptLimitReached(Exception):
    """The learner has used every attempt the quiz allows."""


def attempts(user: User, slug: str) -> sa.Select[tuple[QuizAttempt]]:
    """A learner's attempts at one quiz, newest first."""
    return (
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_slug == slug)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
    )


def open_attempt(user: User, slug: str) -> QuizAttempt | None:
    """The learner's unfinished attempt at a quiz, if any."""
    return db.session.execute(
        attempts(user, slug).where(QuizAttempt.submitted_at.is_(None)).limit(1)
    ).scalar_one_or_none()


def attempts_left(user: User, quiz: Quiz) -> int | None:
    """How many more attempts the learner may start; None when unlimited."""
    if not quiz.max_attempts:
        return None
    used = db.session.execute(
        sa.select(sa.func.count(QuizAttempt.id)).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_slug == quiz.slug
        )
    ).scalar_one()
    return max(quiz.max_attempts - used, 0)


def start(user: User, quiz: Quiz, as_profession: str) -> QuizAttempt:
    """Resume the learner's open attempt, or start a new one if attempts remain."""
    # The open attempt and the last number from one statement, so from one moment: read
    # apart, another click's attempt could appear between them and a second one be started.
    last, open_id = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.max(QuizAttempt.number), 0),
            sa.func.max(sa.case((QuizAttempt.submitted_at.is_(None), QuizAttempt.id))),
        ).where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_slug == quiz.slug)
    ).one()
    if open_id is not None:
        return db.session.get_one(QuizAttempt, open_id)
    number = last + 1
    if quiz.max_attempts and number > quiz.max_attempts:
        raise AttemptLimitReached(quiz.slug)
    versions.keep(ItemKind.QUIZ, quiz.slug, quiz.version)
    # Another click starting the same attempt at this moment takes the same number: the unique
    # constraint refuses one of them (IntegrityError), whose caller resumes the other's attempt.
    attempt = QuizAttempt(
        user_id=user.id,
        quiz_slug=quiz.slug,
        number=number,
        quiz_version=quiz.version,
        as_profession=as_profession,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


# Questions -------------------------------------------------------------------------------


def saved_answers(attempt: QuizAttempt, quiz: Quiz) -> dict[str, grading.Answer]:
    """The answers saved so far, as answer values (those that still fit the quiz)."""
    return grading.answers_from_json(quiz, {r.question_id: r.answer for r in attempt.responses})


def save_answers(attempt: QuizAttempt, answers: Mapping[str, grading.Answer | None]) -> None:
    """Keep the learner's answers as they go; None clears an answer."""
    existing = {r.question_id: r for r in attempt.responses}
    for question_id, answer in answers.items():
        response = existing.get(question_id)
        if answer is None:
            if response is not None:
                attempt.responses.remove(response)
            continue
        data = grading.answer_to_json(answer)
        if response is None:
            attempt.responses.append(
                QuizResponse(question_id=question_id, sequence=len(attempt.responses), answer=data)
            )
        elif response.answer != data:
            response.answer = data
            response.answered_at = utcnow()
    attempt.updated_at = utcnow()
    db.session.flush()


# Branching cases -------------------------------------------------------------------------


def decisions(attempt: QuizAttempt) -> list[tuple[str, str]]:
    """The decisions made so far, in order, as (step id, choice id)."""
    return [(r.question_id, r.answer) for r in sorted(attempt.responses, key=_by_sequence)]


def _by_sequence(response: QuizResponse) -> int:
    return response.sequence


def current_step(attempt: QuizAttempt, case: Quiz) -> Step:
    """Where the learner is in a case (raises DecisionError if the file changed under them)."""
    return grading.next_step(case, decisions(attempt), attempt.as_profession)


def decide(attempt: QuizAttempt, case: Quiz, step_id: str, choice_id: str) -> Step:
    """Record a decision at the current step and return the step it leads to."""
    made = [*decisions(attempt), (step_id, choice_id)]
    step = grading.next_step(case, made, attempt.as_profession)  # validates every decision
    attempt.responses.append(
        QuizResponse(question_id=step_id, sequence=len(made) - 1, answer=choice_id)
    )
    attempt.updated_at = utcnow()
    db.session.flush()
    return step


def undo(attempt: QuizAttempt) -> None:
    """Take back the last decision."""
    if attempt.responses:
        attempt.responses.remove(max(attempt.responses, key=_by_sequence))
        attempt.updated_at = utcnow()
        db.session.flush()


def restart(attempt: QuizAttempt, case: Quiz) -> None:
    """Clear a case's decisions, when the case changed so that their path no longer exists."""
    attempt.responses.clear()
    _move(attempt, case)


# Content that changed under an open attempt ----------------------------------------------


def follow(attempt: QuizAttempt, quiz: Quiz) -> bool:
    """Move an unfinished attempt onto the quiz's version of today, so that it is finished,
    marked and reviewed on one version. Answers that the new version cannot take (its
    question is gone or changed its options) are removed; a case whose path no longer
    exists starts again. True when something the learner did was taken away."""
    if attempt.submitted_at is not None or attempt.quiz_version == quiz.version:
        return False
    return _FOLLOW[quiz.shape](attempt, quiz)


def _follow_questions(attempt: QuizAttempt, quiz: Quiz) -> bool:
    fitting = saved_answers(attempt, quiz)
    unfit = [r for r in attempt.responses if r.question_id not in fitting]
    for response in unfit:
        attempt.responses.remove(response)
    _move(attempt, quiz)
    return bool(unfit)


def _follow_case(attempt: QuizAttempt, case: Quiz) -> bool:
    try:
        grading.next_step(case, decisions(attempt), attempt.as_profession)
    except grading.DecisionError:
        restart(attempt, case)
        return True
    _move(attempt, case)
    return False


def _move(attempt: QuizAttempt, quiz: Quiz) -> None:
    versions.keep(ItemKind.QUIZ, quiz.slug, quiz.version)
    attempt.quiz_version = quiz.version
    attempt.updated_at = utcnow()
    db.session.flush()


def respond(attempt: QuizAttempt, quiz: Quiz, key: str, answer) -> None:
    """Record one response the way its quiz's shape takes it: an answer to a question, or a
    decision at a case's current step (the demo data plays quizzes through this)."""
    _RESPONSES[quiz.shape](attempt, quiz, key, answer)


_RESPONSES = {
    questions.SHAPE: lambda attempt, quiz, key, answer: save_answers(attempt, {key: answer}),
    cases.SHAPE: decide,
}
_FOLLOW = {questions.SHAPE: _follow_questions, cases.SHAPE: _follow_case}


# Submitting ------------------------------------------------------------------------------


def submit(attempt: QuizAttempt, quiz: Quiz, content: Curriculum) -> bool:
    """Grade and close an attempt, once. False when it had already been submitted (a double
    click or a resent form), in which case nothing changes."""
    now = utcnow()
    ordered = sorted(attempt.responses, key=_by_sequence)
    marked = quiz.shape.mark(
        quiz, [(r.question_id, r.answer) for r in ordered], attempt.as_profession
    )
    # Only the first submission changes the row: the condition makes a second one a no-op,
    # even from another worker at the same moment.
    closed = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=now,
            updated_at=now,
            score=marked.score,
            max_score=marked.max_score,
            passed=marked.passed,
            outcome_step=marked.outcome,
        )
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        db.session.refresh(attempt)
        return False
    db.session.refresh(attempt)
    for response in attempt.responses:
        response.points, response.correct = marked.points.get(response.question_id, (0.0, None))
    if marked.passed:
        progress.record_completion(attempt.user_id, ItemKind.QUIZ, quiz.slug, quiz.version, now)
        _complete_modules(attempt.user_id, quiz, content)
    db.session.flush()
    return True


def _complete_modules(user_id: int, quiz: Quiz, content: Curriculum) -> None:
    """A module completed by quiz is complete once every one of its quizzes is passed."""
    user = db.session.get(User, user_id)
    passed = passed_slugs(user)
    for module in content.modules.modules:
        if module.completion == "quiz" and quiz.slug in module.quizzes:
            if all(slug in passed for slug in module.quizzes if content.quizzes.get(slug)):
                progress.complete_module(user, module)


def passed_slugs(user: User) -> set[str]:
    """The quizzes a learner has passed at least once."""
    return set(
        db.session.execute(
            sa.select(QuizAttempt.quiz_slug)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.passed.is_(True))
            .distinct()
        ).scalars()
    )


@dataclass(frozen=True, slots=True)
class Results:
    """A learner's record on one quiz: best and latest submitted percentages."""

    best: float | None
    latest: float | None
    attempts: int
    passed: bool
    in_progress: bool


def results(user: User, slugs: Iterable[str]) -> dict[str, Results]:
    """Best and latest results on each quiz, from one query."""
    rows = db.session.execute(
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_slug.in_(list(slugs)))
        .order_by(QuizAttempt.started_at, QuizAttempt.id)
        .options(lazyload(QuizAttempt.responses))
    ).scalars()
    found: dict[str, list[QuizAttempt]] = {}
    for attempt in rows:
        found.setdefault(attempt.quiz_slug, []).append(attempt)
    summary: dict[str, Results] = {}
    for slug, taken in found.items():
        done = [a for a in taken if a.submitted_at is not None and a.percent is not None]
        summary[slug] = Results(
            best=max((a.percent for a in done), default=None),
            latest=done[-1].percent if done else None,
            attempts=len(taken),
            passed=any(a.passed for a in done),
            in_progress=any(a.submitted_at is None for a in taken),
        )
    return summary
