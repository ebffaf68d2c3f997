"""`journey serve` on a real socket: a real headless Chromium (Debian's, driven by Playwright) and a
bounded schemathesis run against the live server on 127.0.0.1 (issue 15). Both backends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server_support import LETTER, PASSWORD, browser_args, running

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live(served: Any) -> Iterator[str]:
    with running(served[1]) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") != "true":  # on CI (.ci/run) the browser test must run; locally it may skip
            pytest.skip("chromium is not installed (make system-deps as root, or CI=true, installs it)")
        pytest.fail("chromium is not installed: run `make system-deps` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=browser_args())
        yield b
        b.close()


def log_in(page: Any, live: str, user: str) -> None:
    page.goto(live + "/")
    assert page.url.startswith(live + "/login")
    page.get_by_label("Användarnamn").fill(user)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(live + "/")


def test_coordinator_logs_in_sees_the_matrix_and_advances_with_evidence(live: str, browser: Any) -> None:
    page = browser.new_page()
    log_in(page, live, "anna")
    assert page.get_by_role("heading", name="Läget i kommunerna").is_visible()
    rows = page.locator("#matris tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-municipality") == "hudiksvall"
    page.get_by_role("link", name="Hudiksvall").click()
    page.wait_for_url(live + "/kommun/hudiksvall")
    assert "Avsiktsförklaring" in page.locator("#nuvarande-lage").inner_text()
    assert page.locator("svg.diagram").count() == 1
    history = page.locator("#historik-tabell tbody tr")
    assert history.count() == 2
    form = page.locator("form", has=page.locator("input[name=trigger][value=sign_letter_of_intent]"))
    form.get_by_label("Undertecknare").fill(LETTER["signatories"])
    form.get_by_label("Datum för underskrift").fill(LETTER["signed_date"])
    form.get_by_label("Kommentar").fill("Undertecknad på KS")
    form.get_by_role("button").click()
    page.wait_for_url("**/kommun/hudiksvall?steg=3*")
    assert "Steget sparades" in page.get_by_role("status").inner_text()
    assert history.count() == 3
    last = history.nth(2).inner_text()
    assert "Avsiktsförklaring undertecknad" in last and "anna" in last and "Undertecknad på KS" in last
    assert "sign_letter_of_intent" not in last and "Datum för underskrift: 2022-02-20" in last
    assert "Lokal organisation" in page.locator("#nuvarande-lage").inner_text()
    # a refused step shows the service's one-line error and changes nothing
    form = page.locator("form", has=page.locator("input[name=trigger][value=form_local_team]"))
    form.get_by_label("Lokal projektsamordnare").fill("Anna Berg")
    form.get_by_label("Teamets medlemmar").fill("bara en")
    form.get_by_label("Tidrapportering startad").fill("2022-02-01")
    form.get_by_role("button").click()
    alert = page.get_by_role("alert")
    assert "kräver minst 3 namn" in alert.inner_text()  # the CLI's message, in the page's language (Swedish)
    assert history.count() == 3


def test_coordinator_is_refused_on_another_municipality(live: str, browser: Any) -> None:
    page = browser.new_page()
    log_in(page, live, "anna")
    response = page.goto(live + "/kommun/umea")
    assert response is not None and response.status == 403
    assert "Ingen behörighet" in page.get_by_role("heading", level=1).inner_text()
    assert "anna (coordinator) får inte läsa för Umeå" in page.get_by_role("alert").inner_text()


def test_skr_sees_every_municipality_and_no_forms(live: str, browser: Any) -> None:
    page = browser.new_page()
    log_in(page, live, "sara")
    assert page.locator("#matris tbody tr").count() == 12
    assert page.get_by_role("heading", name="ESF-takt 2022").is_visible()
    page.goto(live + "/kommun/umea")
    assert page.locator("form input[name=trigger]").count() == 0  # reading is not changing


def test_schemathesis_finds_no_server_error_nor_schema_violation(live: str, served: Any, tmp_path: Path) -> None:
    from journey.services.auth.tokens import create_token

    token = create_token(served[0].deps, "admin", "anna", "schemathesis").token
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [st, "run", f"{live}/openapi.json", "--header", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
               "response_schema_conformance", "--max-examples", "12", "--max-time", "40", "--workers", "1",
               "--phases", "examples,coverage,fuzzing", "--seed", "15", "--no-color"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_serve_command_logs_json_lines_and_stops_gracefully(served: Any, tmp_path: Path) -> None:
    import json
    import signal
    import time

    import httpx

    from tests.conftest import TEMPLATES, WORKFLOWS
    from tests.server_support import free_port

    port = free_port()
    env = {**os.environ, "JOURNEY_DATABASE_URL": served[0].settings.database_url, "JOURNEY_HOME": str(tmp_path),
           "JOURNEY_WORKFLOWS_DIR": str(WORKFLOWS), "JOURNEY_TEMPLATES_DIR": str(TEMPLATES),
           "JOURNEY_NOW": "2022-03-01T09:00:00+00:00"}
    server = subprocess.Popen([sys.executable, "-m", "journey", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health?token=not-for-logs", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "journey serve did not start"
                time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/api/cases", timeout=5).status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err[-2000:]
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {"method": "GET", "path": "/api/cases", "status": 401} in [
        {k: line[k] for k in ("method", "path", "status")} for line in lines]
    assert "not-for-logs" not in err and "Traceback" not in err
