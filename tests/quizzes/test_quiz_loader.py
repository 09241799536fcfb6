"""Loading quizzes: the fixture quiz of every type, and every mistake with its file and line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from learning.content import ContentError
from learning.curriculum import check
from learning.quizzes import load_quizzes, quizzes_for, read_quiz

SINGLE = "## Who leads? {#who-leads}\n- [ ] Police\n- [x] Council\n"


def test_fixture_quiz_has_one_question_of_every_type_in_file_order(quizzes):
    quiz = quizzes.quiz("safeguarding-basics")
    assert [(q.id, q.type) for q in quiz.questions] == [
        ("who-leads", "single"),
        ("neglect-signs", "multiple"),
        ("dementia", "true-false"),
        ("raising-a-concern", "ordering"),
        ("duties", "matching"),
        ("enquiry-name", "short-text"),
        ("reflection", "reflection"),
    ]
    assert quiz.shape.name == "questions" and quiz.questions and not quiz.steps
    assert quiz.topic == "safeguarding-adults"
    assert quiz.modules == ("safeguarding-adults",)
    assert quiz.professions == ("nursing", "social-work", "occupational-therapy")
    assert (quiz.pass_mark, quiz.max_attempts, quiz.minutes, quiz.cpd_hours) == (70, 3, 10, 0.25)
    assert (quiz.layout, quiz.allow_back) == ("paged", True)
    assert [b.start for b in quiz.bands] == [0, 70, 100]
    assert "has not been seen for a week" in quiz.intro.html


def test_catalogue_is_ordered_by_file_name_and_finds_quizzes_by_slug_and_module(quizzes):
    assert quizzes.slugs == ("discharge-case", "safeguarding-basics")
    assert quizzes.get("nothing") is None
    assert quizzes.for_module("hospital-discharge") == (quizzes.quiz("discharge-case"),)


def test_version_is_the_sha256_of_the_file_bytes(quizzes):
    path = "tests/fixtures/course/quizzes/safeguarding-basics.md"
    with open(path, "rb") as file:
        expected = hashlib.sha256(file.read()).hexdigest()
    assert quizzes.quiz("safeguarding-basics").version == expected


def test_options_carry_feedback_and_profession_notes_written_as_for_lines(quizzes):
    question = quizzes.quiz("safeguarding-basics").question("who-leads")
    council = question.option("the-local-authority")
    assert council.correct
    assert "the council leads" in council.feedback.html
    (note,) = council.feedback.notes
    assert note.profession == "nursing"  # written "For nurses:"
    assert "safeguarding lead" in note.html
    assert note.is_for("nursing") and not note.is_for("social-work")
    assert council.feedback.note_for("nursing") is note


def test_ids_come_from_the_text_unless_given_so_edits_elsewhere_keep_them(parse, front):
    quiz = parse(front + "## Where does Mrs Khan live?\n- [x] At home {#home}\n- [ ] In a flat\n")
    (question,) = quiz.questions
    assert question.id == "where-does-mrs-khan-live"
    assert [o.id for o in question.options] == ["home", "in-a-flat"]
    edited = parse(
        front + "## Where does she live? {#where}\n- [x] At her home {#home}\n- [ ] No\n"
    )
    assert edited.questions[0].id == "where"
    assert edited.questions[0].options[0].id == "home"


def test_the_public_view_of_a_question_has_no_answers_or_feedback(quizzes):
    for question in quizzes.quiz("safeguarding-basics").questions:
        public = question.public
        fields = set(type(public).__dataclass_fields__)
        assert not fields & {"correct", "feedback", "answer", "penalty"}
        for option in public.options:
            assert set(type(option).__dataclass_fields__) == {"id", "html"}
    assert quizzes.quiz("safeguarding-basics").question("enquiry-name").public.options == ()


def test_ordering_steps_are_shown_as_written_when_that_is_not_the_right_order(quizzes):
    question = quizzes.quiz("safeguarding-basics").question("raising-a-concern")
    assert [i.id for i in question.items] == [
        "make-sure-the-person-is-safe",
        "tell-your-safeguarding-lead",
        "record-what-you-saw-and-did",
    ]
    assert [i.id for i in question.public.items] == [
        "record-what-you-saw-and-did",
        "make-sure-the-person-is-safe",
        "tell-your-safeguarding-lead",
    ]


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_ordering_steps_written_in_the_right_order_are_shuffled_the_same_way_every_time(
    parse, front, count
):
    steps = "".join(f"- [{n}] Step number {n}\n" for n in range(1, count + 1))
    text = front + "## Put them in order {#order}\nType: ordering\n\n" + steps
    first = parse(text).questions[0]
    again = parse(text + "\n").questions[0]  # another file version, parsed afresh
    assert first.shown != first.items
    assert [i.id for i in first.shown] == [i.id for i in again.shown]
    assert sorted(first.shown, key=lambda i: i.id) == sorted(first.items, key=lambda i: i.id)


def test_matching_choices_are_the_matches_then_the_extra_ones(quizzes):
    question = quizzes.quiz("safeguarding-basics").question("duties")
    assert [c.text for c in question.choices] == [
        "Social worker",
        "Ward nurse",
        "Occupational therapist",
        "Pharmacist",
    ]
    assert question.item("leads-the-care-act-assessment").answer == "social-worker"
    assert [c.text for c in question.public.choices] == [
        "Occupational therapist",
        "Pharmacist",
        "Social worker",
        "Ward nurse",
    ]


def test_markdown_is_rendered_once_and_sanitised(parse, front):
    quiz = parse(
        front + "## Is **this** safe? {#safe}\n\nText <script>alert(1)</script> here.\n\n"
        "- [x] *Yes* <img src=x onerror=alert(1)>\n"
        "  > <b onclick=x>Bold</b>\n- [ ] No\n"
    )
    question = quiz.questions[0]
    assert question.title_html == "Is <strong>this</strong> safe?"
    assert "<script>" not in question.prompt.html and "Text" in question.prompt.html
    assert "onerror" not in question.options[0].html and "<em>Yes</em>" in question.options[0].html
    assert "onclick" not in question.options[0].feedback.html


def test_profession_callouts_in_a_question_open_for_the_readers_lens(quizzes):
    step = quizzes.quiz("discharge-case").step("home-visit")
    assert "callout--yours" in step.prompt.html_for("occupational-therapy")
    assert "callout--yours" not in step.prompt.html_for("nursing")


def test_a_heading_inside_a_code_block_is_not_a_question(parse, front):
    quiz = parse(front + "## Which? {#which}\n\n```\n## not a question\n```\n\n" + SINGLE[13:])
    assert [q.id for q in quiz.questions] == ["which"]
    assert "## not a question" in quiz.questions[0].prompt.html


# Front matter mistakes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("good", "bad", "line", "message"),
    [
        ("title: A test quiz", "title: [a]", 2, '"title" must be some text'),
        ("topic: discharge", "topic: dischage", 4, 'unknown topic "dischage" (did you mean'),
        ("pass_mark: 50", "pass_mark: 150", 5, '"pass_mark" must be a whole number from 0 to 100'),
        ("minutes: 5", "minutes: 0", 6, '"minutes" must be a whole number from 1'),
        ("cpd_hours: 0.1", "cpd_hours: lots", 7, '"cpd_hours" must be a number of hours'),
        ("minutes: 5", "minutes: 5\nmax_attempts: -1", 7, '"max_attempts" must be a whole'),
        ("minutes: 5", "minutes: 5\nlayout: scroll", 7, '"layout" must be "paged" or "single"'),
        ("minutes: 5", "minutes: 5\nallow_back: maybe", 7, '"allow_back" must be true or false'),
        ("minutes: 5", "minutes: 5\ntype: survey", 7, '"type" must be "questions" or "branching"'),
        ("minutes: 5", "minutes: 5\nstart: x", 7, '"start" is only for branching cases'),
        ("minutes: 5", "minutes: 5\nmodules: [gone]", 7, 'unknown module "gone"'),
        ("minutes: 5", "minutes: 5\nprofessions: [nurse]", 7, 'unknown profession "nurse"'),
        ("minutes: 5", "minutes: 5\nfeedback: Good", 7, '"feedback" must be a list of bands'),
        ("minutes: 5", "minutes: 5\ntitel: x", 7, 'unknown front matter key "titel" (did you'),
    ],
)
def test_a_front_matter_mistake_names_its_line(front, problems, good, bad, line, message):
    found = problems(front.replace(good, bad) + SINGLE)
    assert len(found) == 1, found
    assert found[0].startswith(f"quizzes/test-quiz.md:{line}: {message}")


def test_a_missing_key_is_reported_at_the_closing_dashes(front, problems):
    assert problems(front.replace("summary: Written by a test.\n", "") + SINGLE) == [
        'quizzes/test-quiz.md:7: the front matter is missing "summary"'
    ]


def test_feedback_band_mistakes_name_the_band_lines(front, problems):
    bands = "feedback:\n  - from: 0\n    text: Try again\n  - from: 0\n    text: Again\n  - 70\n"
    assert problems(front.replace("cpd_hours: 0.1\n", "cpd_hours: 0.1\n" + bands) + SINGLE) == [
        "quizzes/test-quiz.md:11: two feedback bands start at 0%",
        'quizzes/test-quiz.md:13: each feedback band needs "from:" (a percent) and "text:"',
    ]


def test_modules_are_only_checked_when_the_modules_are_known(front, problems):
    text = front.replace("minutes: 5", "minutes: 5\nmodules: [gone]") + SINGLE
    assert problems(text, module_slugs=None) == []


def test_a_bad_file_name_and_a_missing_front_matter_are_reported(problems):
    assert problems("## Q\n", slug="Bad_Name") == [
        'quizzes/Bad_Name.md:1: the file name "Bad_Name.md" must be lower-case letters, digits'
        " and hyphens (it becomes the address of the scenario)",
        "quizzes/Bad_Name.md:1: the file must start with front matter: a line of three dashes"
        " (---)",
    ]


# Question mistakes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("## Q {#q}\n- [x] A\n- [x] B\n", 9, "a single-choice question has exactly one right"),
        ("## Q {#q}\n- [ ] A\n- [ ] B\n", 9, "a single-choice question has exactly one right"),
        ("## Q {#q}\n- [x] A\n", 9, "a choice question needs at least two answers"),
        ("## Q {#q}\n- [x] A\n- [?] B\n", 11, "write [ ] or [x] before an answer, not [?]"),
        ("## Q {#q}\n- [x] A\n- [2] B\n", 11, "write [ ] or [x] before an answer, not [2] (num"),
        ("## Q {#q}\nType: multiple\n\n- [x] A\n- [ ] B\n", 9, "a multiple-response question"),
        ("## Q {#q}\nType: multiple\nScoring: most\n\n- [x] A\n- [ ] B\n", 11, "unknown scor"),
        ("## Q {#q}\nType: multiple\nScoring: partial\n\n- [ ] A\n- [ ] B\n", 9, "tick [x] at"),
        ("## Q {#q}\nType: single\nScoring: partial\n\n- [x] A\n- [ ] B\n", 11, '"Scoring" is'),
        ("## Q {#q}\nType: single\nPenalty: 2\n\n- [x] A\n- [ ] B\n", 11, '"Penalty" goes'),
        ("## Q {#q}\nType: multiple choice\n\n- [x] A\n- [ ] B\n", 10, "unknown question type"),
        ("## Q {#q}\nPoints: none\n\n- [x] A\n- [ ] B\n", 10, '"Points" must be a number'),
        ("## Q {#q}\nRequired: perhaps\n\n- [x] A\n- [ ] B\n", 10, '"Required" must be yes'),
        ("## Q {#q}\nMrs Khan: hello\n\n- [x] A\n- [ ] B\n", 10, "unknown question setting"),
        ("## Q {#q}\nType: true-false\n\n- [x] Yes\n- [ ] No\n", 9, "a true-false question"),
        ("## Q {#q}\nType: ordering\n\n- [1] A\n- [1] B\n", 9, "number the steps 1 to 2"),
        ("## Q {#q}\nType: ordering\n\n- [1] A\n- [x] B\n", 13, "number each step with its"),
        (
            "## Q {#q}\nType: matching\n\n- A -> X\n- B -> X\n",
            9,
            "a matching question needs at least two",
        ),
        ("## Q {#q}\nType: short-text\n\n- [ ] s47\n", 9, "tick [x] at least one accepted"),
        ("## Q {#q}\nType: short-text\n\n- [x] S 42\n- [x] s42.\n", 13, '"s42." counts as'),
        ("## Q {#q}\nType: reflection\nPoints: 2\n", 11, "a reflection is not marked"),
        ("## Q {#q}\nType: reflection\n\n- [x] A\n", 12, "a reflection has no answers"),
        ("## Q {#q}\n- [x] A\n- [ ] B\nStray text\n", 12, "this line is among the answers"),
        ("## Q {#q}\n- [x] A\n  > Good\n  more\n- [ ] B\n", 12, "start each line of feedback"),
        ("## Q {#q}\n- [x] A\n  > For nurse: x\n- [ ] B\n", 11, 'unknown profession "nurse"'),
        ("## Q {#Bad}\n- [x] A\n- [ ] B\n", 9, 'the id "Bad" must be lower-case'),
        ("## Q {#q}\n- [x] A\n- [ ] A\n", 11, 'two answers of this question have the id "a"'),
        ("## Q {#q}\n- [x] A\n- [ ] B\n## R {#q}\n- [x] A\n- [ ] B\n", 12, "two questions"),
        ("# Q\n## R {#r}\n- [x] A\n- [ ] B\n", 9, "the page already shows the scenario's title"),
        ("Just an introduction.\n", 8, "the scenario has no questions"),
        ("## Q {#q}\n[x](/modules/gone)\n\n- [x] A\n- [ ] B\n", 10, 'link to "/modules/gone"'),
    ],
)
def test_a_question_mistake_names_its_line(front, problems, body, line, message):
    found = problems(front + body)
    assert len(found) == 1, found
    assert found[0].startswith(f"quizzes/test-quiz.md:{line}: {message}"), found


def test_every_problem_in_every_file_is_reported_at_once(course, front):
    (course / "quizzes" / "broken.md").write_text(
        front.replace("topic: discharge", "topic: tea") + "## Q {#q}\n- [x] A\n- [x] B\n"
    )
    (course / "quizzes" / "worse.md").write_text("no front matter\n")
    with pytest.raises(ContentError) as error:
        load_quizzes(course)
    assert [str(p) for p in error.value.problems] == [
        'quizzes/broken.md:4: unknown topic "tea" (use one of: discharge, safeguarding-adults,'
        " safeguarding-children, roles, law, capacity, information-sharing, partnership, carers,"
        " homelessness, mental-health)",
        "quizzes/broken.md:9: a single-choice question has exactly one right answer [x], not 2"
        ' (for several, add "Type: multiple")',
        "quizzes/worse.md:1: the file must start with front matter: a line of three dashes (---)",
    ]


def test_content_check_validates_and_counts_quizzes_with_the_modules(course, front):
    result = check(course)
    assert result.problems == []
    assert result.counts == {"modules": 3, "glossary terms": 6, "quizzes": 2}
    (course / "quizzes" / "linked.md").write_text(
        front.replace("minutes: 5", "minutes: 5\nmodules: [safeguarding-adult]") + SINGLE
    )
    result = check(course)
    assert [str(p) for p in result.problems] == [
        'quizzes/linked.md:7: unknown module "safeguarding-adult"'
        ' (did you mean "safeguarding-adults"?)'
    ]
    assert result.counts["quizzes"] == 2


def test_a_course_without_a_quizzes_folder_has_no_quizzes(tmp_path):
    assert len(load_quizzes(tmp_path)) == 0


def test_the_app_level_catalogue_is_loaded_once_per_file_version(course, front, monkeypatch):
    first = quizzes_for(course)
    assert quizzes_for(course) is first
    path = course / "quizzes" / "extra.md"
    path.write_text(front + SINGLE)
    assert quizzes_for(course) is first  # not in debug: kept until restart
    reloaded = quizzes_for(course, debug=True)
    assert reloaded.slugs == ("discharge-case", "extra", "safeguarding-basics")
    calls = []
    monkeypatch.setattr(
        "learning.content.render.render_body",
        lambda *a, **k: calls.append(a) or pytest.fail("rendered again"),
    )
    assert quizzes_for(course, debug=True) is reloaded
    assert read_quiz(path.read_bytes(), "quizzes/extra.md")[0] is not None
    assert calls == []


def test_every_example_in_the_authors_guide_loads(parse, front):
    guide = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text()
    section = guide[guide.index("## Scenarios") :]
    (case,) = re.findall(r"````markdown\n(.*?)````", section, re.S)
    assert len(parse(case, slug="mrs-khan").steps) == 6
    questions = [b for b in re.findall(r"```markdown\n(.*?)```", section, re.S) if b[:3] == "## "]
    quiz = parse(front + "\n".join(questions))
    assert {q.type for q in quiz.questions} == {
        "single",
        "multiple",
        "true-false",
        "ordering",
        "matching",
        "short-text",
        "reflection",
    }


# Gaps found by writing scenarios from the docs alone (issue #14) ---------------------------


def test_windows_line_endings_read_exactly_as_unix_ones(front):
    text = front + "Intro.\n\n" + SINGLE + "\n> Whole-question feedback.\n"
    unix, _ = read_quiz(text.encode(), "quizzes/test-quiz.md")
    for ending in ("\r\n", "\r"):
        quiz, problems = read_quiz(text.replace("\n", ending).encode(), "quizzes/test-quiz.md")
        assert problems == []
        (question,) = quiz.questions
        assert (question.id, question.title) == ("who-leads", "Who leads?")
        assert "{#" not in question.title_html
        assert [o.id for o in question.options] == [o.id for o in unix.questions[0].options]
        assert quiz.version != unix.version  # the bytes differ, so the version does


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("!!! nurses\n    Hi.\n\n" + SINGLE, 9, 'unknown profession "nurses" (did you mean'),
        ('## Q {#q}\n!!! nursing "Nurses\n    Hi.\n\n- [x] A\n- [ ] B\n', 10, "the callout title"),
        ("## Q {#q}\n!!! social-work\nNot indented.\n\n- [x] A\n- [ ] B\n", 10, "the callout for"),
    ],
)
def test_a_callout_in_a_quiz_is_checked_as_in_a_module(front, problems, body, line, message):
    found = problems(front + body)
    assert len(found) == 1, found
    assert found[0].startswith(f"quizzes/test-quiz.md:{line}: {message}"), found


def test_a_callout_for_an_unknown_profession_in_a_case_step_is_reported(case_front, problems):
    case = (
        "## Start {#start}\n!!! occupational-therapist\n    You visit.\n\n"
        "- Go -> end\n  > Yes.\n\n## End {#end}\nOutcome: Done.\n"
    )
    assert problems(case_front + case) == [
        'quizzes/test-quiz.md:11: unknown profession "occupational-therapist"'
        ' (did you mean "occupational-therapy"?) in callout'
    ]


@pytest.mark.parametrize("fence", ["```", "~~~~"])
def test_a_code_block_never_closed_is_the_one_problem_reported(front, case_front, problems, fence):
    quiz = f"## Q1 {{#q1}}\n{fence}\ncode\n- [ ] a\n- [x] b\n\n## Q2 {{#q2}}\n- [ ] a\n- [x] b\n"
    assert problems(front + quiz) == [
        f"quizzes/test-quiz.md:10: the code block opened with {fence} is never closed"
    ]
    case = f"## Start {{#start}}\n{fence}\n- go -> end\n\n## End {{#end}}\nOutcome: done\n"
    assert problems(case_front + case) == [
        f"quizzes/test-quiz.md:11: the code block opened with {fence} is never closed"
    ]


def test_a_colon_in_the_title_asks_for_quotes_in_plain_words(front, problems):
    text = front.replace("title: A test quiz", "title: Discharge: who does what") + SINGLE
    assert problems(text) == [
        "quizzes/test-quiz.md:2: put the title in quotes, as it contains a colon:"
        ' title: "Discharge: who does what"'
    ]
    assert problems(text.replace("Discharge: who does what", '"Discharge: who does what"')) == []


def test_two_scenarios_with_one_title_are_reported_at_the_second(course, front):
    (course / "quizzes" / "twin.md").write_text(
        front.replace("A test quiz", "Safeguarding  BASICS") + SINGLE
    )
    problems = [str(p) for p in check(course).problems]
    assert (
        'quizzes/twin.md:2: quizzes/safeguarding-basics.md already has the title "Safeguarding'
        ' basics": give each scenario a title of its own, so learners can tell them apart'
    ) in problems
    assert not [p for p in problems if p.startswith("quizzes/safeguarding-basics.md")]
