"""What the pages print: amounts exact in their own units, addresses and times marked up
safely, chart text escaped, CSV cells that a spreadsheet would run quoted."""

from __future__ import annotations

from ipledger.api.pages import format as fmt
from ipledger.api.pages.charts import Point, bar_chart, line_chart
from ipledger.api.pages.pages import TEMPLATES, _cell

EVIL = '<script>alert("x")</script>'


def test_amounts_are_exact_in_their_own_units() -> None:
    assert fmt.money(3_000_000_010, "tHKD", 6) == "tHKD 3,000.00001"
    assert fmt.money(5, None, None) == "5 base units"
    assert fmt.valuation(1_250_000_000, "HKD") == "HKD 12,500,000.00"
    assert fmt.valuation(1_250_000, "JPY") == "JPY 1,250,000"  # no minor units
    assert fmt.tokens(100_250 * 10**18) == "100,250"
    assert fmt.change("-350000000", "HKD") == "-HKD 3,500,000.00"
    assert fmt.change("1", "HKD") == "+HKD 0.01"
    assert fmt.percent(1, 3) == "33.33%"
    assert fmt.bps(2**32 - 1) == "no collateral"


def test_addresses_and_times_are_marked_up_safely() -> None:
    shown = str(fmt.address("0x90F79bf6EB2c4f870365E785982E1f101E93b906"))
    assert ">0x90F7…b906</code>" in shown
    assert 'data-copy="0x90F79bf6EB2c4f870365E785982E1f101E93b906"' in shown
    assert "<script>" not in str(fmt.address(EVIL))
    assert str(fmt.when(1_800_000_000)) == (
        '<time datetime="2027-01-15T08:00:00Z">2027-01-15T08:00:00Z</time>'
    )
    assert fmt.age(0, 3 * 86400) == "3 days"


def test_templates_and_charts_escape_text_from_the_chain() -> None:
    assert TEMPLATES.env.from_string("{{ x }}").render(x=EVIL) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    )
    line = str(
        line_chart(
            [Point(1, 2, EVIL), Point(2, 3, "b", "revoked")],
            title=EVIL,
            y_label="HKD",
            x_first="a",
            x_last="b",
            y_low="1",
            y_high="2",
        )
    )
    bars = str(
        bar_chart(
            [Point(1, 2, EVIL)], title="t", y_label=EVIL, x_first="#1", x_last="#1", y_high="2"
        )
    )
    for svg in (line, bars):
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
    assert 'class="mark revoked"' in line


def test_csv_cells_a_spreadsheet_would_run_are_quoted() -> None:
    assert _cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    for risky in ("+1", "-1", "@SUM(A1)", "\tx"):
        assert _cell(risky) == "'" + risky
    assert _cell("HK 30012345") == "HK 30012345"
    assert _cell(12) == 12


def test_a_reference_with_a_slash_links_by_id() -> None:
    pid = bytes(range(32))
    assert fmt.patent_path("HK 30012345", pid) == "/patents/HK%2030012345"
    assert fmt.patent_path("WO 2020/123456", pid) == "/patents/0x" + pid.hex()
    assert fmt.patent_path(None, pid) == "/patents/0x" + pid.hex()
