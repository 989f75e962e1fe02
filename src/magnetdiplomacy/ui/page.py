"""The page: side panel of controls, headline indicators, tabs of charts, scorecard, log, downloads and about."""

from __future__ import annotations

import os

import solara
import solara.lab

from .about import AboutPanel
from .controls import LeverPanel, RunControls, ScenarioPicker, SeedInput
from .downloads import DownloadPanel
from .ensemble import use_ensemble
from .interventions_panel import InterventionPanel
from .panels import ChartGrid, EventLog, HeadlineView
from .scorecard import ScorecardView
from .state import TabScript, use_app_state
from .style import CSS
from .why import WhyView

TITLE = "Magnet diplomacy: Malaysia in the rare-earth magnet race"
# Where Solara's asset proxy would fetch a file solara-assets lacks: a closed port of this machine.
OFFLINE_CDN = "http://127.0.0.1:9/npm/"


def configure_server() -> None:
    """Server settings for this app: page title, no banner, no usage statistics, nothing fetched
    from outside this machine.

    ``solara run`` reads its settings before it imports the app, so they are set here as well as
    through the environment. Solara's asset proxy (``SOLARA_ASSETS_PROXY``, on by default) serves
    the browser's scripts, styles and fonts from the ``solara-assets`` package; for a file missing
    there it would ask ``SOLARA_ASSETS_CDN`` (a public CDN by default). Unless that variable is
    set, the CDN is pointed at a closed port of this machine, so a missing file is a 404 and a
    "Could not load URL" line in the server log, never a request to another host.
    """
    from solara import settings as solara_settings
    from solara.server import settings

    settings.theme.title = "Magnet diplomacy"
    settings.theme.show_banner = False
    settings.telemetry.mixpanel_enable = False
    if solara_settings.assets.proxy and not os.environ.get("SOLARA_ASSETS_CDN"):
        solara_settings.assets.cdn = OFFLINE_CDN


@solara.component
def Message(state):
    if state.message.value:
        solara.HTML(tag="div", unsafe_innerHTML=state.message.value, classes=["md-message"])


@solara.component
def Page():
    state = use_app_state()
    use_ensemble(state)  # seed bands computed in the background (see ensemble.py)
    tab = solara.use_reactive(0)
    solara.Title("Magnet diplomacy")
    solara.Style(CSS)
    TabScript(state)
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
            with solara.lab.Tab("Why it moved"):
                WhyView(state)
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
