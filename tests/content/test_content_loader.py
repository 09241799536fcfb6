"""Loading modules: the valid course, and every kind of mistake with its file and line."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from learning.content import ContentError, Problem, Reference, check, load_catalogue


def test_fixture_course_loads_with_every_field_typed(catalogue):
    assert catalogue.slugs == ("roles-and-values", "hospital-discharge", "safeguarding-adults")
    discharge = catalogue.module("hospital-discharge")
    assert discharge.title == "Hospital discharge"
    assert discharge.minutes == 3 and discharge.cpd_hours == 1.0
    assert discharge.professions == ("nursing", "social-work", "occupational-therapy", "housing")
    assert discharge.topics == ("discharge", "law")
    assert discharge.outcomes == ("Describe discharge to assess",)
    assert discharge.references[0] == Reference(
        title="Hospital discharge and community support guidance",
        publisher="Department of Health and Social Care",
        year=2022,
    )
    assert discharge.completion == "read"
    assert discharge.reviewed == date(2025, 2, 1)
    assert discharge.next_review == date(2027, 2, 1)
    assert catalogue.module("safeguarding-adults").quizzes == ("safeguarding-basics",)


def test_professions_all_means_every_profession(catalogue):
    roles = catalogue.module("roles-and-values")
    assert roles.for_all_professions
    assert roles.is_for("pharmacy")
    assert not catalogue.module("hospital-discharge").is_for("pharmacy")


def test_version_is_the_sha256_of_the_file_bytes(catalogue, fixture_course):
    path = fixture_course / "modules" / "hospital-discharge.md"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert catalogue.module("hospital-discharge").version == expected


def test_editing_a_file_changes_its_version_and_no_other(course, quiz_slugs):
    before = load_catalogue(course, quiz_slugs=quiz_slugs)
    path = course / "modules" / "hospital-discharge.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    after = load_catalogue(course, quiz_slugs=quiz_slugs)
    assert after.module("hospital-discharge").version != before.module("hospital-discharge").version
    assert after.module("roles-and-values").version == before.module("roles-and-values").version


def test_problem_prints_as_path_line_message():
    assert str(Problem("modules/a.md", 7, "oops")) == "modules/a.md:7: oops"


def test_missing_required_key_is_reported_at_the_end_of_the_front_matter(
    course, front, add_module, problems
):
    add_module(course, "test-module", front.replace("minutes: 2\n", "") + "Text.\n")
    assert problems(course) == ['modules/test-module.md:13: the front matter is missing "minutes"']


def test_unknown_key_names_its_line_and_suggests_the_right_one(course, front, add_module, problems):
    add_module(course, "test-module", front.replace("title:", "titel:") + "Text.\n")
    found = problems(course)
    assert 'modules/test-module.md:2: unknown front matter key "titel" (did you mean "title"?)' in (
        found
    )
    assert 'modules/test-module.md:14: the front matter is missing "title"' in found


@pytest.mark.parametrize(
    ("good", "bad", "line", "message"),
    [
        ("minutes: 2", "minutes: twenty", 5, '"minutes" must be a whole number'),
        ("order: 99", "order: 1.5", 4, '"order" must be a whole number'),
        ("cpd_hours: 0.5", "cpd_hours: yes", 6, '"cpd_hours" must be a number of hours'),
        ("title: A test module", "title: [a, b]", 2, '"title" must be some text'),
        ("topics: [roles]", "topics: roles", 8, '"topics" must be a list'),
        ("completion: read", "completion: watch", 11, '"completion" must be "read" or "quiz"'),
        ("reviewed: 2025-01-01", "reviewed: 2025-02-30", 12, '"reviewed" must be a date'),
        ("next_review: 2027-01-01", "next_review: 2024-01-01", 13, '"next_review" must be after'),
    ],
)
def test_a_value_of_the_wrong_type_names_its_key_line(
    course, good, bad, line, message, front, add_module, problems
):
    add_module(course, "test-module", front.replace(good, bad) + "Text.\n")
    found = problems(course)
    assert len(found) == 1
    assert found[0].startswith(f"modules/test-module.md:{line}: {message}")


def test_unknown_profession_in_front_matter_names_the_list_item_line(
    course, front, add_module, problems
):
    front = front.replace(
        "professions: [nursing, social-work]", "professions:\n  - nursing\n  - nurse"
    )
    add_module(course, "test-module", front + "Text.\n")
    assert problems(course) == [
        'modules/test-module.md:9: unknown profession "nurse" (did you mean "nursing"?)'
    ]


def test_unknown_topic_lists_the_known_topics(course, front, add_module, problems):
    add_module(course, "test-module", front.replace("[roles]", "[roles, tea-making]") + "Text.\n")
    (found,) = problems(course)
    assert found.startswith(
        'modules/test-module.md:8: unknown topic "tea-making" (use one of: roles'
    )


def test_reference_without_a_title_names_the_reference_line(course, front, add_module, problems):
    front = front.replace(
        "completion: read",
        "references:\n  - title: Good one\n    year: 2020\n  - publisher: NHS England\n"
        "completion: read",
    )
    add_module(course, "test-module", front + "Text.\n")
    assert problems(course) == ['modules/test-module.md:14: each reference needs a "title"']


def test_reference_url_must_be_a_web_address(course, front, add_module, problems):
    front = front.replace(
        "completion: read", "references:\n  - title: A\n    url: www.example.org\ncompletion: read"
    )
    add_module(course, "test-module", front + "Text.\n")
    assert problems(course) == [
        'modules/test-module.md:13: the reference\'s "url" must start with https:// or http://'
    ]


def test_unknown_quiz_is_an_error_only_when_quizzes_are_known(
    course, front, add_module, problems, quiz_slugs
):
    front = front.replace("completion: read", "quizzes:\n  - no-such-quiz\ncompletion: quiz")
    add_module(course, "test-module", front + "Text.\n")
    assert problems(course) == []
    (found,) = problems(course, quiz_slugs=quiz_slugs)
    assert found.startswith('modules/test-module.md:12: unknown scenario "no-such-quiz"')


def test_completion_by_quiz_needs_a_quiz(course, front, add_module, problems):
    add_module(course, "test-module", front.replace("completion: read", "completion: quiz") + "T\n")
    assert problems(course) == [
        'modules/test-module.md:11: "completion: quiz" needs at least one scenario in "quizzes"'
    ]


def test_a_key_written_twice_is_reported_at_the_second(course, front, add_module, problems):
    add_module(
        course, "test-module", front.replace("order: 99\n", "order: 99\norder: 98\n") + "T\n"
    )
    assert problems(course) == [
        'modules/test-module.md:5: "order" appears twice in the front matter'
    ]


def test_broken_yaml_names_the_line(course, front, add_module, problems):
    add_module(course, "test-module", front.replace("topics: [roles]", "topics: [roles") + "T\n")
    assert problems(course) == [
        "modules/test-module.md:8: the list in [ ] that starts here is not closed: end it with ]"
        " on the same line, and put any item that contains a comma or a colon in quotes"
    ]


def test_file_without_front_matter_is_reported_at_line_one(course, add_module, problems):
    add_module(course, "test-module", "# Just a heading\n")
    assert problems(course) == [
        "modules/test-module.md:1: the file must start with front matter:"
        " a line of three dashes (---)"
    ]


def test_front_matter_that_is_never_closed_is_reported(course, front, add_module, problems):
    add_module(course, "test-module", front.removesuffix("---\n"))
    (found,) = problems(course)
    assert found.startswith("modules/test-module.md:1: the front matter is never closed")


def test_module_without_text_is_reported(course, front, add_module, problems):
    add_module(course, "test-module", front)
    assert problems(course) == [
        "modules/test-module.md:14: the module has no text after its front matter"
    ]


def test_file_name_must_be_a_slug(course, front, add_module, problems):
    add_module(course, "Test Module", front + "Text.\n")
    (found,) = problems(course)
    assert found.startswith('modules/Test Module.md:1: the file name "Test Module.md" must be')


def test_every_problem_in_every_file_is_reported_at_once(
    course, front, body_line, add_module, problems
):
    add_module(course, "first", front.replace("minutes: 2", "minutes: 0") + "Text.\n")
    add_module(
        course,
        "second",
        front.replace("topics: [roles]", "topics: [rolls]").replace("A test", "Another")
        + "!!! nurse\n    Hi.\n",
    )
    with pytest.raises(ContentError) as raised:
        load_catalogue(course)
    assert [(p.path, p.line) for p in raised.value.problems] == [
        ("modules/first.md", 5),
        ("modules/second.md", 8),
        ("modules/second.md", body_line),
    ]
    assert str(raised.value).startswith("3 problems in the learning content:\nmodules/first.md:5:")


def test_overdue_review_is_a_warning_not_a_problem(course, problems):
    result = check(course, today=date(2027, 1, 20))
    assert result.problems == []
    assert [str(w) for w in result.warnings] == [
        "modules/roles-and-values.md:19: review overdue: next_review was 2027-01-15"
    ]
    assert check(course, today=date(2026, 1, 1)).warnings == []


def test_check_counts_modules_and_glossary_terms(course):
    assert check(course).counts == {"modules": 3, "glossary terms": 6}


def test_a_course_without_a_modules_folder_is_a_problem(tmp_path, problems):
    assert problems(tmp_path) == ["modules:1: there is no modules folder"]


# Gaps found by writing modules from the docs alone (issue #14) -----------------------------


def test_windows_line_endings_read_exactly_as_unix_ones(course, front, add_module, problems):
    body = '## Who does what\n\n!!! nursing "On the ward"\n    You plan.\n\nDone.\n'
    add_module(course, "unix", front + body)
    add_module(course, "windows", (front + body).replace("A test", "Another").replace("\n", "\r\n"))
    assert problems(course) == []
    catalogue = load_catalogue(course)
    unix, windows = catalogue.module("unix"), catalogue.module("windows")
    assert [h.id for h in windows.headings] == ["who-does-what"]
    assert windows.callouts[0].title == "On the ward"
    assert windows.body_for("nursing") == unix.body_for("nursing")


def test_two_modules_with_one_title_are_reported_at_the_second(course, front, add_module):
    add_module(course, "twin", front.replace("A test module", "Roles  and VALUES") + "Text.\n")
    assert [str(p) for p in check(course).problems] == [
        'modules/twin.md:2: modules/roles-and-values.md already has the title "Roles and'
        ' values": give each module a title of its own, so learners can tell them apart'
    ]


@pytest.mark.parametrize(
    ("before", "after", "line", "message"),
    [
        (
            "title: A test module",
            "title: Discharge: who does what",
            2,
            'put the title in quotes, as it contains a colon: title: "Discharge: who does what"',
        ),
        (
            "summary: Written by a test.",
            "summary: Written by a test: the second.",
            3,
            "put the summary in quotes, as it contains a colon:"
            ' summary: "Written by a test: the second."',
        ),
        (
            "  - Do one thing",
            "  - Explain: the law",
            10,
            '"each outcome" must be some text: put it in quotes, as it contains a colon:'
            ' - "Explain: the law"',
        ),
        (
            "title: A test module",
            "title: @home",
            2,
            'put the title in quotes, as a value cannot start with @: title: "@home"',
        ),
        (
            "title: A test module",
            "title: 'It's here'",
            2,
            "nothing may follow the closing quotation mark: put the whole value inside the"
            ' quotes (use double quotes, "...", if the value has an apostrophe in it)',
        ),
        (
            "summary: Written by a test.",
            '\tsummary: "Written by a test."',
            3,
            "there is a tab here: use spaces, not tabs, in the front matter and glossary",
        ),
        (
            "summary: Written by a test.",
            'summary: "Written by a test.',
            3,
            "the quotation mark that opens this value is never closed",
        ),
        (
            "summary: Written by a test.",
            "summary",
            3,
            "this line should be a setting, name: value",
        ),
        (
            "  - Do one thing",
            "  - Do one thing\n - Do another",
            11,
            "this line is not lined up with the lines above it",
        ),
    ],
)
def test_front_matter_yaml_mistakes_are_explained_in_authors_words(
    course, front, add_module, problems, before, after, line, message
):
    add_module(course, "test-module", front.replace(before, after) + "Text.\n")
    found = [p for p in problems(course) if "front matter is missing" not in p]
    assert found and found[0].startswith(f"modules/test-module.md:{line}: {message}"), found
    assert "YAML" not in found[0] and "mapping values" not in found[0]


def test_stated_minutes_far_from_the_reading_time_are_a_warning(course, front, add_module):
    words = " ".join(["word"] * 2000)  # 10 minutes at 200 words a minute
    add_module(course, "test-module", front.replace("minutes: 2", "minutes: 25") + words + "\n")
    result = check(course)
    assert result.problems == []
    assert [str(w) for w in result.warnings if "test-module" in w.path] == [
        'modules/test-module.md:5: "minutes" is 25, but the text has 2000 words, about 10'
        " minutes at 200 words a minute (editorial standard: minutes are within half of the"
        " reading time at 200 words a minute, or within 5 minutes)"
    ]
    for minutes in (5, 15):  # within half of 10 minutes either way
        add_module(
            course, "test-module", front.replace("minutes: 2", f"minutes: {minutes}") + words
        )
        assert not [w for w in check(course).warnings if "test-module" in w.path]
    add_module(course, "test-module", front.replace("minutes: 2", "minutes: 4") + "Short.\n")
    assert not [w for w in check(course).warnings if "test-module" in w.path]  # within 5
