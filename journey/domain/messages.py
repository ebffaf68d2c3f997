"""User-facing messages that can be translated where they are shown, not where they are raised.

``msg("no case for {municipality}", municipality=name)`` is the English text (a ``str``, so
``str(err)``, logs and the JSON API stay English) that also keeps its template and parameters:
the command line looks the template up in its Swedish catalog and fills in the same parameters.
Babel extracts the first argument of ``msg`` (and the first two of ``nmsg``) into the catalog.
"""

from __future__ import annotations

from typing import Any


class Msg(str):
    """English text plus what a translation needs: ``template``, ``params`` and, for plurals, ``plural``/``n``."""

    template: str
    plural: str | None
    n: int | None
    params: dict[str, Any]

    def __new__(cls, template: str, plural: str | None = None, n: int | None = None, /, **params: Any) -> Msg:
        chosen = template if plural is None or n == 1 else plural
        obj = super().__new__(cls, chosen.format(**params) if params else chosen)
        obj.template, obj.plural, obj.n, obj.params = template, plural, n, params
        return obj

    def translated(self, gettext: Any, ngettext: Any) -> str:
        """The message in the language of ``gettext``/``ngettext``; a parameter that is a ``Msg`` is translated too."""
        params = {k: _translated(v, gettext, ngettext) for k, v in self.params.items()}
        text = gettext(self.template) if self.plural is None else ngettext(self.template, self.plural, self.n)
        try:
            return str(text.format(**params)) if params else str(text)
        except (KeyError, IndexError, ValueError):  # a broken translation: the English text rather than nothing
            return str(self)


def msg(template: str, /, **params: Any) -> Msg:
    """A translatable message: ``template`` with ``{name}`` placeholders filled from ``params``."""
    return Msg(template, None, None, **params)


def nmsg(singular: str, plural: str, n: int, /, **params: Any) -> Msg:
    """A translatable message with a singular and a plural form, chosen by ``n`` (``{n}`` is available)."""
    return Msg(singular, plural, n, n=n, **params)


class Joined(Msg):
    """Messages joined by ``sep`` (a list of problems): each part is translated on its own."""

    items: tuple[str, ...]
    sep: str

    def __new__(cls, items: Any, sep: str = "; ") -> Joined:
        parts = tuple(items)
        obj = str.__new__(cls, sep.join(parts))
        obj.template, obj.plural, obj.n, obj.params = sep.join(parts), None, None, {}
        obj.items, obj.sep = parts, sep
        return obj

    def __reduce__(self) -> Any:
        return (Joined, (self.items, self.sep))

    def translated(self, gettext: Any, ngettext: Any) -> str:
        return self.sep.join(str(_translated(i, gettext, ngettext)) for i in self.items)


def joined(items: Any, sep: str = "; ") -> Joined:
    """``sep.join(items)`` that keeps each translatable part translatable."""
    return Joined(items, sep)


def message_of(error: BaseException) -> str:
    """An error's message, keeping a translatable :class:`Msg` (its only argument) as it is."""
    first = error.args[0] if len(error.args) == 1 else None
    return first if isinstance(first, Msg) else str(error)


def in_language(value: Any, gettext: Any, ngettext: Any) -> str:
    """``value`` (a message, or an error carrying one) in the language of ``gettext``/``ngettext``;
    anything untranslatable as its English text."""
    return str(_translated(value, gettext, ngettext))


def _translated(value: Any, gettext: Any, ngettext: Any) -> Any:
    if isinstance(value, BaseException):  # "{file}:{line}: {error}": the wrapped error's own message
        value = message_of(value)
    return value.translated(gettext, ngettext) if isinstance(value, Msg) else value
