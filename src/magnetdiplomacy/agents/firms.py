"""Firms: Lynas, JS Link and the other producers (MP Materials, Japanese and other magnet makers,
rest-of-world miners and separators, and new non-China projects).

Firms own plants (see :mod:`magnetdiplomacy.mechanisms.chain`). Monthly output is set by the
model's production phase from capacity, licences, feed and orders; a firm's ``step`` makes the
slower decisions: expansions, relocation, offtake ties, utilisation against margins.
"""

from __future__ import annotations

import mesa


class Firm(mesa.Agent):
    """A producer owning one or more plants."""

    name = "firm"
    seat = ""

    @property
    def player(self) -> bool:
        """True when a person, not this firm's rule, makes its investment decisions."""
        return bool(self.seat) and self.model.player_controls(self.seat)

    def __init__(self, model, name: str, plants: list[str]) -> None:
        super().__init__(model)
        self.name = name
        self.plant_names = plants
        self.cash_usd_m = 0.0

    @property
    def plants(self):
        return [self.model.plants[name] for name in self.plant_names if name in self.model.plants]

    def step(self) -> None:
        """Market producers invest when their magnet plants run tight."""
        for plant in self.plants:
            if plant.stage == "magnet":
                self.model.invest_if_tight(plant)


class Lynas(Firm):
    """Mt Weld, Kalgoorlie and Kuantan: output within its licence, expansion, relocation, offtake."""

    EXPANSION_T_YR = 2_000.0
    EXPANSION_CAPEX_USD_M = 150.0
    seat = "lynas"

    def __init__(self, model) -> None:
        super().__init__(model, "Lynas", ["mt_weld", "lynas_malaysia", "lynas_heavy", "lynas_relocated"])
        self.cash_usd_m = model.config.lynas.cash_initial_usd_m
        self.relocating_since: int | None = None
        self.last_expansion = -(10**6)
        self.raised_equity = False

    def step(self) -> None:
        model = self.model
        cfg = model.config.lynas
        licence = model.licence
        if not licence.valid:
            self._licence_lost()
        elif self.relocating_since is not None and model.plants["lynas_malaysia"].closed_from is not None:
            model.plants["lynas_malaysia"].closed_from = None
            model.log_event(self.name, "Lynas Malaysia", "licence", "Licence restored: Kuantan restarts", source="agent")
        if not self.raised_equity and model.tick >= model.tick_at("2025-09"):
            self.raised_equity = True
            self.cash_usd_m += cfg.equity_raise_usd_m
        if model.replaying or self.player:
            return
        self._expand()
        self._offtake_with_jslink()

    def _licence_lost(self) -> None:
        model = self.model
        plant = model.plants["lynas_malaysia"]
        capacity = plant.planned_t_yr(model.tick)
        if plant.closed_from is None:
            plant.closed_from = model.tick
            for partner in ("JS Link", "Kelantan MB Inc"):
                model.break_tie(self.name, partner, "supply")
            model.log_event(self.name, "Lynas Malaysia", "licence", "No valid licence: Kuantan separation stops", source="agent")
        if self.relocation_possible and self.relocating_since is None:
            self.relocating_since = model.tick
            relocated = model.plants["lynas_relocated"]
            relocated.start = model.tick + int(round(model.config.lynas.relocation_years * 12))
            relocated.nameplate_t_yr = capacity
            relocated.ramp_months = 12
            model.log_event(self.name, "Lynas", "investment", f"Lynas starts rebuilding separation outside Malaysia (online {model.label_of(relocated.start)})", source="agent")

    @property
    def relocation_possible(self) -> bool:
        return self.cash_usd_m > 0

    def _expand(self) -> None:
        """Expand Kuantan when the licence is long, margins are fat, feed is there and cash allows."""
        model = self.model
        licence = model.licence
        plant = model.plants["lynas_malaysia"]
        if not licence.valid or licence.years_left < 5 or model.tick - self.last_expansion < 36:
            return
        price = max(model.price_average("ndpr_exchina", 12), model.controls.price_floor("Lynas Malaysia", model.tick))
        if price < 1.6 * model.config.market.separation_cost_usd_kg or self.cash_usd_m < self.EXPANSION_CAPEX_USD_M or plant.utilisation < 0.85:
            return
        self.expand()

    def expand(self) -> str:
        """Add 2,000 t/yr NdPr at Kuantan (with Mt Weld and Kalgoorlie) in two years, paid from cash."""
        model = self.model
        plant = model.plants["lynas_malaysia"]
        if not model.licence.valid:
            return "Lynas cannot expand Kuantan without a valid licence"
        if self.cash_usd_m < self.EXPANSION_CAPEX_USD_M:
            return f"Lynas lacks the cash to expand (USD {self.cash_usd_m:,.0f} m of {self.EXPANSION_CAPEX_USD_M:,.0f} m)"
        self.last_expansion = model.tick
        self.cash_usd_m -= self.EXPANSION_CAPEX_USD_M
        plant.add_capacity(model.tick + 24, self.EXPANSION_T_YR, 12)
        mine = model.plants["mt_weld"]
        mine.add_capacity(model.tick + 24, self.EXPANSION_T_YR / (mine.grade * model.config.separation.recovery), 12)
        model.plants["kalgoorlie"].add_capacity(model.tick + 24, self.EXPANSION_T_YR, 12)
        text = f"Lynas expands Kuantan by {self.EXPANSION_T_YR:,.0f} t/yr NdPr (online {model.label_of(model.tick + 24)})"
        if not self.player:
            model.log_event(self.name, "Lynas Malaysia", "investment", text, source="agent")
        return text

    def _offtake_with_jslink(self) -> None:
        model = self.model
        jslink = model.plants["jslink_magnets"]
        if model.licence.valid and model.tick >= jslink.start - 12 and not model.partnerships.has(self.name, "JS Link", "supply"):
            model.form_tie(self.name, "JS Link", "supply", note="Lynas supplies NdPr and Dy/Tb to JS Link")
            model.log_event(self.name, "JS Link", "partnership", "Lynas and JS Link sign a feedstock offtake", source="agent")

    def account(self, revenue_usd: float, ndpr_t: float) -> None:
        """Monthly cash: sales minus cash cost."""
        cost = ndpr_t * 1000.0 * self.model.config.market.separation_cost_usd_kg
        self.cash_usd_m += (revenue_usd - cost) / 1e6


class JSLink(Firm):
    """The Kuantan magnet plant: ramp with Malaysia's know-how, feedstock, expansion with a partner."""

    seat = "jslink"

    def __init__(self, model) -> None:
        super().__init__(model, "JS Link", ["jslink_magnets"])
        self.expanded = False
        self.full_months = 0

    def step(self) -> None:
        model = self.model
        plant = model.plants["jslink_magnets"]
        # Know-how shortens the ramp: at 10% local know-how it takes the configured months.
        capability = model.malaysia.capability
        plant.ramp_months = model.config.jslink.ramp_months * (1.2 - capability) / 1.1
        if plant.capacity_t(model.tick) <= 0:
            return
        self.full_months = self.full_months + 1 if plant.utilisation > 0.9 else 0
        cfg = model.config.jslink
        extra = cfg.expansion_t_yr
        capex = cfg.capex_usd_m * extra / cfg.capacity_t_yr
        if not self.expanded and extra > 0 and self.full_months >= 12 and (self.financed or self.cash_usd_m >= capex) and not model.replaying and not self.player:
            model.log_event(self.name, "JS Link Kuantan plant", "investment", self.expand(), source="agent")

    @property
    def financed(self) -> bool:
        """A partner has committed to finance an expansion (US, Korean or Chinese investment)."""
        ties = self.model.partnerships
        return ties.has("United States", "JS Link", "investment") or ties.has("Korea", "Malaysia", "investment") or ties.has("China", "Malaysia", "investment")

    def expand(self) -> str:
        """Add a second line (jslink.expansion_t_yr) in two years, with partner finance or own cash."""
        model = self.model
        cfg = model.config.jslink
        extra = cfg.expansion_t_yr
        capex = cfg.capex_usd_m * extra / cfg.capacity_t_yr
        if self.expanded:
            return "JS Link has already added its second line"
        if not self.financed and self.cash_usd_m < capex:
            return f"JS Link lacks finance for a second line (cash USD {self.cash_usd_m:,.0f} m of {capex:,.0f} m, no partner)"
        self.expanded = True
        if not self.financed:
            self.cash_usd_m -= capex
        model.plants["jslink_magnets"].add_capacity(model.tick + 24, extra, 12)
        funding = "partner finance" if self.financed else "its own cash"
        return f"JS Link expands by {extra:,.0f} t/yr with {funding} (online {model.label_of(model.tick + 24)})"

    def account(self, sold_t: float, price_usd_kg: float, unit_cost_usd_kg: float) -> None:
        """Monthly cash from magnet sales: the plant's own investment is financed separately."""
        self.cash_usd_m += sold_t * 1000.0 * (price_usd_kg - unit_cost_usd_kg) / 1e6


class NewProjects(Firm):
    """New non-China mines and separation, started when the ex-China price stays high."""

    def __init__(self, model) -> None:
        super().__init__(model, "New non-China projects", ["new_mines", "new_separation"])

    def step(self) -> None:
        model = self.model
        cfg = model.config.mines
        if model.month != 1 or model.tick == 0:
            return
        trigger = cfg.new_supply_price_trigger * model.config.market.ndpr_price_usd_kg
        if model.price_average("ndpr_exchina", 12) < trigger:
            return
        lag = int(round(cfg.new_supply_lag_years * 12)) + (12 if model.controls.equipment_control(model.tick) else 0)
        extra_ndpr = cfg.new_supply_share_per_year * model.world_oxide_t_yr
        if extra_ndpr <= 0:
            return
        separation = model.plants["new_separation"]
        mine = model.plants["new_mines"]
        separation.add_capacity(model.tick + lag, extra_ndpr, 24)
        mine.add_capacity(model.tick + lag, extra_ndpr / (mine.grade * model.config.separation.recovery), 24)
        model.log_event(self.name, "World", "investment", f"New non-China mine and separation projects: +{extra_ndpr:,.0f} t/yr NdPr from {model.label_of(model.tick + lag)}", source="agent")
