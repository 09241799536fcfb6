"""Marking a quiz of questions: every type, partial credit, form values and stored answers."""

from __future__ import annotations

import json
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning.grading import (
    InvalidAnswer,
    answer_from_json,
    answer_to_json,
    answers_from_json,
    answers_to_json,
    grade,
    parse_answer,
    read_answers,
)
from learning.quizzes import kinds
from learning.quizzes.kinds.multiple import points as multiple_points

RIGHT = {
    "who-leads": "the-local-authority",
    "neglect-signs": frozenset({"missed-medication", "an-unkempt-home", "weight-loss"}),
    "dementia": False,
    "raising-a-concern": (
        "make-sure-the-person-is-safe",
        "tell-your-safeguarding-lead",
        "record-what-you-saw-and-did",
    ),
    "duties": {
        "leads-the-care-act-assessment": "social-worker",
        "coordinates-the-discharge-plan-on-the": "ward-nurse",
        "assesses-the-home-for-equipment": "occupational-therapist",
    },
    "enquiry-name": "Section 42 enquiry",
    "reflection": "I will ask earlier.",
}


@pytest.fixture
def quiz(quizzes):
    return quizzes.quiz("safeguarding-basics")


def test_a_learner_with_every_answer_right_passes_with_full_marks(quiz):
    result = grade(quiz, RIGHT)
    assert (result.score, result.max_score, result.percent, result.passed) == (8, 8, 100, True)
    assert "Full marks" in result.band.html
    assert [r.correct for r in result.questions] == [True] * 6 + [None]
    assert result["reflection"].points == 0 and result["reflection"].max_points == 0
    assert result["reflection"].answer == "I will ask earlier."


def test_a_learner_who_answers_nothing_scores_zero_and_gets_the_lowest_band(quiz):
    result = grade(quiz, {})
    assert (result.score, result.percent, result.passed) == (0, 0, False)
    assert "Read the <em>safeguarding adults</em> module again" in result.band.html
    assert all(r.answer is None for r in result.questions)
    assert result["who-leads"].right_answer == "the-local-authority"


def test_single_choice_gives_the_chosen_options_feedback_with_profession_notes(quiz):
    wrong = grade(quiz, {"who-leads": "the-police"})["who-leads"]
    assert (wrong.points, wrong.correct) == (0, False)
    assert "crime" in wrong.feedback[0].html
    right = grade(quiz, {"who-leads": "the-local-authority"})["who-leads"]
    assert right.feedback[0].note_for("nursing") is not None


def test_an_option_that_no_longer_exists_is_simply_wrong(quiz):
    result = grade(quiz, {"who-leads": "removed-option", "dementia": "not a bool"})
    assert result["who-leads"].points == 0 and result["who-leads"].correct is False
    assert result["dementia"].answer is None


def test_true_false_is_marked_from_a_bool(quiz):
    assert grade(quiz, {"dementia": False})["dementia"].correct is True
    result = grade(quiz, {"dementia": True})["dementia"]
    assert result.correct is False and result.right_answer is False


@pytest.mark.parametrize(
    ("ticked", "points"),
    [
        ({"missed-medication", "an-unkempt-home", "weight-loss"}, 3),
        ({"missed-medication", "an-unkempt-home"}, 2),
        ({"missed-medication"}, 1),
        ({"missed-medication", "an-unkempt-home", "a-new-haircut"}, 1),
        ({"missed-medication", "a-new-haircut"}, 0),
        ({"a-new-haircut"}, 0),  # never below zero
        (set(), 0),
    ],
)
def test_multiple_response_with_partial_credit_loses_a_right_tick_per_wrong_tick(
    quiz, ticked, points
):
    result = grade(quiz, {"neglect-signs": frozenset(ticked)})["neglect-signs"]
    assert result.points == points
    assert result.correct is (points == 3)


def test_multiple_response_feedback_is_that_of_each_ticked_option(quiz):
    result = grade(quiz, {"neglect-signs": frozenset({"an-unkempt-home", "a-new-haircut"})})
    (home, haircut) = result["neglect-signs"].feedback
    assert home.note_for("occupational-therapy") is not None
    assert "says nothing about neglect" in haircut.html


def test_all_or_nothing_and_a_smaller_penalty_are_stated_in_the_file(parse, front):
    quiz = parse(
        front
        + "## A {#a}\nType: multiple\nScoring: all-or-nothing\n\n- [x] R1\n- [x] R2\n- [ ] W\n"
        "## B {#b}\nType: multiple\nScoring: partial\nPenalty: 0.5\nPoints: 2\n\n"
        "- [x] R1\n- [x] R2\n- [ ] W\n"
    )
    strict, lenient = quiz.questions
    assert multiple_points(strict, frozenset({"r1"})) == 0
    assert multiple_points(strict, frozenset({"r1", "r2"})) == 1
    assert multiple_points(lenient, frozenset({"r1", "w"})) == 0.5
    assert multiple_points(lenient, frozenset({"r1", "r2", "w"})) == 1.5


@given(st.integers(1, 6), st.integers(0, 6), st.sets(st.integers(0, 11)), st.floats(0, 3))
def test_partial_credit_always_lies_between_zero_and_the_points(right, wrong, ticks, penalty):
    from learning.quizzes.model import Option, Question

    options = tuple(Option(f"o{n}", "", f"o{n}", n < right) for n in range(right + wrong))
    question = Question(
        "q", kinds.get("multiple"), "Q", "", None, 1, points=2, scoring="partial", penalty=penalty,
        options=options,
    )  # fmt: skip
    ticked = frozenset(f"o{n}" for n in ticks if n < right + wrong)
    points = multiple_points(question, ticked)
    assert 0 <= points <= 2
    if ticked == {o.id for o in options if o.correct}:
        assert points == 2


def test_ordering_with_partial_credit_scores_the_steps_in_the_right_place(quiz):
    swapped = (
        "make-sure-the-person-is-safe",
        "record-what-you-saw-and-did",
        "tell-your-safeguarding-lead",
    )
    result = grade(quiz, {"raising-a-concern": swapped})["raising-a-concern"]
    assert result.points == pytest.approx(0.33)
    assert result.correct is False
    assert result.right_answer == RIGHT["raising-a-concern"]


def test_matching_is_all_or_nothing_unless_the_file_says_partial(quiz):
    one_wrong = {**RIGHT["duties"], "assesses-the-home-for-equipment": "pharmacist"}
    result = grade(quiz, {"duties": one_wrong})["duties"]
    assert result.points == 0
    (feedback,) = result.feedback
    assert "daily living" in feedback.html  # the pair answered wrongly explains itself


@pytest.mark.parametrize(
    ("typed", "points"),
    [
        ("Section 42 enquiry", 1),
        ("  section   42-ENQUIRY!  ", 1),
        ("S.42", 1),
        ("section42enquiry", 1),
        ("Section 47", 0),
        ("safeguarding", 0),
    ],
)
def test_short_text_ignores_case_spacing_and_punctuation(quiz, typed, points):
    assert grade(quiz, {"enquiry-name": typed})["enquiry-name"].points == points


def test_a_common_wrong_short_answer_gets_its_own_feedback(quiz):
    result = grade(quiz, {"enquiry-name": "section 47"})["enquiry-name"]
    assert "Children Act" in result.feedback[0].html


def test_a_reflection_is_kept_with_its_feedback_and_never_marked(quiz):
    result = grade(quiz, {"reflection": "<script>x</script>"})["reflection"]
    assert result.correct is None and result.points == 0
    assert result.answer == "<script>x</script>"  # kept as typed; templates escape it
    assert result.feedback[0].note_for("social-work") is not None


# Form values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "values", "answer"),
    [
        ("who-leads", ["the-police"], "the-police"),
        ("neglect-signs", ["weight-loss", "a-new-haircut"], {"weight-loss", "a-new-haircut"}),
        ("dementia", ["false"], False),
        ("dementia", ["true"], True),
        ("raising-a-concern", list(RIGHT["raising-a-concern"]), RIGHT["raising-a-concern"]),
        ("duties", [f"{k}:{v}" for k, v in RIGHT["duties"].items()], RIGHT["duties"]),
        ("enquiry-name", ["  s42 "], "s42"),
        ("reflection", ["Line one\r\nLine two"], "Line one\nLine two"),
        ("reflection", [""], None),  # optional
    ],
)
def test_form_values_become_typed_answers(quiz, question_id, values, answer):
    parsed = parse_answer(quiz.question(question_id), values)
    assert parsed == answer


@pytest.mark.parametrize(
    ("question_id", "values", "message"),
    [
        ("who-leads", [], "Choose an answer."),
        ("who-leads", ["made-up"], "Choose one of the answers shown."),
        ("who-leads", ["the-police", "the-gp"], "Choose one of the answers shown."),
        ("neglect-signs", ["made-up"], "Tick only the answers shown."),
        ("dementia", ["maybe"], "Choose one of the answers shown."),
        ("raising-a-concern", ["make-sure-the-person-is-safe"] * 3, "Put every step in a place"),
        ("raising-a-concern", ["", "", ""], "Put the steps in order."),
        ("duties", ["leads-the-care-act-assessment:social-worker"], "Choose a match for every"),
        ("duties", ["nothing:social-worker"], "Choose a match for each item shown."),
        ("duties", ["leads-the-care-act-assessment:chef"], "Choose a match from the list"),
        ("enquiry-name", ["   "], "Type your answer."),
    ],
)
def test_a_missing_or_forged_answer_gets_a_message_for_the_learner(
    quiz, question_id, values, message
):
    with pytest.raises(InvalidAnswer) as error:
        parse_answer(quiz.question(question_id), values)
    assert error.value.message.startswith(message)


def test_a_whole_form_is_read_into_answers_and_errors_by_question(quiz):
    form = {"q-who-leads": ["the-gp"], "q-dementia": ["true"]}
    answers, errors = read_answers(quiz, lambda name: form.get(name, []))
    assert answers == {"who-leads": "the-gp", "dementia": True}
    assert set(errors) == {
        "neglect-signs",
        "raising-a-concern",
        "duties",
        "enquiry-name",
    }


# Stored answers --------------------------------------------------------------------------


def test_answers_round_trip_through_json(quiz):
    stored = json.loads(json.dumps(answers_to_json(RIGHT)))
    assert stored["neglect-signs"] == ["an-unkempt-home", "missed-medication", "weight-loss"]
    restored = answers_from_json(quiz, stored)
    assert restored == {**RIGHT, "duties": MappingProxyType(RIGHT["duties"])}
    assert grade(quiz, restored).score == grade(quiz, RIGHT).score


def test_stored_answers_that_no_longer_fit_an_edited_question_are_dropped(quiz):
    stored = {"who-leads": ["a", "b"], "dementia": "false", "gone-question": "x"}
    assert answers_from_json(quiz, stored) == {}


@given(st.data())
def test_any_valid_answer_survives_json(quizzes, data):
    quiz = quizzes.quiz("safeguarding-basics")
    question = data.draw(st.sampled_from(quiz.questions))
    options = [o.id for o in question.options]
    items = [i.id for i in question.items]
    answer = {
        "single": st.sampled_from(options or ["x"]),
        "true-false": st.booleans(),
        "multiple": st.frozensets(st.sampled_from(options or ["x"])),
        "ordering": st.permutations(items).map(tuple),
        "matching": st.fixed_dictionaries(
            {i: st.sampled_from([c.id for c in question.choices]) for i in items}
        ),
        "short-text": st.text(),
        "reflection": st.text(),
    }[question.type]
    value = data.draw(answer)
    restored = answer_from_json(question, json.loads(json.dumps(answer_to_json(value))))
    assert restored == value


def test_a_question_without_feedback_for_every_answer_is_warned_about(front, parse):
    quiz = parse(
        front + "## Q {#q}\n- [x] Council\n  > Yes.\n- [ ] Police\n- [ ] GP\n\n"
        "## R {#r}\n- [x] Council\n- [ ] Police\n\n> Whole-question feedback covers both.\n\n"
        "## S {#s}\nType: reflection\n"
    )
    assert quiz.shape.editorial(quiz) == [
        (
            9,
            'no feedback for the answers "Police" and "GP" (editorial standard: every answer'
            " has feedback: its own, or the question's)",
        )
    ]
