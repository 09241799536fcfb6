"""Scenario quizzes and branching cases: catalogue, taking (saved as you go), and review.

Correct answers and feedback never reach the page before an attempt is submitted: the take
pages render only the questions' and steps' ``public`` views. Taking, checking and reviewing
differ by the quiz's shape; each shape's pages are one small class below, chosen by
``quiz.shape``, so the routes never ask which shape they have.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import attempts, grading, versions
from ..curriculum import curriculum
from ..extensions import db
from ..forms import ActionForm
from ..models import QuizAttempt
from ..professions import BY_CODE
from ..quizzes import QUIZ_TOPICS, Quiz, cases, questions
from . import number

bp = Blueprint("quizzes", __name__)


def _quiz_or_404(slug: str) -> Quiz:
    quiz = curriculum().quizzes.get(slug)
    if quiz is None:
        abort(404)
    return quiz


def _own_attempt_or_404(attempt_id: int) -> tuple[QuizAttempt, Quiz]:
    """The signed-in learner's attempt and its quiz; anyone else's is not found. An
    unfinished attempt whose quiz has changed since it started moves onto today's version."""
    attempt = _own_or_404(attempt_id)
    found = _quiz_or_404(attempt.quiz_slug)
    if attempt.submitted_at is None and attempt.quiz_version != found.version:
        if attempts.follow(attempt, found):
            flash(_CHANGED[found.shape], "info")
        db.session.commit()
    return attempt, found


def _own_or_404(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/quizzes")
def index():
    """Every scenario, filterable by topic and profession, with the learner's best result."""
    topic = request.args.get("topic", "")
    topic = topic if topic in {t.code for t in QUIZ_TOPICS} else ""
    profession = request.args.get("profession", "")
    profession = profession if profession in BY_CODE else ""
    shown = [
        q
        for q in curriculum().quizzes
        if (not topic or q.topic == topic) and (not profession or q.is_for(profession))
    ]
    results = (
        attempts.results(current_user, [q.slug for q in shown])
        if current_user.is_authenticated
        else {}
    )
    return render_template(
        "quizzes/index.html",
        shown=shown,
        topic=topic,
        profession=profession,
        topics=QUIZ_TOPICS,
        results=results,
    )


@bp.get("/quizzes/<slug>")
def quiz(slug: str):
    """A quiz's introduction, the learner's attempts, and how to start or resume."""
    found = _quiz_or_404(slug)
    taken, left, current = [], None, None
    if current_user.is_authenticated:
        taken = db.session.execute(attempts.attempts(current_user, slug)).scalars().all()
        left = attempts.attempts_left(current_user, found)
        current = next((a for a in taken if a.submitted_at is None), None)
    modules = [m for m in (curriculum().modules.get(s) for s in found.modules) if m is not None]
    return render_template(
        "quizzes/quiz.html",
        quiz=found,
        taken=taken,
        left=left,
        current=current,
        modules=modules,
        form=ActionForm(),
        own=current_user.profession_code if current_user.is_authenticated else None,
    )


@bp.post("/quizzes/<slug>/start")
@login_required
def start(slug: str):
    """Start an attempt (or resume the open one) and go to its first unanswered page."""
    found = _quiz_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    lens = request.form.get("as_profession", "")
    lens = lens if lens in BY_CODE and found.any_lens else current_user.profession_code
    try:
        try:
            attempt = attempts.start(current_user, found, lens)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()  # another click started it at this moment: resume that one
            attempt = attempts.start(current_user, found, lens)
            db.session.commit()
    except attempts.AttemptLimitReached:
        flash("You have used every attempt this quiz allows.", "error")
        return redirect(url_for("quizzes.quiz", slug=slug))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id))


class _QuestionPages:
    """A quiz of questions: one question per page (or all on one), checked, then submitted."""

    def show(self, attempt: QuizAttempt, quiz: Quiz):
        return self.render(attempt, quiz, attempts.saved_answers(attempt, quiz), {}, None)

    def render(self, attempt, quiz, answers, errors, values, status=200):
        single = quiz.layout == "single"
        page = None if single else _page_number(quiz, attempt)
        shown = quiz.questions if single else (quiz.questions[page - 1],)
        saved = {
            q.id: grading.form_values(q, answers[q.id]) for q in quiz.questions if q.id in answers
        }
        return render_template(
            "quizzes/take.html",
            attempt=attempt,
            quiz=quiz,
            shown=[q.public for q in shown],
            page=page,
            values={**saved, **(values or {})},
            errors=errors,
            lens=attempt.as_profession,
        ), status

    def answer(self, attempt: QuizAttempt, quiz: Quiz):
        single = quiz.layout == "single"
        page = None if single else _page_number(quiz, attempt)
        shown = quiz.questions if single else (quiz.questions[page - 1],)
        going_back = request.form.get("action") == "back" and quiz.allow_back and not single
        fresh, errors, values = {}, {}, {}
        for question in shown:
            submitted = request.form.getlist(question.field)
            values[question.id] = submitted
            try:
                fresh[question.id] = grading.parse_answer(question, submitted)
            except grading.InvalidAnswer as problem:
                if not going_back:
                    errors[question.id] = problem.message
        valid = {k: v for k, v in fresh.items() if k not in errors}
        try:
            attempts.save_answers(attempt, valid)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()  # the same page saved by another click at this moment
            attempts.save_answers(attempt, valid)  # over what it saved
            db.session.commit()
        if errors:
            saved = attempts.saved_answers(attempt, quiz)
            return self.render(attempt, quiz, saved, errors, values, 422)
        if going_back:
            return redirect(url_for("quizzes.take", attempt_id=attempt.id, page=max(page - 1, 1)))
        if not single and page < len(quiz.questions):
            return redirect(url_for("quizzes.take", attempt_id=attempt.id, page=page + 1))
        return redirect(url_for("quizzes.confirm", attempt_id=attempt.id))

    def confirm(self, attempt: QuizAttempt, quiz: Quiz):
        answered = {r.question_id for r in attempt.responses}
        missing = [
            (n, q) for n, q in enumerate(quiz.questions, 1) if q.required and q.id not in answered
        ]
        return render_template(
            "quizzes/confirm.html",
            attempt=attempt,
            quiz=quiz,
            answered=answered,
            missing=missing,
            form=ActionForm(),
        )

    def submit(self, attempt: QuizAttempt, quiz: Quiz):
        answered = {r.question_id for r in attempt.responses}
        if any(q.required and q.id not in answered for q in quiz.questions):
            flash("Answer every question before you submit.", "error")
            return redirect(url_for("quizzes.confirm", attempt_id=attempt.id))
        attempts.submit(attempt, quiz, curriculum())
        db.session.commit()
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))

    def review(self, attempt: QuizAttempt, quiz: Quiz, context: dict):
        result = grading.grade(quiz, attempts.saved_answers(attempt, quiz))
        current_ids = {q.id for q in quiz.questions}
        gone = [r for r in attempt.responses if r.question_id not in current_ids]
        return render_template("quizzes/review.html", result=result, gone=gone, **context)


class _CasePages:
    """A branching case: one decision per page; reaching an end submits it."""

    def show(self, attempt: QuizAttempt, case: Quiz, error=None, status=200):
        try:
            step = attempts.current_step(attempt, case)
        except grading.DecisionError:
            # The case was edited so that this path no longer exists: start it again.
            attempts.restart(attempt, case)
            db.session.commit()
            flash("This case has been updated since you started, so it starts again.", "info")
            step = attempts.current_step(attempt, case)
        return render_template(
            "quizzes/step.html",
            attempt=attempt,
            quiz=case,
            step=step.public(attempt.as_profession),
            number=len(attempt.responses) + 1,
            error=error,
            lens=attempt.as_profession,
            form=ActionForm(),
        ), status

    def answer(self, attempt: QuizAttempt, case: Quiz):
        if request.form.get("action") == "back":
            if case.allow_back:
                attempts.undo(attempt)
                db.session.commit()
            return redirect(url_for("quizzes.take", attempt_id=attempt.id))
        try:
            step = attempts.current_step(attempt, case)
        except grading.DecisionError:
            return redirect(url_for("quizzes.take", attempt_id=attempt.id))
        choice = request.form.get(step.field, "")
        if not choice:
            if _finished_meanwhile(attempt):
                return redirect(url_for("quizzes.review", attempt_id=attempt.id))
            return self.show(attempt, case, error="Choose what you would do.", status=422)
        try:
            reached = attempts.decide(attempt, case, step.id, choice)
            if reached.is_end:
                attempts.submit(attempt, case, curriculum())
            db.session.commit()
        except grading.DecisionError:
            if _finished_meanwhile(attempt):
                return redirect(url_for("quizzes.review", attempt_id=attempt.id))
            return self.show(attempt, case, error="Choose one of the options shown.", status=422)
        except sa.exc.IntegrityError:
            # Another click made a decision at this step at this moment: follow where it led.
            db.session.rollback()
            return redirect(url_for("quizzes.take", attempt_id=attempt.id))
        if reached.is_end:
            return redirect(url_for("quizzes.review", attempt_id=attempt.id))
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))

    def confirm(self, attempt: QuizAttempt, case: Quiz):
        # A case is submitted by reaching its end; there is nothing to check first.
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))

    def submit(self, attempt: QuizAttempt, case: Quiz):
        # A case is submitted by reaching its end, never by this form (it used to fail
        # with a server error on an unfinished case).
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))

    def review(self, attempt: QuizAttempt, case: Quiz, context: dict):
        try:
            path = grading.grade_path(case, attempts.decisions(attempt), attempt.as_profession)
        except grading.DecisionError:
            path = None  # the case changed since: the stored score and outcome still stand
        best = grading.best_path(case, attempt.as_profession)
        return render_template("quizzes/review_case.html", path=path, best=best, **context)


def _finished_meanwhile(attempt: QuizAttempt) -> bool:
    """Whether another click (the same choice, at the same moment) has just ended the case."""
    db.session.rollback()  # nothing was changed; read the attempt afresh
    return attempt.submitted_at is not None


_PAGES = {questions.SHAPE: _QuestionPages(), cases.SHAPE: _CasePages()}
#: What a learner is told when their unfinished attempt lost something to a changed quiz.
_CHANGED = {
    questions.SHAPE: "This scenario has been updated since you started. Answers to questions"
    " it no longer asks in the same way were removed: check each page before you submit.",
    cases.SHAPE: "This case has been updated since you started, so it starts again.",
}


def _pages(quiz: Quiz) -> _QuestionPages | _CasePages:
    return _PAGES[quiz.shape]


def _page_number(quiz: Quiz, attempt: QuizAttempt) -> int:
    """The page asked for, or the first unanswered one."""
    asked = request.args.get("page", type=number)
    if asked is not None and 1 <= asked <= len(quiz.questions):
        return asked
    answered = {r.question_id for r in attempt.responses}
    return next(
        (n for n, q in enumerate(quiz.questions, 1) if q.id not in answered),
        len(quiz.questions),
    )


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    """The page of an attempt the learner is on: a question, all questions, or a step."""
    attempt, found = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    return _pages(found).show(attempt, found)


@bp.post("/attempts/<int:attempt_id>")
@login_required
def answer(attempt_id: int):
    """Save what the learner answered on this page, then move on, back, or submit."""
    attempt, found = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    return _pages(found).answer(attempt, found)


@bp.get("/attempts/<int:attempt_id>/submit")
@login_required
def confirm(attempt_id: int):
    """Check answers before submitting: what is answered, what is missing."""
    attempt, found = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    return _pages(found).confirm(attempt, found)


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """Mark the attempt, once, and show the review. Submitting again changes nothing."""
    attempt, found = _own_attempt_or_404(attempt_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if attempt.submitted_at is None:
        return _pages(found).submit(attempt, found)
    return redirect(url_for("quizzes.review", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    """Each answer, whether it was right, the right answer and the feedback; for a case, the
    path taken, the outcome and the best path."""
    attempt = _own_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    # The version the learner took, even after the file changed (or went).
    taken = versions.quiz_as_taken(curriculum(), attempt.quiz_slug, attempt.quiz_version)
    found = taken.shown
    if found is None:
        abort(404)
    own = current_user.profession_code
    context = {
        "attempt": attempt,
        "quiz": found,
        "taken": taken,
        "own": own,
        "lens": attempt.as_profession,
    }
    return _pages(found).review(attempt, found, context)
