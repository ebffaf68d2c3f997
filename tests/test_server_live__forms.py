"""The municipality page's forms in a real headless Chromium (Debian's, driven by Playwright): a
coordinator records board decisions (`journey decide`) and logs hours through the same use cases
as the CLI, sees the same one-line errors, and is refused (403) on another municipality's form.
Both backends, against the real server on 127.0.0.1 (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.server_support import running, seed_matter_and_people
from tests.test_server_live import browser, log_in  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.slow


@pytest.fixture
def live(served: Any) -> Iterator[str]:
    """Tierp's matter numbered, Eva coordinates Tierp; Hudiksvall has two registered people."""
    seed_matter_and_people(served[0])
    with running(served[1]) as url:
        yield url


def decide(page: Any, board: str, outcome: str, meeting: str, paragraph: str = "") -> None:
    form = page.locator("form[action$='/beslut']")
    form.get_by_label("Beslutande organ").select_option(label=board)
    form.get_by_label("Beslut", exact=True).select_option(label=outcome)
    form.get_by_label("Sammanträdesdatum").fill(meeting)
    form.get_by_label("Paragraf (§)").fill(paragraph)
    form.get_by_role("button", name="Spara beslutet").click()


def test_coordinator_records_decisions_through_the_form(live: str, browser: Any) -> None:  # noqa: F811
    page = browser.new_page()
    log_in(page, live, "eva")
    page.goto(live + "/kommun/tierp")
    matters = page.locator("#arenden-tabell tbody tr")
    assert matters.count() == 1
    assert "KS 2022/31" in matters.first.inner_text() and "Kommunstyrelsen (nästa)" in matters.first.inner_text()
    history = page.locator("#historik-tabell tbody tr")
    before = history.count()

    decide(page, "Kommunstyrelsen", "Återremiss", "2022-02-15", "12")
    page.wait_for_url("**/kommun/tierp?beslut=*")
    assert "Beslutet sparades" in page.get_by_role("status").inner_text()
    assert history.count() == before + 1
    last = history.last.inner_text()
    assert "återremiss i Kommunstyrelsen 2022-02-15 § 12" in last and "eva" in last
    assert "Kommunstyrelsen 2022-02-15 § 12: återremiss" in matters.first.inner_text()

    decide(page, "Kommunstyrelsen", "Bifall", "2022-02-28", "40")
    page.wait_for_url("**/kommun/tierp?beslut=*")
    assert "Kommunfullmäktige (nästa)" in matters.first.inner_text()
    assert history.count() == before + 2
    state = page.locator("#nuvarande-lage").inner_text()

    # the final bifall without its paragraph: the use case's one line, the answers kept, nothing saved
    decide(page, "Kommunfullmäktige", "Bifall", "2022-02-28")
    alert = page.get_by_role("alert")
    assert "ange --paragraph N" in alert.inner_text() and "\n" not in alert.inner_text().strip()
    assert history.count() == before + 2
    assert page.locator("form[action$='/beslut']").get_by_label("Beslut", exact=True).input_value() == "bifall"

    decide(page, "Kommunfullmäktige", "Bifall", "2022-02-28", "55")
    page.wait_for_url("**/kommun/tierp?beslut=*")
    assert "avgjort (bifall)" in matters.first.inner_text()
    last = history.last.inner_text()
    assert "Beslut om ansvarig nämnd" in last and "anchor_in_board" not in last
    assert page.locator("#nuvarande-lage").inner_text() != state  # the final bifall took the step


def test_coordinator_logs_hours_through_the_form(live: str, browser: Any, served: Any) -> None:  # noqa: F811
    from journey.services.hours.entries import entries

    def entries_of(deps: Any, user: str, municipality: str) -> list[dict[str, Any]]:
        return [r | {"date": str(r["date"]), "hours": float(r["hours"])}
                for r in entries(deps, user, 2022, municipality, None, None)]

    page = browser.new_page()
    log_in(page, live, "anna")
    page.goto(live + "/kommun/hudiksvall")
    form = page.locator("form[action$='/timmar']")
    form.get_by_label("Person").select_option("Olle Ås")
    form.get_by_label("Datum").fill("2022-02-21")
    form.get_by_label("Timmar").fill("2,5")
    form.get_by_label("Aktivitet").select_option(label="Policy- och planarbete")
    form.get_by_label("Beskrivning av arbetet").fill("Utkast till policy för sociala företag")
    form.get_by_role("button", name="Spara tid").click()
    page.wait_for_url("**/kommun/hudiksvall?timmar=*")
    assert "Tiden sparades" in page.get_by_role("status").inner_text()
    rows = entries_of(served[0].deps, "sara", "Hudiksvall")
    assert [(r["person"], r["date"], r["hours"], r["activity"]) for r in rows] == [
        ("Olle Ås", "2022-02-21", 2.5, "policy")]

    # a day in the future: the use case's one-line error, nothing saved
    form.get_by_label("Datum").evaluate("e => e.removeAttribute('max')")
    form.get_by_label("Datum").fill("2022-12-24")
    form.get_by_label("Timmar").fill("2")
    form.get_by_label("Beskrivning av arbetet").fill("Planering")
    form.get_by_role("button", name="Spara tid").click()
    alert = page.get_by_role("alert")
    assert "2022-12-24" in alert.inner_text()
    assert len(entries_of(served[0].deps, "sara", "Hudiksvall")) == 1


@pytest.mark.parametrize("action", ["beslut", "timmar", "steg"])
def test_coordinator_is_refused_on_another_municipalitys_form(live: str, browser: Any, served: Any,  # noqa: F811
                                                              action: str) -> None:
    """Anna's own page, its form pointed at Umeå's address (as a crafted page would): 403, nothing saved."""
    import httpx

    from journey.services.auth.tokens import create_token

    sara = {"Authorization": f"Bearer {create_token(served[0].deps, 'admin', 'sara').token}"}

    def history() -> list[Any]:
        return list(httpx.get(f"{live}/api/cases/umea/history", headers=sara).json()["entries"])

    page = browser.new_page()
    log_in(page, live, "anna")
    page.goto(live + "/kommun/hudiksvall")
    before = history()
    form = page.locator("section[aria-labelledby=nasta] form" if action == "steg" else "#timmar-sektion form").first
    form.evaluate(f"f => {{ f.action = '/kommun/umea/{action}'; f.noValidate = true; }}")
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == 403
    assert "Ingen behörighet" in page.get_by_role("heading", level=1).inner_text()
    assert "får inte ändra resan för Umeå" in page.get_by_role("alert").inner_text()
    assert history() == before
