"""The catalogue: ordering, lookups, topics, and rendering once per file version."""

from __future__ import annotations

import os

import pytest

from learning.content import TOPICS, ContentError, catalogue_for, load_catalogue, render
from learning.content import catalogue as catalogue_module


def test_modules_are_ordered_by_order_then_slug(course, front, add_module):
    add_module(course, "aaa-same-order", front.replace("order: 99", "order: 20") + "Text.\n")
    assert load_catalogue(course).slugs == (
        "roles-and-values",
        "aaa-same-order",
        "hospital-discharge",
        "safeguarding-adults",
    )


def test_get_returns_none_and_module_raises_for_an_unknown_slug(catalogue):
    assert catalogue.get("nope") is None
    assert catalogue.get("hospital-discharge").title == "Hospital discharge"
    with pytest.raises(KeyError):
        catalogue.module("nope")


def test_modules_are_grouped_by_topic_in_the_controlled_order(catalogue):
    groups = [(g.topic.code, [m.slug for m in g.modules]) for g in catalogue.by_topic()]
    assert groups == [
        ("roles", ["roles-and-values"]),
        ("values", ["roles-and-values"]),
        ("law", ["hospital-discharge", "safeguarding-adults"]),
        ("discharge", ["hospital-discharge"]),
        ("safeguarding", ["safeguarding-adults"]),
    ]
    assert [t.code for t in TOPICS][:3] == ["roles", "values", "codes"]


def test_topics_can_be_filtered_by_profession(catalogue):
    groups = catalogue.by_topic("housing")
    assert {m.slug for g in groups for m in g.modules} == {"roles-and-values", "hospital-discharge"}


def test_catalogue_is_immutable(catalogue):
    module = catalogue.module("hospital-discharge")
    with pytest.raises(AttributeError):
        module.title = "Changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        catalogue.modules = ()  # type: ignore[misc]


def test_module_page_work_never_calls_the_markdown_renderer(catalogue, monkeypatch):
    def must_not_render(*args, **kwargs):
        raise AssertionError("Markdown rendered while serving a page")

    monkeypatch.setattr(render, "render_body", must_not_render)
    for module in catalogue.modules:
        for lens in (None, "nursing", "social-work", "housing"):
            assert module.body_for(lens)
        assert module.toc is not None
    assert catalogue.search("discharge")
    assert catalogue.by_topic()


def test_loading_again_renders_only_files_whose_version_changed(course, monkeypatch):
    calls = []
    real = render.render_body
    monkeypatch.setattr(render, "render_body", lambda *a, **k: calls.append(1) or real(*a, **k))
    catalogue_module._rendered.cache_clear()
    load_catalogue(course)
    assert len(calls) == 3
    path = course / "modules" / "safeguarding-adults.md"
    path.write_text(path.read_text() + "\nA new line.\n")
    load_catalogue(course)
    assert len(calls) == 4


def test_catalogue_for_keeps_the_loaded_catalogue_outside_debug(course):
    first = catalogue_for(course)
    path = course / "modules" / "hospital-discharge.md"
    path.write_text(path.read_text().replace("Hospital discharge", "Leaving hospital", 1))
    assert catalogue_for(course) is first


def test_catalogue_for_reloads_a_changed_file_in_debug(course):
    first = catalogue_for(course, debug=True)
    assert catalogue_for(course, debug=True) is first
    path = course / "modules" / "hospital-discharge.md"
    path.write_text(path.read_text().replace("Hospital discharge", "Leaving hospital", 1))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert catalogue_for(course, debug=True).module("hospital-discharge").title == (
        "Leaving hospital"
    )


def test_catalogue_for_raises_every_problem_when_a_reload_finds_some(
    course, front, add_module, problems
):
    catalogue_for(course, debug=True)
    add_module(course, "broken", front.replace("minutes: 2", "minutes: soon") + "Text.\n")
    with pytest.raises(ContentError) as raised:
        catalogue_for(course, debug=True)
    assert [str(p) for p in raised.value.problems] == [
        'modules/broken.md:5: "minutes" must be a whole number of at least 1, e.g. 20'
    ]


def test_the_fixture_course_is_valid_with_its_quizzes(fixture_course, quiz_slugs):
    assert load_catalogue(fixture_course, quiz_slugs=quiz_slugs).glossary.version
