"""The JSON API, the ICS feed and the webhook outbox of `journey serve` (issue 15), on both backends."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from journey.domain import errors as e
from journey.server.errors import status_of
from tests.server_support import EARLIER, LETTER, seed_matter_and_people


@pytest.fixture
def client(served: Any) -> Iterator[TestClient]:
    with TestClient(served[1]) as c:
        yield c


def bearer(served: Any, user: str) -> dict[str, str]:
    from journey.services.auth.tokens import create_token

    return {"Authorization": f"Bearer {create_token(served[0].deps, 'admin', user).token}"}


def test_errors_map_to_documented_statuses() -> None:
    cases = {e.InputError("x"): 400, e.EvidenceError("x"): 400, e.AuthenticationError("x"): 401,
             e.TooManyAttemptsError("x", 1): 429, e.PermissionDeniedError("x"): 403, e.NotFoundError("x"): 404,
             e.ConcurrentChangeError("x"): 409, e.RefusedError("x"): 422, e.GuardRefusedError("x"): 422,
             e.TransitionNotAllowedError("x"): 422, e.DatabaseLockedError("x"): 503}
    assert {type(k).__name__: status_of(k)[0] for k in cases} == {type(k).__name__: v for k, v in cases.items()}


def test_advance_through_the_api_with_the_cli_errors(client: TestClient, served: Any) -> None:
    anna = bearer(served, "anna")
    url = "/api/cases/hudiksvall/advance"
    lacking = client.post(url, headers=anna, json={"trigger": "sign_letter_of_intent"})
    assert lacking.status_code == 422 and lacking.json()["exit_code"] == 3 and "lacking" in lacking.json()["message"]
    bad = client.post(url, headers=anna, json={"trigger": "sign_letter_of_intent", "evidence": {"signed_date": "igår"}})
    assert bad.status_code == 400 and "signed_date" in bad.json()["message"]
    assert client.post(url, headers=anna, json={"trigger": "no_such_step"}).status_code == 404
    assert client.post(url, headers=anna, json={"trigger": 5}).status_code == 400
    assert client.post(url, headers=anna, content=b"{", ).status_code == 400
    assert client.post("/api/cases/atlantis/advance", headers=anna, json={"trigger": "x"}).status_code == 404
    dry = client.post(url, headers=anna, json={"trigger": "sign_letter_of_intent", "evidence": LETTER, "dry_run": True})
    assert dry.status_code == 200 and dry.json()["dry_run"] and dry.json()["history_seq"] == 0
    done = client.post(url, headers=anna, json={"trigger": "sign_letter_of_intent", "evidence": LETTER,
                                                "comment": "via API"})
    assert done.status_code == 200 and done.json() == {
        "municipality": "Hudiksvall", "trigger": "sign_letter_of_intent", "from_state": "letter_of_intent",
        "to_state": "local_team", "history_seq": 3, "dry_run": False}
    again = client.post(url, headers=anna, json={"trigger": "sign_letter_of_intent", "evidence": LETTER})
    assert again.status_code == 422  # no longer allowed from local_team
    history = client.get("/api/cases/hudiksvall/history", headers=anna).json()
    assert history["entries"][-1]["actor"] == "anna" and history["entries"][-1]["comment"] == "via API"
    assert client.get("/api/cases/hudiksvall", headers=anna).json()["state"] == "local_team"


def test_the_shared_case_list_shows_a_change_through_the_server_at_once(client: TestClient, served: Any) -> None:
    from journey.services.cases.lifecycle import advance_case

    anna = bearer(served, "anna")

    def state() -> str:
        return next(c["state"] for c in client.get("/api/cases", headers=anna).json() if c["municipality"] == "Hudiksvall")

    assert state() == "letter_of_intent"
    views = served[1].state.ctx.views
    built = views.builds
    assert state() == "letter_of_intent" and views.builds == built  # the list is shared, not built again
    done = client.post("/api/cases/hudiksvall/advance", headers=anna,
                       json={"trigger": "sign_letter_of_intent", "evidence": LETTER})
    assert done.status_code == 200 and state() == "local_team"  # a change through the server shows at once
    advance_case(served[0].deps, "anna", "Hudiksvall", "form_local_team", {
        "coordinator": "Anna", "members": "A, B, C, D, E, F, G", "time_reporting_from": "2022-03-01"})
    assert state() == "local_team"  # a change made elsewhere (the CLI) shows after --view-seconds
    views.clear()  # as if those seconds had passed
    assert state() == "needs_inventory"


def test_decisions_and_hours_through_the_api(client: TestClient, served: Any) -> None:
    seed_matter_and_people(served[0])
    eva, anna, sara = bearer(served, "eva"), bearer(served, "anna"), bearer(served, "sara")
    url = "/api/cases/tierp/decisions"
    matters = client.get("/api/cases/tierp/matters", headers=sara).json()["matters"]
    assert [(m["diarienummer"], m["next_body"], m["status"]) for m in matters] == [("KS 2022/31", "KS", "OPEN")]
    assert client.post(url, headers=anna, json={"board": "KS", "outcome": "bifall", "meeting": "2022-02-15"}
                       ).status_code == 403
    bad = client.post(url, headers=eva, json={"board": "KS", "outcome": "kanske", "meeting": "2022-02-15"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("unknown outcome 'kanske'")
    served[0].clock.advance(timedelta(minutes=5))  # a later request: the decision changes the case's updated_at
    version = client.get("/api/cases/tierp", headers=eva).json()["version"]
    sent_back = client.post(url, headers=eva, json={"board": "Kommunstyrelsen", "outcome": "återremiss",
                                                    "meeting": "2022-02-15", "paragraph": "12",
                                                    "expected_version": version})
    assert sent_back.status_code == 200, sent_back.text
    assert (sent_back.json()["effect"], sent_back.json()["next_body"], sent_back.json()["advanced"]) == (
        "stays", "KS", None)
    stale = client.post(url, headers=eva, json={"board": "KS", "outcome": "bifall", "meeting": "2022-02-28",
                                                "paragraph": "40", "expected_version": version})
    assert stale.status_code == 409 and stale.json()["exit_code"] == 5
    client.post(url, headers=eva, json={"board": "KS", "outcome": "bifall", "meeting": "2022-02-28", "paragraph": "40"})
    lacking = client.post(url, headers=eva, json={"board": "KF", "outcome": "bifall", "meeting": "2022-02-28"})
    assert lacking.status_code == 422 and "--paragraph" in lacking.json()["message"]
    final = client.post(url, headers=eva, json={"board": "KF", "outcome": "bifall", "meeting": "2022-02-28",
                                                "paragraph": "55"}).json()
    assert final["effect"] == "decided" and final["advanced"]["trigger"] == "anchor_in_board"
    assert client.get("/api/cases/tierp", headers=sara).json()["state"] == final["advanced"]["to_state"]

    hours = {"person": "Olle Ås", "day": "2022-02-21", "hours": "1:15", "activity": "policy",
             "description": "Policyutkast"}
    logged = client.post("/api/cases/hudiksvall/hours", headers=anna, json=hours)
    assert logged.status_code == 200 and logged.json()["municipality"] == "Hudiksvall"
    assert logged.json()["rows"][0]["hours"] == 1.25
    assert client.post("/api/cases/umea/hours", headers=anna, json=hours).status_code == 403
    unknown = client.post("/api/cases/hudiksvall/hours", headers=anna, json=hours | {"person": "Ingen Alls"})
    assert unknown.status_code == 404 and "\n" not in unknown.json()["message"]
    assert client.post("/api/cases/hudiksvall/hours", headers=sara, json=hours).status_code == 403


def test_read_endpoints_follow_the_roles(client: TestClient, served: Any) -> None:
    sara, olle = bearer(served, "sara"), bearer(served, "olle")
    assert len(client.get("/api/municipalities", headers=sara).json()) == 12
    assert [m["name"] for m in client.get("/api/municipalities", headers=olle).json()] == ["Umeå"]
    assert [c["municipality"] for c in client.get("/api/cases", headers=sara).json()] == ["Hudiksvall", "Umeå"]
    assert [c["municipality"] for c in client.get("/api/cases", headers=olle).json()] == ["Umeå"]
    monitor = client.get("/api/monitor", headers=sara).json()
    assert monitor["totals"]["municipalities"] == 12 and monitor["funnel"]
    assert client.get("/api/monitor?min_days=-1", headers=sara).status_code == 400
    assert client.get("/api/monitor?stage=nowhere", headers=sara).status_code == 400
    steps = client.get("/api/cases/hudiksvall/next", headers=sara).json()["steps"]
    assert [s["trigger"] for s in steps] == ["sign_letter_of_intent"]
    assert client.get("/api/reminders?municipality=Umeå", headers=olle).status_code == 200
    assert client.get("/api/reminders?municipality=Hudiksvall", headers=olle).status_code == 403


def test_openapi_document_validates_and_documents_errors(client: TestClient) -> None:
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)
    advance = spec["paths"]["/api/cases/{municipality}/advance"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(advance["responses"])
    for path in ("/api/cases/{municipality}/decisions", "/api/cases/{municipality}/hours"):
        assert {"200", "400", "401", "403", "404", "409", "422"} <= set(spec["paths"][path]["post"]["responses"])
    assert "get" in spec["paths"]["/api/cases/{municipality}/matters"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert not any(p.startswith(("/kommun", "/login")) for p in spec["paths"])  # pages are not API


def test_health_needs_no_login(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}


def test_calendar_feed_has_meetings_and_deadlines_with_stable_uids(client: TestClient, served: Any) -> None:
    from datetime import date

    from icalendar import Calendar

    from journey.domain.board_meetings import MeetingRow
    from journey.services.auth.tokens import create_token
    from journey.services.board_meetings import add_meeting

    app, _ = served
    add_meeting(app.deps, "anna", "Hudiksvall", MeetingRow("KS", date(2022, 4, 5), "09:00", "Stadshuset"))
    feed = create_token(app.deps, "anna", "anna", "", "Hudiksvall").token
    first = client.get(f"/kalender/hudiksvall.ics?token={feed}")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    events = {str(ev["uid"]): ev for ev in Calendar.from_ical(first.content).walk("VEVENT")}
    meeting = next(ev for uid, ev in events.items() if uid.startswith("board-meeting-"))
    assert "KS" in str(meeting["summary"]) and str(meeting["location"]) == "Stadshuset"
    second = client.get(f"/kalender/hudiksvall.ics?token={feed}")
    assert set(events) == {str(ev["uid"]) for ev in Calendar.from_ical(second.content).walk("VEVENT")}

    from journey.services.cases.lifecycle import advance_case

    steps = {"sign_letter_of_intent": ("signatories", "signed_date"),  # to anchoring: its KS deadlines
             "form_local_team": ("coordinator", "members", "time_reporting_from"),
             "approve_inventory": ("approved_by", "approved_date", "enterprises_identified")}
    for trigger, names in steps.items():
        advance_case(app.deps, "anna", "Hudiksvall", trigger, {k: EARLIER[k] for k in names})
    calendar = Calendar.from_ical(client.get(f"/kalender/hudiksvall.ics?token={feed}").content)
    deadlines = [str(ev["description"]) for ev in calendar.walk("VEVENT") if str(ev["uid"]).startswith("reminder-")]
    assert deadlines and all(d.startswith("Förankring i ansvarig nämnd – påminnelse till ") for d in deadlines)
    assert not any("anchoring" in d or "coordinator" in d for d in deadlines)


def test_calendar_feed_has_the_network_meetings_and_the_municipality_s_local_ones(client: TestClient,
                                                                                   served: Any) -> None:
    """Network meetings for every municipality, a local full day only for its host; named and timed in Swedish."""
    from icalendar import Calendar

    from journey.services.auth.tokens import create_token
    from journey.services.hours.entries import add_meeting

    app, _ = served
    add_meeting(app.deps, "sara", "physical", "2022-03-24", "Nätverksträff Stockholm", None, None)
    add_meeting(app.deps, "anna", "local", "2022-05-12", "Lokal heldag Hudiksvall", "6.5", "Hudiksvall")
    add_meeting(app.deps, "olle", "local", "2022-05-19", "Lokal heldag Umeå", None, "Umeå")
    feed = create_token(app.deps, "anna", "anna", "", "Hudiksvall").token
    events = Calendar.from_ical(client.get(f"/kalender/hudiksvall.ics?token={feed}").content).walk("VEVENT")
    network = {str(ev["summary"]): str(ev["description"]) for ev in events
               if str(ev["uid"]).startswith("network-meeting-")}
    assert network == {"Fysiskt nätverksmöte: Nätverksträff Stockholm": "7 timmar",
                       "Lokal heldag: Lokal heldag Hudiksvall": "6,5 timmar"}


class Receiver:
    """A real HTTP server on 127.0.0.1 recording webhook POSTs; answers with ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_webhooks_are_planned_with_the_change_signed_and_retried(served: Any, client: TestClient,
                                                                   receiver: Receiver) -> None:
    from journey.bootstrap.webhooks import deliver_once
    from journey.services.webhooks.subscriptions import add_webhook, list_webhooks

    app, _ = served
    hook = add_webhook(app.deps, "admin", receiver.url, ("state_changed", "decision.recorded", "document.created"))
    anna = bearer(served, "anna")
    refused = client.post("/api/cases/hudiksvall/advance", headers=anna, json={"trigger": "sign_letter_of_intent"})
    assert refused.status_code == 422
    assert list_webhooks(app.deps, "admin")[0]["pending"] == 0  # a refused change plans nothing
    ok = client.post("/api/cases/hudiksvall/advance", headers=anna,
                     json={"trigger": "sign_letter_of_intent", "evidence": LETTER})
    assert ok.status_code == 200
    assert list_webhooks(app.deps, "admin")[0]["pending"] == 1
    receiver.status = 500
    first = deliver_once(app)
    assert (first.sent, first.retrying) == (0, 1) and len(receiver.received) == 1
    assert deliver_once(app).retrying == 0  # not due again before its retry delay
    app.clock.advance(timedelta(minutes=2))
    receiver.status = 204
    assert deliver_once(app).sent == 1
    headers, body = receiver.received[-1]
    assert receiver.received[0][1] == body  # a retry sends the same event
    event = json.loads(body)
    assert event["specversion"] == "1.0" and event["type"] == "se.skr.journey.case.state_changed"
    assert event["data"]["municipality"]["name"] == "Hudiksvall" and event["data"]["to_state"] == "local_team"
    assert headers["content-type"].startswith("application/cloudevents+json")
    expected = hmac.new(hook["secret"].encode(), headers["x-journey-timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["x-journey-signature"] == f"sha256={expected}"
    assert hook["secret"] not in json.dumps(list_webhooks(app.deps, "admin"))


def test_documents_are_announced_for_the_subscribed_municipality_only(served: Any, receiver: Receiver) -> None:
    from journey.bootstrap.webhooks import deliver_once
    from journey.services.cases.lifecycle import advance_case
    from journey.services.webhooks.subscriptions import add_webhook

    app, _ = served
    add_webhook(app.deps, "admin", receiver.url, ("decision.recorded", "document.created"), "Umeå")
    advance_case(app.deps, "olle", "Umeå", "confirm_interest", {"registered_date": "2022-01-12", "contact": "Olle"})
    advance_case(app.deps, "anna", "Hudiksvall", "sign_letter_of_intent", LETTER)  # another municipality: not sent
    deliver_once(app)
    types = sorted(json.loads(b)["type"] for _, b in receiver.received)
    assert types and set(types) == {"se.skr.journey.document.created"}
    doc = json.loads(receiver.received[0][1])["data"]
    assert doc["municipality"]["name"] == "Umeå" and doc["download"].startswith("/api/cases/umea/documents/")


def test_a_deal_s_documents_are_announced_and_can_be_downloaded(served: Any, receiver: Receiver,
                                                                client: TestClient) -> None:
    """A deal's documents are rendered after the deal is saved, like a state's, and announced the same way."""
    from journey.bootstrap.webhooks import deliver_once
    from journey.services.cases.lifecycle import advance_case
    from journey.services.deals.register import DealInput, add_deal
    from journey.services.webhooks.subscriptions import add_webhook

    app, _ = served
    advance_case(app.deps, "anna", "Hudiksvall", "sign_letter_of_intent", LETTER)
    add_webhook(app.deps, "admin", receiver.url, ("document.created",), "Hudiksvall")
    result = add_deal(app.deps, "anna", "Hudiksvall", DealInput(form="iop", counterparty="Kafé Kroken ek. för.",
                                                                org_number="769612-3459", value="450000", per="total"))
    assert {(d["doc_id"], d["format"]) for d in result.documents} == {("deal1_iop_avtal", "docx"),
                                                                       ("deal1_iop_avtal", "html")}
    deliver_once(app)
    announced = [json.loads(body)["data"] for _, body in receiver.received]
    assert sorted((d["doc_id"], d["state_path"], d["format"]) for d in announced) == [
        ("deal1_iop_avtal", "", "docx"), ("deal1_iop_avtal", "", "html")]
    html = next(d for d in announced if d["format"] == "html")
    download = client.get(html["download"], headers=bearer(served, "anna"))
    assert download.status_code == 200 and "Kafé Kroken ek. för." in download.text


def test_a_decision_that_keeps_the_case_in_place_is_announced(served: Any, receiver: Receiver) -> None:
    """återremiss and a bifall that hands the matter on take no step, and are still decisions (#15)."""
    from journey.bootstrap.webhooks import deliver_once
    from journey.services.matters.decisions import decide
    from journey.services.webhooks.subscriptions import add_webhook

    app, _ = served
    seed_matter_and_people(app)
    add_webhook(app.deps, "admin", receiver.url, ("decision.recorded",), "Tierp")
    decide(app.deps, "eva", "Tierp", "KS", "återremiss", "2022-02-15", "12")
    decide(app.deps, "eva", "Tierp", "KS", "bifall", "2022-02-28", "40")
    deliver_once(app)
    events = [json.loads(b) for _, b in receiver.received]
    assert [e["type"] for e in events] == ["se.skr.journey.decision.recorded"] * 2
    decisions = [e["data"]["decision"] for e in events]
    assert [(d["organ"], d["meeting_date"], d["paragraph"]) for d in decisions] == [
        ("KS", "2022-02-15", 12), ("KS", "2022-02-28", 40)]
    assert all(e["data"]["trigger"] is None and e["data"]["municipality"]["name"] == "Tierp" for e in events)
    assert len({e["id"] for e in events}) == 2


def test_pages_show_errors_in_swedish_and_the_api_in_english(client: TestClient, served: Any) -> None:
    anna = bearer(served, "anna")
    bad = {"trigger": "sign_letter_of_intent", "evidence": {"signed_date": "igår"}}
    api = client.post("/api/cases/hudiksvall/advance", headers=anna, json=bad)
    assert api.status_code == 400 and "signed_date" in api.json()["message"]
    from journey.domain.errors import EvidenceError
    from journey.domain.messages import msg
    from journey.server.errors import in_page_language
    error = EvidenceError(msg("{where}: needs at least {minimum} names separated by commas, got {count}",
                              where="members", minimum=3, count=1))
    assert str(error) == "members: needs at least 3 names separated by commas, got 1"  # what the API sends
    assert in_page_language(error).startswith("members: kräver minst 3 namn")  # what a page shows
    assert in_page_language(ValueError("plain")) == "plain"
