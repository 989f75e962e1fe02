"""Every output column of a run, declared once: name, label, unit, how it adds up over a year,
and which views show it.

The model fills one row of these columns per month (:mod:`magnetdiplomacy.observe`); the run
folder, the CLI summary, the app, the classroom, sweeps and docs/ODD.md read names, labels, units
and yearly aggregation here, so none of them re-declares a column.

``year`` says how a calendar year of monthly values becomes one number: ``last`` for levels and
states (December's value: alignment, jobs, tariffs, cash), ``mean`` for shares, prices and rates,
``sum`` for monthly flows (tonnes, US dollars).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .parameters import SEGMENTS

# Destination blocs of Malaysia's exports (see magnetdiplomacy.mechanisms.accounts.exports_by_bloc).
EXPORT_BLOCS = ("china", "us", "allies", "other")
BLOC_WORDS = {"china": "China", "us": "the US", "allies": "US allies (Japan, Korea, Europe)", "other": "others"}

YEAR_AGGREGATIONS = ("last", "mean", "sum")
# Columns of the event log: one row per control, partnership and decision.
EVENT_COLUMNS = ("tick", "date", "actor", "target", "kind", "description", "source", "action")
KINDS = (
    "tick",
    "date",
    "signed",
    "share",
    "fraction",
    "tonnes",
    "usd_kg",
    "usd",
    "usd_m",
    "count",
    "flag",
    "number",
    "ratio",
)
VIEWS = ("summary", "app", "classroom", "sweeps")


@dataclass(frozen=True)
class Output:
    """One column of a run's monthly time series."""

    name: str
    label: str  # plain words, for people
    unit: str  # the unit of a monthly value
    kind: str  # how a value is shown (see :func:`format_value`)
    year: str  # last | mean | sum: how a year of monthly values adds up
    contract: bool = False  # part of the design's output contract
    views: tuple[str, ...] = ()  # front ends that show it by default

    def __post_init__(self) -> None:
        if self.year not in YEAR_AGGREGATIONS or self.kind not in KINDS or not set(self.views) <= set(VIEWS):
            raise ValueError(f"output {self.name}: bad declaration")

    @property
    def year_label(self) -> str:
        """What the yearly number is, in words."""
        return {"last": "in December", "mean": "average over the year", "sum": "total over the year"}[self.year]


def _o(name: str, label: str, unit: str, kind: str, year: str, views: Iterable[str] = ()) -> Output:
    return Output(name, label, unit, kind, year, False, tuple(views))


_CONTRACT = tuple(
    replace(item, contract=True)
    for item in (
        _o("tick", "Month number (0 = first month)", "month", "tick", "last"),
        _o("date", "First day of the month", "date", "date", "last"),
        _o(
            "malaysia_alignment",
            "Malaysia's alignment (-1 China, +1 US)",
            "alignment",
            "signed",
            "last",
            ("summary", "app", "classroom", "sweeps"),
        ),
        _o(
            "malaysia_magnet_share_global",
            "Malaysia's share of world magnet output",
            "share",
            "share",
            "mean",
            ("summary", "app", "sweeps"),
        ),
        _o(
            "malaysia_magnet_share_nonchina",
            "Malaysia's share of non-China magnet output",
            "share",
            "share",
            "mean",
            ("summary", "app", "classroom", "sweeps"),
        ),
        _o(
            "malaysia_oxide_share_global",
            "Malaysia's share of world NdPr oxide",
            "share",
            "share",
            "mean",
            ("summary", "app", "sweeps"),
        ),
        _o("china_mine_share", "China's share of world mining", "share", "share", "mean", ("summary",)),
        _o("china_separation_share", "China's share of world separation", "share", "share", "mean", ("summary",)),
        _o("china_magnet_share", "China's share of world magnets", "share", "share", "mean", ("summary", "classroom")),
        _o("world_mine_t", "World mine output (recorded; illegal mining apart)", "t REO/month", "tonnes", "sum"),
        _o("world_oxide_t", "World NdPr oxide output", "t NdPr/month", "tonnes", "sum"),
        _o("world_magnet_t", "World magnet output", "t NdFeB/month", "tonnes", "sum"),
        _o("magnet_demand_t", "Magnet demand", "t NdFeB/month", "tonnes", "sum"),
        _o("price_ndpr_china_usd_kg", "NdPr oxide price in China", "USD/kg", "usd_kg", "mean", ("summary", "app")),
        _o(
            "price_ndpr_exchina_usd_kg",
            "NdPr oxide price outside China",
            "USD/kg",
            "usd_kg",
            "mean",
            ("summary", "app", "classroom"),
        ),
        _o(
            "price_magnet_exchina_usd_kg",
            "Magnet price outside China",
            "USD/kg",
            "usd_kg",
            "mean",
            ("summary", "app", "classroom"),
        ),
        _o("lynas_ndpr_t", "Lynas' NdPr output", "t NdPr/month", "tonnes", "sum", ("classroom",)),
        _o("jslink_magnet_t", "JS Link's magnet output", "t NdFeB/month", "tonnes", "sum", ("classroom",)),
        _o("us_tariff_malaysia", "US tariff on Malaysia", "fraction", "share", "last", ("summary", "app", "classroom")),
        _o(
            "china_export_licence_rate",
            "China's licence grant rate (magnet materials)",
            "fraction",
            "share",
            "last",
            ("classroom",),
        ),
        _o(
            "malaysia_jobs",
            "Malaysia's rare-earth jobs (direct and indirect)",
            "jobs",
            "count",
            "last",
            ("summary", "app"),
        ),
        _o(
            "malaysia_value_added_usd",
            "Value added in Malaysia",
            "USD/month",
            "usd",
            "sum",
            ("summary", "app", "classroom"),
        ),
        _o("partnerships_active", "Partnerships in force", "ties", "count", "last"),
    )
)

_EXTRA = (
    (
        _o("malaysia_lean", "Malaysia's chosen lean (-1 China, +1 US)", "alignment", "signed", "last"),
        _o(
            "malaysia_revealed_alignment",
            "Alignment Malaysia's conduct reveals this month",
            "alignment",
            "signed",
            "last",
        ),
        _o("malaysia_direct_jobs", "Malaysia's direct rare-earth jobs", "jobs", "count", "last", ("app", "classroom")),
        _o(
            "malaysia_export_revenue_usd",
            "Malaysia's rare-earth exports",
            "USD/month",
            "usd",
            "sum",
            ("summary", "app", "classroom"),
        ),
        _o(
            "malaysia_incentive_cost_usd",
            "Magnet-plant incentive cost to the budget",
            "USD/month",
            "usd",
            "sum",
            ("classroom",),
        ),
        _o(
            "malaysia_capability",
            "Local share of magnet know-how (local technological participation)",
            "fraction",
            "share",
            "last",
            ("app",),
        ),
        _o(
            "malaysia_local_content",
            "Local content of supporting services and materials",
            "fraction",
            "share",
            "last",
            ("app",),
        ),
        _o("malaysia_patents_index", "Materials-science patents (2020 = 1)", "ratio", "ratio", "last"),
        _o(
            "malaysia_downstream_investment_usd",
            "Downstream investment committed in Malaysia",
            "USD/month",
            "usd",
            "sum",
        ),
        _o(
            "malaysia_downstream_investment_total_usd",
            "Downstream investment committed in Malaysia since the start",
            "USD",
            "usd",
            "last",
            ("app",),
        ),
        _o(
            "malaysia_customer_spread",
            "Smallest of America's, Europe's and Asia's shares of Malaysia's exports (last 12 months)",
            "share",
            "share",
            "mean",
        ),
        _o(
            "malaysia_magnet_sales_japan_korea_t",
            "Malaysian magnets sold to Japan and Korea",
            "t NdFeB/month",
            "tonnes",
            "sum",
        ),
        _o(
            "malaysia_share_esg_buyers",
            "Malaysia's share of magnets bought by buyers who pay the ESG premium",
            "share",
            "share",
            "mean",
        ),
        _o("malaysia_magnet_capacity_t", "Magnet capacity in Malaysia", "t NdFeB/month", "tonnes", "sum"),
        _o("malaysia_magnet_orders_t", "Magnets ordered from makers in Malaysia", "t NdFeB/month", "tonnes", "sum"),
        _o(
            "foreign_makers_malaysia_t",
            "Foreign-owned makers' magnet output in Malaysia",
            "t NdFeB/month",
            "tonnes",
            "sum",
        ),
        _o("malaysia_ore_leaked_t", "Malaysian ore leaving illegally", "t REO/month", "tonnes", "sum", ("app",)),
        _o("malaysia_domestic_ore_feed_t", "Malaysian ore refined in Malaysia", "t REO/month", "tonnes", "sum"),
        _o("malaysia_enforcement_usd", "Cost of policing the ore ban and illegal mining", "USD/month", "usd", "sum"),
        _o("malaysia_innovation_usd", "Innovation fund spending", "USD/month", "usd", "sum"),
        _o("malaysia_resource_t", "Malaysia's rare-earth resource left in the ground", "t REO", "tonnes", "last"),
        _o(
            "malaysia_resource_value_usd", "Value of that resource (at the government's estimate)", "USD", "usd", "last"
        ),
        _o("malaysia_trade_tilt", "Orientation of Malaysia's trade (-1 China, +1 US)", "alignment", "signed", "mean"),
        _o(
            "malaysia_ties_tilt",
            "Orientation of Malaysia's partnerships (-1 China, +1 US)",
            "tie weight",
            "signed",
            "last",
        ),
        _o("malaysia_concessions", "Malaysia's concessions (- China, + US)", "alignment", "signed", "last"),
        _o(
            "malaysia_value_added_ladder_usd",
            "Value added in Malaysia on the value ladder (a check)",
            "USD/month",
            "usd",
            "sum",
        ),
        _o("malaysia_oxide_t", "Malaysia's NdPr oxide output", "t NdPr/month", "tonnes", "sum"),
        _o("malaysia_ore_t", "Malaysia's rare-earth ore output", "t REO/month", "tonnes", "sum"),
        _o("malaysia_ore_exports_t", "Malaysian ore shipped to China", "t REO/month", "tonnes", "sum"),
        _o("price_magnet_china_usd_kg", "Magnet price in China", "USD/kg", "usd_kg", "mean"),
        _o("price_dy_exchina_usd_kg", "Dy oxide price outside China", "USD/kg", "usd_kg", "mean"),
        _o("price_dy_china_usd_kg", "Dy oxide price in China", "USD/kg", "usd_kg", "mean"),
        _o("price_tb_china_usd_kg", "Tb oxide price in China", "USD/kg", "usd_kg", "mean"),
        _o("price_tb_exchina_usd_kg", "Tb oxide price outside China", "USD/kg", "usd_kg", "mean"),
        _o(
            "price_ndpr_realised_lynas_usd_kg",
            "NdPr price Lynas realised (floors, sales to China)",
            "USD/kg",
            "usd_kg",
            "mean",
            ("app", "classroom"),
        ),
        _o("price_ndpr_realised_mp_usd_kg", "NdPr price MP Materials realised (floors)", "USD/kg", "usd_kg", "mean"),
        _o("ndpr_cover_china_months", "NdPr stocks in China's pool, months of use", "months", "number", "mean"),
        _o("ndpr_cover_exchina_months", "NdPr stocks outside China, months of use", "months", "number", "mean"),
        _o("china_reserve_t", "NdPr in China's state reserve", "t NdPr", "tonnes", "last"),
        _o("allied_stockpile_t", "NdPr in allied stockpiles outside China", "t NdPr", "tonnes", "last"),
        _o(
            "nonchina_separation_capacity_t_yr", "NdPr separation capacity outside China", "t NdPr/yr", "tonnes", "last"
        ),
        _o("china_ndpr_exports_t", "NdPr oxide leaving China", "t NdPr/month", "tonnes", "sum", ("classroom",)),
        _o("china_magnet_exports_t", "Magnets leaving China", "t NdFeB/month", "tonnes", "sum", ("classroom",)),
        _o("china_heavy_exports_t", "Dy and Tb leaving China", "t/month", "tonnes", "sum"),
        _o("us_tariff_china", "US tariff on China", "fraction", "share", "last"),
        _o(
            "china_ndpr_export_availability",
            "Share of Chinese NdPr exports licences let through",
            "fraction",
            "share",
            "last",
        ),
        _o(
            "china_us_relations",
            "US-China relations (-1 hostile, +1 friendly)",
            "relations",
            "signed",
            "last",
            ("classroom",),
        ),
        _o("china_escalation_level", "China's escalation level (0-3)", "level", "count", "last"),
        _o("china_mining_quota_t_yr", "China's mining quota", "t REO/yr", "tonnes", "last"),
        _o("china_separation_quota_t_yr", "China's separation quota", "t REO/yr", "tonnes", "last"),
        _o("china_mine_t", "China's mine output", "t REO/month", "tonnes", "sum"),
        _o("china_ore_stock_t", "Unprocessed ore in China", "t REO", "tonnes", "last"),
        _o("us_mine_share", "US share of world mining", "share", "share", "mean"),
        _o("china_magnet_t", "China's magnet output", "t NdFeB/month", "tonnes", "sum"),
        _o("nonchina_magnet_t", "Magnet output outside China", "t NdFeB/month", "tonnes", "sum"),
        _o("magnet_delivered_t", "Magnets delivered to buyers", "t NdFeB/month", "tonnes", "sum"),
        _o("magnet_re_demand_t", "Rare earths in magnet demand", "t/month", "tonnes", "sum"),
        _o(
            "us_net_import_reliance",
            "US net import reliance for separated NdPr",
            "share",
            "share",
            "mean",
            ("classroom",),
        ),
        _o("magnet_shortage_t", "Magnets buyers could not get", "t NdFeB/month", "tonnes", "sum", ("classroom",)),
        _o("substitution_share", "Demand substituted away from NdFeB", "share", "share", "mean"),
        _o("oxide_china_to_exchina_t", "NdPr oxide from China's pool to the rest", "t NdPr/month", "tonnes", "sum"),
        _o(
            "oxide_exchina_to_china_t",
            "NdPr oxide from outside China into China's pool",
            "t NdPr/month",
            "tonnes",
            "sum",
        ),
        _o("lynas_licence_valid", "Lynas Malaysia holds a valid licence", "0/1", "flag", "last"),
        _o("lynas_licence_years_left", "Years left on Lynas' licence", "years", "number", "last"),
        _o("lynas_cash_usd_m", "Lynas' cash", "USD m", "usd_m", "last", ("classroom",)),
        _o("jslink_cash_usd_m", "JS Link's cash", "USD m", "usd_m", "last", ("classroom",)),
        _o("raw_ore_ban", "Malaysia's raw-ore export ban in force", "0/1", "flag", "last"),
        _o(
            "us_excludes_malaysia",
            "Malaysian material excluded from US defence and subsidy chains",
            "0/1",
            "flag",
            "last",
        ),
        _o("china_restricts_malaysia", "China restricts export licences to Malaysia", "0/1", "flag", "last"),
        _o("replaying", "History is replayed this month", "0/1", "flag", "last"),
        _o("mass_balance_error_t", "Largest mass-balance residual since the start", "t", "tonnes", "last"),
    )
    + tuple(
        _o(
            f"malaysia_{good}_exports_{bloc}_t",
            f"Malaysia's {word} exports to {BLOC_WORDS[bloc]}",
            f"t {unit}/month",
            "tonnes",
            "sum",
        )
        for good, word, unit in (("oxide", "NdPr oxide", "NdPr"), ("magnet", "magnet", "NdFeB"))
        for bloc in EXPORT_BLOCS
    )
    + tuple(
        _o(f"demand_{segment}_t", f"Magnet demand: {segment.replace('_', ' ')}", "t NdFeB/month", "tonnes", "sum")
        for segment in SEGMENTS
    )
)

OUTPUTS: dict[str, Output] = {item.name: item for item in _CONTRACT + _EXTRA}
CONTRACT_COLUMNS: tuple[str, ...] = tuple(item.name for item in _CONTRACT)
EXTRA_COLUMNS: tuple[str, ...] = tuple(item.name for item in _EXTRA)
COLUMNS: tuple[str, ...] = CONTRACT_COLUMNS + EXTRA_COLUMNS


def in_view(view: str) -> list[Output]:
    """The outputs a front end shows by default, in column order."""
    return [item for item in OUTPUTS.values() if view in item.views]


def format_value(output: Output | str, value: float) -> str:
    """A monthly or yearly value as people read it (1.2 %, US$12/kg, US$3 m, 1,234 t, +0.12)."""
    item = OUTPUTS[output] if isinstance(output, str) else output
    kind = item.kind
    if kind == "share":
        return f"{value:.1%}"
    if kind == "signed":
        return f"{value:+.2f}"
    if kind in ("count", "tick"):
        return f"{value:,.0f}"
    if kind == "usd":
        return f"US${value / 1e6:,.0f} m"
    if kind == "usd_m":
        return f"US${value:,.0f} m"
    if kind == "tonnes":
        return f"{value:,.0f} t"
    if kind == "usd_kg":
        return f"US${value:,.0f}/kg"
    if kind == "flag":
        return "yes" if value else "no"
    if kind == "ratio":
        return f"{value:.2f}x"
    return f"{value:g}"
