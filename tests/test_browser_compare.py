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


def grid(page, n: int) -> list[dict[str, str]]:
    """The rows of the n-th table of the page (0: the snapshot list), read from its hidden a11y table."""
    from playwright.sync_api import expect

    rows = page.locator(MAIN).nth(n).locator("table tr[aria-rowindex]")
    expect(rows.nth(1)).to_be_attached(timeout=60_000)
    header = [c.text_content() for c in rows.nth(0).locator("td, th").all()]
    return [dict(zip(header, [c.text_content() for c in rows.nth(i).locator("td, th").all()], strict=True))
            for i in range(1, rows.count())]


def test_compare_opens_offline_on_the_two_real_meetings(tmp_path, page):
    from playwright.sync_api import expect

    first, second = recorded("falco-2023-12-14"), recorded("falco-2024-02-01")
    with test_browser.serve(tmp_path) as url:  # a fresh store: the first start
        page.goto(f"{url}/compare")
        expect(page.get_by_role("heading", name="Still waiting")).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        listing = grid(page, 0)
        assert [r["As of"] for r in listing] == ["2024-02-01", "2023-12-14"]
        resolved, new, waiting = grid(page, 1), grid(page, 2), grid(page, 3)

    # Resolved: on the first agenda, and merged (git) or closed (a "Fixes #N" PR) between the meetings
    def ended(r):
        return (r.get("merged_at") or r.get("closed_at") or "")[:10]
    expected = {ref for ref, r in first.items() if "2023-12-14" < ended(r) <= "2024-02-01"}
    assert expected == {"falcosecurity/falco#1340", "falcosecurity/libs#1575", "falcosecurity/libs#1561",
                        "falcosecurity/plugins#378", "falcosecurity/evolution#345"}
    assert {r["ref"]: r["resolved_on"] for r in resolved} == {ref: ended(first[ref]) for ref in expected}
    # New: on the second agenda only; still waiting: on both, and neither merged nor dated closed by then
    assert {r["ref"] for r in new} == set(second) - set(first)
    both = set(first) & set(second)
    assert {r["ref"] for r in waiting} == {ref for ref in both if not ("" < ended(second[ref]) <= "2024-02-01")}
    assert {r["ref"] for r in waiting} == {"falcosecurity/libs#1463", "falcosecurity/falco#2655"}
    # the carry-over counts come from the earlier minutes (falco#2655: 2023-11-02 and 2023-12-14)
    assert {r["ref"]: r["earlier_agendas"] for r in waiting} == {
        "falcosecurity/libs#1463": "1", "falcosecurity/falco#2655": "2"}
