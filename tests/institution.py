"""An institution's copy of the shipped content, for the tests of the real curriculum.

Those tests follow the files present and the documented rules, never a list of what is
shipped today, so they must hold as well on a copy that an institution has edited: one that
adds a module and a scenario of its own and removes a shipped module (and, as the checker
would tell it to, the links to it). :func:`edited_copy` makes that copy and proves that it
passes the checker; the tests take both through the ``content`` fixture.
"""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

from learning import PROJECT_ROOT
from learning.content.files import content_files
from learning.curriculum import check

#: A module of the institution's own, written from docs/authoring.md alone.
OWN_MODULE = """\
---
title: "Discharge here: our local pathway"
summary: How a discharge is planned in our area, by whom, and what to do when it stalls.
order: 1000
minutes: 1
cpd_hours: 0.25
professions: all
topics: [discharge, partnership]
outcomes:
  - Name who plans a discharge on our wards
  - Say where to raise a discharge that has stalled
references:
  - title: Hospital discharge and community support guidance
    publisher: Department of Health and Social Care
    year: 2024
    url: https://www.gov.uk/government/publications/hospital-discharge-service-guidance
quizzes: [our-discharge-check]
completion: quiz
reviewed: 2026-01-05
next_review: 2027-01-05
---
## Who plans a discharge here

Planning starts on the day a person is admitted. The ward nurse coordinates it with the
discharge team.

!!! social-work
    Our hospital social work team takes referrals every weekday.

## When it stalls

Raise it at the daily board round, and record what is holding it up.
"""

#: A scenario of the institution's own that goes with that module.
OWN_SCENARIO = """\
---
title: Our discharge check
summary: Two questions on how discharge works here.
topic: discharge
modules: [our-local-pathway]
pass_mark: 50
minutes: 3
cpd_hours: 0.1
---
## When does discharge planning start? {#starts}
- [x] On the day of admission
  > Yes.
- [ ] When the person is medically fit
  > That is too late.

## Where do you raise a stalled discharge? {#stalled}
- [x] At the daily board round
  > Yes.
- [ ] Nowhere
  > Always raise it.
"""


@functools.cache
def edited_copy(base: Path) -> tuple[Path, str]:
    """The copy under ``base`` (made once per folder) and the slug of the module removed."""
    root = base / "institution"
    shutil.copytree(PROJECT_ROOT / "modules", root / "modules")
    shutil.copytree(PROJECT_ROOT / "quizzes", root / "quizzes")
    (root / "modules" / "our-local-pathway.md").write_text(OWN_MODULE, encoding="utf-8")
    (root / "quizzes" / "our-discharge-check.md").write_text(OWN_SCENARIO, encoding="utf-8")
    removed = content_files(PROJECT_ROOT / "modules")[-1].stem
    remove_module(root, removed)
    problems = [str(p) for p in check(root).problems]
    assert problems == [], f"the edited copy does not pass the checker: {problems}"
    return root, removed


def remove_module(root: Path, slug: str) -> None:
    """Remove a module as an author would: the file, the links to it (their text stays),
    its name in scenarios' ``modules``, and a scenario that went with it alone."""
    (root / "modules" / f"{slug}.md").unlink()
    link = re.compile(rf"\[([^\]]*)\]\((?:/modules/)?{re.escape(slug)}(?:\.md)?(?:#[^)\s]*)?\)")
    for path in _content(root):
        text = link.sub(r"\1", path.read_text(encoding="utf-8"))
        if path.parent.name == "quizzes":
            text = _without(text, "modules", slug)
        path.write_text(text, encoding="utf-8")
    for path in content_files(root / "quizzes"):
        if re.search(r"^modules: \[\]$", path.read_text(encoding="utf-8"), re.M):
            path.unlink()
            for module in content_files(root / "modules"):
                text = _without(module.read_text(encoding="utf-8"), "quizzes", path.stem)
                if re.search(r"^quizzes: \[\]$", text, re.M):
                    text = text.replace("completion: quiz", "completion: read")
                module.write_text(text, encoding="utf-8")


def _content(root: Path) -> list[Path]:
    return [*content_files(root / "modules"), *content_files(root / "quizzes")]


def _without(text: str, key: str, item: str) -> str:
    """The file with ``item`` taken out of the front matter list ``key`` (either spelling)."""
    inline = re.compile(rf"^{key}:[ \t]*\[(.*)\][ \t]*$", re.M)

    def drop(match: re.Match[str]) -> str:
        kept = [i.strip() for i in match.group(1).split(",") if i.strip() and i.strip() != item]
        return f"{key}: [{', '.join(kept)}]"

    text = inline.sub(drop, text, count=1)
    block = re.compile(
        rf"^({key}:[ \t]*\n(?:[ \t]+- .*\n)*?)[ \t]+- {re.escape(item)}[ \t]*\n", re.M
    )
    text = block.sub(r"\1", text, count=1)
    return re.sub(rf"^{key}:[ \t]*\n(?![ \t]+- )", f"{key}: []\n", text, count=1, flags=re.M)
