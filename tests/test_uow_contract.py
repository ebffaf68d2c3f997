"""tests/uow_contract.py on PlainUnitOfWork, SQLite and PostgreSQL (tests/unit/test_fake_contract.py: on the fake)."""

from __future__ import annotations

import pytest

from journey.bootstrap import App
from journey.ports.unit_of_work import UnitOfWorkFactory
from tests.uow_contract import (  # noqa: F401  (collected here)
    NOW,
    seed,
    test_a_claim_whose_lease_ran_out_can_be_claimed_again,
    test_a_document_job_is_done_once_by_the_worker_that_holds_it,
    test_a_pause_stays_open_until_it_is_finished,
    test_a_reminder_is_added_once_per_idempotency_key,
    test_a_sender_holds_its_claim_only_while_it_is_still_its_own,
    test_an_exception_inside_the_block_discards_the_changes,
    test_an_unsaved_change_to_a_loaded_case_is_not_stored,
    test_boards_are_found_by_code_or_name_and_meetings_come_in_date_order,
    test_commit_publishes_and_leaving_without_commit_discards,
    test_deals_are_numbered_per_case_and_keep_their_facts_and_history,
    test_document_revisions_count_per_case_and_document,
    test_history_is_numbered_per_case_and_keeps_the_evidence,
    test_municipalities_are_found_by_code_slug_or_name,
    test_only_the_claiming_worker_may_settle_a_claimed_reminder,
    test_rollback_drops_what_the_block_did_so_far,
    test_saving_a_case_bumps_its_lock_version,
    test_time_entries_are_appended_and_a_locked_period_pins_them,
)


@pytest.fixture
def uow_factory(app: App) -> UnitOfWorkFactory:
    return app.deps.uow


def test_a_case_read_again_shows_this_transaction_s_change_and_after_commit_another_writer_s(
        uow_factory: UnitOfWorkFactory) -> None:
    """A case this transaction wrote is read back from memory while its row is locked; the next transaction
    reads the database again (not part of the shared contract: the fake has no second writer)."""
    case = seed(uow_factory)
    with uow_factory() as uow:
        mine = uow.cases.get(case.id or 0)
        mine.state = "letter_of_intent"
        uow.cases.save(mine)
        again = uow.cases.get(case.id or 0)
        assert (again.state, again.version, again.opened_at) == ("letter_of_intent", mine.version, NOW)
        again.state = "policy"  # a change not saved is not what the next read gives
        assert uow.cases.get(case.id or 0).state == "letter_of_intent"
        uow.commit()
        with uow_factory() as other:
            theirs = other.cases.get(case.id or 0)
            theirs.state = "local_team"
            other.cases.save(theirs)
            other.commit()
        last = uow.cases.get(case.id or 0)  # a new transaction: the database's row, not the one this one wrote
        assert (last.state, last.version) == ("local_team", theirs.version)
