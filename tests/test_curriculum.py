"""The real curriculum in modules/ and quizzes/ meets the documented rules (issues #5, #14).

These tests follow the files present and the rules that docs/authoring.md and
modules/README.md state, never a list of what is shipped: each runs on the shipped content
and on an institution's edited copy of it (``tests/institution.py``), so a curriculum that
passes the checker passes them too. Where the content may fall short of the editorial
standard, the checker warns and these tests do not fail.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from learning import PROJECT_ROOT
from learning import curriculum as curricula
from learning.content import ContentError
from learning.content.catalogue import MINUTES_RULE
from learning.content.files import content_files
from learning.curriculum import check
from learning.quizzes.cases import CHOICE_RULE, DECISIONS_RULE, ENDINGS_RULE
from learning.quizzes.questions import FEEDBACK_RULE

from .institution import OWN_MODULE, edited_copy

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"


@pytest.fixture(scope="module", params=["shipped", "edited"])
def content(request, tmp_path_factory) -> Path:
    """The folder holding modules/ and quizzes/: the shipped content, then an edited copy."""
    if request.param == "shipped":
        return PROJECT_ROOT
    return edited_copy(tmp_path_factory.getbasetemp())[0]


@pytest.fixture(scope="module")
def real(content):
    return curricula.load(content)


def test_the_content_passes_the_checker(content):
    result = check(content, today=date.today())
    assert [str(p) for p in result.problems] == []


def test_every_module_file_is_served_in_catalogue_order(content, real):
    files = {p.stem for p in content_files(content / "modules")}
    assert {m.slug for m in real.modules.modules} == files
    order = [(m.order, m.slug) for m in real.modules.modules]
    assert order == sorted(order)


def test_each_module_renders_with_what_the_format_requires(real):
    for module in real.modules.modules:
        assert module.title and module.summary and module.outcomes, module.slug
        assert module.minutes >= 1 and module.next_review > module.reviewed, module.slug
        assert module.body_for(None), module.slug
        for lens in {c.profession for c in module.callouts}:
            assert 'callout--yours"' in module.body_for(lens), (module.slug, lens)


def test_every_scenario_and_its_modules_name_each_other(content, real):
    files = {p.stem for p in content_files(content / "quizzes")}
    assert {q.slug for q in real.quizzes} == files
    for quiz in real.quizzes:
        assert quiz.modules, quiz.slug
        for slug in quiz.modules:
            assert quiz.slug in real.modules.module(slug).quizzes, (quiz.slug, slug)
    for module in real.modules.modules:
        for slug in module.quizzes:
            assert module.slug in real.quizzes.quiz(slug).modules, (module.slug, slug)


def test_titles_are_unique(real):
    for items in (real.modules.modules, real.quizzes.quizzes):
        titles = [item.title.casefold() for item in items]
        assert len(titles) == len(set(titles))


def test_the_glossary_has_terms_and_they_are_marked(real):
    assert len(real.glossary) >= 1
    marked = {term for module in real.modules.modules for term in module.glossary_ids}
    assert marked <= {term.id for term in real.glossary.terms}


def test_the_edited_copy_has_its_own_module_and_not_the_one_removed(tmp_path_factory):
    root, removed = edited_copy(tmp_path_factory.getbasetemp())
    found = curricula.load(root)
    assert found.modules.get("our-local-pathway").title == "Discharge here: our local pathway"
    assert found.quizzes.get("our-discharge-check") is not None
    assert (PROJECT_ROOT / "modules" / f"{removed}.md").is_file()
    assert found.modules.get(removed) is None
    assert not any(f"{removed}.md" in m.body_for(None) for m in found.modules.modules)


# The rules are stated in the docs in the checker's own words --------------------------------


@pytest.mark.parametrize(
    "rule", [MINUTES_RULE, FEEDBACK_RULE, CHOICE_RULE, DECISIONS_RULE, ENDINGS_RULE]
)
@pytest.mark.parametrize("document", ["docs/authoring.md", "modules/README.md"])
def test_each_editorial_rule_is_stated_in_the_checkers_words(document, rule):
    text = " ".join((PROJECT_ROOT / document).read_text(encoding="utf-8").split())
    assert rule in text


def test_the_authors_guide_example_module_passes_the_checker(tmp_path):
    guide = (PROJECT_ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    (example,) = re.findall(
        r"Save this as `modules/hospital-discharge.md`:\n\n````markdown\n(.*?)````", guide, re.S
    )
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "hospital-discharge.md").write_text(example, encoding="utf-8")
    (tmp_path / "modules" / "glossary.yaml").write_text(
        (FIXTURE_COURSE / "modules" / "glossary.yaml").read_text(encoding="utf-8")
    )
    (tmp_path / "modules" / "safeguarding-adults.md").write_text(
        OWN_MODULE.replace(
            "quizzes: [our-discharge-check]\ncompletion: quiz", "completion: read"
        ).replace("Discharge here: our local pathway", "Safeguarding adults")
    )
    problems = [str(p) for p in check(tmp_path).problems]
    assert problems == []


# One bad file no longer stops the site ----------------------------------------------------


@pytest.fixture
def broken_course(tmp_path) -> Path:
    """The fixture course with one broken module and one broken scenario."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    module = root / "modules" / "roles-and-values.md"
    module.write_text(module.read_text().replace("topics: [roles", "topics: [rols"))
    quiz = root / "quizzes" / "discharge-case.md"
    quiz.write_text(quiz.read_text().replace("-> home-safe (2 points)", "-> home-saf (2 points)"))
    return root


def test_a_file_with_a_problem_is_left_out_and_the_rest_is_served(broken_course):
    found = curricula.load(broken_course, strict=False)
    assert found.modules.slugs == ("hospital-discharge", "safeguarding-adults")
    assert found.quizzes.slugs == ("safeguarding-basics",)
    assert [str(p) for p in found.problems] == [
        'modules/roles-and-values.md:8: unknown topic "rols" (did you mean "roles"?)',
        'quizzes/discharge-case.md:45: unknown step "home-saf" (did you mean "home-safe"?)',
    ]
    assert list(found.problems_by_file) == [
        "modules/roles-and-values.md",
        "quizzes/discharge-case.md",
    ]
    # Derived from the files alone: every worker (and the checker) finds the same list.
    assert tuple(check(broken_course).problems) == found.problems


def test_strict_loading_refuses_the_same_content_naming_every_problem(broken_course):
    with pytest.raises(ContentError) as caught:
        curricula.load(broken_course)
    assert "modules/roles-and-values.md:8:" in str(caught.value)
    assert "quizzes/discharge-case.md:45:" in str(caught.value)


def test_a_scenario_and_a_module_that_disagree_are_reported_at_the_scenario(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    quiz = root / "quizzes" / "safeguarding-basics.md"
    quiz.write_text(
        quiz.read_text().replace("modules: [safeguarding-adults]", "modules: [roles-and-values]")
    )
    module = root / "modules" / "hospital-discharge.md"
    module.write_text(module.read_text().replace("quizzes: [discharge-case]\n", ""))
    assert [str(p) for p in check(root).problems] == [
        "quizzes/discharge-case.md:6: modules/hospital-discharge.md does not list this"
        ' scenario in its "quizzes", so its page does not show it: add discharge-case to its'
        ' "quizzes", or take hospital-discharge out of "modules" here',
        "quizzes/safeguarding-basics.md:5: modules/roles-and-values.md does not list this"
        ' scenario in its "quizzes", so its page does not show it: add safeguarding-basics to'
        ' its "quizzes", or take roles-and-values out of "modules" here',
        "quizzes/safeguarding-basics.md:5: modules/safeguarding-adults.md lists this scenario in"
        ' its "quizzes": add safeguarding-adults to "modules" here, or take safeguarding-basics'
        ' out of its "quizzes"',
    ]
    quiz.write_text(quiz.read_text().replace("modules: [roles-and-values]\n", ""))
    module = root / "modules" / "safeguarding-adults.md"
    module.write_text(
        module.read_text().replace(
            "quizzes:\n  - safeguarding-basics\ncompletion: quiz", "completion: read"
        )
    )
    assert (
        "quizzes/safeguarding-basics.md:19: no module goes with this scenario, so no module's"
        ' page shows it: name a module in "modules", and add safeguarding-basics to that'
        ' module\'s "quizzes"'
    ) in [str(p) for p in check(root).problems]
