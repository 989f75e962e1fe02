"""Colours: the Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies. Where two things must be told apart, line style or marker shape differs too."""

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"

US_SIDE = BLUE
CHINA_SIDE = VERMILLION
US_SIDE_LIGHT = "#d9eaf5"
CHINA_SIDE_LIGHT = "#f8e3d4"

COUNTRY_COLORS = {
    "china": VERMILLION,
    "malaysia": GREEN,
    "australia": ORANGE,
    "united_states": BLUE,
    "japan": PURPLE,
    "europe": SKY_BLUE,
    "myanmar": YELLOW,
    "rest_of_world": GREY,
}

COUNTRY_NAMES = {
    "china": "China",
    "malaysia": "Malaysia",
    "australia": "Australia",
    "united_states": "United States",
    "japan": "Japan",
    "europe": "Europe",
    "myanmar": "Myanmar",
    "rest_of_world": "Rest of world",
    "japan_korea": "Japan & Korea",
    "southeast_asia": "Southeast Asia",
    "other uses": "Other uses",
}

REGION_COLORS = {
    "china": VERMILLION,
    "united_states": BLUE,
    "europe": SKY_BLUE,
    "japan_korea": PURPLE,
    "southeast_asia": GREEN,
    "rest_of_world": GREY,
    "japan": PURPLE,
    "malaysia": GREEN,
    "australia": ORANGE,
    "myanmar": YELLOW,
    "other uses": "#666666",
}

# Partnership ties: colour and line style both differ.
TIE_STYLES = {
    "supply": (ORANGE, None, "supply or offtake"),
    "technology": (PURPLE, "dash", "technology transfer"),
    "investment": (GREEN, "dashdot", "investment or joint venture"),
    "mou": (BLACK, "dot", "government agreement (MoU)"),
}


def country_name(key: str) -> str:
    return COUNTRY_NAMES.get(key, key.replace("_", " ").capitalize())


def bloc_color(bloc: float, malaysian: bool) -> str:
    """Fill colour of an actor in the partnership network."""
    if malaysian:
        return YELLOW
    if bloc <= -0.75:
        return CHINA_SIDE
    if bloc >= 0.75:
        return US_SIDE
    if bloc > 0:
        return SKY_BLUE
    if bloc < 0:
        return ORANGE
    return GREY
