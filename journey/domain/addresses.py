"""E-mail addresses as journey accepts them, checked where they enter (stdlib only).

An address is an RFC 5322 addr-spec in its dot-atom form, ``local@domain``:

- surrounding spaces are stripped and the text NFC-normalised; no whitespace, control or
  format character may remain (CR, LF, NUL, tab, zero-width and bidi controls are refused);
- the local part is a dot-atom of RFC 5322 ``atext`` (letters, digits and
  ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``, dots only between them), at most 64 octets in UTF-8.
  Non-ASCII letters, marks and digits are accepted as RFC 6531 (SMTPUTF8) allows them: such a
  recipient is reached only through a server that offers SMTPUTF8 (journey then uses it; with
  any other server that one recipient is reported as not delivered). Quoted local parts
  (``"a b"@x.se``) and comments are refused;
- the domain is a host name of at least two labels that encodes to IDNA (``åre.se`` is sent as
  ``xn--re-xia.se``); address literals (``[192.0.2.1]``) are refused;
- the whole address is at most 254 octets (and 200 characters, what the database holds).
"""

from __future__ import annotations

import re
import unicodedata

from journey.domain.errors import AddressError
from journey.domain.messages import msg

ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
MAX_LOCAL, MAX_DOMAIN, MAX_ADDRESS = 64, 253, 254  # octets (RFC 5321)
MAX_STORED = 200  # characters: what the user and board columns hold on every backend


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "…")


def _local_problem(local: str) -> str | None:
    if not local:
        return "nothing before the @"
    if len(local.encode("utf-8")) > MAX_LOCAL:
        return f"the part before the @ is longer than {MAX_LOCAL} bytes"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "a dot may only stand between other characters before the @"
    for c in local:
        if c == "." or c in ATEXT:
            continue
        if c == '"':
            return "quoted local parts are not accepted"
        if ord(c) < 128:
            return f"{c!r} is not allowed before the @"
        if unicodedata.category(c)[0] not in "LMN":
            return f"{c!r} (U+{ord(c):04X}) is not allowed before the @"
    return None


def ascii_domain(domain: str) -> str:
    """The IDNA (ASCII) form of a domain; raises ValueError naming what is wrong."""
    if domain.startswith("[") or not domain:
        raise ValueError(msg("the domain must be a host name such as kommun.se"))
    try:
        encoded = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        raise ValueError(msg("the domain {domain!r} cannot be encoded as an international domain name (IDNA)",
            domain=domain)) from None
    labels = encoded.split(".")
    if len(encoded) > MAX_DOMAIN:
        raise ValueError(msg("the domain is longer than {max_domain} characters", max_domain=MAX_DOMAIN))
    if len(labels) < 2:
        raise ValueError(msg("the domain needs at least two parts, such as kommun.se"))
    for label in labels:
        if not label:
            raise ValueError(msg("the domain has an empty part (two dots in a row, or a dot at either end)"))
        if not _LABEL.match(label):
            raise ValueError(msg("{label!r} is not a valid part of a domain name (letters, digits and inner "
                                 "hyphens)", label=label))
    if labels[-1].isdigit():
        raise ValueError(msg("the domain must end in a name, not a number"))
    return encoded


def address_problem(text: str) -> str | None:
    """Why ``text`` (already normalised) is not an acceptable address, or None."""
    if len(text) > 4 * MAX_ADDRESS:
        return f"it is longer than {MAX_ADDRESS} bytes"
    if any(unicodedata.category(c)[0] in "CZ" for c in text):
        bad = next(c for c in text if unicodedata.category(c)[0] in "CZ")
        return f"it contains {bad!r} (spaces, line breaks, control and invisible characters are not allowed)"
    if text.count("@") != 1:
        return "it must contain exactly one @" if "@" in text else "it has no @"
    local, domain = text.split("@")
    problem = _local_problem(local)
    if problem:
        return problem
    try:
        ascii_domain(domain)
    except ValueError as exc:
        return str(exc)
    if len(text.encode("utf-8")) > MAX_ADDRESS:
        return f"it is longer than {MAX_ADDRESS} bytes"
    if len(text) > MAX_STORED:
        return f"it is longer than {MAX_STORED} characters"
    return None


def normalize_address(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip(" "))


def check_address(text: str, label: str = msg("email address")) -> str:
    """The normalised address, or :class:`AddressError` (one line naming ``label`` and the reason)."""
    address = normalize_address(text)
    problem = address_problem(address)
    if problem:
        raise AddressError(msg("{label} {text} is not a valid email address: {problem}",
            label=label, text=_shown(text), problem=problem))
    return address


PHONE_CHARACTERS = frozenset("0123456789 +-()")


def check_phone(text: str, label: str = msg("phone")) -> str:
    """A telephone number as people write it (``070-123 45 67``, ``+46 70 123 45 67``), trimmed; or
    :class:`AddressError` naming ``label``. Empty stays empty (no number)."""
    phone = " ".join(text.split())
    if not phone:
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    if set(phone) - PHONE_CHARACTERS or "+" in phone[1:] or not 6 <= digits <= 15 or len(phone) > 30:
        raise AddressError(msg("{label} {text} is not a telephone number: use digits, spaces, hyphens and a "
                               "leading +, 6 to 15 digits (e.g. 070-123 45 67 or +46 70 123 45 67)",
                               label=label, text=_shown(text)))
    return phone


def needs_smtputf8(address: str) -> bool:
    """True when the local part is not ASCII (the domain is always sent in its IDNA form)."""
    return not address.rpartition("@")[0].isascii()


def envelope_address(address: str) -> str:
    """``local@ascii-domain`` for the SMTP envelope and headers of a checked address."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{ascii_domain(domain)}"
