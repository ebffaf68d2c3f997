"""tests/uow_contract.py on PlainUnitOfWork, SQLite and PostgreSQL (tests/unit/test_fake_contract.py: on the fake)."""

from __future__ import annotations

import pytest

from journey.bootstrap import App
from journey.ports.unit_of_work import UnitOfWorkFactory
from tests.uow_contract import (  # noqa: F401  (collected here)
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
