"""The app's building blocks without a browser: sessions, charts, indicators, controls, files."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest

from magnetdiplomacy import list_scenarios
from magnetdiplomacy.charts import figure, overlays
from magnetdiplomacy.interventions import ACTIONS, live_actions, validate_action
from magnetdiplomacy.parameters import parameter_table
from magnetdiplomacy.targets import SHARE_TARGET
from magnetdiplomacy.ui import actions, charts, flows, indicators, levers, markers, network, words
from magnetdiplomacy.ui.panels import CHARTS, chart_data, chart_html, event_rows, headline_html, log_html
from magnetdiplomacy.ui.session import Session, scenario_names


@pytest.fixture(scope="module")
def session():
    """A run 18 months in, with one live intervention fired after month 12."""
    s = Session("baseline")
    s.step(12)
    s.fire("malaysia_accept_china_jv")
    s.step(6)
    return s


SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str) -> ET.Element:
    return ET.fromstring(text)


def svg_texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


# ---- sessions ----------------------------------------------------------------------------------


def test_sessions_are_independent():
    a, b = Session("baseline"), Session("baseline")
    a.step(3)
    a.fire("china_suspend_magnet_licences")
    a.step()
    assert (a.tick, b.tick) == (4, 0)
    assert b.series("malaysia_alignment") == []
    assert not any(e["source"] == "user" for e in b.events())
    assert a.model is not b.model


def test_same_seed_same_run_and_fire_changes_it():
    a, b = Session("baseline"), Session("baseline")
    a.step(8)
    b.step(8)
    assert a.series("malaysia_alignment") == b.series("malaysia_alignment")
    message = a.fire("malaysia_accept_china_jv")
    assert "September 2020" in message and a.queued == ["Malaysia accepts the Chinese refinery JV"]
    a.step(3)
    b.step(3)
    assert a.queued == []
    assert a.last("malaysia_alignment") < b.last("malaysia_alignment") - 0.01
    fired = [e for e in a.events() if e["source"] == "user"]
    assert len(fired) == 1 and fired[0]["tick"] == 8 and fired[0]["action"] == "malaysia_accept_china_jv"


def test_reset_with_levers_and_seed():
    s = Session("baseline")
    s.step(2)
    s.reset("baseline", 7, {"china.licence_grant_rate": 0.2})
    assert (s.tick, s.seed) == (0, 7)
    assert s.scenario.china.licence_grant_rate == 0.2
    assert s.base.china.licence_grant_rate == parameter_table()["china.licence_grant_rate"].default
    s.reset("us_pressure")
    assert s.scenario_name == "us_pressure" and s.overrides == {}


def test_step_stops_at_the_end():
    s = Session("baseline", overrides={"run.end": "2020-03"})
    assert s.step(10) == 3
    assert not s.running and s.step() == 0


def test_production_history_by_country(session):
    for stage in ("mine", "separation", "magnet"):
        assert len(session.production[stage]) == session.tick
    assert session.production["mine"][-1]["china"] > 0
    assert session.production["separation"][-1]["malaysia"] > 0


def test_scenario_names_cover_every_file():
    names = scenario_names()
    assert names[0] == "baseline" and sorted(names) == sorted(list_scenarios())


# ---- charts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(CHARTS))
def test_every_chart_is_valid_svg_and_png(session, key):
    chart = CHARTS[key](session)
    svg = figure.to_svg(chart)
    root = parse_svg(svg)
    assert root.tag.endswith("svg") and root.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    assert chart.title in svg
    png = figure.to_png(chart, dpi=60)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("key", list(CHARTS))
def test_charts_draw_before_the_first_step(key):
    session = Session("baseline")
    chart = CHARTS[key](session)
    root = parse_svg(figure.to_svg(chart))
    texts = svg_texts(root)
    assert chart.title in texts
    # no month simulated yet: every data line is empty, none is drawn, and no value is reported
    lines = [item for item in chart.items if isinstance(item, figure.Line)]
    assert all(len(line.xs) == 0 and len(line.ys) == 0 for line in lines)
    assert not root.findall(f".//{SVG}polyline")
    assert json.loads(chart_data(chart)) == {}
    if chart.frame:  # a time chart: the axes with their labels and ticks over the whole run
        assert chart.xlabel == "year" and chart.ylabel
        assert chart.xlim == (2020.0, 2036.0)
        assert {chart.xlabel, chart.ylabel} | {label for _, label in chart.xticks + chart.yticks} <= set(texts)
    if key == "shares":
        target = [item for item in chart.items if isinstance(item, figure.Rule) and item.y is not None]
        assert [rule.y for rule in target] == [SHARE_TARGET] and target[0].label in texts
    if key == "production":
        areas = [p for p in root.findall(f".//{SVG}polygon") if p.get("fill-opacity")]
        assert not areas  # no stacked areas without production (the legend's triangles apart)
    if key == "network":
        curves = [item for item in chart.items if isinstance(item, figure.Curve)]
        assert len(curves) == session.model.partnerships.count() == 0
        assert not root.findall(f".//{SVG}path")
    if key == "flows":
        assert not root.findall(f".//{SVG}polygon")  # no bands before a month of flows


def test_time_charts_have_units_markers_and_full_range(session):
    for builder in (charts.alignment_chart, charts.shares_chart, charts.prices_chart, charts.production_chart):
        chart = builder(session)
        assert chart.xlabel == "year" and chart.ylabel
        assert chart.xlim == (2020.0, 2036.0)
        rules = [item for item in chart.items if isinstance(item, figure.Rule) and item.x is not None]
        assert [r.label for r in rules] == ["1"]
        assert rules[0].x == pytest.approx(2021.0)  # fired after 12 months, applied in January 2021
    shares = charts.shares_chart(session)
    target = [item for item in shares.items if isinstance(item, figure.Rule) and item.y is not None]
    assert target[0].y == SHARE_TARGET and "15%" in target[0].label
    prices = charts.prices_chart(session)
    assert prices.ylabel == "price (US$ per kg)"


def test_alignment_chart_shades_and_labels_both_sides(session):
    chart = charts.alignment_chart(session)
    texts = [item.text for item in chart.items if isinstance(item, figure.Text)]
    assert "US side" in texts and "China side" in texts
    assert chart.ylim == (-1.0, 1.0)
    zero = [item for item in chart.items if isinstance(item, figure.Rule) and item.y == 0.0]
    assert zero
    values = json.loads(chart_data(chart))
    assert values["alignment"] == pytest.approx(session.last("malaysia_alignment"), abs=1e-6)


def test_network_has_typed_ties(session):
    chart = network.network_chart(session)
    curves = [item for item in chart.items if isinstance(item, figure.Curve)]
    assert len(curves) == session.model.partnerships.count() > 0
    assert {c.color for c in curves} <= {style[0] for style in network.TIE_STYLES.values()}
    markers = [item for item in chart.items if isinstance(item, figure.Marker)]
    assert len(markers) == session.model.partnerships.graph.number_of_nodes()


def test_sankey_bands_share_each_leg(session):
    nodes, links = flows.sankey_layout(session.model.material_flows())
    legs = {}
    for link in links:
        leg = link["source"][0]  # each leg starts from one column
        legs[leg] = legs.get(leg, 0.0) + link["share"]
    assert sorted(legs) == [0, 1, 2]  # mines to separation, separation to magnets, magnets to buyers
    assert all(total == pytest.approx(1.0) for total in legs.values())
    for node in nodes.values():
        assert 0 <= node["y"] and node["y"] + node["h"] <= 1.0 + 1e-9
    assert {key[0] for key in nodes} == {0, 1, 2, 3}


def test_nice_ticks():
    assert figure.nice_ticks(0, 1, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert figure.nice_max(0.13) >= 0.13
    assert figure.nice_max(151.0) == 200.0


# ---- indicators and log ------------------------------------------------------------------------


def test_headline_indicators(session):
    tiles = {item.key: item for item in indicators.headline(session)}
    assert set(tiles) == {
        "alignment",
        "share_nonchina",
        "share_world",
        "share_oxide",
        "jobs",
        "value_added",
        "export_revenue",
    }
    revenue = sum(session.series("malaysia_export_revenue_usd")[-12:])
    assert tiles["export_revenue"].value == f"US${revenue / 1e6:,.0f} m"
    assert "500" in tiles["export_revenue"].detail
    assert "2,000" in tiles["jobs"].detail
    html = headline_html(session)
    assert f"data-tick='{session.tick}'" in html and "Jun 2021" in html


def test_year_sum_waits_for_a_whole_year():
    s = Session("baseline")
    s.step(13)
    assert indicators.year_sum(s, "malaysia_export_revenue_usd", 2020) == pytest.approx(
        sum(s.series("malaysia_export_revenue_usd")[:12])
    )
    assert indicators.year_sum(s, "malaysia_export_revenue_usd", 2021) is None


def test_event_log_marks_interventions(session):
    html = log_html(session, only_interventions=True)
    assert html.count("<tr class='md-user'>") == 1
    assert "md-num'>1<" in html
    assert event_rows(session).count("<tr") > event_rows(session, True).count("<tr")


def test_chart_html_carries_month_and_values(session):
    html = chart_html(session, "shares")
    assert "data-chart='shares'" in html and f"data-tick='{session.tick}'" in html


# ---- controls from declarations ----------------------------------------------------------------


def test_levers_come_from_the_parameter_declarations():
    table = parameter_table()
    declared = levers.levers()
    assert declared
    for lever in declared:
        spec = table[lever.path]
        assert lever.spec == spec
        if lever.kind in ("float", "int"):
            assert spec.lo is not None and spec.hi is not None and spec.lo <= spec.default <= spec.hi
            assert 0 < lever.step <= (spec.hi - spec.lo)
        assert spec.description in lever.help
    assert levers.seed_spec().path == "run.seed"


def test_lever_values_follow_the_scenario():
    from magnetdiplomacy import load_scenario

    scenario = load_scenario("baseline", {"china.licence_grant_rate": 0.3})
    assert levers.values_of(scenario)["china.licence_grant_rate"] == 0.3


@pytest.mark.parametrize("spec", live_actions(), ids=lambda s: s.name)
def test_every_live_action_has_a_valid_starting_form(spec):
    values = actions.initial_values(spec)
    assert actions.check(spec, values) is None
    validate_action(spec.name, actions.clean(spec, values))
    for field in actions.form_fields(spec):
        if field.kind in ("float", "int"):
            assert field.lo is not None and field.hi is not None


def test_menu_lists_every_live_action_headline_first():
    names = [spec.name for spec in actions.menu()]
    assert sorted(names) == sorted(spec.name for spec in live_actions())
    assert names[: len(actions.FEATURED)] == list(actions.FEATURED)
    tariff = ACTIONS["us_set_tariff"]
    assert {f.name for f in actions.form_fields(tariff)} == {"target", "rate"}
    assert actions.check(tariff, {"target": "Malaysia", "rate": 1.5}) is not None


# ---- files --------------------------------------------------------------------------------------


def test_exports(session):
    series = pd.read_csv(io.BytesIO(session.timeseries_csv()))
    assert len(series) == session.tick
    assert pd.read_parquet(io.BytesIO(session.timeseries_parquet())).shape == series.shape
    events = pd.read_parquet(io.BytesIO(session.events_parquet()))
    assert (events["source"] == "user").sum() == 1
    manifest = json.loads(session.manifest_json())
    assert manifest["ticks"] == session.tick and manifest["seed"] == session.seed
    assert manifest["interventions_fired"][0]["action"] == "malaysia_accept_china_jv"
    with zipfile.ZipFile(io.BytesIO(session.run_folder_zip())) as archive:
        names = sorted(name.split("/", 1)[1] for name in archive.namelist())
    assert "manifest.json" in names and "timeseries.parquet" in names and "events.csv" in names


def test_exports_before_the_first_step():
    s = Session("baseline")
    assert len(pd.read_csv(io.BytesIO(s.timeseries_csv()))) == 0
    assert json.loads(s.manifest_json())["ticks"] == 0


# ---- explanations on the charts: markers, bands, the previous run -------------------------------


def _event(tick, source, kind="partnership", action="", actor="China", target="World", description="x"):
    return {
        "tick": tick,
        "date": f"2025-{tick % 12 + 1:02d}-01",
        "actor": actor,
        "target": target,
        "kind": kind,
        "description": description,
        "source": source,
        "action": action,
    }


def test_marker_groups_one_per_month_with_history_and_decisions():
    events = [
        _event(69, "events.csv:E047", "export_control", description="Announcement No. 61: extraterritorial rule"),
        _event(69, "events.csv:E051", "partnership", "form_partnership", description="Agreement on Reciprocal Trade"),
        _event(
            69, "events.csv:E051", "partnership", "malaysia_concession", description="Agreement on Reciprocal Trade"
        ),
        _event(
            69,
            "agent",
            "tariff",
            "us_set_tariff",
            "United States",
            "Malaysia",
            "Reward: Malaysia leans to the US (alignment +0.28); tariff 14%",
        ),
        _event(
            70, "agent", "truce", "china_suspend_controls", description="Truce holds: suspension extended to 2027-11"
        ),
        _event(70, "agent", "partnership", "us_offer_offtake", "United States", "JS Link", "US offers offtake"),
        _event(70, "agent", "investment", "", "China", "china_magnets", "China: +37,066 t/yr magnet capacity"),
        _event(70, "user", "export_control", "china_suspend_magnet_licences", description="fired by a person"),
        _event(71, "agent", "investment", "", "Lynas", "Lynas Malaysia", "Lynas expands Kuantan by 2,000 t/yr NdPr"),
        _event(72, "agent", "quota", "china_set_quota", description="Quota for 2026: +30.0% (NdPr offtake +52.7%)"),
    ]
    groups = markers.marker_groups(events)
    assert [g.tick for g in groups] == [69, 71]  # month 70 holds only routine lines, offers and a person's act
    october, later = groups
    assert october.kind == "history" and later.kind == "decision"
    assert len(october.history) == 2  # the agreement logged under two kinds is one line
    assert october.decisions == ("The US lowers its tariff on Malaysia to 14% as a reward: Malaysia leans to the US",)
    tip = october.tooltip("Oct 2025")
    assert tip.splitlines()[0] == "Oct 2025" and "History:" in tip and "Decisions in this run:" in tip
    assert "Lynas expands Kuantan" in later.tooltip("Dec 2025")
    many = markers.MarkerGroup(1, "history", tuple(f"event {i}" for i in range(12)), ())
    assert many.lines(4) == ["History:", "• event 0", "• event 1", "• event 2", "• … and 9 more (see the Event log)"]


def test_neighbouring_months_share_a_marker():
    groups = [markers.MarkerGroup(t, "history", ("e",), ()) for t in (0, 1, 3, 10, 11)]
    assert [[g.tick for g in c] for c in markers.clusters(groups, 4)] == [[0, 1, 3], [10, 11]]
    assert len(markers.clusters(groups, 1)) == 5


def test_every_time_chart_marks_history_and_hovers_values():
    s = Session("baseline")
    s.step(71)  # to November 2025: April's licensing, October's escalation and the truce replayed
    for key in ("alignment", "shares", "prices", "production"):
        chart = CHARTS[key](s)
        marks = [item for item in chart.items if isinstance(item, overlays.EventMark)]
        assert marks, key
        assert any("Oct 2025" in mark.tooltip and "Announcement No. 57" in mark.tooltip for mark in marks), key
        hover = [item for item in chart.items if isinstance(item, overlays.HoverColumns)]
        assert len(hover) == 1 and len(hover[0].tips) == s.tick
        assert hover[0].tips[69].startswith("Oct 2025\n")
        root = parse_svg(figure.to_svg(chart))
        assert root.findall(f".//{SVG}g[@class='md-event']")
    tip = [i for i in charts.alignment_chart(s).items if isinstance(i, overlays.HoverColumns)][0].tips[-1]
    assert f"alignment: {s.last('malaysia_alignment'):+.3f}" in tip
    prices = [i for i in charts.prices_chart(s).items if isinstance(i, overlays.HoverColumns)][0].tips[-1]
    assert "US$" in prices and "/kg" in prices
    shares = [i for i in charts.shares_chart(s).items if isinstance(i, overlays.HoverColumns)][0].tips[-1]
    assert "%" in shares


def test_bands_drawn_behind_lines_that_have_one():
    s = Session("baseline")
    s.step(24)
    years = [s.x0 + t / 12 for t in range(s.n_ticks)]
    s.bands = {
        "malaysia_alignment": pd.DataFrame({"year": years, "p05": [-0.2] * len(years), "p95": [0.3] * len(years)})
    }
    chart = charts.alignment_chart(s)
    areas = [item for item in chart.items if isinstance(item, figure.Area) and item.lo and item.lo[0] == -0.2]
    assert len(areas) == 1 and list(areas[0].hi) == [0.3] * len(years)
    line = next(i for i in chart.items if isinstance(i, figure.Line) and i.label == "alignment")
    assert chart.items.index(areas[0]) < chart.items.index(line)  # behind the line
    assert "20 seeds, 5-95 %" in [entry.label for entry in chart.legend]
    tip = [i for i in chart.items if isinstance(i, overlays.HoverColumns)][0].tips[5]
    assert "(20 seeds, 5-95 %: -0.200 to +0.300)" in tip
    # no band for the shares: nothing drawn, nothing in the legend
    shares = charts.shares_chart(s)
    assert not [i for i in shares.items if isinstance(i, figure.Area)]
    assert "20 seeds, 5-95 %" not in [entry.label for entry in shares.legend]


def test_previous_run_drawn_dotted_and_grey_and_can_be_hidden():
    s = Session("baseline")
    s.step(10)
    s.reset()
    s.step(3)
    assert s.previous is not None and len(s.previous) == 10
    for builder in (charts.alignment_chart, charts.shares_chart):
        shown = builder(s)
        grey = [i for i in shown.items if isinstance(i, figure.Line) and i.color == charts.PREVIOUS_COLOR]
        assert grey and all(i.dash == "dot" and len(i.xs) == 10 and i.label is None for i in grey)
        assert "previous run" in [entry.label for entry in shown.legend]
        hidden = builder(s, show_previous=False)
        assert not [i for i in hidden.items if isinstance(i, figure.Line) and i.color == charts.PREVIOUS_COLOR]
    assert json.loads(chart_data(charts.alignment_chart(s))).keys() == {"alignment", "revealed this month"}


def test_share_lines_at_zero_stay_visible_and_price_lines_differ(session):
    shares = charts.shares_chart(session)
    assert shares.ylim[0] < 0.0 and shares.yticks[0][0] == 0.0
    prices = {line.label: line for line in charts.prices_chart(session).items if isinstance(line, figure.Line)}
    china, outside = prices["NdPr oxide in China"], prices["NdPr oxide outside China"]
    assert china.color != outside.color and china.dash != outside.dash and "dash" in (china.dash, outside.dash)
    assert prices["NdPr Lynas realised"].dash not in (china.dash, outside.dash)


def test_png_exports_are_at_least_1600_pixels_wide(session):
    from magnetdiplomacy.ui.panels import png_of

    for key in CHARTS:
        png = png_of(session, key)()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(png[16:20], "big")
        assert width >= 1600, (key, width)


def test_sankey_names_every_node_and_takes_stockpiles():
    flows_in = [
        {"from_stage": "mine", "from": "china", "to_stage": "separation", "to": "china", "tonnes": 5000.0},
        {"from_stage": "mine", "from": "malaysia", "to_stage": "separation", "to": "malaysia", "tonnes": 3.0},
        {"from_stage": "separation", "from": "china", "to_stage": "magnets", "to": "china", "tonnes": 900.0},
        {"from_stage": "separation", "from": "china", "to_stage": "stockpile", "to": "china", "tonnes": 2.0},
        {
            "from_stage": "separation",
            "from": "malaysia",
            "to_stage": "stockpile",
            "to": "allied stockpiles",
            "tonnes": 1,
        },
        {"from_stage": "magnets", "from": "china", "to_stage": "buyers", "to": "japan_korea", "tonnes": 800.0},
        {"from_stage": "magnets", "from": "china", "to_stage": "buyers", "to": "southeast_asia", "tonnes": 1.0},
    ]
    nodes, _ = flows.sankey_layout(flows_in)
    assert (2, "China's state reserve") in nodes and (2, "Allied stockpiles") in nodes and (2, "china") in nodes
    texts = [item for item in flows._nodes(nodes) if isinstance(item, figure.Text)]
    assert len(texts) == len(nodes)  # every node labelled, however small
    by_column: dict[float, list[float]] = {}
    for text in texts:
        by_column.setdefault(round(text.x, 2), []).append(text.y)
    for ys in by_column.values():
        ys.sort()
        assert all(b - a >= flows.LABEL_GAP - 1e-9 for a, b in zip(ys, ys[1:], strict=False))


def test_network_names_do_not_overlap(session):
    chart = network.network_chart(session)
    px = chart.transform()
    boxes = []
    for item in chart.items:
        if isinstance(item, figure.Text) and item.y < 1.0:  # the actors' names, not the side headings
            x, y = px(item.x, item.y)
            width = figure.text_width(item.text, item.size)
            left = {"middle": x - width / 2, "start": x, "end": x - width}[item.anchor] + item.dx
            top = {"top": y, "bottom": y - item.size - 2, "middle": y - (item.size + 2) / 2}[item.valign] + item.dy
            boxes.append((left, top, left + width, top + item.size + 2))
    assert len(boxes) >= 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5), (a, b)


def test_event_log_is_plain_and_has_no_repeats():
    s = Session("baseline")
    s.step(80)
    html = event_rows(s)
    rows = [row for row in html.split("</tr>") if row]
    assert len(rows) == len(set(rows))
    assert html.count("Agreement on Reciprocal Trade") == 1  # logged under two kinds, shown once
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.search(r"\b[a-z]+_[a-z_]+\b", text)
    assert "taking sides -" not in text and "US$-" not in text


def test_plain_words_rewrite_the_models_shorthand():
    assert words.name("china_magnets") == "China's magnet makers"
    assert words.name("United States; China") == "United States and China"
    declined = words.plain(
        "Malaysia declines the china jv offer (US$-7,311 m: value added +1,888, jobs +490, pressure -10,174, "
        "taking sides +166, exports and investment targets +249, politics +55)"
    )
    assert declined == (
        "Malaysia declines the Chinese refinery joint venture offer: on balance a loss of about US$7.3 bn for "
        "Malaysia, mostly through pressure from the other side"
    )
    assert words.plain("mou tie United States - Malaysia lapsed (faded unrenewed)") == (
        "The government agreement (MoU) between United States and Malaysia lapses unrenewed"
    )
    assert words.plain("MP Materials: mp_separation mothballed after 12 months below cash cost").startswith(
        "MP Materials' separation plant mothballed"
    )
    assert "(alignment" not in words.plain("Retaliation: Malaysia leans to the US (alignment +0.51)")
    assert words.plain("Truce holds: suspension extended to 2027-11").endswith("until Nov 2027")


def test_export_tile_is_neutral_before_the_target_year():
    s = Session("baseline")
    s.step(36)  # to December 2022
    tiles = {item.key: item for item in indicators.headline(s)}
    assert tiles["export_revenue"].status == "neutral" and "of the 2030 target" in tiles["export_revenue"].detail
    assert tiles["jobs"].status == "neutral" and tiles["share_nonchina"].status == "neutral"
    assert "last month" in tiles["share_nonchina"].detail and "12-month average" in tiles["share_nonchina"].detail
    assert "total over the last 12 months" in tiles["value_added"].detail
    s.step(12 * 8 + 1)  # into 2031: 2030 is whole, the tile is judged on it
    tiles = {item.key: item for item in indicators.headline(s)}
    assert tiles["export_revenue"].status in ("good", "short") and "2030: US$" in tiles["export_revenue"].detail


# ---- live levers, Run to and sessions that survive a reload ------------------------------------------


def test_lever_values_read_in_plain_words():
    by_path = {lever.path: lever for lever in levers.panel_levers()}
    shown = {path: lever.format(lever.spec.default) for path, lever in by_path.items()}
    assert shown["us.price_floor_usd_kg"] == "US$110 per kg"
    assert shown["malaysia.hedging.neutrality_value_usd_m_yr"] == "US$500 million a year"
    assert shown["jslink.capacity_t_yr"] == "3,000 t of magnets a year"
    assert shown["demand.growth_per_year"] == "8.6 % a year"
    assert shown["china.escalation_propensity"] == "4 % chance a month"
    assert shown["china.licence_grant_rate"] == "50 % granted"
    assert shown["replay.enabled"] == "on"
    assert by_path["us.tariff_malaysia_initial"].format(0.19) == "19 % tariff"
    assert by_path["malaysia_magnet_incentive.level"].format(0.5) == "50 % of the most generous"
    for lever in by_path.values():  # no unit names in place of words
        assert not any(unit in shown[lever.path] for unit in ("fraction", "utility", "USD", "/yr")), shown[lever.path]
    assert levers.plain(0.07, "fraction") == "7 %" and levers.plain(1234.0, "t NdFeB/yr") == "1,234 t of magnets a year"
    tariff_form = {field.name: field for field in actions.form_fields(ACTIONS["us_set_tariff"])}
    assert actions.field_words(tariff_form["rate"], 0.25) == "25 %"
    policing = actions.form_fields(ACTIONS["malaysia_ore_policing"])[0]
    assert actions.field_words(policing, 10.0) == "US$10 million a year"


def test_live_levers_map_to_live_actions():
    every = levers.panel_levers()
    live = [lever for lever in every if lever.live is not None]
    assert {lever.path for lever in live} == {"us.tariff_malaysia_initial", "malaysia_magnet_incentive.level"}
    assert every[: len(live)] == live  # live levers first
    session = Session("baseline")
    for lever in live:
        assert lever.live is not None and ACTIONS[lever.live.action].live
        lo, hi = lever.bounds
        for value in (lo, hi):
            validate_action(lever.live.action, lever.live.params(value))
        assert lo <= session.lever_value(lever) <= hi
        assert "for the next month" in lever.help
    structural = [lever for lever in every if lever.live is None]
    assert structural and all(lever.spec.description in lever.help for lever in structural)


def test_a_live_lever_fires_its_action_for_the_next_month():
    tariff = next(lever for lever in levers.levers() if lever.path == "us.tariff_malaysia_initial")
    s = Session("baseline")
    s.step(12)
    assert s.set_lever(tariff, 0.3) == "30 % tariff from January 2021."
    assert s.set_lever(tariff, 0.19) == "19 % tariff from January 2021."  # the last value set wins
    assert s.lever_value(tariff) == 0.19 and s.queued == ["US: tariff on Malaysia: 19 % tariff"]
    assert s.series("us_tariff_malaysia")[-1] == 0.0
    s.step()
    assert s.series("us_tariff_malaysia")[-1] == pytest.approx(0.19) and s.pending == {}
    fired = [e for e in s.events() if e["source"] == "user"]
    assert len(fired) == 1 and fired[0]["tick"] == 12 and fired[0]["action"] == "us_set_tariff"
    assert s.fired[-1]["lever"] == "us.tariff_malaysia_initial" and s.fired[-1]["params"]["rate"] == 0.19
    # moving it back to the value in force before the step fires nothing
    s.set_lever(tariff, 0.25)
    assert s.set_lever(tariff, 0.19) == "19 % tariff: no change." and s.pending == {}
    s.step()
    assert len(s.fired) == 1
    with pytest.raises(ValueError, match="applies on Reset"):
        s.set_lever(levers.levers()[1], 0.5)


def test_run_to_targets_a_simulated_month():
    s = Session("baseline")
    assert s.target_of("2021-06") == 18 and s.target_of("2035-12") == s.n_ticks
    for text, message in (
        ("2021", "YYYY-MM"),
        ("June", "YYYY-MM"),
        ("2019-12", "from January 2020 to December 2035"),
        ("2036-01", "from January 2020 to December 2035"),
    ):
        with pytest.raises(ValueError, match=message):
            s.target_of(text)
    s.step(3)
    with pytest.raises(ValueError, match="simulated already"):
        s.target_of("2020-02")


def test_registry_restores_expires_and_bounds_sessions():
    from magnetdiplomacy.ui.session import Registry, token_in

    now = [0.0]
    registry = Registry(ttl_s=100.0, max_sessions=2, clock=lambda: now[0])
    token, first, restored = registry.open(None, lambda: Session("baseline"))
    assert not restored and len(token) >= 8 and registry.get(token) is first
    first.step(2)
    again, same, restored = registry.open(token, lambda: Session("baseline"))
    assert (again, restored) == (token, True) and same is first and same.tick == 2
    now[0] = 150.0  # idle longer than the time to live: dropped, a new run under the same token
    assert registry.get(token) is None
    kept, fresh, restored = registry.open(token, lambda: Session("baseline"))
    assert kept == token and fresh is not first and not restored and fresh.tick == 0
    bad, _, restored = registry.open("../../etc", lambda: Session("baseline"))
    assert bad != "../../etc" and not restored
    registry.open(None, lambda: Session("baseline"))  # a third session drops the least recently used
    assert len(registry) == 2 and registry.get(token) is None
    assert token_in(f"run={bad}&x=1") == bad and token_in("run=no") is None and token_in(None) is None


def test_a_page_restores_its_session_from_the_url_and_takes_it_over():
    import solara

    from magnetdiplomacy.ui.state import use_app_state

    states = []

    @solara.component
    def Host():
        states.append(use_app_state())

    _, first = solara.render(Host(), handle_error=False)
    try:
        old = states[-1]
        old.step(3)
        url = f"/?run={old.token}"
        _, second = solara.render(
            solara.RoutingProvider(children=[Host()], routes=[solara.Route("/")], pathname=url), handle_error=False
        )
        try:
            new = states[-1]
            assert new.session is old.session and new.token == old.token and new.session.tick == 3
            assert new.message.value == "Run restored in March 2020."
            assert old.step(1) == 0 and "another tab" in old.message.value  # the old page lets go
            assert new.step(1) == 1 and new.session.tick == 4
        finally:
            second.close()
    finally:
        first.close()
