"""Evidence values given by coordinators: parse, normalise and check them against a spec.

Evidence is what makes an advance trustworthy in municipal terms: a board decision is
organ, meeting date, § and diarienummer; a signed letter is its signatories and date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from journey.domain import limits
from journey.domain.errors import EvidenceError, InputError
from journey.domain.labels import match_choice
from journey.domain.messages import Msg, message_of, msg
from journey.domain.spec import EvidenceFieldSpec, EvidenceSpec
from journey.domain.text import check_name, check_text, parse_iso_date

FIELD_TYPES = ("text", "date", "paragraph", "diarienummer", "int", "people", "choice", "bool")

_DNR = re.compile(r"(?:[A-ZÅÄÖa-zåäö]{1,8}[ -]?)?[0-9]{4}[/.-][0-9]{1,7}(?:[/.:-][0-9]{1,5})*")
_PARAGRAPH = re.compile(r"§?\s*([0-9]{1,5})")
_INT = re.compile(r"-?[0-9]{1,15}")
_TRUE = {"yes", "ja", "true", "1"}
_FALSE = {"no", "nej", "false", "0"}


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``key=value`` strings into a dict; a repeated key or a pair without ``=`` is an error."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise EvidenceError(msg("evidence {pair!r} is not of the form key=value", pair=pair))
        if key in result:
            raise EvidenceError(msg("evidence key {key!r} is given twice", key=key))
        result[key] = value.strip()
    return result


def parse_value(kind: str, fld: EvidenceFieldSpec, raw: str, today: date | None = None) -> Any:
    """Normalise one raw value, or raise :class:`EvidenceError` naming kind and field.

    With ``today`` a date later than it is refused unless the field allows the future
    (``future: true`` in the workflow, e.g. a policy's ``valid_until``).
    """
    where = msg("evidence {kind}.{field}", kind=kind, field=fld.name)  # a Msg: "underlag …" in Swedish
    try:
        return _parse(where, fld, check_text(raw, where, limits.EVIDENCE_VALUE), today)
    except EvidenceError:
        raise
    except InputError as exc:  # a control, invisible or look-alike character, or too long
        raise EvidenceError(message_of(exc)) from None


def _parse(where: Msg, fld: EvidenceFieldSpec, raw: str, today: date | None) -> Any:
    if fld.type == "date":
        day = parse_iso_date(raw)
        if day is None:
            raise EvidenceError(msg("{where}: {raw!r} is not a date (YYYY-MM-DD)", where=where, raw=raw))
        if today is not None and day > today and not fld.option("future", False):
            raise EvidenceError(msg("{where}: {day} is in the future (today is {today}); record a decision once "
                                    "it is taken", where=where, day=day, today=today))
        return day.isoformat()
    if fld.type == "paragraph":
        m = _PARAGRAPH.fullmatch(raw.strip())
        if not m or int(m.group(1)) == 0:
            raise EvidenceError(msg("{where}: {raw!r} is not a paragraph number (e.g. 45 or '§ 45')",
                where=where, raw=raw))
        return int(m.group(1))
    if fld.type == "int":
        digits = raw.replace(" ", "").replace("\u00a0", "")
        if not _INT.fullmatch(digits):
            raise EvidenceError(msg("{where}: {raw!r} is not a whole number", where=where, raw=raw))
        value = int(digits)
        minimum = fld.option("min")
        if minimum is not None and value < minimum:
            raise EvidenceError(msg("{where}: {value} is below the minimum {minimum}",
                where=where, value=value, minimum=minimum))
        return value
    if fld.type == "diarienummer":
        text = check_name(raw, where, limits.EVIDENCE_VALUE)
        if not _DNR.fullmatch(text):
            raise EvidenceError(msg("{where}: {raw!r} is not a diarienummer (e.g. 'KS 2022/123' or '2020/00825')",
                where=where, raw=raw))
        return text
    if fld.type == "people":
        name = msg("{where}: name", where=where)
        names = [check_name(n, name, limits.PERSON) for n in re.split(r"[;,]", raw) if n.strip()]
        minimum = fld.option("min", 1)
        if len(names) < minimum:
            raise EvidenceError(msg("{where}: needs at least {minimum} names separated by commas, got {count}",
                where=where, minimum=minimum, count=len(names)))
        return names
    if fld.type == "choice":
        choice = match_choice(fld, raw)
        if choice is None:
            raise EvidenceError(msg("{where}: {raw!r} is not one of {choices}",
                                    where=where, raw=raw, choices=', '.join(fld.choice_labels())))
        return choice
    if fld.type == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise EvidenceError(msg("{where}: {raw!r} is not yes/no", where=where, raw=raw))
    text = raw.strip()
    if not text:
        raise EvidenceError(msg("{where}: is empty", where=where))
    return text


def collect(kinds: list[EvidenceSpec], raw: Mapping[str, str], trigger: str,
            today: date | None = None) -> dict[str, dict[str, Any]]:
    """Distribute raw ``field`` or ``kind.field`` keys over the kinds a transition requires.

    Returns ``{kind: {field: normalised value}}`` with only the fields given. Unknown keys
    and malformed values raise :class:`EvidenceError`; missing ones are left to the guards.
    Dates later than ``today`` are refused (see :func:`parse_value`).
    """
    result: dict[str, dict[str, Any]] = {k.name: {} for k in kinds}
    by_name = {k.name: k for k in kinds}
    for key, value in raw.items():
        kind_name, _, field_name = key.rpartition(".")
        targets = [by_name[kind_name]] if kind_name in by_name else [] if kind_name else kinds
        matched = [(k, k.field(field_name)) for k in targets if k.field(field_name) is not None]
        if not matched:
            known = sorted({f.name for k in kinds for f in k.fields})
            hint = msg("; expected one of: {known}", known=", ".join(known)) if known else msg(
                "; this trigger needs no evidence")
            raise EvidenceError(msg("unknown evidence field {key!r} for trigger {trigger!r}{hint}",
                key=key, trigger=trigger, hint=hint))
        for kind, fld in matched:
            assert fld is not None
            result[kind.name][fld.name] = parse_value(kind.name, fld, value, today)
    return result


def missing_fields(kind: EvidenceSpec, given: Mapping[str, Any]) -> list[str]:
    return [f.name for f in kind.fields if f.required and f.name not in given]


def describe_missing(kind: EvidenceSpec, names: Iterable[str]) -> str:
    """``Uttalad politisk viljeinriktning: Beslutande organ (decided_by), Beslutsdatum (decided_date)``."""
    return f"{kind.title}: " + ", ".join(
        f"{kind.field_label(n)} ({n})" if kind.field_label(n) != n else n for n in names)
