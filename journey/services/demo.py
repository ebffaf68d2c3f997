"""The demo: the 12 network municipalities walked to varied stages with realistic evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from journey.domain.board_meetings import MeetingRow
from journey.domain.clock import FixedClock
from journey.domain.deals import DealInput
from journey.domain.errors import MatterRefusedError, RefusedError
from journey.domain.messages import msg, nmsg
from journey.domain.municipality import formal_name
from journey.services.board_meetings import import_meetings
from journey.services.cases.lifecycle import advance_case, open_case
from journey.services.deals.register import add_deal
from journey.services.deps import Deps
from journey.services.matters.decisions import decide
from journey.services.matters.registration import Facts, register_matter
from journey.services.registry import seed_network

# (municipality, steps completed, variant or None, responsible board code)
PLAN: tuple[tuple[str, int, str | None, str], ...] = (
    ("Helsingborg", 11, None, "AMN"),
    ("Hudiksvall", 12, None, "KS"),
    ("Härjedalen", 4, None, "KS"),
    ("Karlstad", 7, None, "AMN"),
    ("Laxå", 3, None, "KS"),
    ("Malmö", 10, None, "FSN"),
    ("Mölndal", 8, "handbook-integrated", "KS"),
    ("Sölvesborg", 5, None, "KS"),
    ("Söderhamn", 11, None, "KS"),
    ("Tierp", 6, None, "KS"),
    ("Uddevalla", 9, None, "SN"),
    ("Umeå", 7, "handbook-integrated", "KS"),
)
COORDINATORS = {  # made-up names for the demo
    "Helsingborg": "Anna Lindqvist", "Hudiksvall": "Erik Holm", "Härjedalen": "Maria Sundin",
    "Karlstad": "Johan Berg", "Laxå": "Karin Ek", "Malmö": "Sara Nilsson", "Mölndal": "Peter Dahl",
    "Sölvesborg": "Lena Åberg", "Söderhamn": "Mats Öberg", "Tierp": "Eva Strand", "Uddevalla": "Ali Hassan",
    "Umeå": "Frida Lund",
}
BOARD_NAMES = {"KS": "Kommunstyrelsen", "AMN": "Arbetsmarknadsnämnden", "FSN": "Funktionsstödsnämnden",
               "SN": "Socialnämnden"}
STEP_DAYS = 41
MATTER_DAYS = 28  # a pending matter is registered this long after the case's last step
# Deals in the register (docs/deals.md), recorded after the case's last step; none is awarded, so the
# demo's cases stay where their steps took them.
DEALS = {
    "Malmö": DealInput(form="iop", title="Arbetsträning i återbruk", counterparty="Återbruket ekonomisk förening",
                       value="600000", per="total", purpose="Fler personer långt från arbetsmarknaden får "
                       "arbetsträning och anställning i återbruket.", target_group="Personer med försörjningsstöd"),
    "Söderhamn": DealInput(form="reserverad upphandling", title="Fruktkorgar till kommunens arbetsplatser",
                           value="180000", per="year", status="annonserad"),
    "Uddevalla": DealInput(form="annonserad upphandling", title="Lokalvård i förskolor", status="annonserad",
                           social_considerations="Krav på praktikplatser för personer långt från arbetsmarknaden",
                           contract_conditions="Sysselsättningskrav: minst två personer under kontraktstiden"),
}


@dataclass(frozen=True)
class DemoReport:
    opened: int
    advances: int


def _steps(name: str, board: str, variant: str | None, coordinator: str,
           day: Callable[[int], str]) -> list[tuple[str, dict[str, str]]]:
    dnr = f"KS {day(4)[:4]}/{100 + len(name) * 7}"
    formal = formal_name(name)
    deal = {"form": "iop", "counterparty": "Återbruket ekonomisk förening", "value_sek": "450000",
            "decided_date": day(10)}
    if name == "Söderhamn":  # one direct award, so the demo shows its documentation too
        deal = {"form": "direct_award", "counterparty": "Gröna händer Söderhamn ekonomisk förening",
                "value_sek": "240000", "decided_date": day(10), "diarienummer": f"KS {day(10)[:4]}/318"}
    policy = ("integrate_policy", {"organ": "KF", "meeting_date": day(6), "paragraph": "88", "diarienummer": dnr,
                                   "document": "Näringslivsprogram", "section": "4.3 Sociala företag",
                                   "document_type": "program"}) if variant else (
        "adopt_policy", {"organ": "KS", "meeting_date": day(6), "paragraph": "112", "diarienummer": dnr,
                         "title": f"Riktlinje för hur {formal} ska arbeta med sociala företag",
                         "document_type": "riktlinje"})
    return [
        ("confirm_interest", {"registered_date": day(0), "contact": f"Näringslivskontoret, {formal}"}),
        ("sign_letter_of_intent", {"signatories": "kommunchefen, kommunstyrelsens ordförande", "signed_date": day(1),
                                   "diarienummer": f"KS {day(1)[:4]}/{31 + len(name)}"}),
        ("form_local_team", {"coordinator": coordinator, "members": "Arbetsmarknad, Inköp, Näringsliv, "
                             "Socialtjänst, Kommunikation, Fastighet, Ekonomi", "time_reporting_from": day(2)}),
        ("approve_inventory", {"approved_by": "Lokalt projektteam", "approved_date": day(3),
                               "enterprises_identified": str(3 + len(name) % 5)}),
        ("anchor_in_board", {"organ": "KS", "meeting_date": day(4), "paragraph": "45", "diarienummer": dnr,
                             "board": board, "officials_function": "Arbetsmarknadsenheten"}),
        ("express_political_intent", {"document": "Mål och budget", "decided_by": "KF", "decided_date": day(5)}),
        policy,
        ("adopt_action_plan", {"adopted_by": board, "adopted_date": day(7), "measures": "8"}),
        ("establish_internal_structure", {"mandate_date": day(8), "functions": "Näringsliv, Inköp och upphandling, "
                                          "Arbetsmarknad"}),
        ("establish_external_structure", {"name": f"Dialogforum sociala företag {name}", "first_meeting": day(9)}),
        ("record_first_deal", deal),
        ("start_follow_up", {"reported_to": board, "report_date": day(11)}),
    ]


def meeting_plan(board: str, today: date) -> list[MeetingRow]:
    """Monthly meetings on the second Tuesday, no meeting in July, from two years back to one ahead."""
    rows = []
    for offset in range(-24, 13):
        year, month = divmod(today.year * 12 + today.month - 1 + offset, 12)
        first = date(year, month + 1, 1)
        if first.month == 7:
            continue
        second_tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
        rows.append(MeetingRow(board, second_tuesday, start="13:00", board_name=BOARD_NAMES[board],
                               title=f"{BOARD_NAMES[board]}s sammanträde"))
    return rows


def _open_matter(deps: Deps, actor: str, name: str, clock: FixedClock) -> None:
    """A case standing in a state with an open matter: the registry has numbered it, and KS sent it back once."""
    with deps.uow() as uow:
        m = uow.municipalities.find(name)
        case = uow.cases.for_municipality(m.id or 0) if m else None
        if case is None or uow.matters.open_for(case.id or 0) is None:
            return  # the case stands where no decision is pending
    clock.at += timedelta(days=MATTER_DAYS)
    register_matter(deps, actor, name, Facts(diarienummer=f"KS {clock.at.year}/{200 + len(name) * 3}",
                                             forvaltning="Kommunledningsförvaltningen"))
    ks = [row.day for row in meeting_plan("KS", clock.at.date()) if row.day < clock.at.date()]
    try:
        decide(deps, actor, name, "KS", "återremiss", ks[-1].isoformat(), "12", comment="demo")
    except MatterRefusedError:
        pass  # the matter awaits another body first


DEMO_MARK = "demo"


def claim_demo_database(deps: Deps) -> None:
    """Mark the database as a demo database, or refuse (exit 3) if it holds real cases.

    A database is the demo's when it is marked (``journey_setting`` demo = true) or holds no case
    yet; then it is marked. One with cases and no mark is somebody's real work: the demo's
    fabricated, append-only history must never land there.
    """
    with deps.uow() as uow:
        if uow.settings.get(DEMO_MARK) == "true":
            return
        real = len(uow.cases.all())
        if real:
            raise RefusedError(msg("this database holds {real} real (non-demo) case(s); journey demo writes "
                                   "only into an empty or demo database: run it without --db (it uses its own demo "
                                   "home) or give --db a new database", real=real))
        uow.settings.set(DEMO_MARK, "true")
        uow.commit()


def run_demo(deps: Deps, actor: str, progress: Callable[[str], None] = lambda _: None) -> DemoReport:
    """Idempotent: municipalities that already have a case are skipped. Refuses a database with real cases.
    ``progress`` gets one line per municipality, a translatable message (:func:`journey.domain.messages.msg`)."""
    claim_demo_database(deps)
    seed_network(deps, actor)
    now = deps.clock.now()
    for name, _done, _variant, board in PLAN:
        rows = meeting_plan("KS", now.date()) + (meeting_plan(board, now.date()) if board != "KS" else [])
        import_meetings(deps, actor, name, rows, source="demo")
    opened = advances = 0
    for name, done, variant, board in PLAN:
        # the last step lies 20-30 days back, and a matter opened after it (_open_matter) before today
        start = now - timedelta(days=STEP_DAYS * done + 20 + len(name) + MATTER_DAYS)
        clock = FixedClock(start)
        local = replace(deps, clock=clock)

        def day(i: int, start: datetime = start) -> str:
            return (start + timedelta(days=STEP_DAYS * (i + 1))).date().isoformat()

        try:
            open_case(local, actor, name, variant)
        except RefusedError:
            progress(msg("{name}: has a case already, left as it is", name=name))
            continue
        opened += 1
        for i, (trigger, evidence) in enumerate(_steps(name, board, variant, COORDINATORS[name], day)[:done]):
            clock.at = start + timedelta(days=STEP_DAYS * (i + 1), hours=10)
            advance_case(local, actor, name, trigger, evidence, comment="demo")
            advances += 1
        if name in DEALS:
            add_deal(local, actor, name, replace(DEALS[name], comment="demo"))
        _open_matter(local, actor, name, clock)
        progress(nmsg("{name}: {n} step", "{name}: {n} steps", done, name=name))
    return DemoReport(opened, advances)
