"""Downloads: the run so far (time series and events as CSV and Parquet, with its manifest) and
every chart as PNG."""

from __future__ import annotations

import solara

from .panels import CHARTS, PNG_WIDTH, png_of
from .session import Session
from .state import AppState

CHART_NAMES = {
    "alignment": "Alignment",
    "shares": "Market shares",
    "prices": "Prices",
    "production": "Production (magnets)",
    "network": "Partnership network",
    "flows": "Material flows",
}


def summary_html(session: Session) -> str:
    return (
        f"Files hold the run so far (<i>{session.scenario_name}</i>, seed {session.seed}, up to the month shown "
        "above); they are made when you click."
    )


def files(session: Session) -> list[tuple[str, str, str, object]]:
    """(label, file name, mime type, callable returning bytes) for each download."""
    stem = f"{session.scenario_name}_s{session.seed}"
    return [
        (
            "Run folder (.zip): everything below in the CLI's run-folder layout",
            f"{stem}.zip",
            "application/zip",
            session.run_folder_zip,
        ),
        ("Time series (CSV)", f"{stem}_timeseries.csv", "text/csv", session.timeseries_csv),
        ("Time series (Parquet)", f"{stem}_timeseries.parquet", "application/octet-stream", session.timeseries_parquet),
        ("Events (CSV)", f"{stem}_events.csv", "text/csv", session.events_csv),
        ("Events (Parquet)", f"{stem}_events.parquet", "application/octet-stream", session.events_parquet),
        (
            "Manifest (JSON): scenario, seed, parameters, interventions, versions",
            f"{stem}_manifest.json",
            "application/json",
            session.manifest_json,
        ),
    ]


@solara.component
def DownloadPanel(state: AppState):
    _ = state.version.value  # re-render when the run changes
    session = state.session
    solara.HTML(tag="div", unsafe_innerHTML=summary_html(session), classes=["md-help"])
    with solara.Div(classes=["md-downloads"]):
        for label, filename, mime, make in files(session):
            with solara.Row(style={"align-items": "center"}, gap="8px"):
                solara.FileDownload(
                    make,
                    filename=filename,
                    mime_type=mime,
                    children=[
                        solara.Button(
                            filename, icon_name="mdi-download", outlined=True, small=True, classes=["md-download"]
                        )
                    ],
                )
                solara.Text(label, classes=["md-help"])
    solara.Markdown(f"**Charts as PNG**, at least {PNG_WIDTH:,} pixels wide (also under each chart)")
    with solara.Row(style={"flex-wrap": "wrap"}, gap="6px"):
        for key in CHARTS:
            solara.FileDownload(
                png_of(session, key),
                filename=f"{key}.png",
                mime_type="image/png",
                children=[
                    solara.Button(
                        f"{CHART_NAMES[key]}",
                        icon_name="mdi-image-outline",
                        outlined=True,
                        small=True,
                        classes=["md-download-png"],
                    )
                ],
            )
