"""What a page shows when something fails on the server: one clear line and a way on, never a
traceback or a server path. The traceback goes to the server's log (logger
``magnetdiplomacy.classroom``), where whoever runs the class can find it.

* :func:`ErrorBoundary` - wraps every page (see :func:`.common.Layout`): an error while drawing the
  page or in a click handler replaces the page by a message with a **Try again** button;
* :func:`SafeDownload` - a download button whose file is made when clicked; if making it fails, a
  line under the button says so and the button works again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from html import escape

import solara
import solara.widgets
from solara.components.file_download import FileDownloadWidget

logger = logging.getLogger("magnetdiplomacy.classroom")

PAGE_FAILED = (
    "Something went wrong on the server and this page could not be shown. Nothing you did is lost: press Try "
    "again, or reload the page."
)


def download_failed_text(filename: str) -> str:
    """The line a page shows when a file could not be made."""
    return f"{filename} could not be made (the details are in the server log). Click the button to try again."


def _line(text: str, *classes: str):
    """A message on the page (escaped: file names come from names people typed)."""
    return solara.widgets.HTML.element(
        tag="div",
        unsafe_innerHTML=escape(text),
        attributes={"class": " ".join(("cr-error", *classes)), "role": "alert"},
    )


@solara.component
def ErrorBoundary(children: Sequence[solara.Element] = ()):
    """Its children, or, if drawing them (or one of their click handlers) fails, a one-line message
    and a **Try again** button that draws them again."""
    exception, clear = solara.use_exception()

    def log() -> None:
        if exception is not None:
            logger.error("A classroom page failed: %r", exception, exc_info=exception)

    solara.use_effect(log, [exception])
    if exception is None:
        return children[0] if len(children) == 1 else solara.Column(children=list(children), gap="0px")
    with solara.Column(gap="6px", classes=["cr-card", "cr-page-error"]):
        _line(PAGE_FAILED)
        solara.Button("Try again", icon_name="mdi-refresh", on_click=clear, classes=["cr-try-again"])


@solara.component
def SafeDownload(make: Callable[[], bytes], filename: str, mime_type: str, label: str, css: str):
    """A download button (``label``, CSS class ``css``): ``make`` runs in a thread when it is clicked
    and the browser saves what it returns as ``filename``. If ``make`` raises, the error and its
    traceback go to the log, a line under the button says the file could not be made, and the next
    click tries again."""
    requested, set_requested = solara.use_state(False)
    failed, set_failed = solara.use_state(False)

    def work() -> bytes | None:
        if not requested:
            return None
        try:
            data = make()
        except Exception:
            logger.exception("Could not make the download %s", filename)
            set_failed(True)
            set_requested(False)  # the browser waits for bytes that will not come: let the next click ask again
            return None
        set_failed(False)
        return data

    result = solara.use_thread(work, dependencies=[requested])
    done = result.state == solara.ResultState.FINISHED and result.value is not None
    running = requested and result.state == solara.ResultState.RUNNING
    with solara.Column(gap="2px"):
        FileDownloadWidget.element(
            filename=filename,
            bytes=result.value if done and requested else None,
            request_download=requested,
            on_request_download=set_requested,
            children=[
                solara.Button(
                    label, icon_name="mdi-download", outlined=True, small=True, classes=[css], loading=running
                )
            ],
            mime_type=mime_type,
        )
        if failed:
            _line(download_failed_text(filename), "cr-download-error")
