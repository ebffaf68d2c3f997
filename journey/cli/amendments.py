"""Amending a case: `journey correct` (an earlier entry's evidence) and `journey withdraw` (leaving the network)."""

from __future__ import annotations

import click

from journey.cli._common import actor_option, get_app
from journey.cli._i18n import _


@click.command()
@click.argument("municipality")
@click.argument("seq", type=int)
@click.option("-e", "--evidence", multiple=True, required=True, metavar="KEY=VALUE",
              help="A corrected value, repeatable: diarienummer='KS 2022/312'; prefix the kind when ambiguous.")
@click.option("--reason", required=True, help="Why the entry is corrected (kept in the history).")
@actor_option
def correct(municipality: str, seq: int, evidence: tuple[str, ...], reason: str, actor: str | None) -> None:
    """Correct the evidence of history entry SEQ of MUNICIPALITY's case.

    The entry itself stays as it was recorded: a CORRECTED entry holds the new values and the
    ones they replace, and `history`, `status` and `why` show the corrected values, by whom and
    why. A decision the entry recorded is corrected in its matter too; documents whose data
    changed are rendered again as new revisions.

    \b
    Example:
        journey correct Umeå 6 -e diarienummer='KS 2022/312' --reason "Felskrivet diarienummer"
    """
    from journey.services.cases.amendments import correct_entry
    from journey.services.cases.lifecycle import parse_pairs

    result = correct_entry(get_app().deps, actor, municipality, seq, parse_pairs(evidence), reason)
    for kind, fields in result.changes.items():
        for name, value in fields.items():
            before = result.previous.get(kind, {}).get(name)
            click.echo(f"{result.municipality}: #{result.entry} {kind}.{name}: {before!r} -> {value!r}")
    again = _("; {count} document file(s) rendered again").format(count=result.documents) if result.documents else ""
    click.echo(_("recorded as history #{seq}{again}").format(seq=result.seq, again=again))


@click.command()
@click.argument("municipality")
@click.option("--reason", required=True, help="Why the municipality leaves (kept in the history).")
@actor_option
def withdraw(municipality: str, reason: str, actor: str | None) -> None:
    """End MUNICIPALITY's case for good: WITHDRAWN, reminders cancelled, open matters closed.

    \b
    Example:
        journey withdraw Laxå --reason "Kommunen lämnar nätverket efter beslut i KS"
    """
    from journey.services.cases.amendments import withdraw_case

    result = withdraw_case(get_app().deps, actor, municipality, reason)
    click.echo(_("{municipality}: withdrawn in {state}; {reminders} reminder(s) cancelled, {matters} open "
                 "matter(s) closed").format(
        municipality=result.municipality, state=result.state, reminders=result.reminders, matters=result.matters))
