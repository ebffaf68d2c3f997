"""Municipalities and the twelve in SKR's network "Utvecklingsnätverk sociala företag"."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from journey.domain.kommuner import KOMMUNER, Kommun, by_code
from journey.domain.language import genitive


@dataclass(frozen=True)
class Municipality:
    id: int | None
    code: str  # kommunkod, four digits
    name: str
    county: str = ""
    workflow: str = "handbook"

    @property
    def formal_name(self) -> str:
        """'Söderhamns kommun', 'Malmö stad', 'Falu kommun', 'Region Gotland' (see journey.domain.kommuner)."""
        return formal_name(self.name, self.code)


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in ascii_only).split()
    return "-".join(words)


@cache
def _ambiguous() -> dict[str, dict[str, str]]:
    """Folds two Swedish municipalities share (Håbo and Habo are both 'habo'): fold -> {name: kommunkod}."""
    names: dict[str, dict[str, str]] = {}
    for k in KOMMUNER:
        for n in (k.name, k.formal_name):
            names.setdefault(_fold(n), {})[unicodedata.normalize("NFC", n).casefold()] = k.code
    return {fold: named for fold, named in names.items() if len(named) > 1}


def slugify(name: str) -> str:
    """ASCII, lower-case, hyphenated: 'Härjedalen' -> 'harjedalen', 'Laxå kommun' -> 'laxa-kommun'.

    Where two municipalities fold to the same letters, the kommunkod tells them apart:
    'Håbo' -> 'habo-0305', 'Habo' -> 'habo-0643'.
    """
    slug = _fold(name)
    code = _ambiguous().get(slug, {}).get(" ".join(unicodedata.normalize("NFC", name).split()).casefold())
    return f"{slug}-{code}" if code else slug


def normalize_name(name: str) -> str:
    """NFC and single spaces, so 'Mo\u0308lndal' typed on a Mac equals 'Mölndal'."""
    return " ".join(unicodedata.normalize("NFC", name).split())


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}",  # the three after z
                                "é": "e", "è": "e", "ü": "y", "á": "a", "à": "a"})


def swedish_sort_key(name: str) -> str:
    """Sort as Swedish readers expect: ... X, Y, Z, Å, Ä, Ö (and é with e, ü with y)."""
    return unicodedata.normalize("NFC", name).casefold().translate(_SWEDISH_ORDER)


@cache
def _by_slug() -> dict[str, Kommun]:
    return {slugify(n): k for k in KOMMUNER for n in (k.name, k.formal_name)}


def formal_name(name: str, code: str = "") -> str:
    """The name a municipality uses of itself in letters: 'Härjedalen' -> 'Härjedalens kommun'.

    Taken from SCB's list when the kommunkod (or, without one, the name) is a Swedish municipality
    there; otherwise "<genitive> kommun" (a name already ending in "kommun" or "stad" is kept).
    """
    name = normalize_name(name)
    listed = by_code(code)
    if listed is not None and slugify(name) in (slugify(listed.name), slugify(listed.formal_name)):
        return listed.formal_name
    by_name = _by_slug().get(slugify(name))
    if by_name is not None:
        return by_name.formal_name
    if not name or name.casefold().endswith((" kommun", " stad")) or name.casefold().startswith("region "):
        return name
    return f"{name if name[-1].casefold() in 'aeiouyåäö' else genitive(name)} kommun"


NETWORK_CODES = ("1283", "2184", "2361", "1780", "1860", "1280", "1481", "1083", "2182", "0360", "1485", "2480")
NETWORK_MUNICIPALITIES: tuple[Municipality, ...] = tuple(
    Municipality(None, k.code, k.name, k.county) for k in (by_code(code) for code in NETWORK_CODES) if k is not None
)
"""Utvecklingsnätverk sociala företag 2021–2022: Helsingborg, Hudiksvall, Härjedalen, Karlstad, Laxå, Malmö,
Mölndal, Sölvesborg, Söderhamn, Tierp, Uddevalla and Umeå."""
