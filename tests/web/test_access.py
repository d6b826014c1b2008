"""Accessibility of the page frame (issue 12): the current page marked in the menu, a skip link
as the first Tab stop (to the list itself on the follow-up list), HTML 404 and 405 pages outside
``/api`` and the JSON error shape inside it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from screening.web.security import nav_section
from tests.web.conftest import ROLES
from tests.web.test_pages import PAGES

FOCUSABLE = re.compile(r"<(a|button|input|select|textarea)\b([^>]*)>", re.S)
CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page"[^>]*>')


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="main-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "the page has no main menu"
    return found.group(1)


def first_focusable(html: str) -> str:
    body = html[html.index("<body"):]
    for tag in FOCUSABLE.finditer(body):
        if 'type="hidden"' not in tag.group(2):
            return tag.group(0)
    raise AssertionError("nothing focusable on the page")


@pytest.mark.parametrize("path,section", [
    ("/list", "/list"), ("/list?page=2", "/list"), ("/visits/V0000001", "/list"),
    ("/referrals/1", "/referrals"), ("/model", "/model"), ("/", "/"),
    ("/sign-in", "/sign-in"), ("/static/style.css", "/static")])
def test_each_path_belongs_to_one_menu_item(path, section):
    assert nav_section(path.split("?")[0]) == section


@pytest.mark.parametrize("role,path", [(role, path) for path in sorted(PAGES) for role in ROLES
                                       if role in PAGES[path] or role == "admin"])
def test_the_menu_marks_the_current_page_once(clients, role, path):
    page = clients[role].get(path)
    assert page.status_code == 200
    marked = CURRENT.findall(nav_of(page.text))
    expected = nav_section(path)
    in_menu = f'href="{expected}"' in nav_of(page.text)
    assert marked == ([expected] if in_menu else []), (path, marked)


def test_the_current_page_is_visible_not_only_announced():
    from screening.web.security import STATIC

    css = (STATIC / "style.css").read_text(encoding="utf-8")
    rule = re.search(r'\.main-nav a\[aria-current="page"\]\s*\{([^}]*)\}', css)
    assert rule, "no style for the current menu item"
    assert "font-weight: 700" in rule.group(1) and "border-bottom: 3px solid" in rule.group(1)


@pytest.mark.parametrize("path", sorted(PAGES) + ["/sign-in", "/"])
def test_the_first_tab_stop_is_a_skip_link_to_the_content(clients, anonymous, path):
    client = clients["admin"] if path in PAGES else anonymous
    html = client.get(path).text
    first = first_focusable(html)
    assert 'class="skip"' in first, first
    target = re.search(r'href="#([^"]+)"', first).group(1)
    assert f'id="{target}"' in html, f"the skip link's target #{target} is missing"
    # on the list: its first row, past the header's links to the legends
    assert target == ("list-start" if path == "/list" else "main")


def test_the_lists_skip_link_says_where_it_goes(clients):
    assert ">Skip to the follow-up list</a>" in clients["monitor"].get("/list").text
    empty = clients["monitor"].get("/list?region=Nowhere").text
    assert 'id="list-start"' not in empty and 'class="skip" href="#main"' in empty


@pytest.mark.parametrize("lang,title", [("en", "Page not found"), ("az", "Səhifə tapılmadı")])
def test_an_unknown_address_answers_an_html_page(service, lang, title):
    client = TestClient(service[0], cookies={"screening_lang": lang})
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert f"<title>{title} ·" in page.text and f"<h1>{title}</h1>" in page.text
    assert "/no/such/page" in page.text and 'href="/"' in page.text
    assert '<html lang="' + lang + '"' in page.text


def test_a_signed_in_404_keeps_the_menu(clients):
    page = clients["monitor"].get("/lists")
    assert page.status_code == 404 and 'href="/list"' in nav_of(page.text)


def test_a_wrong_method_answers_an_html_405_saying_what_works(anonymous):
    page = anonymous.post("/guide")
    assert page.status_code == 405 and page.headers["allow"] == "GET"
    assert page.headers["content-type"].startswith("text/html")
    assert "Not available this way" in page.text
    assert "This address does not answer a POST request." in page.text


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api/v1/nope", 404), ("GET", "/api/nope", 404), ("GET", "/api/v2/visits", 404),
    ("POST", "/api/v1/indicators", 405)])
def test_api_paths_keep_the_json_error_shape(anonymous, method, path, status):
    answer = anonymous.request(method, path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["status"] == status
