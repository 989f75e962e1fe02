"""Charts shared by the browser app and the classroom: one description, drawn as SVG and as PNG.

``figure`` holds the chart description (:class:`~magnetdiplomacy.charts.figure.Chart` and its
items) with :func:`~magnetdiplomacy.charts.figure.to_svg` and :func:`~magnetdiplomacy.charts.figure.to_png`;
``svg`` the SVG fragments the items are written with; ``palette`` the colours and names.
"""
