"""Charts shared by the browser app and the classroom: one description, drawn as SVG and as PNG.

``figure`` holds the chart description (:class:`~magnetdiplomacy.charts.figure.Chart` and its
items) with :func:`~magnetdiplomacy.charts.figure.to_svg` and :func:`~magnetdiplomacy.charts.figure.to_png`;
``overlays`` what time charts draw over their lines to explain them (event markers under the plot
and month-wide hover columns); ``svg`` the SVG fragments the items are written with; ``palette``
the colours and names.
"""
