"""A safe YAML loader that remembers the line of every mapping key and list item.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both behave as the plain
``dict`` and ``list`` they extend, and add ``line`` (where they start) and ``lines`` (where each
key or item starts). Lines are 1-based and shifted by ``first_line`` so that they point into the
whole file, not just the YAML part of it.
"""

from __future__ import annotations

import re
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
    """Parse one YAML document whose first line is line ``first_line`` of its file.

    Raises :class:`YAMLProblem` saying, in words an author can act on, what to change."""
    try:
        return yaml.load(text, Loader=_loader_class(first_line))  # noqa: S506 (SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        index, message = explain(error, text.splitlines())
        raise YAMLProblem(index + first_line, message) from None
    except yaml.YAMLError as error:
        raise YAMLProblem(first_line, f"this cannot be read ({error})") from None


#: ``name: value`` (perhaps a list item), as authors write a setting.
SETTING = re.compile(
    r"(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<key>[A-Za-z_][\w-]*):[ \t]+(?P<value>.*?)\s*"
)


def explain(error: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """The line (0-based, in ``lines``) and the advice for a YAML error: what to write, not
    what the parser expected. The parser's own words are kept only when nothing better fits."""
    problem = error.problem or ""
    context = error.context or ""
    at = error.problem_mark.line if error.problem_mark else 0
    start = error.context_mark.line if error.context_mark else at

    def line(index: int) -> str:
        return lines[index] if 0 <= index < len(lines) else ""

    if "mapping values are not allowed" in problem:
        setting = SETTING.fullmatch(line(at))
        if setting and ": " in setting["value"]:
            return at, _quote_advice(setting, "it contains a colon")
        return at, (
            "a colon and a space start a new setting, and one cannot start here: if the colon is"
            " part of the text, put the text in quotes; if not, line this setting up with the"
            " others"
        )
    if "'\\t'" in problem:
        return at, "there is a tab here: use spaces, not tabs, in the front matter and glossary"
    if "cannot start any token" in problem or "undefined alias" in problem:
        setting = SETTING.fullmatch(line(at))
        mark = setting["value"][:1] if setting else ""
        if setting and mark:
            return at, _quote_advice(setting, f"a value cannot start with {mark}")
        return at, "a value cannot start with this character: put the value in quotes"
    if "could not find expected ':'" in problem:
        return start, (
            "this line should be a setting, name: value (a colon and a space after the name);"
            " if it continues the text above it, put that whole text on one line, in quotes"
        )
    if "flow sequence" in context:
        return start, (
            "the list in [ ] that starts here is not closed: end it with ] on the same line,"
            " and put any item that contains a comma or a colon in quotes"
        )
    if "flow mapping" in context:
        setting = SETTING.fullmatch(line(start))
        if setting:
            return start, _quote_advice(setting, "a value cannot start with {")
        return start, "a value cannot start with {: put the value in quotes"
    if "quoted scalar" in context:
        return start, (
            "the quotation mark that opens this value is never closed: end the value with the"
            " same mark (\" or ')"
        )
    if "found '<scalar>'" in problem:
        return at, (
            "nothing may follow the closing quotation mark: put the whole value inside the"
            ' quotes (use double quotes, "...", if the value has an apostrophe in it)'
        )
    if "<block end>" in problem or "expected key" in problem or "'-' indicator" in problem:
        return at, (
            "this line is not lined up with the lines above it: give settings at the same level"
            ' the same indentation, and indent list items by two spaces, then "- "'
        )
    reason = f"{context}: {problem}" if context else problem or "it could not be read"
    return at, f"this line cannot be read ({reason})"


def _quote_advice(setting: re.Match[str], reason: str) -> str:
    """Put the value of a ``name: value`` line in quotes, showing the line as it should be."""
    value = setting["value"]
    if '"' not in value:
        quoted = f'"{value}"'
    elif "'" not in value:
        quoted = f"'{value}'"
    else:
        quoted = '"' + value.replace('"', '\\"') + '"'
    name = setting["key"].replace("_", " ")
    item = "- " if setting["indent"].strip() else ""
    return f"put the {name} in quotes, as {reason}: {item}{setting['key']}: {quoted}"
