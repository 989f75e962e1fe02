"""The browser app's components (served by ``app.py`` at the repository root).

``session`` (one model per browser tab), ``charts``/``network``/``flows`` (what is drawn, as
chart descriptions of :mod:`magnetdiplomacy.charts`: SVG on the page, PNG for downloads),
``indicators`` (headline tiles), ``levers``/``actions`` (controls read from the parameter and action
declarations) and the Solara components in ``controls``, ``interventions_panel``, ``panels``,
``downloads``, ``about`` and ``page``.
"""
