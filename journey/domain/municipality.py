"""Municipalities and the twelve in SKR's network "Utvecklingsnätverk sociala företag"."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Municipality:
    id: int | None
    code: str  # kommunkod, four digits
    name: str
    county: str = ""
    workflow: str = "handbook"


def slugify(name: str) -> str:
    """ASCII, lower-case, hyphenated: 'Härjedalen' -> 'harjedalen', 'Laxå kommun' -> 'laxa-kommun'."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in ascii_only).split()
    return "-".join(words)


def normalize_name(name: str) -> str:
    """NFC and single spaces, so 'Mo\u0308lndal' typed on a Mac equals 'Mölndal'."""
    return " ".join(unicodedata.normalize("NFC", name).split())


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}",  # the three after z
                                "é": "e", "è": "e", "ü": "y", "á": "a", "à": "a"})


def swedish_sort_key(name: str) -> str:
    """Sort as Swedish readers expect: ... X, Y, Z, Å, Ä, Ö (and é with e, ü with y)."""
    return unicodedata.normalize("NFC", name).casefold().translate(_SWEDISH_ORDER)


NETWORK_MUNICIPALITIES: tuple[Municipality, ...] = tuple(
    Municipality(None, code, name, county)
    for code, name, county in (
        ("1283", "Helsingborg", "Skåne län"),
        ("2184", "Hudiksvall", "Gävleborgs län"),
        ("2361", "Härjedalen", "Jämtlands län"),
        ("1780", "Karlstad", "Värmlands län"),
        ("1860", "Laxå", "Örebro län"),
        ("1280", "Malmö", "Skåne län"),
        ("1481", "Mölndal", "Västra Götalands län"),
        ("1083", "Sölvesborg", "Blekinge län"),
        ("2182", "Söderhamn", "Gävleborgs län"),
        ("0360", "Tierp", "Uppsala län"),
        ("1485", "Uddevalla", "Västra Götalands län"),
        ("2480", "Umeå", "Västerbottens län"),
    )
)
