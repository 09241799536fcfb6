"""Branching cases: validation of the map of steps, playing a path, and marking it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning.grading import (
    DecisionError,
    best_path,
    decisions_from_json,
    decisions_to_json,
    grade_path,
    next_step,
)

#: A small valid case; its lines start at 10 (after the case front matter).
CASE = """\
## Start {#start}
- Go left -> left (1 point) {#go-left}
- Go right -> right (2 points) {#go-right}
## Left {#left}
- Carry on -> end (1 point) {#on}
## Right {#right}
- Carry on (1 point) {#on}
  -> end if score >= 3
  -> end otherwise
## The end {#end}
Outcome: You arrive.
"""


@pytest.fixture
def case(quizzes):
    return quizzes.quiz("discharge-case")


def test_the_fixture_case_is_a_map_of_steps_with_points_routes_and_outcomes(case):
    assert case.steps and case.start == "admission"
    assert [s.id for s in case.steps] == [
        "admission",
        "home-visit",
        "discharge-meeting",
        "late-meeting",
        "home-safe",
        "readmitted",
    ]
    visit = case.step("home-visit").choice("visit")
    assert [(r.target, str(r.condition)) for r in visit.routes] == [
        ("discharge-meeting", "score >= 4"),
        ("late-meeting", "chose admission.wait"),
        ("discharge-meeting", "None"),
    ]
    assert case.step("readmitted").is_end
    assert (
        case.step("readmitted").outcome
        == "Mrs Khan is readmitted within a week after another fall."
    )
    assert case.step("readmitted").feedback.note_for("nursing") is not None


def test_a_learner_who_plans_early_reaches_the_discharge_meeting(case):
    step = next_step(case, [("admission", "plan-now"), ("home-visit", "visit")])
    assert step.id == "discharge-meeting"  # score 4: the score-dependent route


def test_a_learner_who_waited_is_sent_to_a_late_meeting_by_their_earlier_choice(case):
    step = next_step(case, [("admission", "wait"), ("home-visit", "visit")])
    assert step.id == "late-meeting"


def test_a_finished_path_records_every_decision_the_score_and_the_outcome(case):
    decisions = [("admission", "wait"), ("home-visit", "visit"), ("late-meeting", "package")]
    result = grade_path(case, decisions)
    assert result.path == tuple(decisions)
    assert [d.score for d in result.decisions] == [0, 2, 3]
    assert result.outcome.id == "home-safe"
    assert (result.score, result.max_score, result.percent, result.passed) == (3, 6, 50, False)
    assert "Look at the best path" in result.band.html


def test_a_rushed_discharge_ends_in_readmission(case):
    result = grade_path(case, [("admission", "plan-now"), ("home-visit", "skip")])
    assert result.outcome.outcome.startswith("Mrs Khan is readmitted")
    assert result.score == 2


def test_the_best_path_has_the_most_points_and_is_the_same_every_time(case):
    best = best_path(case)
    assert best.path == (
        ("admission", "plan-now"),
        ("home-visit", "visit"),
        ("discharge-meeting", "package"),
    )
    assert (best.score, best.percent, best.passed, best.outcome.id) == (6, 100, True, "home-safe")
    assert best_path(case) == best


def test_a_case_replayed_as_an_occupational_therapist_offers_the_ots_own_choice(case):
    step = case.step("home-visit")
    assert [c.id for c in step.choices_for(None)] == ["visit", "skip"]
    assert [p.id for p in step.public("occupational-therapy").choices] == [
        "visit",
        "skip",
        "equipment",
    ]
    assert best_path(case, "occupational-therapy").path[1] == ("home-visit", "equipment")
    with pytest.raises(DecisionError, match='"equipment" is not a choice at "home-visit"'):
        next_step(case, [("admission", "plan-now"), ("home-visit", "equipment")], "nursing")


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ([("home-visit", "visit")], 'decision 1 is for "home-visit", but the step is "admission"'),
        ([("admission", "nothing")], 'decision 1: "nothing" is not a choice at "admission"'),
        ([("admission", "plan-now"), ("home-visit", "skip"), ("x", "y")], "already ended"),
        (["admission"], "decision 1 is not a (step, choice) pair"),
    ],
)
def test_a_stale_or_forged_decision_is_refused(case, decisions, message):
    with pytest.raises(DecisionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        next_step(case, decisions)


def test_an_unfinished_path_cannot_be_marked(case):
    with pytest.raises(DecisionError, match='the next step is "home-visit"'):
        grade_path(case, [("admission", "wait")])


def test_the_public_view_of_a_step_has_no_points_routes_or_feedback(case):
    public = case.step("admission").public()
    assert set(type(public).__dataclass_fields__) == {"id", "field", "title", "prompt", "choices"}
    assert [(c.id, str(c.html)) for c in public.choices] == [
        ("plan-now", "On the day she is admitted"),
        ("wait", "When the ward says she is medically optimised"),
    ]


def test_decisions_round_trip_through_json(case):
    decisions = (("admission", "wait"), ("home-visit", "visit"))
    stored = json.loads(json.dumps(decisions_to_json(decisions)))
    assert decisions_from_json(stored) == decisions
    with pytest.raises(DecisionError):
        decisions_from_json([["admission"]])


@given(st.data())
def test_every_path_a_learner_can_take_ends_and_scores_no_more_than_the_best(quizzes, data):
    case = quizzes.quiz("discharge-case")
    decisions: list[tuple[str, str]] = []
    profession = data.draw(st.sampled_from([None, "occupational-therapy", "nursing"]))
    step = next_step(case, decisions, profession)
    while not step.is_end:
        choice = data.draw(st.sampled_from(step.choices_for(profession)))
        decisions.append((step.id, choice.id))
        step = next_step(case, decisions, profession)
    result = grade_path(case, decisions, profession)
    assert result.score <= best_path(case, profession).score
    assert 0 <= result.percent <= 100


# Validation ------------------------------------------------------------------------------


def test_a_valid_small_case_loads(parse, case_front):
    case = parse(case_front + CASE)
    assert best_path(case).path == (("start", "go-right"), ("right", "on"))


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("-> left (1 point)", "-> lefty (1 point)", 11, 'unknown step "lefty" (did you mean'),
        ("- Carry on -> end (1 point) {#on}", "- Carry on -> left (1 point) {#on}", 14, "this"),
        ("- Go left -> left (1 point)", "- Go left -> right (1 point)", 13, "no choice leads to"),
        ("Outcome: You arrive.", "You arrive.", 19, 'step "end" has no choices and no "Outcome:"'),
        ("  -> end otherwise\n", "", 17, "add a last route for every other case"),
        ("  -> end if score >= 3", "  -> end if score is high", 17, "could not read the condi"),
        ("  -> end if score >= 3", "  -> end if chose start.fly", 17, "unknown choice of step"),
        ("  -> end if score >= 3", "  -> end if chose left.on", 17, 'step "left" never comes'),
        ("  -> end if score >= 3", "  -> end\n  -> end if score > 1", 17, "a route without a"),
        ("  -> end if score >= 3", "  -> end when happy", 17, 'a route ends with "if'),
        ("- Go right -> right (2 points)", "- Go right", 12, "this choice leads nowhere"),
        ("- Go left -> left (1 point)", "- Go left -> left (lots)", 11, "write a choice as"),
        ("Outcome: You arrive.", "Outcome: x\n- Go -> start", 20, "a step with choices is no"),
        ("{#go-right}", "{#go-right}\n  Only for: nurse", 13, 'unknown profession "nurse"'),
    ],
)
def test_a_case_mistake_names_its_line(case_front, problems, old, new, line, message):
    assert old in CASE
    found = problems(case_front + CASE.replace(old, new, 1))
    assert any(f.startswith(f"quizzes/test-quiz.md:{line}: {message}") for f in found), found


def test_a_loop_is_reported_with_the_steps_that_make_it(case_front, problems):
    text = CASE.replace("- Carry on -> end (1 point) {#on}", "- Back -> start {#back}")
    assert problems(case_front + text) == [
        "quizzes/test-quiz.md:14: this choice makes a loop (start -> left -> start),"
        " so a path never ends"
    ]


def test_a_choice_leading_to_its_own_step_is_a_loop(case_front, problems):
    text = CASE.replace("- Carry on -> end (1 point) {#on}", "- Wait -> left {#wait}")
    assert problems(case_front + text) == [
        'quizzes/test-quiz.md:14: this choice leads back to "left" itself'
    ]


def test_a_step_only_some_professions_can_leave_is_refused(case_front, problems):
    text = CASE.replace(
        "- Carry on -> end (1 point) {#on}", "- On -> end {#on}\n  Only for: nursing"
    )
    assert problems(case_front + text) == [
        "quizzes/test-quiz.md:13: offer at least one choice to every profession here"
    ]


def test_a_case_without_an_end_or_with_an_unknown_start_is_refused(case_front, problems):
    assert problems(
        case_front.replace("type: branching", "type: branching\nstart: middle") + CASE
    ) == ['quizzes/test-quiz.md:5: unknown step "middle" (use one of: start, left, right, end)']
    assert problems(
        case_front.replace("topic: discharge", "topic: discharge\nlayout: single") + CASE
    ) == ['quizzes/test-quiz.md:6: a branching case is always one step per page: remove "layout"']


def _brute_force(case, profession):
    """Every complete path by replaying decisions from the start: slow, obviously right."""
    from learning import grading

    paths, pending = [], [[]]
    while pending:
        made = pending.pop()
        step = grading.next_step(case, made, profession)
        if step.is_end:
            paths.append((made, step.id, grading.grade_path(case, made, profession).score))
            continue
        pending += [[*made, (step.id, c.id)] for c in step.choices_for(profession)]
    return paths


@pytest.mark.parametrize("profession", [None, "nursing", "occupational-therapy"])
def test_best_path_and_shape_agree_with_brute_force(quizzes, profession):
    from learning import grading

    case = quizzes.get("discharge-case")
    paths = _brute_force(case, profession)
    shape = grading.shape(case, profession)
    assert shape.shortest == min(len(p) for p, _, _ in paths)
    assert shape.longest == max(len(p) for p, _, _ in paths)
    assert shape.endings == {ending for _, ending, _ in paths}
    assert grading.best_path(case, profession).score == max(score for _, _, score in paths)


# What the learner is shown of an ending, and the editorial standard (issue #14) --------------


def test_the_text_of_the_ending_reached_is_shown_on_the_review(client, make_user, login):
    login(make_user(profession="nursing"))
    started = client.post("/quizzes/discharge-case/start")
    attempt = started.location
    for field, choice in (
        ("step-admission", "plan-now"),
        ("step-home-visit", "visit"),
        ("step-discharge-meeting", "package"),
    ):
        client.post(attempt, data={field: choice})
    page = client.get(f"{attempt}/review").get_data(as_text=True)
    ending = page.split('class="panel outcome"')[1].split("</div>")[0]
    assert "Mrs Khan is home, safe and well supported." in ending
    assert "Her daughter visits on Sundays, and the carers come twice a day." in ending


def test_a_case_below_the_editorial_standard_is_warned_about_not_refused(case_front, parse):
    case = parse(case_front + CASE)
    assert case.shape.editorial(case) == [
        (11, "this choice has no feedback (editorial standard: every choice has feedback)"),
        (12, "this choice has no feedback (editorial standard: every choice has feedback)"),
        (14, "this choice has no feedback (editorial standard: every choice has feedback)"),
        (16, "this choice has no feedback (editorial standard: every choice has feedback)"),
        (
            10,
            "a path through this case has only 2 decisions (editorial standard: every path"
            " through a case has at least 6 decisions)",
        ),
        (
            10,
            "every path through this case reaches the same ending (editorial standard: a case"
            " has at least two endings)",
        ),
    ]


def test_a_profession_with_a_shorter_path_of_its_own_is_named(case_front, parse):
    longer = CASE.replace(
        "- Go right -> right (2 points) {#go-right}\n",
        "- Go right -> right (2 points) {#go-right}\n- Leave -> end {#leave}\n"
        "  Only for: housing\n",
    )
    case = parse(case_front + longer)
    assert (
        10,
        "a path through this case played as housing has only 1 decision (editorial standard:"
        " every path through a case has at least 6 decisions)",
    ) in case.shape.editorial(case)
