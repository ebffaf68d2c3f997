"""`journey serve` as a security boundary: 401 without login or token, 403 for the wrong role, CSRF,
session fixation, revocable tokens, no password hash or secret in any answer, no path traversal,
throttled logins, security headers and no stack trace (issue 15). Both backends, in-process."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server_support import LETTER, PASSWORD


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def login(client: TestClient, user: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"username": user, "password": password, "csrf": form_token(page.text),
                                       "next": "/"}, follow_redirects=False)


@pytest.fixture
def client(served: Any) -> Any:
    _, asgi = served
    with TestClient(asgi, base_url="http://testserver") as c:
        yield c


def token_for(served: Any, user: str, feed: str | None = None) -> str:
    from journey.services.auth.tokens import create_token

    return create_token(served[0].deps, "admin", user, "test", feed).token


def test_api_answers_401_without_a_valid_token(client: TestClient, served: Any) -> None:
    for path in ("/api/cases", "/api/municipalities", "/api/monitor", "/api/cases/hudiksvall/history"):
        response = client.get(path)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated", path
    assert client.get("/api/cases", headers={"Authorization": "Bearer jt_not-a-token"}).status_code == 401
    assert client.get("/api/cases", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}).status_code == 401
    assert client.post("/api/cases/hudiksvall/advance", json={"trigger": "sign_letter_of_intent"}).status_code == 401


def test_pages_send_a_visitor_without_session_to_the_login(client: TestClient) -> None:
    for path in ("/", "/kommun/hudiksvall"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    plant(client, "forged")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_role_is_403_on_api_and_pages(client: TestClient, served: Any) -> None:
    anna = {"Authorization": f"Bearer {token_for(served, 'anna')}"}
    assert client.get("/api/cases/hudiksvall", headers=anna).status_code == 200
    refused = client.get("/api/cases/umea", headers=anna)
    assert refused.status_code == 403 and refused.json()["exit_code"] == 6
    assert client.post("/api/cases/umea/advance", headers=anna, json={"trigger": "confirm_interest"}).status_code == 403
    sara = {"Authorization": f"Bearer {token_for(served, 'sara')}"}  # SKR reads all, changes nothing
    assert client.get("/api/cases/umea", headers=sara).status_code == 200
    assert client.post("/api/cases/umea/advance", headers=sara, json={"trigger": "confirm_interest"}).status_code == 403
    pia = {"Authorization": f"Bearer {token_for(served, 'pia')}"}  # process supporter: the same, no registry either
    assert len(client.get("/api/cases", headers=pia).json()) == 2
    assert client.post("/api/cases/umea/advance", headers=pia, json={"trigger": "confirm_interest"}).status_code == 403
    assert login(client, "anna").status_code == 303
    page = client.get("/kommun/umea")
    assert page.status_code == 403 and "Ingen behörighet" in page.text


def test_every_form_needs_its_csrf_token(client: TestClient, served: Any) -> None:
    assert login(client, "anna").status_code == 303
    page = client.get("/kommun/hudiksvall")
    token = form_token(page.text)
    data = {"trigger": "sign_letter_of_intent", "ev:signed_letter.signatories": LETTER["signatories"],
            "ev:signed_letter.signed_date": LETTER["signed_date"]}
    for bad in ({}, {"csrf": "0" * 64}):
        refused = client.post("/kommun/hudiksvall/steg", data=data | bad, follow_redirects=False)
        assert refused.status_code == 403
    assert client.post("/kommun/hudiksvall/timmar", data={"person": "A", "day": "2022-02-01", "hours": "2",
                                                          "activity": "policy", "description": "x"}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    history = client.get("/api/cases/hudiksvall/history", headers={"Authorization": f"Bearer {token_for(served, 'anna')}"})
    assert [e["trigger"] for e in history.json()["entries"]] == [None, "confirm_interest"]  # nothing changed
    other_site = client.post("/kommun/hudiksvall/steg", data=data | {"csrf": token},
                             headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert other_site.status_code == 403
    done = client.post("/kommun/hudiksvall/steg", data=data | {"csrf": token}, follow_redirects=False)
    assert done.status_code == 303 and "steg=3" in done.headers["location"]
    # the API with a session cookie instead of a token needs the X-CSRF-Token header for changes
    body = {"trigger": "form_local_team"}
    assert client.post("/api/cases/hudiksvall/advance", json=body).status_code == 403


def test_the_login_form_itself_needs_its_token(client: TestClient) -> None:
    response = client.post("/login", data={"username": "anna", "password": PASSWORD, "csrf": "guess"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "journey_session" not in response.cookies


def session_cookie(client: TestClient) -> str | None:
    values = [c.value for c in client.cookies.jar if c.name == "journey_session"]
    return values[-1] if values else None


def plant(client: TestClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set("journey_session", value, domain="testserver.local", path="/")


def test_login_replaces_any_session_the_browser_brought(client: TestClient) -> None:
    plant(client, "planted-by-an-attacker")
    assert login(client, "anna").status_code == 303
    first = session_cookie(client)
    assert first and first != "planted-by-an-attacker"
    assert client.get("/", follow_redirects=False).status_code == 200
    assert login(client, "sara").status_code == 303  # a second login in the same browser: a new session again
    second = session_cookie(client)
    assert second and second != first
    plant(client, first)  # the earlier session ended at the new login
    assert client.get("/", follow_redirects=False).status_code == 303
    plant(client, second)
    assert client.get("/", follow_redirects=False).status_code == 200


def test_session_cookie_flags_and_logout(client: TestClient) -> None:
    response = login(client, "anna")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    page = client.get("/")
    assert client.post("/logout", data={"csrf": form_token(page.text)}, follow_redirects=False).status_code == 303
    old = page.request.headers["cookie"].split("journey_session=")[1].split(";")[0]
    plant(client, old)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_secure_cookie_behind_tls(served: Any) -> None:
    _, asgi = served
    with TestClient(asgi, base_url="https://journey.example") as c:
        response = login(c, "anna")
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age=31536000" in c.get("/health").headers["strict-transport-security"]


def test_tokens_are_revocable(client: TestClient, served: Any) -> None:
    from journey.services.auth.tokens import create_token, list_tokens, revoke_token

    made = create_token(served[0].deps, "admin", "sara", "diarium")
    headers = {"Authorization": f"Bearer {made.token}"}
    assert client.get("/api/cases", headers=headers).status_code == 200
    listed = list_tokens(served[0].deps, "sara")
    assert [t["id"] for t in listed] == [made.id] and made.token not in str(listed)
    with pytest.raises(Exception, match="may not manage"):
        revoke_token(served[0].deps, "anna", made.id)
    revoke_token(served[0].deps, "sara", made.id)
    assert client.get("/api/cases", headers=headers).status_code == 401


def test_feed_tokens_open_only_their_feed(client: TestClient, served: Any) -> None:
    feed = token_for(served, "anna", feed="Hudiksvall")
    assert client.get(f"/kalender/hudiksvall.ics?token={feed}").status_code == 200
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {feed}"}).status_code == 401
    api = token_for(served, "anna")
    assert client.get(f"/kalender/hudiksvall.ics?token={api}").status_code == 401
    assert client.get("/kalender/hudiksvall.ics").status_code == 401
    assert client.get(f"/kalender/umea.ics?token={feed}").status_code == 401
    with pytest.raises(Exception, match="may not read"):
        token_for(served, "anna", feed="Umeå")


def test_password_hashes_and_secrets_never_leave_the_server(client: TestClient, served: Any, cli_env: Any) -> None:
    app, _ = served
    with app.engine.connect() as conn:
        from sqlalchemy import text

        hashes = [r[0] for r in conn.execute(text("SELECT password_hash FROM user_password"))]
        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM api_token"))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    token = token_for(served, "admin")
    headers = {"Authorization": f"Bearer {token}"}
    assert login(client, "admin").status_code == 303
    bodies = [client.get(p, headers=headers).text for p in (
        "/api/municipalities", "/api/cases", "/api/monitor", "/api/reminders", "/api/cases/hudiksvall/history",
        "/api/cases/hudiksvall/documents", "/openapi.json")]
    bodies += [client.get(p).text for p in ("/", "/kommun/hudiksvall")]
    bodies += [cli_env(["users", "list", "--json", "--as", "admin"]), cli_env(["tokens", "list", "--json", "--as", "admin"])]
    with app.engine.connect() as conn:
        stored += [r[0] for r in conn.execute(text("SELECT token_hash FROM api_token"))]
        stored += [r[0] for r in conn.execute(text("SELECT token_hash FROM web_session"))]
    for body in bodies:
        assert "$argon2" not in body and token not in body
        assert not any(h in body for h in hashes + stored)
    assert session_cookie(client) not in stored  # only digests are stored


def test_document_download_refuses_path_traversal(client: TestClient, served: Any, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {token_for(served, 'anna')}"}
    listed = client.get("/api/cases/hudiksvall/documents", headers=headers).json()["documents"]
    assert listed, "entering letter_of_intent renders the letter of intent"
    good = client.get(listed[0]["download"], headers=headers)
    assert good.status_code == 200 and good.headers["etag"] == f'"{listed[0]["sha256"]}"'
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    for name in ("..%2Fsecret.txt", "..%2F..%2Fsecret.txt", "%2E%2E%2Fsecret.txt", "..%5Csecret.txt",
                 "secret.txt", "%2Fetc%2Fpasswd", "Hudiksvall%2F..%2F..%2Fsecret.txt"):
        response = client.get(f"/api/cases/hudiksvall/documents/{name}", headers=headers)
        assert response.status_code in (400, 404), (name, response.status_code)
        assert "top secret" not in response.text and "root:" not in response.text
    for raw in ("/api/cases/hudiksvall/documents/../../secret.txt", "/kommun/hudiksvall/dokument/../../../secret.txt"):
        assert "top secret" not in client.get(raw, headers=headers).text
    # a register row pointing outside the document directory is refused, not served
    app, _ = served
    from sqlalchemy import text

    (tmp_path / "secret.html").write_text("top secret", encoding="utf-8")
    with app.engine.begin() as conn:
        conn.execute(text("UPDATE document SET path = :p WHERE id = :i"),
                     {"p": str(tmp_path / "secret.html"), "i": listed[0]["id"]})
    outside = client.get("/api/cases/hudiksvall/documents/secret.html", headers=headers)
    assert outside.status_code == 403 and "top secret" not in outside.text


def test_logins_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "anna", "fel lösenord men långt").status_code == 401
    throttled = login(client, "anna")  # even the right password waits now
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "journey_session" not in throttled.cookies
    assert login(client, "sara").status_code == 303  # another user from the same client still gets in
    unknown = login(client, "nobody", "fel lösenord men långt")
    assert unknown.status_code == 401 and "fel användarnamn eller lösenord" in unknown.text


def test_security_headers_and_no_stack_trace(served: Any) -> None:
    from journey.bootstrap.server import server_context
    from journey.server.app import create_app

    app, _ = served
    ctx = server_context(app)

    class Exploding:
        def read(self, path: str) -> bytes:
            raise RuntimeError("secret internals /etc/journey at line 42")

    ctx.document_files = Exploding()
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        headers = {"Authorization": f"Bearer {token_for(served, 'anna')}"}
        name = c.get("/api/cases/hudiksvall/documents", headers=headers).json()["documents"][0]["file_name"]
        boom = c.get(f"/api/cases/hudiksvall/documents/{name}", headers=headers)
        assert boom.status_code == 500 and boom.json()["code"] == "internal"
        assert "Traceback" not in boom.text and "secret internals" not in boom.text and "RuntimeError" not in boom.text
        assert login(c, "anna").status_code == 303
        page = c.get(f"/kommun/hudiksvall/dokument/{name}")
        assert page.status_code == 500 and "Traceback" not in page.text and "secret internals" not in page.text
        for response in (boom, page, c.get("/health"), c.get("/login")):
            h = response.headers
            assert "default-src 'none'" in h["content-security-policy"] and "frame-ancestors 'none'" in h[
                "content-security-policy"]
            assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
            assert h["referrer-policy"] == "no-referrer"


def test_the_national_page_writes_hours_with_a_decimal_comma(client: TestClient, served: Any) -> None:
    """Swedish pages write 1,25 timmar, never 1.25 (the JSON API keeps numbers)."""
    from journey.services.hours.entries import log_hours
    from tests.server_support import seed_matter_and_people

    seed_matter_and_people(served[0])
    log_hours(served[0].deps, "anna", "Hudiksvall", "Olle Ås", "2022-02-21", "1:15", "policy", "Policyutkast")
    assert login(client, "sara").status_code == 303
    page = client.get("/").text
    row = next(line for line in page.splitlines() if "/ 500" in line and "1,25" in line)
    assert "1.25" not in row
    assert re.search(r"Rapporterat totalt</dt><dd>1,25 timmar</dd>", page), page[-2000:]
