"""Links between modules are checked at load time and rewritten to module pages."""

from __future__ import annotations

from learning.content import load_catalogue


def test_link_to_a_module_file_is_rewritten_to_its_page_keeping_the_anchor(catalogue):
    body = catalogue.module("roles-and-values").body_for(None)
    assert '<a href="/modules/hospital-discharge#what-d2a-means">the discharge module</a>' in body


def test_link_to_a_module_page_is_kept(catalogue):
    body = catalogue.module("hospital-discharge").body_for(None)
    assert '<a href="/modules/roles-and-values">roles</a>' in body


def test_external_links_are_left_alone(catalogue):
    body = catalogue.module("hospital-discharge").body_for(None)
    assert 'href="https://www.legislation.gov.uk/ukpga/2005/9"' in body


def test_module_url_prefix_is_a_parameter(course):
    catalogue = load_catalogue(course, module_url="/learn/modules/")
    body = catalogue.module("hospital-discharge").body_for(None)
    assert '<a href="/learn/modules/roles-and-values">roles</a>' in body


def test_broken_link_to_a_module_names_file_and_line(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + "Intro.\n\nSee [this](hospital-dischage.md).\n")
    assert problems(course) == [
        f'modules/test-module.md:{body_line + 2}: link to "hospital-dischage.md":'
        ' there is no module "hospital-dischage"'
    ]


def test_broken_link_to_a_module_page_names_file_and_line(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + "See [this](/modules/nowhere#top).\n")
    assert problems(course) == [
        f'modules/test-module.md:{body_line}: link to "/modules/nowhere#top":'
        ' there is no module "nowhere"'
    ]


def test_link_to_a_missing_heading_names_file_and_line(
    course, front, body_line, add_module, problems
):
    text = front + "## Here\n\n[up](#here) [down](#there)\n[x](roles-and-values.md#nope)\n"
    add_module(course, "test-module", text)
    assert problems(course) == [
        f'modules/test-module.md:{body_line + 2}: link to "#there":'
        ' there is no heading "#there" on this page',
        f'modules/test-module.md:{body_line + 3}: link to "roles-and-values.md#nope":'
        ' there is no heading "#nope" in "roles-and-values"',
    ]


def test_the_same_broken_link_twice_is_reported_at_both_lines(
    course, front, body_line, add_module, problems
):
    add_module(course, "test-module", front + "[a](gone.md)\n\n[b](gone.md)\n")
    assert [p.split(": ")[0] for p in problems(course)] == [
        f"modules/test-module.md:{body_line}",
        f"modules/test-module.md:{body_line + 2}",
    ]


def test_link_in_a_code_block_is_not_checked(course, front, add_module, problems):
    add_module(course, "test-module", front + "```\n[a](gone.md)\n```\n")
    assert problems(course) == []


def test_headings_have_anchors_and_long_modules_have_a_table_of_contents(catalogue):
    roles = catalogue.module("roles-and-values")
    assert [(h.level, h.id, h.text) for h in roles.toc] == [
        (2, "who-is-in-the-team", "Who is in the team"),
        (2, "shared-values", "Shared values"),
        (2, "working-together", "Working together"),
        (2, "summary", "Summary"),
    ]
    assert '<h2 id="shared-values">Shared values</h2>' in roles.body_for(None)
    assert catalogue.module("hospital-discharge").toc == ()


def test_raw_html_scripts_and_handlers_are_removed(course, front, add_module):
    text = (
        front
        + '<script>alert(1)</script>\n\n<p onclick="x()">Hi <a href="javascript:x()">a</a></p>\n'
    )
    add_module(course, "test-module", text)
    body = load_catalogue(course).module("test-module").body_for(None)
    assert "<script" not in body and "onclick" not in body and "javascript:" not in body
    assert "Hi" in body
