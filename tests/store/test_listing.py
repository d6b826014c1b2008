"""The follow-up list read from its entries: sorts, search, keyset and numbered pages, site
groups, totals and the capacity cut-off, on a small hand-written store with known answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from storekit import make_upload, put, raw

from screening.errors import StoreError
from screening.store import record_review
from screening.store.cursors import Cursor, fingerprint
from screening.store.entries import rebuild
from screening.store.listing import ListFilters, list_page

HEADER = ("visit_id,site_id,visit_date,inspector_id,region,sector,employer_id,workers_present,"
          "workers_without_contract,foreign_workers,foreign_workers_without_permit,"
          "minors_present")
# visit, site, date, region, sector, employer; then tier, risk score, rule score (set below)
VISITS = [
    ("V-a1", "S-1", "2025-01-10", "Baku", "construction", "1000100", "high", 0.40, 3.0),
    ("V-a2", "S-1", "2025-03-02", "Baku", "construction", "1000100", "low", 0.40, 0.0),
    ("V-b1", "S-2", "2024-11-05", "Guba", "agriculture", "2000200", "urgent", 0.10, 9.0),
    ("V-b2", "S-3", "2025-02-14", "Guba", "agriculture", None, "medium", None, 2.0),
    ("V-c1", "S-4", "2025-02-14", "Lankaran", "services", "3000300", "medium", None, 5.0),
    ("v-C2", "T-5", "2024-12-24", "Baku", "services", "1000999", "low", 0.90, 1.0),
    ("V-d1", "T-5", "2025-01-01", "Baku", "services", "1000999", "high", 0.40, 1.0),
    ("X%_1", "S-6", "2025-01-20", "Guba", "construction", "4000400", "low", None, 0.0),
]
TIER_RANK = {"low": 0, "medium": 1, "high": 2, "urgent": 3}
# The follow-up order by hand: urgent first; then risk score (unknown last), tier, and the rule
# score for those without a risk score; ties in the upload order.
PRIORITY = ["V-b1", "v-C2", "V-a1", "V-d1", "V-a2", "V-c1", "V-b2", "X%_1"]


@pytest.fixture
def small(store, tmp_path):
    lines = [HEADER] + [f"{v},{s},{d},I1,{r},{sec},{e or ''},10,0,0,0,0"
                        for v, s, d, r, sec, e, *_ in VISITS]
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(lines) + "\n")
    put(store, make_upload(path))
    for visit, *_, tier, risk, rule in VISITS:
        raw(store, "UPDATE screenings SET tier = :t, tier_rank = :r, risk_score = :k, "
                   "rule_score = :s WHERE visit_row_id = (SELECT id FROM visits "
                   "WHERE visit_id = :v)", t=tier, r=TIER_RANK[tier], k=risk, s=rule, v=visit)
    rebuild(store)
    return store


def ids(page) -> list[str]:
    return page.rows["visit_id"].tolist()


@pytest.mark.parametrize("sort, expected", [
    ("priority", PRIORITY),
    ("rank", PRIORITY),
    ("-priority", PRIORITY[::-1]),
    ("risk", ["v-C2", "V-a1", "V-d1", "V-a2", "V-b1", "V-c1", "V-b2", "X%_1"]),
    ("date", ["V-a2", "V-c1", "V-b2", "X%_1", "V-a1", "V-d1", "v-C2", "V-b1"]),
    ("date_ascending", ["V-b1", "v-C2", "V-d1", "V-a1", "X%_1", "V-b2", "V-c1", "V-a2"]),
    ("site", ["V-a1", "V-a2", "V-b1", "V-b2", "V-c1", "X%_1", "v-C2", "V-d1"]),
], ids=lambda x: x if isinstance(x, str) else "")
def test_sorts(small, sort, expected):
    page = list_page(small, sort=sort, per_page=100)
    assert ids(page) == expected
    assert page.rows["rank"].tolist() == list(range(1, 9))
    assert page.total == 8 and not page.total_is_estimate


@pytest.mark.parametrize("q, expected", [
    ("v-a", ["V-a1", "V-a2"]),           # visit id, any case
    ("V-C", ["v-C2", "V-c1"]),
    ("s-1", ["V-a1", "V-a2"]),           # site id
    ("t-", ["v-C2", "V-d1"]),
    ("1000", ["v-C2", "V-a1", "V-d1", "V-a2"]),  # employer id
    ("1000999", ["v-C2", "V-d1"]),
    ("x%_", ["X%_1"]),                   # % and _ are letters, not wildcards
    ("%", []),
    ("_", []),
    ("V-a1 ", ["V-a1"]),                 # surrounding spaces ignored
    ("W", []),
])
def test_search(small, q, expected):
    page = list_page(small, ListFilters.of(q=q), per_page=100)
    assert ids(page) == expected
    assert page.total == len(expected)


def test_filters_with_search_and_sort(small):
    filters = ListFilters.of(region="Baku", q="v-")
    assert ids(list_page(small, filters, sort="date")) == ["V-a2", "V-a1", "V-d1", "v-C2"]
    period = ListFilters.of(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 2, 14),
                            sector=["services", "agriculture"])
    assert ids(list_page(small, period)) == ["V-d1", "V-c1", "V-b2"]
    assert ids(list_page(small, ListFilters.of(tier=["high", "urgent"]))) == [
        "V-b1", "V-a1", "V-d1"]


def test_keyset_pages_agree_with_numbered_pages(small):
    numbered = [list_page(small, per_page=3, page=n) for n in (1, 2, 3)]
    assert [ids(p) for p in numbered] == [PRIORITY[:3], PRIORITY[3:6], PRIORITY[6:]]
    assert [p.page for p in numbered] == [1, 2, 3] and numbered[0].pages == 3
    walked, cursor = [], None
    for _ in range(3):
        page = list_page(small, per_page=3, cursor=cursor) if cursor else numbered[0]
        walked.append(page)
        cursor = page.next_cursor
    assert cursor is None
    assert [ids(p) for p in walked] == [ids(p) for p in numbered]
    assert [p.rows["rank"].tolist() for p in walked] == [[1, 2, 3], [4, 5, 6], [7, 8]]
    assert [p.page for p in walked] == [1, 2, 3]
    back = list_page(small, per_page=3, cursor=walked[2].prev_cursor)
    assert ids(back) == PRIORITY[3:6] and back.rows["rank"].tolist() == [4, 5, 6]
    first = list_page(small, per_page=3, cursor=back.prev_cursor)
    assert ids(first) == PRIORITY[:3] and first.prev_cursor is None and first.page == 1
    # a cursor in the middle of a page of another size still continues after its row
    assert ids(list_page(small, per_page=2, cursor=walked[0].next_cursor)) == PRIORITY[3:5]


def test_keyset_pages_by_date_with_ties(small):
    """V-b2 and V-c1 share a date: the stored row breaks the tie, so no row is lost."""
    seen, cursor = [], None
    while True:
        page = list_page(small, sort="date", per_page=1, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ids(list_page(small, sort="date", per_page=100))


def test_a_cursor_only_fits_its_own_list(small):
    page = list_page(small, per_page=3)
    with pytest.raises(StoreError, match="start again from the first page"):
        list_page(small, ListFilters.of(region="Baku"), per_page=3, cursor=page.next_cursor)
    with pytest.raises(StoreError, match="start again from the first page"):
        list_page(small, sort="date", per_page=3, cursor=page.next_cursor)
    made_for = fingerprint(ListFilters().as_dict())
    forged = [Cursor("priority", made_for, (1, 0.5, 0, 0.0, 10**30), 5, False).encode(),
              Cursor("priority", made_for, (1, float("inf"), 0, 0.0, 1), 5, False).encode(),
              Cursor("priority", made_for, (1, 0.5, 0, 0.0, 1), 0, False).encode()]
    for bad in ("", "garbage", "W1tdXQ", page.next_cursor[:-3], "x" * 3000, *forged):
        with pytest.raises(StoreError, match="start again from the first page"):
            list_page(small, per_page=3, cursor=bad)


def test_grouped_by_site(small):
    page = list_page(small, ListFilters.of(group="site"), per_page=100)
    # each site once, at its most urgent visit, in the follow-up order
    assert ids(page) == ["V-b1", "v-C2", "V-a1", "V-c1", "V-b2", "X%_1"]
    visits = dict(zip(page.rows["site_id"], page.rows["site_visits"], strict=True))
    assert visits == {"S-2": 1, "T-5": 2, "S-1": 2, "S-4": 1, "S-3": 1, "S-6": 1}
    assert [h["visit_id"] for h in page.site_history["S-1"]] == ["V-a2", "V-a1"]
    assert page.total == 6


def test_capacity_cutoff(small):
    page = list_page(small, per_page=100, capacity=0.3)
    # 1 urgent visit; 30% of the 7 others rounds to 2 follow-ups
    assert page.capacity == {"share": 0.3, "urgent": 1, "follow_ups": 2, "cutoff_rank": 3}
    assert page.rows["within_capacity"].tolist() == [False, True, True] + [False] * 5
    baku = list_page(small, ListFilters.of(region="Baku"), capacity=0.3)
    assert ids(baku) == ["v-C2", "V-a1", "V-d1", "V-a2"]
    assert baku.capacity["cutoff_rank"] == 2
    assert list_page(small, sort="date", capacity=0.3).capacity["cutoff_rank"] is None


def test_review_status_follows_the_latest_review(small):
    record_review(small, visit_id="V-c1", status="scheduled", scheduled_for=dt.date(2025, 5, 1))
    record_review(small, visit_id="V-c1", status="visited")
    visited = list_page(small, ListFilters.of(review_status="visited"))
    assert ids(visited) == ["V-c1"]
    assert visited.rows["review_status"].tolist() == ["visited"]
    assert list_page(small, ListFilters.of(review_status="none")).total == 7


def test_total_is_cached_and_may_be_an_estimate(small, tmp_path):
    assert list_page(small, stale_total_seconds=60).total == 8
    extra = tmp_path / "more.csv"
    extra.write_text(HEADER + "\nV-z9,S-9,2025-04-01,I1,Baku,services,,3,0,0,0,0\n")
    put(small, make_upload(extra))
    recent = list_page(small, stale_total_seconds=60)
    assert (recent.total, recent.total_is_estimate) == (8, True)
    exact = list_page(small)
    assert (exact.total, exact.total_is_estimate) == (9, False)
    assert len(exact.rows) == 9


def test_a_correction_replaces_the_entry(small, tmp_path):
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(HEADER + "\nV-a1,S-7,2025-01-10,I1,Guba,construction,,3,0,0,0,0\n")
    record_review(small, visit_id="V-a1", status="scheduled", scheduled_for=dt.date(2025, 6, 1))
    put(small, make_upload(fixed), correction=True)
    page = list_page(small, per_page=100)
    assert page.total == 8 and ids(page).count("V-a1") == 1
    row = page.rows.set_index("visit_id").loc["V-a1"]
    assert (row["site_id"], row["region"], row["version"]) == ("S-7", "Guba", 2)
    assert row["review_status"] == "scheduled"  # reviews follow the visit id
    groups = list_page(small, ListFilters.of(group="site"), per_page=100)
    sites = dict(zip(groups.rows["site_id"], groups.rows["site_visits"], strict=True))
    assert sites["S-1"] == 1 and sites["S-7"] == 1


def test_bad_filters_are_refused(small):
    with pytest.raises(StoreError, match="The group must be one of site"):
        ListFilters.of(group="region")
    with pytest.raises(StoreError, match="control character"):
        ListFilters.of(q="V\x00")
    with pytest.raises(StoreError, match="at most 200"):
        ListFilters.of(q="V" * 201)
    with pytest.raises(StoreError, match="The sort must be one of"):
        list_page(small, sort="tier")


def test_rows_keep_the_list_columns(small):
    rows = list_page(small, per_page=2).rows
    assert rows["employer_id"].tolist() == ["2000200", "1000999"]
    assert pd.api.types.is_datetime64_any_dtype(rows["visit_date"])


def test_a_set_of_values_is_one_parameter_on_both_databases(small):
    # an export chunk asks for 5,000 visits three times: as 5,000 parameters each time,
    # SQLAlchemy named and rendered 600,000 of them for 200,000 visits on SQLite
    from sqlalchemy import select

    from screening.store.listing import among
    from screening.store.tables import Visit

    dialect = small.dialect.name
    wanted = ["V-a1", "X%_1", "nope", 'say "V-b1"', "Bakı", "V-b1' OR 1=1 --"]
    query = select(Visit.visit_id).where(among(Visit.visit_id, wanted, dialect))
    assert len(query.compile(dialect=small.dialect).params) == 1
    with small.connect() as c:
        assert sorted(c.execute(query).scalars()) == ["V-a1", "X%_1"]
        row_ids = c.execute(select(Visit.id).where(Visit.visit_id.in_(["V-c1", "V-d1"]))
                            ).scalars().all()
        found = c.execute(select(Visit.visit_id).where(among(Visit.id, row_ids, dialect)))
        assert sorted(found.scalars()) == ["V-c1", "V-d1"]
