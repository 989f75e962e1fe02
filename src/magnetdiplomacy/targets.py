"""Malaysia's published targets for its rare-earth industry, declared once.

The browser app's indicators and charts and the classroom's scoring all measure Malaysia against
these: 15% of the magnets made outside China, US$500 million of rare-earth exports a year and
2,000 direct jobs by 2030, while staying non-aligned (alignment within ±0.25 on the scale from −1,
China's side, to +1, the US side).
"""

SHARE_TARGET = 0.15  # Malaysia's share of non-China magnet output
EXPORT_TARGET_USD = 500e6  # rare-earth exports per year
JOBS_TARGET = 2_000  # direct jobs in the industry
ALIGNMENT_BAND = 0.25  # |alignment| at most this counts as non-aligned
TARGET_YEAR = 2030

# The same targets as people read them ("15%", "US$500 m", "2,000").
SHARE_TEXT = f"{SHARE_TARGET:.0%}"
EXPORT_TEXT = f"US${EXPORT_TARGET_USD / 1e6:,.0f} m"
EXPORT_TEXT_LONG = f"US${EXPORT_TARGET_USD / 1e6:,.0f} million"
JOBS_TEXT = f"{JOBS_TARGET:,}"
