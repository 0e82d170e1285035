"""Compare in a real browser on the two real meetings (issue 15): a first start saves the demo
meetings' snapshots, and Compare shows what was resolved, what is new and what is still waiting
between 2023-12-14 and 2024-02-01, as the recorded facts say."""

import json
from pathlib import Path

import pytest

from tests import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
browser = test_browser.browser  # the module-scoped Debian Chromium
page = test_browser.page
DATA = Path(__file__).parent / "data"
MAIN = '[data-testid="stMain"] [data-testid="stDataFrame"]'


def recorded(name: str) -> dict[str, dict]:
    return {f"{r['repo']}#{r['number']}": r for r in json.loads((DATA / name / "items.json").read_text())}


def grids(page, count: int) -> list[list[dict[str, str]]]:
    """The rows of the page's first `count` tables, read from their hidden a11y tables."""
    from playwright.sync_api import expect

    tables = page.locator(MAIN)
    expect(tables.nth(count - 1)).to_be_attached(timeout=60_000)
    out = []
    for n in range(count):
        rows = tables.nth(n).locator("table tr[aria-rowindex]")
        expect(rows.nth(1)).to_be_attached(timeout=60_000)
        header = [c.text_content() for c in rows.nth(0).locator("td, th").all()]
        out.append([dict(zip(header, [c.text_content() for c in rows.nth(i).locator("td, th").all()], strict=True))
                    for i in range(1, rows.count())])
    return out


def section(tables: list[list[dict[str, str]]], has: str, lacks: str = "") -> list[dict[str, str]]:
    """The one table whose header has the column `has` (and not `lacks`)."""
    (found,) = [t for t in tables if t and has in t[0] and not (lacks and lacks in t[0])]
    return found


def test_compare_opens_offline_on_the_two_real_meetings(tmp_path, page):
    from playwright.sync_api import expect

    first, second = recorded("falco-2023-12-14"), recorded("falco-2024-02-01")
    with test_browser.serve(tmp_path) as url:  # a fresh store: the first start
        page.goto(f"{url}/compare")
        expect(page.get_by_role("heading", name="Still waiting")).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        tables = grids(page, 5)  # the listing, then resolved, new, still waiting and moved
        assert [r["As of"] for r in section(tables, "As of")] == ["2024-02-01", "2023-12-14"]
        resolved = section(tables, "Resolved on")
        new = section(tables, "Rank now", lacks="Rank then")
        waiting = section(tables, "Earlier agendas")

    # Resolved: on the first agenda, and merged (git) or closed (a "Fixes #N" PR) between the meetings
    def ended(r):
        return (r.get("merged_at") or r.get("closed_at") or "")[:10]
    expected = {ref for ref, r in first.items() if "2023-12-14" < ended(r) <= "2024-02-01"}
    assert expected == {"falcosecurity/falco#1340", "falcosecurity/libs#1575", "falcosecurity/libs#1561",
                        "falcosecurity/plugins#378", "falcosecurity/evolution#345"}
    assert {r["Item"]: r["Resolved on"] for r in resolved} == {ref: ended(first[ref]) for ref in expected}
    # New: on the second agenda only; still waiting: on both, and neither merged nor dated closed by then
    assert {r["Item"] for r in new} == set(second) - set(first)
    both = set(first) & set(second)
    assert {r["Item"] for r in waiting} == {ref for ref in both if not ("" < ended(second[ref]) <= "2024-02-01")}
    assert {r["Item"] for r in waiting} == {"falcosecurity/libs#1463", "falcosecurity/falco#2655"}
    # the carry-over counts come from the earlier minutes (falco#2655: 2023-11-02 and 2023-12-14)
    assert {r["Item"]: r["Earlier agendas"] for r in waiting} == {
        "falcosecurity/libs#1463": "1", "falcosecurity/falco#2655": "2"}
