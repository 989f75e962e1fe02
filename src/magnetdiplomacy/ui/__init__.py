"""The browser app's components (served by ``app.py`` at the repository root).

``session`` (one model per browser tab), ``figure`` (charts drawn as SVG on the page and as PNG
for downloads), ``charts``/``network``/``flows`` (what is drawn), ``indicators`` (headline tiles),
``levers``/``actions`` (controls read from the parameter and action declarations) and the Solara
components in ``controls``, ``interventions_panel``, ``panels``, ``downloads``, ``about`` and ``page``.
"""
