"""The web pages: sign-in and sessions, roles, CSRF, escaping, security headers, languages,
upload receipts, the follow-up list, visit detail and reviews, exports, model, dashboard."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.store.engine import transaction
from screening.store.tables import AuditEntry
from screening.web.i18n import STRINGS
from screening.web.security import SESSION_COOKIE
from tests.web.conftest import ROLES, csrf_of, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# page -> roles that may open it (admin may open every page)
PAGES = {
    "/upload": {"inspector", "admin"},
    "/uploads": {"inspector", "admin"},
    "/uploads/1": {"inspector", "admin"},  # the demo upload, by the demo inspector
    "/list": {"monitor", "analyst", "admin"},
    "/dashboard": {"monitor", "analyst", "admin"},
    "/performance": {"monitor", "analyst", "admin"},
    "/statistics": {"monitor", "admin"},
    "/referrals": {"monitor", "admin"},
    "/referrals/1": {"monitor", "admin"},
    "/visits/V0000001": {"monitor", "analyst", "admin"},
    "/model": {"analyst", "admin"},
    "/indicators": set(ROLES),
    "/guide": set(ROLES),
}
SCRIPT = "<script>alert(1)</script>"


def audit_actions(app) -> list[tuple[str, str | None]]:
    with transaction(app.state.services.engine, write=False) as session:
        return [(a.action, a.object_id)
                for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def visible_text(page: str) -> str:
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def visits_csv(**changes: str) -> bytes:
    """The first example visit with some cells changed, as a one-row CSV."""
    with open(EXAMPLES / "visits.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(reader)
        names = reader.fieldnames
    row.update(changes)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode("utf-8")


def upload(client: TestClient, name: str, content: bytes, csrf: str | None = None):
    token = csrf if csrf is not None else csrf_of(client.get("/upload").text)
    return client.post("/upload", data={"csrf": token},
                       files={"file": (name, content, "text/csv")})


# --- sign-in and sessions ------------------------------------------------------------------

@pytest.mark.parametrize("role,home", [("inspector", "/upload"), ("monitor", "/list"),
                                       ("analyst", "/model"), ("admin", "/list")])
def test_sign_in_sets_an_httponly_samesite_cookie_audits_and_goes_home(service, role, home):
    app, tokens = service
    client = TestClient(app)
    before = audit_actions(app).count(("sign_in", None))
    response = sign_in(client, tokens[role])
    assert response.status_code == 303 and response.headers["location"] == home
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert tokens[role] not in cookie
    signed_in = [a for a in audit_actions(app) if a[0] == "sign_in"]
    assert len(signed_in) > before
    assert client.get(home).status_code == 200


def test_a_wrong_token_is_refused_with_the_form_again(anonymous):
    form = anonymous.get("/sign-in")
    response = anonymous.post("/sign-in", data={"token": "not-a-token",
                                                "csrf": csrf_of(form.text)},
                              follow_redirects=False)
    assert response.status_code == 401
    assert 'id="sign-in-error"' in response.text and 'id="token"' in response.text
    assert anonymous.get("/list", follow_redirects=False).status_code == 303


def test_sign_out_clears_the_session(service):
    app, tokens = service
    client = TestClient(app)
    sign_in(client, tokens["monitor"])
    page = client.get("/list")
    assert 'id="sign-out"' in page.text
    out = client.post("/sign-out", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and "/sign-in" in out.headers["location"]
    assert client.get("/list", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_not_a_session(service):
    client = TestClient(service[0])
    client.cookies.set(SESSION_COOKIE, "eyJ1aWQiOjF9.forged.signature")
    response = client.get("/list", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("path", sorted(PAGES))
def test_without_a_session_pages_redirect_to_sign_in(anonymous, path):
    response = anonymous.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


# --- roles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_pages(clients, role, path):
    response = clients[role].get(path)
    expected = 200 if role in PAGES[path] else 403
    assert response.status_code == expected, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    if expected == 403:
        assert 'id="error-message"' in response.text


@pytest.mark.parametrize("path,kind", [("/static/style.css", "text/css"),
                                       ("/static/upload.js", "javascript"),
                                       ("/static/sample-visits.csv", "text/csv")])
def test_static_files_are_served_with_their_type(anonymous, path, kind):
    response = anonymous.get(path)
    assert response.status_code == 200 and kind in response.headers["content-type"]


def test_landing_page_links_the_api_documentation(anonymous):
    page = anonymous.get("/")
    assert page.status_code == 200 and 'href="/docs"' in page.text
    assert anonymous.get("/docs").status_code == 200


# --- CSRF ----------------------------------------------------------------------------------

def _posts(clients):
    return [
        (clients["monitor"], "/visits/V0000001/reviews", {"status": "visited"}),
        (clients["admin"], "/model/active", {"version": "default"}),
        (clients["monitor"], "/sign-out", {}),
    ]


@pytest.mark.parametrize("token", [None, "", "wrong-token"], ids=["missing", "empty", "wrong"])
def test_form_posts_without_the_sessions_csrf_token_are_refused(service, clients, token):
    for client, path, data in _posts(clients):
        body = dict(data) if token is None else {**data, "csrf": token}
        response = client.post(path, data=body, follow_redirects=False)
        assert response.status_code == 403, path
        assert 'id="error-message"' in response.text
    refused = upload(clients["inspector"], "visits.csv", visits_csv(visit_id="VCSRF"),
                     csrf=token or "")
    assert refused.status_code == 403
    form = TestClient(service[0]).get("/sign-in")
    assert form.status_code == 200
    anonymous = TestClient(service[0])
    assert anonymous.post("/sign-in", data={"token": service[1]["monitor"],
                                            "csrf": token or ""}).status_code == 403
    # still signed in: the refused sign-out did nothing
    assert clients["monitor"].get("/list").status_code == 200


def test_a_csrf_token_of_another_session_is_refused(clients):
    other = csrf_of(clients["admin"].get("/list").text)
    response = clients["monitor"].post("/visits/V0000001/reviews",
                                       data={"status": "visited", "csrf": other})
    assert response.status_code == 403


# --- security headers and escaping --------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/sign-in", "/list", "/visits/V0000001", "/dashboard",
                                  "/indicators", "/guide", "/model", "/upload", "/nothing"])
def test_security_headers_on_every_html_response(clients, path):
    response = clients["admin"].get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    if response.headers["content-type"].startswith("text/html"):
        assert "<script>" not in response.text  # only <script src=...> from /static


def test_review_notes_render_escaped(service, clients):
    monitor = clients["monitor"]
    page = monitor.get("/visits/V0000002")
    response = monitor.post("/visits/V0000002/reviews", data={
        "csrf": csrf_of(page.text), "status": "visited", "inspector": SCRIPT,
        "notes": SCRIPT}, follow_redirects=False)
    assert response.status_code == 303
    shown = monitor.get(response.headers["location"])
    assert SCRIPT not in shown.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    assert clients["analyst"].get("/visits/V0000002").text.count("&lt;script&gt;") >= 2


def test_ids_file_names_and_filters_render_escaped(clients):
    inspector, monitor = clients["inspector"], clients["monitor"]
    injected = "<img src=x onerror=alert(1)>"
    missing = monitor.get("/visits/" + injected)
    assert missing.status_code == 404 and injected not in missing.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in missing.text
    bad = upload(inspector, SCRIPT + ".csv", b"")
    assert 'id="upload-error"' in bad.text and SCRIPT not in bad.text
    stored = upload(inspector, SCRIPT + ".csv",
                    visits_csv(visit_id="VXSS1", site_id=SCRIPT, notes=SCRIPT))
    assert stored.status_code == 201 and SCRIPT not in stored.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in stored.text
    listed = monitor.get("/list", params={"q": SCRIPT})  # the search box echoes it
    assert 'data-visit-id="VXSS1"' in listed.text and SCRIPT not in listed.text


# --- language ------------------------------------------------------------------------------

def test_the_language_choice_persists_across_requests(service):
    app, tokens = service
    client = TestClient(app)
    sign_in(client, tokens["monitor"])
    assert '<html lang="en">' in client.get("/list").text
    switched = client.get("/lang/az", params={"next": "/dashboard"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/dashboard"
    assert "max-age" in switched.headers["set-cookie"].lower()
    for path in ("/list", "/dashboard", "/visits/V0000001", "/indicators"):
        assert '<html lang="az">' in client.get(path).text
    client.get("/lang/en")
    assert '<html lang="en">' in client.get("/list").text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_language_links_redirect_only_to_local_paths(anonymous, target):
    response = anonymous.get("/lang/az", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("path", sorted(PAGES) + ["/sign-in"])
@pytest.mark.parametrize("lang", ["en", "az"])
def test_each_page_renders_in_both_languages(service, clients, path, lang):
    client = TestClient(service[0])
    client.cookies.update(clients["admin"].cookies)
    client.cookies.set("screening_lang", lang)
    page = client.get(path)
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
    assert ("Çıxış" in page.text) == (lang == "az" and path != "/sign-in")


ENGLISH_ONLY = sorted({en for en, az in STRINGS.values()
                       if en != az and "{" not in en and len(en) >= 4})


@pytest.mark.parametrize("path", ["/upload", "/list", "/referrals", "/referrals/1",
                                  "/dashboard"])
def test_no_english_interface_string_is_left_on_azerbaijani_pages(service, clients, path):
    client = TestClient(service[0])
    client.cookies.update(clients["admin"].cookies)
    client.cookies.set("screening_lang", "az")
    page = client.get(path).text
    page = re.sub(r"<tbody>.*?</tbody>", " ", page, flags=re.S)  # data rows
    page = re.sub(r'<select name="region">.*?</select>', " ", page, flags=re.S)  # data
    text = visible_text(page)
    left = [en for en in ENGLISH_ONLY
            if re.search(r"(?<!\w)" + re.escape(en) + r"(?!\w)", text)]
    assert left == [], left


# --- upload --------------------------------------------------------------------------------

def test_upload_with_bad_rows_shows_the_receipt(service, clients):
    inspector = clients["inspector"]
    page = inspector.get("/upload")
    for anchor in ('id="upload-form"', 'name="file"', 'name="interviews"',
                   'id="upload-submit"', 'href="/static/sample-visits.csv"', 'href="/guide"'):
        assert anchor in page.text
    sample = inspector.get("/static/sample-visits.csv")
    assert sample.status_code == 200 and sample.text.startswith("visit_id,")
    content = (EXAMPLES / "visits-with-errors.csv").read_bytes().replace(b"V00000", b"VERR0")
    response = upload(inspector, "visits-with-errors.csv", content)
    assert response.status_code == 201
    assert 'id="receipt"' in response.text and 'id="new-tiers"' in response.text
    accepted = int(re.search(r'id="new-visits">(\d+)<', response.text).group(1))
    rejected = int(re.search(r'id="rejected-count">(\d+)<', response.text).group(1))
    assert accepted >= 1 and rejected >= 1
    assert 'id="rejected-table"' in response.text and "unknown_choice" in response.text
    link = re.search(r'id="rejected-csv" href="([^"]+)"', response.text).group(1)
    download = inspector.get(link)
    assert download.status_code == 200 and "unknown_choice" in download.text
    assert TestClient(service[0]).get(link, follow_redirects=False).status_code == 303
    assert clients["admin"].get(link).status_code == 200


def test_an_unusable_file_names_the_file_and_the_reason(clients):
    response = upload(clients["inspector"], "broken.csv", b"not,a\nvisits,file\n")
    assert response.status_code == 422
    message = re.search(r'id="upload-error"[^>]*>([^<]+)<', response.text).group(1)
    assert "broken.csv" in message and "visit_id" in message


# --- follow-up list, exports, visit detail, reviews ------------------------------------------

def test_the_follow_up_list_filters_and_paginates(clients):
    monitor = clients["monitor"]
    page = monitor.get("/list")
    for anchor in ('id="follow-up"', 'id="filters"', 'name="region"', 'name="sector"',
                   'name="tier"', 'name="status"', 'name="date_from"', 'name="date_to"',
                   'id="apply-filters"', 'id="next-page"', 'id="export-xlsx"',
                   'id="export-csv"', 'class="visit-link"', 'class="status"'):
        assert anchor in page.text, anchor
    assert 'id="prev-page"' not in page.text
    assert page.text.count('class="visit-row') == 50
    first_tier = re.search(r'class="tier tier-(\w+)"', page.text.split('id="follow-up"')[1])
    assert first_tier.group(1) == "urgent"
    second = monitor.get(re.search(r'id="next-page" href="([^"]+)"', page.text).group(1)
                         .replace("&amp;", "&"))
    assert 'id="prev-page"' in second.text
    farms = monitor.get("/list", params={"sector": "agriculture", "tier": "urgent"})
    rows = re.findall(r'<tr class="visit-row[^"]*" data-visit-id="([^"]+)"', farms.text)
    assert rows and "kənd" not in farms.text
    bad = monitor.get("/list", params={"tier": "severe"})
    assert bad.status_code == 422 and 'id="filter-error"' in bad.text


def test_exports_are_audited_and_neutralise_formulas(service, clients):
    # the region must now be a configured one: the formula goes in the site instead
    stored = upload(clients["inspector"], "formula.csv",
                    visits_csv(visit_id="VFORMULA", site_id="=HYPERLINK(1)", notes="x"))
    assert stored.status_code == 201, stored.text[-1500:]
    monitor = clients["monitor"]
    exported = monitor.get("/export.csv")
    text = exported.content.decode("utf-8-sig")
    assert exported.status_code == 200 and "'=HYPERLINK(1)" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    xlsx = monitor.get("/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert [a for a in audit_actions(service[0]) if a[0] == "export"][-2:] == [
        ("export", "csv"), ("export", "xlsx")]
    assert clients["analyst"].get("/export.csv").status_code == 403


def test_visit_detail_is_audited_and_a_review_shows_in_the_list(service, clients):
    monitor = clients["monitor"]
    top = re.search(r'data-visit-id="([^"]+)"', monitor.get("/list").text).group(1)
    page = monitor.get(f"/visits/{top}")
    assert ("visit.read", top) in audit_actions(service[0])
    for anchor in ('id="fired-table"', 'class="fired-indicator"', 'id="workers-table"',
                   'id="reviews"', 'id="review-form"', 'name="status"', 'name="scheduled_for"',
                   'name="inspector"', 'name="outcome"', 'name="notes"', 'id="review-submit"',
                   'id="risk-score"', 'id="timeline"'):
        assert anchor in page.text, anchor
    assert "meets the test" in page.text and "female" not in page.text
    refused = monitor.post(f"/visits/{top}/reviews", data={
        "csrf": csrf_of(page.text), "status": "scheduled"})
    assert refused.status_code == 422 and 'id="review-error"' in refused.text
    saved = monitor.post(f"/visits/{top}/reviews", data={
        "csrf": csrf_of(page.text), "status": "decided", "outcome": "forced_labour",
        "notes": "Confirmed at the follow-up."}, follow_redirects=False)
    assert saved.status_code == 303
    listed = monitor.get("/list", params={"status": "decided"})
    row = listed.text.split(f'data-visit-id="{top}"')[1].split("</tr>")[0]
    assert 'data-status="decided"' in row
    analyst_view = clients["analyst"].get(f"/visits/{top}")
    assert 'id="review-form"' not in analyst_view.text
    assert 'id="review-readonly"' in analyst_view.text
    assert clients["analyst"].post(f"/visits/{top}/reviews", data={
        "csrf": csrf_of(analyst_view.text), "status": "visited"}).status_code == 403


def test_azerbaijani_visit_detail_uses_the_catalogue_language(clients, service):
    client = TestClient(service[0])
    client.cookies.update(clients["monitor"].cookies)
    client.cookies.set("screening_lang", "az")
    top = re.search(r'data-visit-id="([^"]+)"', client.get("/list").text).group(1)
    page = client.get(f"/visits/{top}").text
    assert "testə uyğundur" in page and 'id="english-note"' not in page


# --- indicators, model, dashboard ----------------------------------------------------------

def test_indicators_are_grouped_with_sources_and_unverified_marked(clients):
    page = clients["inspector"].get("/indicators").text
    assert 'id="fw-ILO-11"' in page and 'id="fw-ICLS-2018"' in page
    assert 'id="source-s1"' in page and 'class="unverified"' in page


def test_model_page_card_metrics_plots_and_switching(service, clients):
    app = service[0]
    analyst, admin = clients["analyst"], clients["admin"]
    page = analyst.get("/model").text
    for anchor in ('id="model-card"', 'id="metrics-sector"', 'id="metrics-region"',
                   'id="versions-table"', "/model/plots/calibration.png"):
        assert anchor in page, anchor
    assert 'id="switch-model"' not in page
    plot = analyst.get("/model/plots/calibration.png")
    assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")
    for name in ("card.json", "model.skops", "..%2Fdefault%2Fcard.json"):
        assert analyst.get(f"/model/plots/{name}").status_code == 404
    form = admin.get("/model").text
    assert 'id="switch-model"' in form
    assert analyst.post("/model/active", data={"csrf": csrf_of(page), "version": ""}
                        ).status_code == 403
    try:
        switched = admin.post("/model/active", data={"csrf": csrf_of(form), "version": ""},
                              follow_redirects=False)
        assert switched.status_code == 303
        assert app.state.services.models.chosen() == ""
        from screening.service.models import stored_choice

        assert stored_choice(app.state.services.engine) == "", "kept in the store"
        assert 'id="model-none"' in analyst.get("/model").text
        assert ("model.activate", None) in audit_actions(app)
        unknown = admin.post("/model/active", data={"csrf": csrf_of(form), "version": "nope"},
                             follow_redirects=False)
        assert unknown.headers["location"] == "/model?unknown=1"
    finally:
        admin.post("/model/active", data={"csrf": csrf_of(form), "version": "default"})
    assert app.state.services.models.chosen() == "default"


def test_dashboard_counts_as_svg_charts(clients):
    page = clients["monitor"].get("/dashboard", params={"date_from": "2024-01-01",
                                                        "date_to": "2025-12-31"}).text
    assert page.count("<svg") == 3 and 'id="urgent-unscheduled"' in page
    assert re.search(r"Urgent visits without a scheduled follow-up: \d+", page)
    assert clients["monitor"].get("/dashboard", params={"date_from": "01/02/2025"}
                                  ).status_code == 422


def test_yearly_statistics_page_and_audited_export(service, clients):
    monitor = clients["monitor"]
    page = monitor.get("/statistics", params={"year": "2025"})
    assert page.status_code == 200 and 'id="statistics-table"' in page.text
    assert "Children in street work or begging" in page.text
    export = monitor.get("/statistics.csv", params={"year": "2025"})
    assert export.status_code == 200  # for people: a byte-order mark, headers in words
    assert export.content.decode("utf-8-sig").startswith("Sector,Region (all = total),Visits,")
    with transaction(service[0].state.services.engine, write=False) as session:
        kinds = [(a.action, a.object_type, a.object_id)
                 for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("export", "statistics", "csv") in kinds
    assert monitor.get("/statistics", params={"year": "20x5"}).status_code == 422
    assert clients["inspector"].get("/statistics").status_code in (401, 403)


def test_indicators_page_states_the_catalogues_tier_policy(clients):
    from screening.rules.catalogue import load_catalogue

    policy = load_catalogue().settings.tier_policy
    for lang in ("en", "az"):
        clients["monitor"].cookies.set("screening_lang", lang)
        page = html.unescape(clients["monitor"].get("/indicators").text)
        for tier in ("urgent", "high", "medium", "low"):
            assert getattr(getattr(policy, tier), lang) in page
    clients["monitor"].cookies.set("screening_lang", "en")
