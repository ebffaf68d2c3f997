"""Checks on text where it enters: names and identifiers, free text, and plain dates.

Names (municipalities, counties, users, boards, people) and identifiers (diarienummer)
are NFC-normalised and must look like what they are: no control, invisible or bidi
characters (``Mal\\u200bmö`` is not a second Malmö), no compatibility forms such as
fullwidth letters (a name whose NFKC form differs), no mix of scripts (a Cyrillic ``а``
in a Latin name) and only ASCII digits. Free text (comments, descriptions, titles) is
NFC-normalised and may not hold control or bidi characters; a comment may span lines.
Every problem is an :class:`InputError` (exit code 2) that names the field and shows the
offending character by its code point, never raw.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from journey.domain.errors import InputError
from journey.domain.limits import check_length
from journey.domain.messages import msg

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


def _bad_char(text: str, *, invisible: bool, newlines: bool) -> tuple[str, str] | None:
    """The first character ``text`` may not hold, with the reason, or ``None``."""
    for char in text:
        if char in BIDI_CONTROLS:
            return char, msg("a bidirectional control character")
        category = unicodedata.category(char)
        if category == "Cc" and not (newlines and char in "\n\t"):
            return char, msg("a control character")
        if invisible and category in ("Cf", "Zl", "Zp", "Co", "Cn", "Cs"):
            return char, msg("an invisible or unassigned character")
    return None


def script_of(char: str) -> str:
    """The script a letter belongs to, from its Unicode name: 'LATIN', 'CYRILLIC', 'GREEK' ..."""
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def check_name(value: str, what: str, limit: int, *, required: bool = True) -> str:
    """A name or identifier, NFC-normalised with single spaces; raise :class:`InputError` if it is not clean."""
    bad = _bad_char(value, invisible=True, newlines=False)
    if bad is not None:
        raise InputError(msg("{what} {value!r} contains {value2} {value3}",
            what=what, value=value, value2=bad[1], value3=_describe(bad[0])))
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        if required:
            raise InputError(msg("{what} must not be empty", what=what))
        return text
    if unicodedata.normalize("NFKC", text) != text:
        odd = next(c for c in text if unicodedata.normalize("NFKC", c) != c)
        raise InputError(msg("{what} {text!r} contains {odd}, a compatibility form (fullwidth, ligature, "
                             "superscript ...); type {value!r} instead",
            what=what, text=text, odd=_describe(odd), value=unicodedata.normalize('NFKC', odd)))
    digit = next((c for c in text if c.isdigit() and not "0" <= c <= "9"), None)
    if digit is not None:
        raise InputError(msg("{what} {text!r} contains the digit {digit}; use 0-9",
            what=what, text=text, digit=_describe(digit)))
    scripts = sorted({script_of(c) for c in text if c.isalpha()})
    if len(scripts) > 1:
        raise InputError(msg("{what} {text!r} mixes scripts ({value}); a look-alike letter from another "
                             "alphabet?", what=what, text=text, value=', '.join(s.lower() for s in scripts)))
    return check_length(text, limit, what)


def check_text(value: str, what: str, limit: int, *, multiline: bool = False) -> str:
    """Free text, NFC-normalised and stripped; control and bidi characters are refused.

    With ``multiline`` newlines and tabs are kept (CR LF becomes LF); otherwise the text
    must be one line and invisible characters are refused as well.
    """
    if multiline:
        value = value.replace("\r\n", "\n")
    bad = _bad_char(value, invisible=not multiline, newlines=multiline)
    if bad is not None:
        raise InputError(msg("{what} contains {value} {value2}", what=what, value=bad[1], value2=_describe(bad[0])))
    return check_length(unicodedata.normalize("NFC", value).strip(), limit, what)


def parse_iso_date(text: str) -> date | None:
    """A calendar date written exactly YYYY-MM-DD (no week dates, no 20220307), or ``None``."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def swedish_number(value: object) -> str:
    """A decimal number as Swedish writes it: ``6,5``, ``1965,5``, ``531 286,25`` (a decimal comma; more
    than four digits grouped by a non-breaking space). Text that is no number is given back as it is."""
    text = "" if value is None else str(value)
    whole, point, fraction = text.partition(".")
    digits = whole.lstrip("-")
    if not digits.isdigit() or (point and not fraction.isdigit()):
        return text
    if len(digits) > 4:
        whole = whole[:len(whole) - len(digits)] + f"{int(digits):,}".replace(",", "\u00a0")
    return whole + ("," if point else "") + fraction
