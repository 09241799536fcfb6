"""The shape of the code, checked: question kinds have one home, no view or domain module asks
which shape a quiz has. (The import layers are import-linter's contracts in pyproject.toml,
checked by `make lint`.)"""

from __future__ import annotations

import re
from pathlib import Path

from learning.quizzes import kinds

ROOT = Path(__file__).parent.parent
KINDS_HOMES = (ROOT / "learning" / "quizzes" / "kinds", ROOT / "templates" / "quizzes" / "kinds")
#: Words that are also kind names but mean something else where they appear, and why.
HOMONYMS = (
    re.compile(r'layout\b.*"single"|"single"\).*layout|"paged", "single"'),  # a page layout
    re.compile(r'REFLECTION = "reflection"|"reflection": "Reflection from a quiz"'),  # CPD source
)


def _sources():
    for folder, pattern in ((ROOT / "learning", "*.py"), (ROOT / "templates", "*.html")):
        for path in sorted(folder.rglob(pattern)):
            if not any(home in path.parents for home in KINDS_HOMES):
                yield path


def test_no_code_outside_the_kinds_folder_names_a_question_kind():
    names = "|".join(re.escape(kind.name) for kind in kinds.BUILT_IN)
    literal = re.compile(rf"""["']({names})["']""")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line) and not any(h.search(line) for h in HOMONYMS)
    ]
    assert found == []


def test_nothing_asks_whether_a_quiz_is_a_branching_case():
    found = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if "is_branching" in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_every_built_in_kind_has_its_partial_with_the_four_macros():
    for kind in kinds.BUILT_IN:
        partial = (ROOT / "templates" / kind.template).read_text(encoding="utf-8")
        for macro in ("hint", "take", "answer", "right"):
            assert re.search(rf"{{% macro {macro}\(", partial), (kind.name, macro)
