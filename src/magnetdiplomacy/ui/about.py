"""The "About this model" panel, written for a student (in the manner of NetLogo's Info tab)."""

from __future__ import annotations

import solara

ABOUT = """
### What is it?

Almost every electric car motor, wind turbine and hard drive needs **rare-earth magnets**
(NdFeB magnets, made with the metals neodymium and praseodymium, "NdPr"). China mines most of
the world's rare earths, separates about 85% of the oxide and makes almost 9 in 10 of the magnets.
The United States and its partners want other sources; China can restrict what it exports.

**Malaysia** sits in the middle. The Lynas plant in Kuantan is the largest rare-earth separation
plant outside China, a new magnet plant (JS Link) is being built, and Malaysia has its own ore.
It trades with both the US and China and does not want to pick a side. This model asks: month by
month from 2020 to 2035, how much of the magnet business does Malaysia win, and which way does it
lean?

### How it works

* One **step** is one month. Up to March 2026 the model replays what really happened (quotas,
  export controls, tariffs, licences) from a sourced timeline. After that the agents decide.
* **Agents**: the United States, China and Malaysia (governments); firms such as Lynas, JS Link,
  MP Materials and Japanese magnet makers; and a few hundred **magnet buyers** (car makers, wind
  and electronics firms, the defence industry) in six regions.
* Every month ore is **mined**, shipped and **separated** into NdPr oxide, the oxide is made into
  **magnets**, and buyers order magnets from the supplier with the lowest cost, counting tariffs and
  the risk that supply stops.
* **Prices come from costs and stocks.** Every separation plant has a cash cost and a full cost
  (cash plus what its capital costs). With normal stocks the oxide price sits at the full cost of
  the dearest plant the market needs; when stocks pile up it falls towards that plant's cash cost
  and plants that lose money cut output, then close; when stocks run down it climbs steeply. A high
  price starts new mines, but they take about five years: a price spike today is tomorrow's glut.
  When China's export licences bite, prices inside and outside China split apart. A US price floor
  changes what its holder (MP Materials, or Lynas if the US extends it) is paid, not the market price.
* **China** sets mining quotas and can tighten export licences when relations with the US sour,
  unless the US's answer (higher tariffs on China) would cost it more than the controls are worth.
  The **US** raises tariffs on Malaysia if Malaysia leans towards China (and then shuts Malaysian
  material out of its defence and subsidy supply chains) and offers price floors and buying deals if
  it leans its way. Each side courts Malaysia harder after the other has made an offer or put on
  pressure. **Malaysia** counts everything in dollars: an offer's value added, jobs and know-how
  against what it would cost if the other side answered with pressure (a US tariff on all of
  Malaysia's exports to the US, or Chinese licence cuts), and the cost of taking sides. Its
  **lean** is its gestures: it leans towards whichever side's rules would cost it least, often
  against its newest ties. It renews Lynas' licence if the plant is worth more than the opposition
  to it, and keeps the raw-ore ban while it draws refinery investment.
* Malaysia's **alignment** (−1 China, +1 US) is not set by anyone: it is *revealed* by what Malaysia
  does: its partnerships, where its rare earths are sold, and the concessions it makes. Partnerships
  fade unless they are renewed. Others see it with a delay, so the black line moves slowly.

### How to use it

1. Pick a **scenario** (it starts a new run) and, if you like, change the **seed** or the
   **policy levers** in the side panel, then press **Reset** to apply them.
2. Press **Step** to move one month, or **Play** to run (set the speed with the slider) and
   **Pause** to stop.
3. At any moment, choose a **policy event** under *Live interventions* and press **Fire**: it
   happens at the start of the next month. A numbered marker appears on the time charts and a
   row in the **event log**.
4. The tiles at the top show the latest month; the tabs show the charts. **Downloads** gives you
   the data of your run and every chart as a picture.

Every browser tab runs its own model: open two tabs to compare two runs side by side.

### Things to notice

* How fast does the alignment line follow the dotted "revealed" line after something happens?
* When China restricts licences, look at the **prices** tab: the blue (outside China) and
  vermillion (inside China) lines move apart.
* When the NdPr price spikes, are stocks low (months of use)? When do the new mines it triggers
  arrive, and what happens to the price then?
* What does Lynas actually get for its oxide (its *realised* price) compared with the market price?
* Malaysia's share of non-China magnets stays at zero until JS Link's plant starts. Does it ever
  reach the 15% target line?
* In the **network** tab, which ties pull Malaysia towards each side?

### Things to try

* Run the baseline to 2030, then Reset with the same seed and fire *Malaysia accepts the Chinese
  refinery JV* in 2027. Compare alignment, jobs and export revenue with the first run.
* Fire *China suspends magnet export licences* and watch prices and Malaysia's market share.
* Revoke Lynas' licence. What happens to Malaysia's oxide share and jobs?
* Turn the US price floor up or down (lever, then Reset) and see whether Malaysia accepts it.
* Try the scenario *us_pressure*: does a high tariff push Malaysia towards the US or away?
* Change only the seed: which results change a lot, and which hardly move?

### Targets used in the tiles

Malaysia aims for **15% of non-China magnet output**, **US$500 million** of rare-earth export
revenue in **2030** and **2,000 direct jobs by 2030**. The tiles compare the run with these.

### Credits and references

The model, its data sources (each number cites a row of the calibration table) and its full
description (ODD protocol) are in the project's `docs/ODD.md`; the same runs can be made from the
command line with `uv run magnetdiplomacy run`.
"""


@solara.component
def AboutPanel():
    with solara.Div(classes=["md-about"]):
        solara.Markdown(ABOUT)
