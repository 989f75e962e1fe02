"""The page: side panel of controls, headline indicators, tabs of charts, scorecard, log, downloads and about."""

from __future__ import annotations

import solara
import solara.lab

from .about import AboutPanel
from .controls import LeverPanel, RunControls, ScenarioPicker, SeedInput
from .downloads import DownloadPanel
from .interventions_panel import InterventionPanel
from .panels import ChartGrid, EventLog, HeadlineView
from .scorecard import ScorecardView
from .state import use_app_state
from .style import CSS

TITLE = "Magnet diplomacy: Malaysia in the rare-earth magnet race"


def configure_server() -> None:
    """Server settings for this app: page title, no banner, no usage statistics (works offline).

    ``solara run`` reads its settings before it imports the app, so they are set here as well as
    through the environment.
    """
    from solara.server import settings

    settings.theme.title = "Magnet diplomacy"
    settings.theme.show_banner = False
    settings.telemetry.mixpanel_enable = False


@solara.component
def Message(state):
    if state.message.value:
        solara.HTML(tag="div", unsafe_innerHTML=state.message.value, classes=["md-message"])


@solara.component
def Page():
    state = use_app_state()
    tab = solara.use_reactive(0)
    solara.Title("Magnet diplomacy")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        with solara.Column(gap="4px", classes=["md-side"]):
            with solara.Card("Scenario", margin=0, classes=["md-side-card"]):
                ScenarioPicker(state)
                SeedInput(state)
            with solara.Card("Run", margin=0, classes=["md-side-card"]):
                RunControls(state)
                Message(state)
            with solara.Card("Live interventions", margin=0, classes=["md-side-card"]):
                InterventionPanel(state)
            with solara.Card("Policy levers", margin=0, classes=["md-side-card"]):
                LeverPanel(state)
    with solara.Column(gap="6px", classes=["md-main"]):
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab("Alignment & shares"):
                ChartGrid(state, ["alignment", "shares"])
            with solara.lab.Tab("Scorecard"):
                ScorecardView(state)
            with solara.lab.Tab("Prices & production"):
                ChartGrid(state, ["prices", "production"])
            with solara.lab.Tab("Network & flows"):
                ChartGrid(state, ["network", "flows"])
            with solara.lab.Tab("Event log"):
                EventLog(state)
            with solara.lab.Tab("Downloads"):
                HeadlineView(state, "downloads")
                DownloadPanel(state)
            with solara.lab.Tab("About this model"):
                HeadlineView(state, "about")
                AboutPanel()
