"""Stored English messages back in the catalog's language, by the template each was made from.

A reminder's last error is kept in the database as English text (logs and ``--json`` stay
English), so its ``Msg`` template and parameters are gone when a person reads it. Each catalog
template with placeholders is a pattern: its fixed text must appear as it is and each placeholder
stands for any text. The template with the most fixed text that gives exactly the stored text
wins; its translation is filled with the captured parameters.
"""

from __future__ import annotations

import gettext
import re
import string
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

MIN_FIXED = 8  # a template with less fixed text than this ("{value}: {problem}") would match nearly anything
MAX_DEPTH = 3  # parameters that are messages themselves, translated to this depth


@dataclass(frozen=True)
class _Template:
    """One catalog template: its fixed pieces and the names between them."""

    translation: str  # the catalog's text for it
    pieces: tuple[str, ...]  # fixed text; one more than names
    names: tuple[str, ...]

    @property
    def fixed(self) -> int:
        return sum(map(len, self.pieces))

    def could_give(self, text: str) -> bool:
        """A quick check before the pattern: the first and last pieces frame the text, the others are in it."""
        return (text.startswith(self.pieces[0]) and text.endswith(self.pieces[-1])
                and all(piece in text for piece in self.pieces[1:-1]))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        parts = [re.escape(self.pieces[0])]
        for i, piece in enumerate(self.pieces[1:]):
            parts += [f"(?P<p{i}>.*?)", re.escape(piece)]
        return re.compile("".join(parts), re.DOTALL)

    def parameters(self, text: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        values: dict[str, str] = {}
        for i, name in enumerate(self.names):
            value = found.group(f"p{i}")
            if values.setdefault(name, value) != value:  # one name twice, two different texts: not this template
                return None
        return values


def _parsed(source: str, translation: str) -> _Template | None:
    """The template's pieces, or None where it has no placeholder, too little fixed text, or unusual fields."""
    pieces, names, fixed = [], [], ""
    try:
        for literal, name, _spec, _conversion in string.Formatter().parse(source):
            fixed += literal
            if name is None:
                continue
            if not name.isidentifier():
                return None
            pieces.append(fixed)
            names.append(name)
            fixed = ""
    except ValueError:
        return None
    pieces.append(fixed)
    template = _Template(translation, tuple(pieces), tuple(names))
    return template if names and template.fixed >= MIN_FIXED else None


def _filled(translation: str, values: dict[str, str]) -> str | None:
    """The translated template with the captured texts in place (as they were: a ``!r`` is in the text already)."""
    out = []
    try:
        for literal, name, _spec, _conversion in string.Formatter().parse(translation):
            out.append(literal)
            if name is not None:
                if name not in values:
                    return None
                out.append(values[name])
    except ValueError:
        return None
    return "".join(out)


class StoredMessages:
    """The catalog's templates, parsed once per translation."""

    _cache: ClassVar[dict[gettext.NullTranslations, StoredMessages]] = {}

    def __init__(self, translation: gettext.NullTranslations) -> None:
        self.translation = translation
        catalog = getattr(translation, "_catalog", {})  # GNUTranslations keeps msgid -> msgstr here
        parsed = (_parsed(key, value) for key, value in catalog.items() if isinstance(key, str) and "{" in key)
        self.templates = sorted((t for t in parsed if t is not None), key=lambda t: -t.fixed)

    @classmethod
    def of(cls, translation: gettext.NullTranslations) -> StoredMessages:
        if translation not in cls._cache:
            cls._cache[translation] = cls(translation)
        return cls._cache[translation]

    def translate(self, text: str, depth: int = 0) -> str:
        if not text:
            return text  # gettext("") is the catalog's header
        found = self.translation.gettext(text)
        if found != text or depth >= MAX_DEPTH:
            return found
        for template in self.templates:  # the most fixed text first
            if not template.could_give(text):
                continue
            values = template.parameters(text)
            if values is None:
                continue
            filled = _filled(template.translation, {name: self.translate(value, depth + 1)
                                                    for name, value in values.items()})
            return text if filled is None else filled
        return text
