"""The browser app: ``uv run solara run app.py``.

Every browser tab gets its own simulation; the components live in ``magnetdiplomacy.ui``.
"""

import os

# Work offline: no usage statistics are sent (set before solara is imported).
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

from magnetdiplomacy.ui.page import Page, configure_server  # noqa: E402

configure_server()

__all__ = ["Page"]
