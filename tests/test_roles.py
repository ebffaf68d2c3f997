"""Roles: coordinators act on their own municipality, SKR staff read all, every change names its actor."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from tests.test_journey_cli import JOURNEY

FIRST = " ".join(JOURNEY[0])


@pytest.fixture
def registry(cli: Cli) -> Cli:
    cli.ok("municipalities seed")
    cli.ok("users add root --role admin")
    cli.ok("users add anna --role coordinator --municipality Hudiksvall --name 'Anna Berg' --as root")
    cli.ok("users add olle --role coordinator --municipality Laxå --as root")
    cli.ok("users add sara --role skr --as root")
    cli.ok("open Hudiksvall --as anna")
    cli.ok("open Laxå --as olle")
    return cli


def test_coordinator_advances_own_municipality_and_is_recorded(registry: Cli) -> None:
    registry.ok(f"advance Hudiksvall {FIRST}", JOURNEY_USER="anna")
    entries = json.loads(registry.ok("history Hudiksvall --json --as anna").output)["entries"]
    assert [e["actor"] for e in entries] == ["anna", "anna"]


def test_coordinator_may_not_touch_another_municipality(registry: Cli) -> None:
    refused = registry(f"advance Laxå {FIRST} --as anna")
    assert refused.exit_code == 6 and "anna (coordinator) may not change case for Laxå" in refused.stderr
    assert registry("history Laxå --as anna").exit_code == 6
    visible = json.loads(registry.ok("status --json --as anna").output)
    assert [r["municipality"] for r in visible] == ["Hudiksvall"]


def test_skr_reads_everything_but_does_not_advance(registry: Cli) -> None:
    rows = json.loads(registry.ok("status --json --as sara").output)
    assert {r["municipality"] for r in rows} == {"Hudiksvall", "Laxå"}
    registry.ok("why Laxå --as sara")
    refused = registry(f"advance Laxå {FIRST} --as sara")
    assert refused.exit_code == 6


def test_unknown_users_are_refused_once_users_exist(registry: Cli) -> None:
    result = registry("status --as mallory")
    assert result.exit_code == 6 and "'mallory' is not a registered user" in result.stderr


def test_only_registry_managers_add_users_and_municipalities(registry: Cli) -> None:
    assert registry("users add eve --role admin --as anna").exit_code == 6
    assert registry("municipalities add 1234 Nyby --as anna").exit_code == 6
    registry.ok("municipalities add 1234 Nyby --as sara")
    users = json.loads(registry.ok("users list --json --as root").output)
    assert {u["username"]: u["municipality"] for u in users}["anna"] == "Hudiksvall"


def test_first_user_must_be_an_admin(cli: Cli) -> None:
    cli.ok("municipalities seed")
    result = cli("users add anna --role coordinator --municipality Umeå")
    assert result.exit_code == 3 and "register an admin first" in result.stderr
    assert cli("users add bob --role coordinator").exit_code == 2
