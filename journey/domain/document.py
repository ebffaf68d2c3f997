"""Generated documents: their formats, conditions and safe file names (pure, stdlib only)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from journey.domain.errors import TemplateError
from journey.domain.messages import msg

FORMATS = ("docx", "html", "md")
DEFAULT_FORMATS = ("docx", "html")
KEEP = set("åäöéüÅÄÖÉÜ")
FOLD = {"æ": "ae", "ø": "o", "ß": "ss", "ð": "d", "þ": "th", "ł": "l"}
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_filename(text: str, max_length: int = 80) -> str:
    """A portable, lower-case file-name slug that keeps å, ä, ö readable.

    'Tjänsteskrivelse: Ansvarig nämnd / KS 2022/117' -> 'tjänsteskrivelse-ansvarig-nämnd-ks-2022-117'.
    Other letters are folded to ASCII ('Citroën Ærø' -> 'citroen-aero'); everything else becomes '-'.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in KEEP or (char.isascii() and char.isalnum()):
            out.append(char.lower())
            continue
        base = FOLD.get(char.lower()) or "".join(c for c in unicodedata.normalize("NFKD", char)
                                                 if not unicodedata.combining(c))
        out.append(base.lower() if base.isascii() and base.isalnum() else "-")
    slug = re.sub(r"-{2,}", "-", "".join(out)).strip("-")[:max_length].strip("-") or "dokument"
    return f"{slug}-" if slug in RESERVED else slug


def check_formats(formats: Any, where: str) -> tuple[str, ...]:
    """Normalise a ``formats`` setting (string or list) or raise :class:`TemplateError`."""
    items = (formats,) if isinstance(formats, str) else tuple(formats or DEFAULT_FORMATS)
    unknown = [f for f in items if f not in FORMATS]
    if unknown:
        raise TemplateError(msg("{where}: unknown format {value!r} (known: {formats})",
            where=where, value=unknown[0], formats=', '.join(FORMATS)))
    return items


def condition_holds(when: Any, evidence: dict[str, dict[str, Any]]) -> bool:
    """A document's ``when`` setting: ``{"deal.form": ["iop"]}`` holds if the latest value is listed."""
    for key, allowed in dict(when or ()).items():
        kind, _, name = str(key).partition(".")
        value = evidence.get(kind, {}).get(name)
        options = (allowed,) if isinstance(allowed, str | int) else tuple(allowed)
        if value not in options:
            return False
    return True
