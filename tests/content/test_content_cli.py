"""``flask content check`` prints every problem as path:line: message and sets the exit code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from learning.cli import content_cli


@pytest.fixture
def run_check(course):
    def run():
        return CliRunner().invoke(content_cli, ["check"], env={"CONTENT_ROOT": str(course)})

    return run


def problems_printed(output: str) -> list[str]:
    """The lines of the checker's output that are not warnings (the fixture course, a test of
    the format, falls short of the editorial standard and gets warnings of its own)."""
    return [line for line in output.splitlines() if not line.startswith("warning: ")]


@freeze_time("2026-06-01")
def test_clean_content_prints_counts_and_exits_zero(run_check):
    result = run_check()
    assert result.exit_code == 0
    assert problems_printed(result.output) == [
        "Content OK: 3 modules, 6 glossary terms, 2 scenarios."
    ]


@freeze_time("2027-02-15")
def test_overdue_reviews_are_printed_as_warnings_without_failing(run_check):
    result = run_check()
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[-1] == "Content OK: 3 modules, 6 glossary terms, 2 scenarios."
    assert [line for line in lines if "review overdue" in line] == [
        "warning: modules/hospital-discharge.md:17: review overdue: next_review was 2027-02-01",
        "warning: modules/roles-and-values.md:19: review overdue: next_review was 2027-01-15",
    ]


@freeze_time("2026-06-01")
def test_problems_are_printed_relative_to_the_content_root_and_exit_one(
    course, run_check, front, add_module, problems
):
    add_module(course, "broken", front.replace("topics: [roles]", "topics: [rols]") + "T.\n")
    add_module(course, "linky", front.replace("A test", "Another") + "[gone](gone.md)\n")
    result = run_check()
    assert result.exit_code == 1
    assert problems_printed(result.output) == [
        'modules/broken.md:8: unknown topic "rols" (did you mean "roles"?)',
        'modules/linky.md:15: link to "gone.md": there is no module "gone"',
        "2 problems found.",
    ]


@freeze_time("2026-06-01")
def test_quiz_names_are_checked_once_a_quizzes_folder_exists(course, run_check):
    (course / "quizzes" / "safeguarding-basics.md").rename(course / "quizzes" / "other-quiz.md")
    result = run_check()
    assert result.exit_code == 1
    assert problems_printed(result.output)[0] == (
        'modules/safeguarding-adults.md:12: unknown scenario "safeguarding-basics"'
        " (use one of: discharge-case, other-quiz)"
    )


@freeze_time("2026-06-01")
def test_broken_quizzes_are_reported_with_the_modules(course, run_check):
    (course / "quizzes" / "other-quiz.md").write_text("---\n---\n")
    result = run_check()
    assert result.exit_code == 1
    assert "quizzes/other-quiz.md:1: the front matter must be a list" in result.output


def test_flask_content_check_works_even_when_broken_content_stops_the_app(tmp_path):
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "broken.md").write_text("---\ntitle: Broken\n---\nBody\n")
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(  # noqa: S603 - our own venv's flask, fixed arguments
        [str(flask), "--app", "app", "content", "check"],
        env={**os.environ, "CONTENT_ROOT": str(tmp_path)},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "modules/broken.md:" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_check_works_as_the_guide_says_outside_the_virtual_environment(tmp_path):
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "broken.md").write_text("---\ntitle: Broken\n---\nBody\n")
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CONTENT_ROOT": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - make, fixed arguments, in our own folder
        [str(shutil.which("make")), "-s", "-o", ".venv/.installed", "check"],
        env=bare,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert 'modules/broken.md:3: the front matter is missing "summary"' in result.stdout
    assert "ImportError" not in result.stderr and "Traceback" not in result.stderr
