"""The language of the command line: Swedish by default, English with ``JOURNEY_LANG=en``.

Translations are stdlib ``gettext`` catalogs in ``journey/locale`` (``make messages`` extracts and
compiles them with Babel). :func:`install` picks the language for one invocation and gives click
the same translator, so click's own words ("Usage:", "Options:", its errors) follow. Help texts
are translated when a command is looked up (:func:`localize`); command and option names, metavars
and exit codes never change.
"""

from __future__ import annotations

import gettext as _gettext_module
import inspect
import sys
from pathlib import Path
from typing import Any

import click

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_translation: _gettext_module.NullTranslations = _gettext_module.NullTranslations()
_language = "en"


def _(message: str) -> str:
    """``message`` in the current language (the English msgid when there is no translation). The empty
    string stays empty: a catalog's entry for it is its header (Project-Id-Version ...), and click
    passes "" for an error's missing detail."""
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def language() -> str:
    return _language


def number(value: object) -> str:
    """A decimal number as the language writes it: ``6,5`` and ``531 286,25`` in Swedish (a decimal
    comma; more than four digits grouped by a non-breaking space), ``6.5`` in English. JSON keeps the
    point; text on screen and tab-separated tables pasted into Swedish Excel need the comma."""
    text = "" if value is None else str(value)
    if _language != "sv":
        return text
    from journey.services.text import swedish_number  # not a feature's services: `journey monitor` starts fast

    return swedish_number(text)


def kronor_text(value: object) -> str:
    """Kronor with two decimals, thousands grouped by a non-breaking space: ``1 262,50`` (``1 262.50``)."""
    text = f"{value:,.2f}"
    return text.replace(",", "\u00a0").replace(".", "," if _language == "sv" else ".")


def translation_for(lang: str) -> _gettext_module.NullTranslations:
    if lang == "en":
        return _gettext_module.NullTranslations()
    return _gettext_module.translation(DOMAIN, str(LOCALE_DIR), [lang], fallback=True)


def install(lang: str | None = None) -> str:
    """Use ``lang`` (default: from the environment, see ``config.ui_language``) for this process; returns it."""
    global _translation, _language
    if lang is None:
        from journey.bootstrap import ui_language

        lang = ui_language()
    _translation, _language = translation_for(lang), lang
    for name, module in list(sys.modules.items()):  # click binds gettext's functions at import: rebind them
        if (name == "click" or name.startswith("click.")) and module is not None:
            if getattr(module, "_", None) in (_gettext_module.gettext, _):
                module._ = _  # type: ignore[attr-defined]
            if getattr(module, "ngettext", None) in (_gettext_module.ngettext, ngettext):
                module.ngettext = ngettext  # type: ignore[attr-defined]
    return lang


def translate_text(text: str) -> str:
    """A help text (a docstring or ``help=``) in the current language; looked up as click shows it (cleandoc)."""
    key = inspect.cleandoc(text)
    found = _(key)
    return text if found == key else found


def translate_message(message: Any) -> str:
    """An error message in the current language: a ``journey.domain.messages.Msg`` is looked up by its template."""
    translated = getattr(message, "translated", None)
    if callable(translated):
        return str(translated(_, ngettext))
    return _(message) if isinstance(message, str) else str(message)


def translate_stored(text: str) -> str:
    """A message stored as its English text (a reminder's last error) in the current language.

    The stored text has lost its template: it is found again among the catalog's templates (the one
    with the most fixed text that gives exactly this text), and its translation is filled with the
    same parameters, each translated in turn where it is itself such a message. Text no template
    gives (an SMTP server's own reply, an error of an earlier version) stays as it is.
    """
    if _language == "en" or not text:
        return text
    from journey.cli._stored_messages import StoredMessages

    return StoredMessages.of(_translation).translate(text)


def error_text(error: BaseException) -> str:
    """An error's one-line message in the current language (its ``Msg`` argument translated, else ``str``)."""
    first = error.args[0] if len(error.args) == 1 else None
    return translate_message(first) if isinstance(first, str) and hasattr(first, "translated") else str(error)


_SOURCE = "_journey_source_texts"


def localize(command: click.Command) -> click.Command:
    """Set ``command``'s help, its options' help and its subcommands' help in the current language (idempotent)."""
    source: dict[str, Any] = command.__dict__.setdefault(
        _SOURCE, {"help": command.help, "short_help": command.short_help, "epilog": command.epilog})
    for attr, text in source.items():
        setattr(command, attr, translate_text(text) if text else text)
    for param in command.params:
        if isinstance(param, click.Option):
            original = param.__dict__.setdefault(_SOURCE, param.help)
            param.help = translate_text(original) if original else original
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localize(sub)
    return command
