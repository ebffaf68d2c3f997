"""E-mail addresses are checked where they enter (issue #16): users, board contacts, calendar files.

The rules live in journey/domain/addresses.py; every entry point refuses a bad address with one
line on stderr, exit 2, and nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journey.domain.addresses import address_problem, check_address, envelope_address, needs_smtputf8
from journey.domain.errors import AddressError
from tests.conftest import Cli

GOOD = [
    ("anna.berg@karlstad.se", "anna.berg@karlstad.se"),
    ("  anna@karlstad.se ", "anna@karlstad.se"),  # surrounding spaces go
    ("o'brien+reminders@kommun.se", "o'brien+reminders@kommun.se"),
    ("åsa.öberg@karlstad.se", "åsa.öberg@karlstad.se"),  # SMTPUTF8 local part
    ("a\u030asa@karlstad.se", "åsa@karlstad.se"),  # NFC: å as a + combining ring
    ("info@åre.se", "info@åre.se"),  # IDNA domain
]
BAD = [
    ("", "it has no @"),
    ("nobody", "it has no @"),
    ("journey@localhost", "the domain needs at least two parts"),
    ("a@b.se\r\nBcc: evil@example.com", "it contains '\\r'"),
    ("a@b.se\n", "it contains '\\n'"),
    ("anna berg@kommun.se", "it contains ' '"),
    ("anna\u200b@kommun.se", "it contains '\\u200b'"),  # zero-width space
    ("anna\u202e@kommun.se", "it contains '\\u202e'"),  # bidi override
    ("anna\x00@kommun.se", "it contains '\\x00'"),
    ("a@b@kommun.se", "exactly one @"),
    ("@kommun.se", "nothing before the @"),
    (".anna@kommun.se", "a dot may only stand between"),
    ("anna..berg@kommun.se", "a dot may only stand between"),
    ('"anna berg"@kommun.se', "it contains ' '"),
    ('"anna"@kommun.se', "quoted local parts are not accepted"),
    ("<anna@kommun.se>", "'<' is not allowed before the @"),
    ("anna,berg@kommun.se", "',' is not allowed before the @"),
    ("😀@kommun.se", "is not allowed before the @"),
    ("anna@[192.0.2.1]", "the domain must be a host name"),
    ("anna@kommun..se", "the domain has an empty part"),
    ("anna@kommun.se.", "the domain has an empty part"),
    ("anna@-kommun.se", "is not a valid part of a domain name"),
    ("anna@kom_mun.se", "is not a valid part of a domain name"),
    ("anna@kommun.123", "must end in a name"),
    ("a" * 65 + "@kommun.se", "longer than 64 bytes"),
    ("anna@" + "k" * 64 + ".se", "is not a valid part of a domain name"),
    ("anna@" + ".".join(["kommun"] * 40) + ".se", "longer than 253"),
    ("x" * 131072 + "@kommun.se", "longer than 254 bytes"),
]


@pytest.mark.parametrize(("text", "stored"), GOOD)
def test_good_addresses_are_accepted_as_normalised(text: str, stored: str) -> None:
    assert check_address(text) == stored


@pytest.mark.parametrize(("text", "why"), BAD)
def test_bad_addresses_are_refused_in_one_line(text: str, why: str) -> None:
    with pytest.raises(AddressError) as err:
        check_address(text, "email")
    message = str(err.value)
    assert why in message and "\n" not in message and "\r" not in message and len(message) < 300


def test_the_envelope_carries_the_idna_domain_and_smtputf8_only_for_a_non_ascii_local_part() -> None:
    assert envelope_address("info@åre.se") == "info@xn--re-xia.se" and not needs_smtputf8("info@åre.se")
    assert needs_smtputf8("åsa@karlstad.se") and envelope_address("åsa@karlstad.se") == "åsa@karlstad.se"
    assert address_problem("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + ".se") is None  # 196 characters
    assert "200 characters" in (address_problem("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 8) or "")


def _state(cli: Cli) -> tuple[str, str]:
    users = cli.ok("users list --json --as admin").output
    boards = cli.ok("meetings list Karlstad --json --as admin").output
    return users, boards


@pytest.fixture
def registry(cli: Cli) -> Cli:
    cli.ok("municipalities add 1780 Karlstad")
    cli.ok("users add admin --role admin")
    cli.ok("meetings board Karlstad KS --name Kommunstyrelsen --secretary-email ks@karlstad.se --as admin")
    return cli


@pytest.mark.parametrize("address", ["a@b.se\r\nBcc: evil@example.com", "nobody", "journey@localhost",
                                     "anna\u200b@karlstad.se", "x" * 300 + "@karlstad.se"])
def test_bad_addresses_at_every_entry_exit_2_in_one_line_and_write_nothing(
        registry: Cli, tmp_path: Path, address: str) -> None:
    before = _state(registry)
    plan = tmp_path / "ks.csv"
    with plan.open("w", encoding="utf-8", newline="") as f:  # a quoted CSV field may hold a line break
        f.write(f'board;date;chair_email\nKS;2022-04-20;"{address}"\n')
    for command in (["users", "add", "anna", "--role", "coordinator", "--municipality", "Karlstad", "--email", address,
                     "--as", "admin"],
                    ["meetings", "board", "Karlstad", "KS", "--secretary-email", address, "--as", "admin"],
                    ["meetings", "board", "Karlstad", "AMN", "--chair-email", address, "--as", "admin"],
                    ["meetings", "import", str(plan), "-m", "Karlstad", "--as", "admin"]):
        result = registry(command)
        assert result.exit_code == 2, (command, result.output)
        [line] = result.stderr.splitlines()
        assert "is not a valid email address" in line and "Traceback" not in result.output, line
        assert result.stdout == ""
    assert _state(registry) == before


def test_a_non_ascii_local_part_is_accepted_and_stored_as_typed(registry: Cli) -> None:
    registry.ok(["users", "add", "asa", "--role", "coordinator", "--municipality", "Karlstad",
                 "--email", "åsa.öberg@karlstad.se", "--as", "admin"])
    registry.ok(["meetings", "board", "Karlstad", "KS", "--chair-email", "ordförande@karlstad.se", "--as", "admin"])
    users = {u["username"]: u["email"] for u in json.loads(registry.ok("users list --json --as admin").output)}
    assert users["asa"] == "åsa.öberg@karlstad.se"
