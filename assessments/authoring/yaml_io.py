"""Reading and writing questionnaire YAML.

Reading is stricter than ``yaml.safe_load`` in three ways that matter to authors:

* only ``true`` / ``false`` are booleans (YAML 1.2), so a choice coded ``no`` or a text
  saying ``yes`` stays text instead of silently becoming ``False`` / ``True``;
* a key given twice in one mapping is an error (PyYAML would keep the last one unseen);
* anchors and aliases are refused: a questionnaire does not need them, and they are how
  a small file expands into a huge one.

The loader also remembers the line of every mapping and key, so validation messages can
say where the problem is.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A questionnaire of a few hundred questions is well under this.
MAX_YAML_CHARS = 2_000_000

_BOOL_TAG = "tag:yaml.org,2002:bool"


@dataclass
class Lines:
    """Where each mapping (by id) and each of its keys start, 1-based."""

    mappings: dict[int, int] = field(default_factory=dict)
    keys: dict[tuple[int, str], int] = field(default_factory=dict)

    def of(self, mapping: Any, key: str | None = None) -> int | None:
        if key is not None and (id(mapping), key) in self.keys:
            return self.keys[(id(mapping), key)]
        return self.mappings.get(id(mapping))


class _Loader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self.lines = Lines()
        self.duplicates: list[str] = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, _("aliases (*name) are not allowed"), event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_questionnaire_map(self, node):
        data: dict = {}
        yield data
        seen: set[str] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                self.duplicates.append(
                    _("line %(line)s: key “%(key)s” is given twice")
                    % {"line": line, "key": key_node.value}
                )
            seen.add(key_node.value)
            self.lines.keys[(id(data), key_node.value)] = line
        data.update(self.construct_mapping(node))
        self.lines.mappings[id(data)] = node.start_mark.line + 1


# YAML 1.2 booleans only: drop PyYAML's yes/no/on/off resolver and add true/false back.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_questionnaire_map)


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> str:
    """Where the unreadable character is, as line and column, and which it is."""
    position = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    where = _("line %(line)s, column %(column)s") % {"line": line, "column": column}
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    reason = _("the character %(char)s is not allowed in YAML") % {"char": f"U+{ord(char):04X}"}
    return f"{where}: {reason}"


def load_yaml(text: str) -> tuple[Any, Lines]:
    """Parse YAML text; a syntax error becomes a ValidationError naming line and column."""
    if len(text) > MAX_YAML_CHARS:
        raise ValidationError(
            [_("the file is too long (at most %(n)s characters)") % {"n": f"{MAX_YAML_CHARS:,}"}]
        )
    try:
        # The reader checks every character when it is built: a control character fails
        # here, before any parsing.
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise ValidationError([_reader_error(text, exc)]) from exc
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or str(exc)
        where = (
            _("line %(line)s, column %(column)s")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else _("YAML")
        )
        raise ValidationError([f"{where}: {problem}"]) from exc
    except yaml.YAMLError as exc:
        raise ValidationError([_("YAML: %(problem)s") % {"problem": exc}]) from exc
    except (ValueError, OverflowError, RecursionError) as exc:
        # PyYAML's constructors raise these for values its patterns let through, such as
        # the date 2024-13-45, and for absurdly deep nesting.
        raise ValidationError(
            [_("YAML: a value could not be read (%(problem)s)") % {"problem": exc}]
        ) from exc
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ValidationError(loader.duplicates)
    return data, loader.lines


# --- writing --------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, Japanese kept readable, multi-line text as literal blocks."""

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, which is how people write YAML by hand.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class FlowMapping(dict):
    """A small mapping written on one line: ``{en: Yes, ja: はい}``."""


def _represent_flow(dumper: yaml.SafeDumper, value: FlowMapping):
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(FlowMapping, _represent_flow)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


# --- fingerprint ----------------------------------------------------------------------


def plain_number(value: Decimal) -> int | float:
    """A Decimal as the plain YAML/JSON number an author would write (2, not 2.00)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def checksum(definition: dict) -> str:
    """sha256 of the canonical definition serialised as JSON with sorted keys.

    JSON rather than YAML: its output for the same data does not depend on the YAML
    library's version or line-wrapping rules.
    """
    encoded = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
