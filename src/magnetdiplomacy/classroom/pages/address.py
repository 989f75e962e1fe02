"""The browser a page runs in, and replacing a page's address without leaving it in the history.

Solara's ``router.push`` adds the new address to the browser's history (``history.pushState``),
so an address holding a secret (an old ``?k=`` or ``?t=`` link) would stay one *Back* away.
:func:`ReplaceAddress` swaps the current history entry for the clean address in the browser
(``history.replaceState``) and only then tells Solara's router, which finds the browser already
there and pushes nothing.
"""

from __future__ import annotations

import ipyvuetify
import solara
import traitlets

REPLACE_SCRIPT = """
<template><span class="cr-replace-address" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.go(this.address);
  },
  watch: {
    address(value) {
      this.go(value);
    },
  },
  methods: {
    go(address) {
      if (!address) {
        return;
      }
      const url = new URL(address, window.location.origin + (window.solara ? solara.rootPath : ""));
      window.history.replaceState(window.history.state, "", url.pathname + url.search);
      if (window.solara && window.solara.router && window.solara.router.push) {
        window.solara.router.push(url.pathname + url.search);
      }
    },
  },
};
</script>
"""


class ReplaceAddressWidget(ipyvuetify.VuetifyTemplate):
    """Replaces the page's address (see the module docstring)."""

    template = traitlets.Unicode(REPLACE_SCRIPT).tag(sync=True)
    address = traitlets.Unicode("").tag(sync=True)


@solara.component
def ReplaceAddress(address: str):
    """Move the page to ``address`` (a path with its query), replacing the current history entry."""
    return ReplaceAddressWidget.element(address=address)


def browser_session() -> str:
    """This browser's Solara session id (from its ``solara-session-id`` cookie); never shown."""
    return solara.get_session_id()
