"""A safe YAML loader that remembers the line of every mapping key and list item.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both behave as the plain
``dict`` and ``list`` they extend, and add ``line`` (where they start) and ``lines`` (where each
key or item starts). Lines are 1-based and shifted by ``first_line`` so that they point into the
whole file, not just the YAML part of it.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor


class LineDict(dict):
    """A dict that knows the line of each of its keys."""

    line: int
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class LineList(list):
    """A list that knows the line of each of its items."""

    line: int
    lines: list[int]


class YAMLProblem(Exception):
    """The YAML could not be read; ``line`` is 1-based within the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _loader_class(first_line: int) -> type[yaml.SafeLoader]:
    def line_of(node: yaml.Node) -> int:
        return node.start_mark.line + first_line

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Loader, node: yaml.MappingNode) -> LineDict:
        loader.flatten_mapping(node)
        data = LineDict()
        data.line, data.lines, data.duplicates = line_of(node), {}, []
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    None, None, "a key must be a plain word", key_node.start_mark
                ) from None
            if key in data:
                data.duplicates.append((key, line_of(key_node)))
            data[key] = loader.construct_object(value_node, deep=True)
            data.lines[key] = line_of(key_node)
        return data

    def construct_sequence(loader: Loader, node: yaml.SequenceNode) -> LineList:
        data = LineList(loader.construct_object(child, deep=True) for child in node.value)
        data.line = line_of(node)
        data.lines = [line_of(child) for child in node.value]
        return data

    def construct_timestamp(loader: Loader, node: yaml.ScalarNode) -> Any:
        # An impossible date such as 2024-02-30 stays text, so the caller can say which key.
        try:
            return SafeConstructor.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    return Loader


def load(text: str, *, first_line: int = 1) -> Any:
    """Parse one YAML document whose first line is line ``first_line`` of its file."""
    try:
        return yaml.load(text, Loader=_loader_class(first_line))  # noqa: S506 (SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else first_line
        reason = error.problem or "could not be read"
        if error.context:
            reason = f"{error.context}: {reason}"
        raise YAMLProblem(line, f"not valid YAML ({reason})") from None
    except yaml.YAMLError as error:
        raise YAMLProblem(first_line, f"not valid YAML ({error})") from None
