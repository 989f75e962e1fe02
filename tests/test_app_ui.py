"""The app's building blocks without a browser: sessions, charts, indicators, controls, files."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest

from magnetdiplomacy import list_scenarios
from magnetdiplomacy.charts import figure
from magnetdiplomacy.interventions import ACTIONS, live_actions, validate_action
from magnetdiplomacy.parameters import parameter_table
from magnetdiplomacy.targets import SHARE_TARGET
from magnetdiplomacy.ui import actions, charts, flows, indicators, levers, network
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
        assert not root.findall(f".//{SVG}polygon")  # no stacked areas without production
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
