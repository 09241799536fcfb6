"""The question kinds, one module each, and the registry that finds a kind by its name.

To add a kind: write a :class:`~learning.quizzes.kinds.base.Kind` subclass in a module of
this folder, a partial ``templates/quizzes/kinds/<name>.html`` with the macros ``hint``,
``take``, ``answer`` and ``right``, add it to ``BUILT_IN`` below, and describe its syntax in
``docs/authoring.md``. Nothing else in the code names a kind. A kind from elsewhere (a test,
a plugin) can be added at run time with :func:`register`.
"""

from __future__ import annotations

from . import matching, multiple, ordering, reflection, short_text, single, true_false
from .base import Answer, InvalidAnswer, Kind, Mark

#: The kinds every site has, in the order the authors' guide lists them. The first is the
#: kind of a question whose block has no ``Type:`` line.
BUILT_IN: tuple[Kind, ...] = (
    single.KIND,
    multiple.KIND,
    true_false.KIND,
    ordering.KIND,
    matching.KIND,
    short_text.KIND,
    reflection.KIND,
)

_registry: dict[str, Kind] = {kind.name: kind for kind in BUILT_IN}


def register(kind: Kind) -> Kind:
    """Make a kind available to quiz files by its name; ValueError if the name is taken."""
    if kind.name in _registry and _registry[kind.name] is not kind:
        raise ValueError(f'there is already a question kind called "{kind.name}"')
    _registry[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind added with :func:`register` (built-in kinds stay)."""
    if name in {kind.name for kind in BUILT_IN}:
        raise ValueError(f'"{name}" is a built-in question kind')
    _registry.pop(name, None)


def get(name: str) -> Kind | None:
    """The kind with this name, or None."""
    return _registry.get(name)


def names() -> tuple[str, ...]:
    """Every kind's name, built-in ones first."""
    return tuple(_registry)


def default() -> Kind:
    """The kind of a question that does not say."""
    return BUILT_IN[0]


def all_kinds() -> tuple[Kind, ...]:
    """Every registered kind."""
    return tuple(_registry.values())


def settings() -> tuple[str, ...]:
    """The settings any kind takes of its own (e.g. ``penalty``), for the reader's checks."""
    return tuple(dict.fromkeys(key for kind in _registry.values() for key in kind.own_settings))


__all__ = [
    "BUILT_IN",
    "Answer",
    "InvalidAnswer",
    "Kind",
    "Mark",
    "all_kinds",
    "default",
    "get",
    "names",
    "register",
    "settings",
    "unregister",
]
