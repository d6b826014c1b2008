"""The visit page and the follow-up list (issue 12) on a small store written by hand.

Five visits, screened by the rules alone, whose order is known (see ``VISITS``): P-3 is urgent
(violence observed), P-4 high (documents held and threats), P-2 medium (documents held, an
unregistered intermediary), P-5 low (workers without contract), P-1 low (nothing). P-1 and P-2
are one site (SITE-A), P-3 and P-5 another (SITE-B).
"""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from screening.app import create_app
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import Settings
from screening.store import create_user, transaction
from screening.store.entries import rebuild
from screening.store.tables import Review, ScreeningRow, Visit
from screening.web.list_page import page_numbers
from tests.web.conftest import csrf_of, sign_in

HEADER = ("visit_id,site_id,visit_date,inspector_id,region,sector,employer_id,intermediary_id,"
          "intermediary_registered,workers_present,workers_without_contract,foreign_workers,"
          "foreign_workers_without_permit,minors_present,violence_observed,"
          "employer_holds_documents,threats_reported,notes")
VISITS = [
    "P-1,SITE-A,2025-03-01,I1,Baku,construction,EMP-77,,,10,0,0,0,0,false,false,false,",
    "P-2,SITE-A,2025-05-01,I1,Baku,construction,EMP-77,AG-5,false,10,2,3,1,0,false,true,false,"
    "Passports kept in the office safe.",
    "P-3,SITE-B,2025-04-01,I2,Ganja-Dashkasan,agriculture,EMP-12,,,20,0,0,0,0,true,false,false,",
    "P-4,SITE-C,2025-02-01,I2,Ganja-Dashkasan,services,,,,5,0,0,0,0,false,true,true,",
    "P-5,SITE-B,2024-12-01,I2,Ganja-Dashkasan,agriculture,EMP-12,,,20,5,0,0,0,false,false,false,",
]
INTERVIEWS = "visit_id,worker_ref,age,deceived_about_job\nP-3,W1,30,true\nP-2,W1,25,false\n"
PRIORITY = ["P-3", "P-4", "P-2", "P-5", "P-1"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A service with the five visits, rules only; a signed-in monitor and analyst."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("small"), active_model=""))
    services = app.state.services
    inspector, _ = create_user(services.engine, "inspector-1", "inspector")
    visits = (HEADER + "\n" + "\n".join(VISITS) + "\n").encode()
    accept_upload(services, inspector, UploadedFile("visits.csv", visits),
                  UploadedFile("interviews.csv", INTERVIEWS.encode()))
    clients = {}
    for role in ("monitor", "analyst"):
        _, token = create_user(services.engine, f"{role}-1", role)
        clients[role] = TestClient(app)
        assert sign_in(clients[role], token).status_code == 303
    return app, clients


def text_of(page: str, element_id: str) -> str:
    """The visible text of the element with this id (its first closing tag of the same name)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', page, flags=re.S)
    assert found, f"no element #{element_id}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(2)))).strip()


def listed(page: str) -> list[str]:
    return re.findall(r'<tr class="visit-row[^"]*" data-visit-id="([^"]+)"', page)


def set_screening(app, visit_id: str, **values) -> None:
    """Change the stored latest screening of a visit (as a model would have scored it), and the
    list's entries with it."""
    engine = app.state.services.engine
    with transaction(engine) as session:
        row = session.scalar(select(Visit.id).where(Visit.visit_id == visit_id,
                                                    Visit.is_current))
        session.execute(update(ScreeningRow).where(ScreeningRow.visit_row_id == row,
                                                   ScreeningRow.is_latest).values(**values))
    rebuild(engine)


@pytest.fixture(autouse=True)
def rules_only(small):
    """After each test, P-4 and P-5 are as the rules screened them (no model score)."""
    yield
    app, _ = small
    set_screening(app, "P-4", tier="high", tier_rank=2, risk_score=None, model_version=None)
    set_screening(app, "P-5", tier="low", tier_rank=0, risk_score=None, model_version=None)


# --- the visit page --------------------------------------------------------------------------

def test_what_the_site_is_employer_intermediary_workers_notes_other_visits(small):
    _, clients = small
    page = clients["monitor"].get("/visits/P-2").text
    assert text_of(page, "site-employer") == "EMP-77"
    assert text_of(page, "site-intermediary") == (
        "AG-5 · not in the public register of intermediaries")
    assert text_of(page, "site-workers") == (
        "10 present · 2 without a written contract · 3 foreign · 0 under 18 · "
        "1 of the foreign workers without a work permit")
    assert text_of(page, "inspector-notes") == "Passports kept in the office safe."
    assert text_of(page, "earlier-visits").startswith("1 other visit of this site: 1 Mar 2025 low")
    assert 'href="/visits/P-1"' in page
    # the order: the site, why it ranks here, could not be checked, the review form, then the rest
    positions = [page.index(f'id="{x}"') for x in
                 ("site", "why", "unchecked", "review", "review-form", "fired", "workers",
                  "timeline", "reviews")]
    assert positions == sorted(positions)
    assert re.search(r'<details class="card" id="fired">', page)  # collapsed (no "open")


def test_no_intermediary_and_no_notes_are_said_as_unknown(small):
    _, clients = small
    page = clients["monitor"].get("/visits/P-4").text
    assert text_of(page, "site-employer") == "not recorded"
    assert text_of(page, "site-intermediary") == (
        'none recorded (an empty cell is unknown, not "no intermediary")')
    assert text_of(page, "inspector-notes") == "The inspector wrote no notes."
    assert text_of(page, "earlier-visits") == "No other visit of this site is stored."


def test_unknown_inputs_are_listed_under_could_not_be_checked(small):
    _, clients = small
    page = clients["monitor"].get("/visits/P-2").text
    unchecked = text_of(page, "unchecked")
    # wage_records_available was not in the upload: the wage-records indicator is undecided
    item = re.search(r'data-indicator-id="LAW-NO-WAGE-RECORDS">(.*?)</li>', page, flags=re.S)
    assert item and "wage_records_available" in item.group(1) and "visit record" in item.group(1)
    # employer_holds_documents is known (true): the documents indicator fired, it is not unknown
    assert 'data-indicator-id="ILO-FL07-DOCUMENTS"' not in page.split('id="unchecked"')[1] \
        .split('id="review"')[0]
    assert "Retention of identity documents" not in unchecked
    # W1 at P-2 answered only one ICLS item: the test cannot decide for them
    assert text_of(page, "icls-unknown").startswith(
        "1 interviewed worker could not be tested against the ICLS 2018 definition.")


def test_a_visit_without_interviews_says_so_once(small):
    _, clients = small
    page = clients["monitor"].get("/visits/P-1").text
    assert re.fullmatch(r"No worker was interviewed at this visit, so \d+ indicators that rest "
                        r"on interview answers could not be checked\.",
                        text_of(page, "unchecked-no-interviews"))
    assert "deceived_about_job" not in text_of(page, "unchecked")  # an interview column


def test_the_tier_is_explained_by_the_catalogues_rule(small):
    app, clients = small
    page = clients["monitor"].get("/visits/P-3").text
    assert text_of(page, "tier-rule").startswith("urgent The catalogue's tier policy sets it: "
                                                 "Urgent: a probable victim.")
    assert text_of(page, "selection").startswith("Urgent visits are a legal duty")
    assert text_of(page, "risk-score") == (
        "No model scored this visit: the tier comes from the rules alone.")


@pytest.mark.parametrize("risk, shown, band, says", [
    (0.06, "0.06", "at_or_above",
     "That is at or above the model's escalation threshold of 0.03"),
    (0.024, "0.02", "between",
     "That is below the model's escalation threshold of 0.03, so the model does not raise the "
     "visit's tier, and above the share of forced labour among the visits the model learnt "
     "from (2.0%)."),
    (0.01, "0.01", "below",
     "and below the share of forced labour among the visits the model learnt from (2.0%)."),
], ids=["0.06-above-threshold", "0.024-between", "0.01-below-base-rate"])
def test_the_risk_score_is_worded_against_the_models_threshold(small, risk, shown, band, says):
    """models/default: escalation threshold 0.0294, 1.99% forced labour in training."""
    app, clients = small
    set_screening(app, "P-4", risk_score=risk, model_version="default")
    page = clients["monitor"].get("/visits/P-4").text
    sentence = text_of(page, "risk-score")
    assert re.search(r'id="risk-score" data-band="([a-z_]+)"', page).group(1) == band
    assert sentence.startswith(f"Risk score {shown} (model default): the model's estimate "
                               "that a follow-up of a visit like this one finds forced labour")
    assert says in sentence
    assert "high" not in sentence.lower()  # never "high" beside a probability
    assert "None of the 1 stored visits the same model scored has a lower score." in sentence


def test_a_tier_the_model_raised_says_so_with_the_threshold(small):
    app, clients = small
    set_screening(app, "P-5", tier="medium", tier_rank=1, risk_score=0.06,
                  model_version="default")
    page = clients["monitor"].get("/visits/P-5").text
    assert text_of(page, "escalation") == (
        "The rules alone give this visit the tier low; the model raised it one tier to medium "
        "because its risk score (0.06) reached the model's escalation threshold (0.03).")
    listing = clients["monitor"].get("/list", params={"q": "P-5"}).text
    assert "raised one tier by the model" in listing.split('data-visit-id="P-5"')[1]


def test_an_exploration_slot_is_explained_with_its_probability(small):
    _, clients = small
    page = clients["monitor"].get("/visits/P-1").text  # drawn at random (seed 0) among 4
    assert text_of(page, "selection") == (
        "exploration slot Chosen at random among lower-ranked visits so the model can learn "
        "from visits the rules would skip. Its probability of being chosen was 25.0%.")


def test_evidence_is_in_the_pages_language(small):
    app, clients = small
    client = TestClient(app)
    client.cookies.update(clients["monitor"].cookies)
    client.cookies.set("screening_lang", "az")
    page = client.get("/visits/P-4").text
    evidence = page.split('id="fired-table"')[1]
    assert ("Müfəttiş qeydə alıb ki, işçilərin şəxsiyyət sənədləri işəgötürəndə və ya "
            "vasitəçidə saxlanılır.") in evidence
    assert "The inspector recorded" not in page
    assert text_of(page, "site-intermediary").startswith("qeyd olunmayıb")


# --- a review that fails its checks ----------------------------------------------------------

def reviews_of(app, visit_id: str) -> int:
    with transaction(app.state.services.engine, write=False) as session:
        return len(session.scalars(select(Review).where(Review.visit_id == visit_id)).all())


def test_a_failed_review_keeps_the_typed_notes_and_shows_the_error_beside_the_field(small):
    app, clients = small
    monitor = clients["monitor"]
    page = monitor.get("/visits/P-4")
    before = reviews_of(app, "P-4")
    notes = "Call the employer first: <b>ask</b> for the passports & contracts."
    answer = monitor.post("/visits/P-4/reviews", data={
        "csrf": csrf_of(page.text), "status": "scheduled", "scheduled_for": "",
        "inspector": "INS-9", "notes": notes})
    assert answer.status_code == 422
    assert reviews_of(app, "P-4") == before  # nothing recorded
    body = answer.text
    assert f'<textarea id="review-notes" name="notes" rows="4" maxlength="5000">' \
           f'{html.escape(notes, quote=False)}</textarea>' in body
    assert 'id="review-inspector" type="text" name="inspector" maxlength="200" value="INS-9"' \
        in body
    assert '<option value="scheduled" selected>' in body
    date = re.search(r'<input id="review-date"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in date and 'aria-describedby="err-scheduled_for"' in date
    assert '<script src="/static/review-focus.js"></script>' in body  # focuses it
    assert text_of(body, "err-scheduled_for") == (
        "A scheduled review needs the date it is scheduled for.")
    # the message sits right after its field, inside the form, which the page scrolls to
    form = body.split('id="review-form"')[1].split("</form>")[0]
    assert form.index('id="review-date"') < form.index('id="err-scheduled_for"') \
        < form.index('id="review-inspector"')
    assert re.search(r'<form id="review-form" method="post" '
                     r'action="/visits/P-4/reviews#review"', body)
    assert 'id="review-error" role="alert"' in body
    assert 'aria-invalid' not in re.search(r'<textarea id="review-notes"[^>]*>', body).group(0)


@pytest.mark.parametrize("form, field, message", [
    ({"status": "decided"}, "outcome",
     "A decided review needs an outcome: what the follow-up found."),
    ({"status": "visited", "outcome": "no_violation"}, "outcome",
     "Only a decided review has an outcome: choose the status 'decided' or leave the outcome "
     "empty."),
    ({"status": "scheduled", "scheduled_for": "01/03/2025"}, "scheduled_for",
     "'01/03/2025' is not a date: write it as year-month-day, for example 2025-03-01."),
    ({"status": "later"}, "status", "Choose what happened: scheduled, visited or decided."),
    ({"status": "visited", "notes": "x" * 5001}, "notes",
     "The notes have 5001 characters; at most 5000 are allowed."),
], ids=["decided-without-outcome", "outcome-not-decided", "bad-date", "bad-status",
        "notes-too-long"])
def test_each_problem_is_shown_beside_its_field(small, form, field, message):
    app, clients = small
    monitor = clients["monitor"]
    token = csrf_of(monitor.get("/visits/P-5").text)
    answer = monitor.post("/visits/P-5/reviews", data={"csrf": token, **form})
    assert answer.status_code == 422
    assert text_of(answer.text, f"err-{field}") == message
    assert answer.text.count('class="field-error"') == 1


def test_a_failed_review_in_azerbaijani(small):
    app, clients = small
    client = TestClient(app)
    client.cookies.update(clients["monitor"].cookies)
    client.cookies.set("screening_lang", "az")
    token = csrf_of(client.get("/visits/P-5").text)
    answer = client.post("/visits/P-5/reviews", data={"csrf": token, "status": "decided",
                                                      "notes": "Qeyd"})
    assert answer.status_code == 422
    assert text_of(answer.text, "err-outcome") == (
        "Qərar verilmiş baxış üçün nəticə lazımdır: təkrar yoxlamanın nə aşkar etdiyi.")
    assert ">Qeyd</textarea>" in answer.text


def test_a_good_review_is_recorded_and_shown(small):
    app, clients = small
    monitor = clients["monitor"]
    token = csrf_of(monitor.get("/visits/P-1").text)
    saved = monitor.post("/visits/P-1/reviews", data={
        "csrf": token, "status": "scheduled", "scheduled_for": "2025-06-02",
        "notes": "Visit with the regional office."}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/visits/P-1?saved=1#reviews"
    page = monitor.get("/visits/P-1?saved=1").text
    assert '<details class="card" id="reviews" open>' in page
    assert "Visit with the regional office." in text_of(page, "reviews")
    assert text_of(page, "review-latest").startswith("Latest: scheduled, recorded")


# --- the list ---------------------------------------------------------------------------------

@pytest.mark.parametrize("params, expected", [
    ({}, PRIORITY),
    ({"sort": "priority"}, PRIORITY),
    ({"sort": "date"}, ["P-2", "P-3", "P-1", "P-4", "P-5"]),
    ({"sort": "-date"}, ["P-5", "P-4", "P-1", "P-3", "P-2"]),
    ({"sort": "site"}, ["P-2", "P-1", "P-3", "P-5", "P-4"]),
    ({"q": "site-b"}, ["P-3", "P-5"]),
    ({"q": "EMP-77"}, ["P-2", "P-1"]),
    ({"q": "p-4"}, ["P-4"]),
    ({"q": "emp-77", "sort": "date"}, ["P-2", "P-1"]),
    ({"group": "site"}, ["P-3", "P-4", "P-2"]),
], ids=["default", "priority", "latest-first", "oldest-first", "site", "search-site",
        "search-employer", "search-visit", "search-and-sort", "grouped-by-site"])
def test_search_and_sort_give_known_orders(small, params, expected):
    _, clients = small
    page = clients["monitor"].get("/list", params=params)
    assert page.status_code == 200
    assert listed(page.text) == expected
    chosen = params.get("sort", "priority")
    assert re.search(rf'<option value="{re.escape(chosen)}" selected>', page.text)
    if "q" in params:
        assert f'value="{params["q"]}"' in page.text


def test_grouped_sites_show_their_other_visits(small):
    _, clients = small
    page = clients["monitor"].get("/list", params={"group": "site"}).text
    lead = page.split('data-visit-id="P-2"')[1].split("</tr>")[0]
    assert re.search(r'<details class="site-visits"><summary>1 other visit of this site'
                     r'</summary>', lead)
    assert 'href="/visits/P-1">1 Mar 2025</a>' in lead
    assert text_of(page, "grouped-note").startswith("Each site is shown once")


def test_the_capacity_cut_off_and_exploration_slots_are_shown(small):
    _, clients = small
    page = clients["monitor"].get("/list").text
    rows = re.findall(r'data-visit-id="([^"]+)"|id="(capacity-cutoff)"', page)
    order = [a or b for a, b in rows]
    # 1 urgent visit + 1 follow-up (5% of 4 visits, at least one): the line after rank 2
    assert order == ["P-3", "P-4", "capacity-cutoff", "P-2", "P-5", "P-1"]
    assert text_of(page, "capacity-cutoff") == (
        "▲ Above this line: the 2 visits of this list that are urgent or within the follow-up "
        "capacity (1 follow-ups, 5% of the visits that are not urgent, besides 1 urgent "
        "visits). ▼ Below it: beyond the follow-up capacity.")
    p1 = page.split('data-visit-id="P-1"')[1].split("</tr>")[0]
    assert ">exploration slot</span>" in p1
    assert "within capacity" in page.split('data-visit-id="P-4"')[1].split("</tr>")[0]
    legend = text_of(page, "legend")
    assert "Chosen at random among lower-ranked visits so the model can learn" in legend
    assert "random slot" not in page
    assert "capacity-cutoff" not in clients["monitor"].get("/list", params={"sort": "date"}).text


def region_options(page: str) -> tuple[list[str], list[str]]:
    """(the region filter's options, those in the group of other stored names)."""
    select_ = page.split('<select name="region">')[1].split("</select>")[0]
    group = select_.split("<optgroup")[1] if "<optgroup" in select_ else ""
    return (re.findall(r'<option value="([^"]*)"', select_),
            re.findall(r'<option value="([^"]*)"', group))


def test_the_region_filter_is_the_configured_list_of_regions(small):
    """SCREENING_REGIONS (default: Azerbaijan's 14 economic regions), in their order."""
    app, clients = small
    options, others = region_options(clients["monitor"].get("/list").text)
    assert options == ["", "Baku", "Nakhchivan", "Absheron-Khizi", "Mountainous Shirvan",
                       "Ganja-Dashkasan", "Karabakh", "Gazakh-Tovuz", "Guba-Khachmaz",
                       "Lankaran-Astara", "Central Aran", "Mil-Mughan", "Shaki-Zagatala",
                       "East Zangezur", "Shirvan-Salyan"]
    assert others == []
    with transaction(app.state.services.engine) as session:  # a name from before the list
        session.execute(update(Visit).where(Visit.visit_id == "P-4").values(region="Shaki"))
    rebuild(app.state.services.engine)  # the list's entries, as a store written by other means
    try:
        options, others = region_options(clients["monitor"].get("/list").text)
        assert others == ["Shaki"] and options[-1] == "Shaki"
        assert "Other names stored before the regions were configured" in \
            clients["monitor"].get("/list").text
    finally:
        with transaction(app.state.services.engine) as session:
            session.execute(update(Visit).where(Visit.visit_id == "P-4")
                            .values(region="Ganja-Dashkasan"))
        rebuild(app.state.services.engine)


def test_first_reasons_follow_the_pages_language(small):
    app, clients = small
    client = TestClient(app)
    client.cookies.update(clients["monitor"].cookies)
    client.cookies.set("screening_lang", "az")
    page = client.get("/list").text
    row = page.split('data-visit-id="P-3"')[1].split("</tr>")[0]
    assert "Müfəttiş işçilərə qarşı fiziki və ya cinsi zorakılığı müşahidə edib" in row
    assert "The inspector observed" not in page


def test_a_bad_sort_or_search_is_refused_on_the_page(small):
    _, clients = small
    bad = clients["monitor"].get("/list", params={"sort": "tier"})
    assert bad.status_code == 422 and "The sort must be one of" in text_of(bad.text,
                                                                             "filter-error")
    long = clients["monitor"].get("/list", params={"q": "x" * 201})
    assert long.status_code == 422


def test_page_numbers_around_the_current_page():
    assert page_numbers(1, 6) == [1, 2, 3, None, 6]
    assert page_numbers(4, 6) == [1, 2, 3, 4, 5, 6]
    assert page_numbers(10, 10) == [1, None, 8, 9, 10]
    assert page_numbers(50, 100) == [1, None, 48, 49, 50, 51, 52, None, 100]


def test_the_demo_list_has_numbered_pages(clients):
    """examples/ (300 visits) and what the other page tests uploaded to the shared store, 50 a
    page."""
    monitor = clients["monitor"]
    first = monitor.get("/list").text
    total = int(text_of(first, "list-total").split()[0].replace(",", ""))
    pages = -(-total // 50)
    assert total >= 300 and pages >= 6

    def linked(page: int) -> list[str]:  # the numbers shown, less the current page's
        return [str(n) for n in page_numbers(page, pages) if n not in (None, page)]

    assert re.findall(r'class="page-number" href="[^"]*page=(\d+)"', first) == linked(1)
    assert '<span aria-current="page">1</span>' in first and 'id="last-page"' in first
    assert 'id="first-page"' not in first
    fourth = monitor.get("/list", params={"page": 4}).text
    assert re.findall(r'class="page-number" href="[^"]*page=(\d+)"', fourth) == linked(4)
    assert linked(4)[:5] == ["1", "2", "3", "5", "6"]
    assert text_of(fourth, "list-total") == f"{total:,} visits match; page 4 of {pages}."
    assert listed(fourth)[0] != listed(first)[0]
    assert re.search(r'data-rank="151"', fourth)
    past = monitor.get("/list", params={"page": 9, "sector": "services"},
                       follow_redirects=False)
    assert past.status_code == 303 and past.headers["location"].startswith(
        "/list?sector=services&page=")


def test_the_export_follows_the_lists_search_and_sort(small):
    _, clients = small
    page = clients["monitor"].get("/list", params={"q": "site-b", "sort": "-date"}).text
    link = re.search(r'id="export-csv" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link == "/export.csv?q=site-b&sort=-date"
    exported = csv.DictReader(io.StringIO(clients["monitor"].get(link).text))
    assert [row["Visit"] for row in exported] == ["P-5", "P-3"]  # SITE-B, oldest first


def test_an_estimated_total_is_said_to_be_about(small, monkeypatch):
    """A total counted before the store last changed is shown as an estimate."""
    import screening.service.follow_up as follow_up

    monkeypatch.setattr(follow_up, "STALE_TOTAL_SECONDS", 3600.0)
    _, clients = small
    monitor = clients["monitor"]
    counted = monitor.get("/list", params={"sector": "agriculture"}).text
    assert text_of(counted, "list-total") == "2 visits match; page 1 of 1."
    token = csrf_of(monitor.get("/visits/P-3").text)
    assert monitor.post("/visits/P-3/reviews", data={"csrf": token, "status": "visited"},
                        follow_redirects=False).status_code == 303  # the store changed
    again = monitor.get("/list", params={"sector": "agriculture"}).text
    assert text_of(again, "list-total") == "About 2 visits match; page 1 of about 1."
    assert 'data-estimated="true"' in again

