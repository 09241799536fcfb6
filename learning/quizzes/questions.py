"""Quizzes of questions: reading a question's block, reading answers from the form, storing
them, and marking a whole quiz. Each kind of question does its own part of each step
(:mod:`learning.quizzes.kinds`); this module does what is the same for all of them.

Pure functions of a quiz and a learner's answers: no Flask, no database. A missing or
unreadable answer scores nothing; answers naming ids that no longer exist (the quiz was
edited since) are simply wrong, so old attempts can always be marked again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from learning.content.files import unknown

from . import kinds
from .kinds import Answer, InvalidAnswer
from .model import Band, Feedback, Question, Quiz, percent_of, round_points
from .reading import BOX, Block, Reader, number
from .shapes import Marked, Shape

#: The settings every kind of question may have under its heading.
COMMON_SETTINGS = ("type", "points", "scoring")
#: The editorial rule on feedback, as the docs state it.
FEEDBACK_RULE = "every answer has feedback: its own, or the question's"


def question_settings() -> tuple[str, ...]:
    """Every setting a question may have: the common ones, then the kinds' own."""
    return (*COMMON_SETTINGS, *kinds.settings(), "required")


def _listed(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


# Reading a question's block -------------------------------------------------------------------


def read_question(reader: Reader, block: Block) -> Question:
    """A question from its block: the common settings here, the answers by its kind."""
    problem = reader.problem
    settings = block.settings
    kind = kinds.default()
    if "type" in settings:
        line, written = settings["type"]
        found = kinds.get(written.casefold())
        if found is None:
            problem(line, unknown("question type", written, kinds.names()))
        else:
            kind = found
    fields: dict[str, Any] = {}
    if "points" in settings and kind.marked:
        value = number(settings["points"][1])
        if value is None or value <= 0:
            problem(settings["points"][0], '"Points" must be a number above 0, e.g. 2')
        else:
            fields["points"] = value
    if "required" in settings:
        answer = settings["required"][1].casefold()
        if answer in ("yes", "true", "no", "false"):
            fields["required"] = answer in ("yes", "true")
        else:
            problem(settings["required"][0], '"Required" must be yes or no')
    scoring = settings.get("scoring")
    if scoring and not kind.scorings:
        scored = [k.name for k in kinds.all_kinds() if k.scorings]
        problem(scoring[0], f'"Scoring" is only for {_listed(scored)} questions')
    elif scoring:
        rule = scoring[1].casefold().removesuffix(" credit")
        if rule in kind.scorings:
            fields["scoring"] = rule
        else:
            problem(scoring[0], unknown("scoring", scoring[1], kind.scorings))
    elif kind.scorings and kind.default_scoring is None:
        problem(
            block.line,
            f"a {kind.label} question must say how it is scored: add "
            + " or ".join(f'"Scoring: {rule}"' for rule in kind.scorings)
            + " under the heading",
        )
    elif kind.default_scoring:
        fields["scoring"] = kind.default_scoring
    for other in kinds.all_kinds():
        for key, message in other.own_settings.items():
            if key in settings and key not in kind.own_settings:
                problem(settings[key][0], message)
    fields.update(kind.read_block(block, reader))
    return Question(
        id=block.id,
        kind=kind,
        title=block.title,
        title_html=reader.inline(block.title, block.line),
        prompt=reader.prose(block.prompt, block.prompt_line),
        line=block.line,
        feedback=reader.feedback(block.feedback),
        **fields,
    )


# Reading the form ---------------------------------------------------------------------------


def parse_answer(question: Question, values: Sequence[str]) -> Answer | None:
    """Turn the submitted values of ``question.field`` into an answer.

    ``values`` is every value submitted under the field name, in page order
    (``request.form.getlist(question.field)``). Returns None for an unanswered optional
    question; raises :class:`InvalidAnswer` with a message for the learner otherwise.
    """
    kind = question.kind
    values = [v if kind.keeps_spacing else v.strip() for v in values]
    given = [v for v in values if v.strip()]
    if not given:
        if question.required:
            raise InvalidAnswer(kind.missing)
        return None
    return kind.read_answer(question, given, values)


def read_answers(
    quiz: Quiz, values: Callable[[str], Sequence[str]]
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Every answer on a submitted form, and an error message per question that needs one.

    ``values`` is ``request.form.getlist`` (or any function from field name to its values).
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for question in quiz.questions:
        try:
            answer = parse_answer(question, values(question.field))
        except InvalidAnswer as error:
            errors[question.id] = error.message
        else:
            if answer is not None:
                answers[question.id] = answer
    return answers, errors


def form_values(question: Question, answer: Answer) -> list[str]:
    """A saved answer as the form values that would submit it, to fill the page in again."""
    return question.kind.form_values(question, answer)


# Storing answers ----------------------------------------------------------------------------


def answer_to_json(answer: Answer) -> Any:
    """An answer as JSON data: str, bool, a sorted list, a list or an object."""
    if isinstance(answer, str | bool):
        return answer
    if isinstance(answer, frozenset):
        return sorted(answer)
    if isinstance(answer, tuple):
        return list(answer)
    return dict(sorted(answer.items()))


def answer_from_json(question: Question, data: Any) -> Answer | None:
    """The answer stored by :func:`answer_to_json`; None if it no longer fits the question."""
    return question.kind.from_json(question, data)


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Every answer of an attempt as one JSON object, keyed by question id."""
    return {qid: answer_to_json(answer) for qid, answer in answers.items()}


def answers_from_json(quiz: Quiz, data: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers stored by :func:`answers_to_json` that still fit the quiz's questions."""
    found: dict[str, Answer] = {}
    for question in quiz.questions:
        if question.id in data:
            answer = answer_from_json(question, data[question.id])
            if answer is not None:
                found[question.id] = answer
    return found


# Marking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """How one answer was marked, with what the review page shows."""

    question: Question
    answer: Answer | None
    points: float
    max_points: float
    #: True or False; None for a kind that is not marked.
    correct: bool | None
    #: The right answer, in the same form as ``answer`` (None when not marked).
    right_answer: Answer | None
    #: The feedback that applies to this answer, the question's own last.
    feedback: tuple[Feedback, ...]

    @property
    def question_id(self) -> str:
        """The question's id, as answers are stored."""
        return self.question.id

    @property
    def answered(self) -> bool:
        """False when the learner gave no (usable) answer."""
        return self.answer is not None


@dataclass(frozen=True)
class Result:
    """A marked attempt at a quiz of questions."""

    questions: tuple[QuestionResult, ...]
    score: float
    max_score: float
    percent: float
    passed: bool
    band: Band | None

    def __getitem__(self, question_id: str) -> QuestionResult:
        for result in self.questions:
            if result.question.id == question_id:
                return result
        raise KeyError(question_id)


def grade(quiz: Quiz, answers: Mapping[str, object]) -> Result:
    """Mark every question of ``quiz`` against ``answers`` (question id -> answer)."""
    results = tuple(grade_question(q, answers.get(q.id)) for q in quiz.questions)
    score = round_points(sum(r.points for r in results))
    maximum = round_points(sum(r.max_points for r in results))
    percent = percent_of(score, maximum)
    return Result(
        questions=results,
        score=score,
        max_score=maximum,
        percent=percent,
        passed=percent >= quiz.pass_mark,
        band=quiz.band_for(percent),
    )


def grade_question(question: Question, answer: object) -> QuestionResult:
    """Mark one answer by its question's kind, adding the question's own feedback."""
    mark = question.kind.mark(question, answer)
    points = round_points(mark.points)
    return QuestionResult(
        question=question,
        answer=mark.answer,
        points=points,
        max_points=question.max_points,
        correct=(points == question.points) if question.scored else None,
        right_answer=mark.right,
        feedback=tuple(f for f in (*mark.feedback, question.feedback) if f),
    )


# The shape ----------------------------------------------------------------------------------


class Questions(Shape):
    """A quiz of questions, one per page or all on one, marked when submitted."""

    name = "questions"
    noun = "question"
    refuses = {"start": '"start" is only for branching cases (type: branching)'}

    @property
    def settings(self) -> tuple[str, ...]:  # type: ignore[override]
        return question_settings()

    def starts_answer(self, lines: list[tuple[int, str]], index: int) -> bool:
        text = lines[index][1]
        return text.startswith("- ") and (bool(BOX.match(text)) or " -> " in text)

    def read_body(
        self, reader: Reader, blocks: list[Block], fields: dict[str, Any], front, close: int
    ) -> None:
        fields["questions"] = tuple(read_question(reader, b) for b in blocks)
        if not blocks:
            reader.problem(close, "the scenario has no questions: start each with a ## heading")

    def label(self, quiz: Quiz) -> str:
        return f"{len(quiz.questions)} questions"

    def editorial(self, quiz: Quiz) -> list[tuple[int, str]]:
        found = []
        for question in quiz.questions:
            if not question.scored or question.feedback:
                continue
            bare = [a.text for a in (*question.options, *question.items) if not a.feedback]
            if bare:
                named = _listed([f'"{text}"' for text in bare[:3]])
                more = f" and {len(bare) - 3} more" if len(bare) > 3 else ""
                found.append(
                    (
                        question.line,
                        f"no feedback for {'the answer' if len(bare) == 1 else 'the answers'}"
                        f" {named}{more} (editorial standard: {FEEDBACK_RULE})",
                    )
                )
        return found

    def mark(self, quiz: Quiz, responses: Sequence[tuple[str, Any]], lens: str | None) -> Marked:
        result = grade(quiz, answers_from_json(quiz, dict(responses)))
        return Marked(
            score=result.score,
            max_score=result.max_score,
            passed=result.passed,
            outcome=None,
            points={r.question.id: (r.points, r.correct) for r in result.questions},
        )

    def decision_keys(self, quiz: Quiz) -> list[str]:
        return [q.id for q in quiz.questions if q.scored]

    def decision_title(self, quiz: Quiz, key: str) -> str:
        return quiz.question(key).title

    def categories(
        self, quiz: Quiz, key: str, stored: Any, correct: bool | None, points: float | None
    ) -> tuple[str, ...]:
        question = _question(quiz, key)
        if question is None or not question.scored:
            return ()
        return question.kind.categories(question, stored, correct, points)

    def category_order(self, quiz: Quiz, key: str) -> tuple[list[str], frozenset[str]]:
        question = quiz.question(key)
        return question.kind.category_order(question)

    def demo_play(self, quiz, profession, chance, leaning):
        played = []
        for question in quiz.questions:
            right = chance.random() < leaning(f"{quiz.slug}/{question.id}")
            played.append((question.id, question.kind.demo_answer(question, right, chance)))
        return played

    def reflection(self, quiz: Quiz, key: str, stored: Any) -> str | None:
        question = _question(quiz, key)
        if question is None or not question.kind.reflective or not isinstance(stored, str):
            return None
        return stored if stored.strip() else None

    def typed(self, quiz: Quiz, key: str) -> bool:
        question = _question(quiz, key)
        # A question no longer in the file may have been anything: treat it as typed.
        return question is None or question.kind.typed


def _question(quiz: Quiz, key: str) -> Question | None:
    return next((q for q in quiz.questions if q.id == key), None)


SHAPE = Questions()
