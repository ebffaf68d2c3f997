"""The deals register: `journey deals add|update|list|show|documents`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option, print_waiting
from journey.cli._i18n import _

F = TypeVar("F", bound=Callable[..., Any])

FACT_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--title",), {"help": "What the deal is about, e.g. 'Kafédrift i Kulturhuset'."}),
    (("--counterparty",), {"metavar": "NAME", "help": "The social enterprise or idéburen organisation."}),
    (("--org-nr", "org_number"), {"metavar": "NNNNNN-NNNN",
                                  "help": "The counterparty's organisationsnummer (10 digits, checked with its Luhn "
                                          "digit)."}),
    (("--value",), {"metavar": "KR", "help": "Value in whole kronor excluding VAT (450000 or '450 000')."}),
    (("--per",), {"metavar": "total|year", "help": "Whether --value is the total for the period or per year."}),
    (("--start",), {"metavar": "YYYY-MM-DD", "help": "First day of the period."}),
    (("--end",), {"metavar": "YYYY-MM-DD", "help": "Last day of the period (none: until further notice)."}),
    (("--decided",), {"metavar": "YYYY-MM-DD", "help": "Decision date (tilldelningsbeslut, beslut om "
                                                       "direktupphandling, IOP or grant); default: the day it is "
                                                       "awarded."}),
    (("--dnr", "diarienummer"), {"metavar": "DNR", "help": "Diarienummer of the deal, e.g. 'KS 2022/318'."}),
    (("--special-services/--no-special-services", "special_services"),
     {"default": None, "help": "Direktupphandling of social and other special services (bilaga 2 LOU): "
                               "their own, higher limit."}),
    (("--reserved-main-aim/--no-reserved-main-aim", "reserved_main_aim"),
     {"default": None, "help": "Reserverad upphandling: the supplier's main aim is the social and professional "
                               "integration of people with disabilities or disadvantaged people (LOU 4 kap. 18 §)."}),
    (("--reserved-share",), {"metavar": "PERCENT", "help": "Reserverad upphandling: share of the supplier's "
                                                           "employees from those groups (at least 30)."}),
    (("--social-considerations",), {"metavar": "TEXT", "help": "Sociala hänsyn in the procurement "
                                                               "(LOU 4 kap. 3 §)."}),
    (("--contract-conditions",), {"metavar": "TEXT", "help": "Särskilda kontraktsvillkor, e.g. employment "
                                                             "requirements (LOU 17 kap. 1 §)."}),
    (("--purpose",), {"metavar": "TEXT", "help": "IOP: purpose and common social goal."}),
    (("--target-group",), {"metavar": "TEXT", "help": "IOP: target group."}),
    (("--our-contribution", "municipality_contribution"), {"metavar": "TEXT",
                                                           "help": "IOP: the municipality's contribution."}),
    (("--their-contribution", "counterparty_contribution"), {"metavar": "TEXT",
                                                             "help": "IOP: the organisation's contribution."}),
    (("--need",), {"metavar": "TEXT", "help": "Direktupphandling: the need."}),
    (("--suppliers",), {"metavar": "'A, B, C'", "help": "Direktupphandling: suppliers asked, comma-separated."}),
    (("--choice-reason",), {"metavar": "TEXT", "help": "Direktupphandling: why this supplier."}),
    (("--contact",), {"metavar": "NAME", "help": "The municipality's contact person (handläggare)."}),
    (("--counterparty-contact",), {"metavar": "NAME", "help": "The counterparty's contact person."}),
    (("--status",), {"metavar": "STATUS", "help": "planerad, annonserad, tilldelad (avtal tecknat), pågående, "
                                                  "avslutad or avbruten."}),
    (("--date", "date"), {"metavar": "YYYY-MM-DD", "help": "Day the status took effect (default: today)."}),
    (("--comment",), {"default": "", "help": "Why: stored in the deal's history."}),
]


def fact_options(f: F) -> F:
    for names, settings in reversed(FACT_OPTIONS):
        f = click.option(*names, **settings)(f)
    return f


def _input(form: str | None, values: dict[str, Any]) -> Any:
    from journey.services.deals.register import DealInput

    return DealInput(form=form, **values)


@click.group()
def deals() -> None:
    """The deals register: IOP, reserverad upphandling, direktupphandling, annonserad upphandling, LOV, bidrag.

    Deals are independent of stages: record any number, any time after the letter of
    intent. The first awarded deal takes the case to the business stage where the workflow
    declares `deal_awarded` (see docs/deals.md).
    """


def _document(row: dict[str, Any]) -> str:
    """A deal's document by its title ('IOP-avtal med Kafé Kroken ek. för. (utkast)'), else 'Affär 1: IOP-avtal'."""
    from journey.services.deals.documents import listed_title

    return str(row.get("title") or listed_title(str(row["doc_id"])) or row["doc_id"])


def _report(result: Any, verb: str) -> None:
    deal = result.deal
    click.echo(_("{municipality}: deal {number} {verb} ({form_in_text}, {status_title}{value})").format(
        municipality=result.municipality, number=deal['number'], verb=verb, form_in_text=deal['form_in_text'],
        status_title=deal['status_title'], value=', ' + deal['counterparty'] if deal['counterparty'] else ''))
    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    for row in result.documents:
        click.echo(f"  {_document(row)} v{row['revision']} {row['format']}: {row['path']}")
    print_waiting(result.waiting)
    for step in result.automatic:
        click.echo(_("{municipality}: {from_state} -> {to_state} ({trigger}, automatic: deal {deal} is awarded, "
                     "history #{history_seq})").format(
            municipality=result.municipality, from_state=step.from_state, to_state=step.to_state, trigger=step.trigger,
            deal=step.deal, history_seq=step.history_seq))


@deals.command("add")
@click.argument("municipality")
@click.option("--form", required=True, metavar="FORM",
              help="iop, reserverad upphandling, direktupphandling, annonserad upphandling, lov or bidrag "
                   "(ids or Swedish names, any case).")
@fact_options
@json_option
@actor_option
def add(municipality: str, form: str, as_json: bool, actor: str | None, **values: Any) -> None:
    """Record a deal of MUNICIPALITY; its documents (IOP-avtal, direktupphandling) are rendered.

    \b
    Example:
        journey deals add Söderhamn --form iop --counterparty 'Returnia ek. för.' \\
            --org-nr 769612-3459 --value 450000 --per total --start 2022-09-01 --end 2024-08-31 \\
            --status tilldelad --date 2022-08-15 --dnr 'KS 2022/318' --as anna
        journey deals add Söderhamn --form 'reserverad upphandling' --title Fruktkorgar --status annonserad
    """
    from journey.services.deals.register import add_deal

    app = get_app()
    result = add_deal(app.deps, actor, municipality, _input(form, values))
    if as_json:
        echo_json(asdict(result))
        return
    _report(result, _("added"))


@deals.command("update")
@click.argument("municipality")
@click.argument("number", type=int)
@click.option("--form", metavar="FORM", help="Change the form (only while the deal is planerad).")
@fact_options
@json_option
@actor_option
def update(municipality: str, number: int, form: str | None, as_json: bool, actor: str | None,
           **values: Any) -> None:
    """Change deal NUMBER of MUNICIPALITY or move its status on; the history keeps every change.

    Statuses go forward (planerad, annonserad, tilldelad/avtal tecknat, pågående, avslutad;
    steps may be skipped) or to avbruten; never back. An empty value ('') clears an optional fact.

    \b
    Example:
        journey deals update Söderhamn 1 --status pågående --date 2022-09-01 --comment 'Start'
        journey deals update Söderhamn 2 --counterparty 'Returnia ek. för.' --org-nr 769612-3459 \\
            --reserved-main-aim --reserved-share 45 --status tilldelad
    """
    from journey.services.deals.register import update_deal

    app = get_app()
    result = update_deal(app.deps, actor, municipality, number, _input(form, values))
    if as_json:
        echo_json(asdict(result))
        return
    _report(result, _("updated") if result.changes else _("unchanged"))


def _value(d: dict[str, Any]) -> str:
    if d["value_sek"] is None:
        return ""
    amount = f"{d['value_sek']:,}".replace(",", " ") + " kr"
    return f"{amount} {'per år' if d['per_year'] else 'totalt'}"


@deals.command("list")
@click.argument("municipality", required=False)
@json_option
@actor_option
def list_(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """List MUNICIPALITY's deals, or every deal you may read.

    \b
    Example:
        journey deals list Söderhamn
        journey deals list --json
    """
    from journey.services.deals.register import list_deals

    app = get_app()
    rows = list_deals(app.deps, actor, municipality)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Municipality"), "#", _("Form"), _("Counterparty"), _("Value"), _("Period"), _("Status"), _("Since")],
               [[r["municipality"], r["number"], r["form_in_text"], r["counterparty"], _value(r),
                 f"{r['period_start'] or ''}–{r['period_end'] or ''}" if r["period_start"] else "",
                 r["status_title"], r["status_date"]] for r in rows])


@deals.command("show")
@click.argument("municipality")
@click.argument("number", type=int)
@json_option
@actor_option
def show(municipality: str, number: int, as_json: bool, actor: str | None) -> None:
    """Show deal NUMBER of MUNICIPALITY with its status history and documents.

    \b
    Example:
        journey deals show Söderhamn 1
    """
    from journey.services.deals.register import show_deal

    app = get_app()
    d = show_deal(app.deps, actor, municipality, number)
    if as_json:
        echo_json(d)
        return
    deal = _("{number} of {municipality}: {form}").format(number=d['number'], municipality=d['municipality'],
                                                          form=d['form_title'])
    status = _("{status} since {day}").format(status=d['status_title'], day=d['status_date'])
    lines = [(_("Deal"), deal), (_("Title"), d["title"]),
             (_("Counterparty"), f"{d['counterparty']} {d['org_number']}".strip()), (_("Value"), _value(d)),
             (_("Period"), f"{d['period_start'] or ''} – {d['period_end'] or ''}" if d["period_start"] else ""),
             (_("Status"), status), (_("Decided"), d["decided_date"] or ""),
             (_("Diarienummer"), d["diarienummer"])]
    if d["limit"]:
        limit = d["limit"]
        lines.append((_("Direct-award limit"), _("{limit} kr on {day} ({reference})").format(
                          limit=limit['limit_sek'], day=limit['day'], reference=limit['reference'])
                      if limit["limit_sek"] is not None else _("unknown on {day}").format(day=limit['day'])))
    if d["reserved"]:
        lines.append((_("LOU 4 kap. 18 §"), _("main aim integration: {main_aim}, share: {share} %").format(
            main_aim=_("yes") if d["reserved"]["main_aim"] else _("no"), share=d["reserved"]["share"])))
    lines += [(_("Sociala hänsyn"), d["social_considerations"]), (_("Kontraktsvillkor"), d["contract_conditions"])]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        if value:
            click.echo(f"{key.ljust(width)}  {value}")
    echo_table(["#", _("Date"), _("Status"), _("Actor"), _("Change"), _("Comment")],
               [[e["seq"], e["date"], e["status_title"], e["actor"],
                 e["change_text"] if e["kind"] != "ADDED" else _("added"), e["comment"]] for e in d["history"]],
               title=_("History"))
    for doc in d["documents"]:
        click.echo(f"  {_document(doc)} v{doc['revision']} {doc['format']}: {doc['path']}")


@deals.command("documents")
@click.argument("municipality")
@click.argument("number", type=int)
@click.option("--format", "formats", multiple=True, type=click.Choice(["docx", "html", "md"]),
              help="Output format, repeatable (default: docx and html).")
@json_option
@actor_option
def documents(municipality: str, number: int, formats: tuple[str, ...], as_json: bool, actor: str | None) -> None:
    """Render deal NUMBER's documents again from its current record, as a new revision.

    \b
    Example:
        journey deals documents Söderhamn 1 --format docx --as anna
    """
    from journey.services.deals.register import render_documents

    app = get_app()
    rows = render_documents(app.deps, actor, municipality, number, formats)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{_document(row)} v{row['revision']} {row['format']}: {row['path']}")
