"""Swedish as municipal documents write it: definite forms, genitives, bodies in running text, dates.

Rules from Språkrådet's Svenska skrivregler and common municipal usage:
- definite forms are looked up, never built by adding "en": riktlinjen, policyn, programmet, strategin;
- genitive: -s, nothing after s, x or z (Borås), and ":s" after an abbreviation (KS:s, SKR:s);
- bodies are written in lower case in running text (kommunstyrelsen) and capitalised as a heading,
  at the start of a sentence or in a table;
- dates in running text: "den 14 juni 2022" ("tisdagen den 14 juni 2022" with the weekday).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from journey.domain.workdays import MONTHS, WEEKDAYS

BOARD_NAMES = {"KF": "Kommunfullmäktige", "KS": "Kommunstyrelsen", "KSAU": "Kommunstyrelsens arbetsutskott",
               "AMN": "Arbetsmarknadsnämnden", "SN": "Socialnämnden", "FSN": "Funktionsstödsnämnden"}


@dataclass(frozen=True)
class NounForms:
    """One kind of steering document in the forms running text needs."""

    indefinite: str  # riktlinje
    definite: str  # riktlinjen
    this: str  # denna riktlinje / detta program
    one: str  # en riktlinje / ett program
    title: str  # Riktlinje (as a heading or in a table)


_NOUNS: dict[str, tuple[str, str]] = {  # indefinite -> (definite, demonstrative)
    "riktlinje": ("riktlinjen", "denna"),
    "riktlinjer": ("riktlinjerna", "dessa"),
    "policy": ("policyn", "denna"),
    "program": ("programmet", "detta"),
    "strategi": ("strategin", "denna"),
    "plan": ("planen", "denna"),
    "handlingsplan": ("handlingsplanen", "denna"),
    "styrdokument": ("styrdokumentet", "detta"),
    "dokument": ("dokumentet", "detta"),
}
DOCUMENT_TYPES = ("riktlinje", "policy", "program", "strategi", "plan")


def noun_forms(noun: str) -> NounForms:
    """Forms of a document kind, compounds included: 'näringslivsprogram' -> 'näringslivsprogrammet'.

    An unknown kind falls back to "dokumentet"/"detta dokument", which is always correct Swedish.
    """
    word = noun.strip().casefold()
    for base in sorted(_NOUNS, key=len, reverse=True):
        if word.endswith(base):
            prefix = word[: len(word) - len(base)]
            definite, this = _NOUNS[base]
            one = {"denna": "en ", "detta": "ett "}.get(this, "")
            return NounForms(word, prefix + definite, f"{this} {word}", f"{one}{word}", word[:1].upper() + word[1:])
    word = word or "dokument"
    return NounForms(word, "dokumentet", "detta dokument", "ett dokument", word[:1].upper() + word[1:])


def all_noun_forms() -> dict[str, dict[str, str]]:
    """Every known kind as plain dicts, for template contexts (``document_types.program.definite``)."""
    return {noun: asdict(noun_forms(noun)) for noun in _NOUNS}


def _is_abbreviation(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def genitive(name: str) -> str:
    """'Kommunstyrelsen' -> 'Kommunstyrelsens', 'Borås' -> 'Borås', 'KS' -> 'KS:s'."""
    name = name.strip()
    if not name:
        return name
    if _is_abbreviation(name.split()[-1]):
        return f"{name}:s"
    return name if name[-1].casefold() in "sxz" else f"{name}s"


def in_text(body: str) -> str:
    """A body's name inside a sentence: 'Kommunstyrelsen' -> 'kommunstyrelsen'; 'KS' stays 'KS'.

    Only for bodies and common nouns; a proper name (Region Gotland) keeps its capital.
    """
    body = body.strip()
    first = body.split(" ", 1)[0] if body else ""
    if not first or _is_abbreviation(first) or any(c.isupper() for c in first[1:]):
        return body
    return body[0].lower() + body[1:]


def title_in_text(title: str) -> str:
    """A document title inside a sentence: 'Riktlinje för ...' -> 'riktlinje för ...'.

    Lower-cased only when the title starts with a kind of document ('Näringslivsprogram 2022',
    'Policy för ...'); a title that starts with a name ('Hudiksvalls riktlinje') is left alone.
    """
    title = title.strip()
    first = "".join(c for c in title.split(" ", 1)[0] if c.isalpha()).casefold() if title else ""
    if first and any(first.endswith(noun) for noun in _NOUNS) and not _is_abbreviation(title.split(" ", 1)[0]):
        return in_text(title)
    return title


def board_name(code_or_name: str) -> str:
    """'KS' -> 'Kommunstyrelsen', 'amn' -> 'Arbetsmarknadsnämnden'; a name as written, capitalised
    ('kulturnämnden' -> 'Kulturnämnden'), since it may start a sentence or fill a table cell."""
    text = code_or_name.strip()
    return BOARD_NAMES.get(text.upper()) or text[:1].upper() + text[1:]


def board_forms(code_or_name: str) -> dict[str, str]:
    """The forms templates need: name (heading/table), in_text, genitive (kommunstyrelsens)."""
    name = board_name(code_or_name)
    return {"name": name, "in_text": in_text(name), "genitive": genitive(in_text(name))}


def running_date(day: date, weekday: bool = False) -> str:
    """'den 14 juni 2022', with ``weekday`` 'tisdagen den 14 juni 2022'."""
    text = f"den {day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]}en {text}" if weekday else text


def running_date_text(value: Any) -> str:
    """``running_date`` of an ISO date string; anything else (a placeholder) is returned as it is."""
    try:
        return running_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


RECIPIENTS = {"coordinator": "lokal projektsamordnare", "skr": "SKR:s processtödjare",
              "board_secretary": "sekreterare", "board_chair": "ordförande"}


def recipient_line(role: str, municipality: str, board: str = "") -> str:
    """Who a mail is for, after "Till: ": 'kommunstyrelsens ordförande, Härjedalens kommun'.

    ``municipality`` is the formal name; ``board`` a board's name or code (KS) for the board roles.
    """
    if role == "skr":
        return f"{RECIPIENTS[role]} för {municipality}"
    if role in ("board_secretary", "board_chair"):
        owner = board_forms(board)["genitive"] if board.strip() else "nämndens"
        return f"{owner} {RECIPIENTS[role]}, {municipality}"
    return f"{RECIPIENTS.get(role, role)}, {municipality}"
