"""Bad inputs to ``run``, ``compare``, ``describe`` and ``scenarios``, the way a careless or hostile
user would give them: each is refused before any work starts with one line on stderr that names the
file, key or value at fault, exit code 2, no traceback, and nothing written (see tests/bad_inputs.py).

Scenario files that are not UTF-8, nested too deeply, too large once YAML aliases are expanded;
duplicate keys; empty files and names; NaN, infinity and true/false where a number belongs; bands
whose low end is above the high end and negative prices; names the model does not know (a price
floor for "Atlantis", a destination "mars", element "Unobtainium", an event id that does not exist,
an unknown actor); dates that are not real months, intervention dates outside the run; scenario
names that would escape ``runs/``; output folders in /proc, /sys, /dev, on a file or under one;
paths too long; and options the command line itself refuses (one line, not a usage box).

The cases run in parallel (one fresh process each), in a fixture shared by the parametrised test.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from bad_inputs import BadInput, Outcome, check, run_case

S = "s.yaml"
END = ("--end", "2020-03")  # keeps a case short should it ever be accepted
CMP = ("--seeds", "2", "--workers", "0", "--end", "2020-06", "--out", "cmp")


def scenario(body: str = "", name: str = "t") -> str:
    """A scenario file extending the baseline."""
    return f"name: {name}\nextends: baseline\n{body}"


def intervention(date: str, action: str, params: str = "{}") -> str:
    return scenario(f"interventions:\n  - {{date: {date}, action: {action}, params: {params}}}\n")


def file_case(id: str, content: str | bytes, *names: str, args: tuple[str, ...] = END) -> BadInput:
    """``run s.yaml`` with ``content`` as the file."""
    return BadInput(id, ("run", S, *args), {S: content}, names)


def set_case(id: str, assignment: str, *names: str) -> BadInput:
    return BadInput(id, ("run", "baseline", "--set", assignment, *END), {}, names)


def deep_list(levels: int) -> str:
    return "china: " + "[" * levels + "]" * levels + "\n"


def deep_block(levels: int) -> str:
    return "".join("  " * i + "a:\n" for i in range(levels)) + "  " * levels + "b: 1\n"


def laughs_file(levels: int) -> str:
    """YAML aliases that grow ten-fold at each level (the 'billion laughs'), under replay.exclude."""
    parts = ['anchors:\n  - &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels):
        parts.append(f"  - &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(parts) + f"\nname: t\nextends: baseline\nreplay:\n  exclude: *l{levels - 1}\n"


LATIN1 = "name: t\nextends: baseline\ndescription: Malaisie, caf\u00e9 et aimants\n".encode("latin-1")
UTF16_BAD_KEY = "name: t\nextends: baseline\nchina:\n  licence_grant_rat: 0.3\n"
LONG = "a" * 5000
LONGNAME = "b" * 300

FILES = [
    file_case("latin-1 file", LATIN1, S, "UTF-8"),
    file_case("latin-1 in a comment", b"# r\xe9sum\xe9\nname: t\nextends: baseline\n", S, "UTF-8"),
    file_case("cp1252 quote", b"name: t\nextends: baseline\ndescription: \x93quoted\x94\n", S, "UTF-8"),
    file_case("utf-16 without byte-order mark", "name: t\nextends: baseline\n".encode("utf-16-le"), S),
    file_case("utf-16 with a bad key", UTF16_BAD_KEY.encode("utf-16"), S, "china.licence_grant_rat"),
    file_case("utf-32 with a bad key", UTF16_BAD_KEY.encode("utf-32"), S, "china.licence_grant_rat"),
    file_case("utf-8 byte-order mark and a bad key", UTF16_BAD_KEY.encode("utf-8-sig"), S, "china.licence_grant_rat"),
    file_case("binary bytes", bytes(range(256)) * 4, S),
    file_case("png image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), S),
    file_case("gzip archive", b"\x1f\x8b\x08\x00" + bytes(range(200)), S),
    file_case("NUL byte in text", b"name: t\nextends: baseline\x00\n", S),
    file_case("control character", "name: t\nextends: baseline\ndescription: bell\x07\n", S, "line 3"),
    file_case("deep list nesting", deep_list(5000), S, "nested"),
    file_case("deep flow mapping", "china: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", S, "nested"),
    file_case("deep block mapping", deep_block(400), S, "nested"),
    file_case("moderately deep nesting", deep_list(60), S, "nested"),
    file_case("aliases expanding to a million values", laughs_file(6), S, "aliases"),
    file_case("empty file", "", S, "empty"),
    file_case("whitespace only", "   \n\n\t\n", S, "empty"),
    file_case("comments only", "# nothing here\n# at all\n", S, "empty"),
    file_case("document marker only", "---\n...\n", S, "empty"),
    file_case("a list, not a mapping", "- just\n- a list\n", S, "mapping"),
    file_case("a scalar, not a mapping", "hello\n", S, "mapping"),
    file_case("two documents", "name: a\n---\nname: b\n", S),
    file_case("malformed flow", "run: [2020-01\nbuyers: {count: 3", S, "malformed"),
    file_case("tab indentation", "china:\n\tlicence_grant_rate: 0.3\n", S),
    file_case("duplicate top-level key", "name: a\nextends: baseline\nname: b\n", S, "'name'", "line 3"),
    file_case(
        "duplicate nested key",
        scenario("china:\n  licence_grant_rate: 0.3\n  licence_grant_rate: 0.5\n"),
        S,
        "china.licence_grant_rate",
        "line 5",
    ),
    file_case(
        "duplicate section",
        scenario("china:\n  licence_grant_rate: 0.3\nchina:\n  jv_offer_rate_per_year: 0.1\n"),
        "'china'",
    ),
    file_case(
        "duplicate key in flow mapping",
        intervention("2027-01", "us_set_tariff", "{rate: 0.1, rate: 0.2}"),
        S,
        "rate",
        "line 4",
    ),
    file_case(
        "duplicate intervention key",
        scenario("interventions:\n  - {date: 2027-01, date: 2028-01, action: china_escalate}\n"),
        "interventions[0].date",
    ),
    file_case("impossible date in run.end", scenario("run:\n  end: 2021-02-31\n"), S, "2021-02-31"),
    file_case("impossible date in run.start", scenario("run:\n  start: 2020-02-30\n"), S, "2020-02-30"),
    file_case("impossible quoted date", scenario('run:\n  end: "2021-04-31"\n'), S, "2021-04-31"),
    file_case("month 13", scenario("run:\n  end: 2035-13\n"), S, "run.end"),
    file_case("impossible intervention date", intervention("2026-02-30", "china_escalate"), S, "2026-02-30"),
    BadInput(
        "bad file in an extends chain",
        ("run", S, *END),
        {S: "extends: b.yaml\n", "b.yaml": LATIN1},
        ("b.yaml", "UTF-8"),
    ),
]

NUMBERS = [
    file_case("NaN in a band", scenario("economics:\n  ore_usd_kg: [.nan, 4.0]\n"), S, "economics.ore_usd_kg"),
    file_case("infinity in a band", scenario("economics:\n  oxide_usd_kg: [15, .inf]\n"), S, "economics.oxide_usd_kg"),
    file_case("NaN for a rate", scenario("china:\n  licence_grant_rate: .nan\n"), S, "china.licence_grant_rate"),
    file_case("text NaN for a rate", scenario("china:\n  licence_grant_rate: nan\n"), S, "china.licence_grant_rate"),
    file_case("infinity for a stock", scenario("demand:\n  initial_t_yr: .inf\n"), S, "demand.initial_t_yr"),
    file_case("overflow to infinity", scenario("demand:\n  initial_t_yr: 1e400\n"), S, "demand.initial_t_yr"),
    file_case("negative infinity", scenario("market:\n  ndpr_price_usd_kg: -.inf\n"), S, "market.ndpr_price_usd_kg"),
    file_case("negative price band", scenario("economics:\n  ore_usd_kg: [-2.0, 4.0]\n"), S, "economics.ore_usd_kg"),
    file_case("negative magnet price band", scenario("economics:\n  magnet_usd_kg: [-150, -80]\n"), S, "magnet_usd_kg"),
    file_case("negative price", scenario("market:\n  ndpr_price_usd_kg: -3\n"), S, "market.ndpr_price_usd_kg"),
    file_case(
        "band low above high", scenario("economics:\n  oxide_usd_kg: [30.0, 15.0]\n"), S, "economics.oxide_usd_kg"
    ),
    file_case(
        "component band reversed", scenario("economics:\n  component_usd_kg: [500, 200]\n"), S, "component_usd_kg"
    ),
    file_case(
        "negative job multiplier",
        scenario("economics:\n  employment_multipliers: [1, -3, 8, 12]\n"),
        S,
        "employment_multipliers",
    ),
    file_case("band of three", scenario("economics:\n  ore_usd_kg: [1, 2, 3]\n"), S, "economics.ore_usd_kg"),
    file_case("band as text", scenario("economics:\n  ore_usd_kg: cheap\n"), S, "economics.ore_usd_kg"),
    file_case(
        "true for a rate", scenario("china:\n  licence_grant_rate: true\n"), S, "china.licence_grant_rate", "true"
    ),
    file_case("false for a rate", scenario("market:\n  price_adjustment: false\n"), S, "market.price_adjustment"),
    file_case("true for a count", scenario("buyers:\n  count: true\n"), S, "buyers.count"),
    file_case("true for the seed", scenario("run:\n  seed: true\n"), S, "run.seed"),
    file_case("true inside a band", scenario("economics:\n  ore_usd_kg: [true, 4]\n"), S, "economics.ore_usd_kg"),
    file_case(
        "true for a segment share", scenario("demand:\n  segments:\n    defence:\n      share: true\n"), S, "share"
    ),
    file_case("rate out of range", scenario("china:\n  licence_grant_rate: 1.5\n"), S, "[0, 1]"),
    file_case(
        "count far out of range", scenario("buyers:\n  count: 1000000000000000000000000000000\n"), S, "buyers.count"
    ),
    file_case("count with a fraction", scenario("buyers:\n  count: 40.5\n"), S, "buyers.count"),
    file_case(
        "segment shares not summing to one",
        scenario("demand:\n  segments:\n    defence:\n      share: 0.5\n"),
        S,
        "segment",
    ),
    file_case("region shares not summing to one", scenario("demand:\n  regions:\n    china: 0.9\n"), S, "region"),
    set_case("--set NaN for a rate", "china.licence_grant_rate=.nan", "china.licence_grant_rate"),
    set_case("--set text nan", "china.licence_grant_rate=nan", "china.licence_grant_rate"),
    set_case("--set infinity", "demand.initial_t_yr=inf", "demand.initial_t_yr"),
    set_case("--set infinity in a band", "economics.oxide_usd_kg=[15, .inf]", "economics.oxide_usd_kg"),
    set_case("--set reversed band", "economics.magnet_usd_kg=[150, 80]", "economics.magnet_usd_kg"),
    set_case("--set negative band", "economics.ore_usd_kg=[-4, -2]", "economics.ore_usd_kg"),
    set_case("--set true for a rate", "china.licence_grant_rate=true", "china.licence_grant_rate"),
    set_case("--set false for a count", "buyers.count=false", "buyers.count"),
    set_case("--set negative price", "market.ndpr_price_usd_kg=-3", "market.ndpr_price_usd_kg"),
]

INTERVENTIONS = [
    file_case("NaN tariff", intervention("2027-01", "us_set_tariff", "{rate: .nan}"), S, "interventions[0]", "rate"),
    file_case("infinite quota", intervention("2027-01", "china_set_quota", "{mining_t: .inf}"), S, "mining_t"),
    file_case(
        "infinite separation quota",
        intervention("2027-01", "china_set_quota", "{mining_t: 1, separation_t: .inf}"),
        S,
        "separation_t",
    ),
    file_case("NaN quota", intervention("2027-01", "china_set_quota", "{mining_t: .nan}"), S, "mining_t"),
    file_case("infinite tariff change", intervention("2027-01", "us_set_tariff", "{change: .inf}"), S, "change"),
    file_case("NaN concession", intervention("2027-01", "malaysia_concession", "{value: .nan}"), S, "value"),
    file_case("true for a tariff", intervention("2027-01", "us_set_tariff", "{rate: true}"), S, "rate"),
    file_case(
        "false for an incentive", intervention("2027-01", "malaysia_magnet_incentive", "{level: false}"), S, "level"
    ),
    file_case(
        "negative floor price", intervention("2027-01", "us_price_floor", "{floor_usd_kg: -5}"), S, "floor_usd_kg"
    ),
    file_case(
        "price floor for Atlantis", intervention("2027-01", "us_price_floor", "{beneficiary: Atlantis}"), S, "Atlantis"
    ),
    file_case(
        "general licence for mars", intervention("2027-01", "china_general_licence", "{destination: mars}"), S, "mars"
    ),
    file_case(
        "licensing Unobtainium",
        intervention("2027-01", "china_export_licensing", "{elements: [Unobtainium]}"),
        S,
        "Unobtainium",
    ),
    file_case(
        "licensing a product that is not one",
        intervention("2027-01", "china_export_licensing", "{products: [bananas]}"),
        S,
        "bananas",
    ),
    file_case(
        "partnership with an unknown actor",
        intervention("2027-01", "form_partnership", "{a: Atlantis, b: Malaysia, tie: mou}"),
        S,
        "Atlantis",
    ),
    file_case(
        "broken partnership with an unknown actor",
        intervention("2027-01", "break_partnership", "{a: Malaysia, b: Narnia, tie: supply}"),
        S,
        "Narnia",
    ),
    file_case(
        "unknown tie type",
        intervention("2027-01", "form_partnership", "{a: Korea, b: Malaysia, tie: marriage}"),
        S,
        "tie",
    ),
    file_case(
        "extraterritorial rule 'soon'",
        intervention("2027-01", "china_extraterritorial", "{effective: soon}"),
        S,
        "soon",
    ),
    file_case(
        "controls suspended until 'later'",
        intervention("2027-01", "china_suspend_controls", "{announcements: ['61'], until: later}"),
        S,
        "later",
    ),
    file_case(
        "licence until 'never'",
        intervention("2027-01", "malaysia_lynas_licence", "{term_years: 3, until: never}"),
        S,
        "never",
    ),
    file_case(
        "licence start in month 13", intervention("2027-01", "malaysia_lynas_licence", "{start: 2027-13}"), S, "2027-13"
    ),
    file_case(
        "licence with an impossible day",
        intervention("2027-01", "malaysia_lynas_licence", "{until: '2030-02-30'}"),
        S,
        "2030-02-30",
    ),
    file_case("intervention dated 'soon'", intervention("soon", "china_escalate"), S, "soon"),
    file_case("intervention before the run", intervention("2019-06", "china_escalate"), S, "2019-06", "2020-01"),
    file_case("intervention long before the run", intervention("1995-01", "china_escalate"), S, "1995-01", "2020-01"),
    file_case("intervention after the run", intervention("2036-01", "china_escalate"), S, "2036-01", "2035-12"),
    file_case("intervention far after the run", intervention("2099-01", "china_escalate"), S, "2099-01"),
    file_case("unknown action", intervention("2027-01", "invade"), S, "invade"),
    file_case("unknown action parameter", intervention("2027-01", "china_escalate", "{grant: 0.3}"), S, "grant"),
    file_case("unknown offer", intervention("2027-01", "malaysia_decline_offer", "{offer: bribe}"), S, "offer"),
    file_case("tariff on Mars", intervention("2027-01", "us_set_tariff", "{target: Mars, rate: 0.1}"), S, "target"),
    file_case("interventions as a mapping", scenario("interventions: {date: 2027-01}\n"), S, "interventions"),
    file_case("unknown event id", scenario("replay:\n  exclude: [E999]\n"), S, "E999"),
    file_case("event id in lower case", scenario("replay:\n  exclude: [e033]\n"), S, "e033"),
    set_case("--set unknown event id", "replay.exclude=[E033, E0]", "E0"),
    set_case("--set intervention before the run", "interventions=[{date: 2019-01, action: china_escalate}]", "2019-01"),
    set_case(
        "--set intervention for Atlantis",
        "interventions=[{date: 2027-01, action: us_price_floor, params: {beneficiary: Atlantis}}]",
        "Atlantis",
    ),
]

NAMES = [
    file_case("name escaping runs/", scenario(name="../../x"), S, "../../x"),
    file_case("name one level up", scenario(name="../x"), S, "../x"),
    file_case("absolute name", scenario(name="/tmp/elsewhere"), S, "/tmp/elsewhere"),
    file_case("name with a slash", scenario(name="a/b"), S, "a/b"),
    file_case("name '.'", scenario(name="'.'"), S, "name"),
    file_case("name '..'", scenario(name="'..'"), S, "name"),
    file_case("hidden name", scenario(name=".hidden"), S, ".hidden"),
    file_case("empty name", scenario(name="''"), S, "name"),
    file_case("name with a newline", scenario(name='"a\\nb"'), S, "name"),
    file_case("name with a NUL", scenario(name='"a\\0b"'), S, "name"),
    file_case("name too long", scenario(name="n" * 300), S, "name"),
    file_case("name as a number", scenario(name="123"), S, "name"),
    set_case("--set name escaping runs/", "name=../../x", "../../x"),
    BadInput("run ''", ("run", ""), {}, ("empty",)),
    BadInput("run blank", ("run", "   "), {}, ("empty",)),
    BadInput("describe ''", ("describe", ""), {}, ("empty",)),
    BadInput(
        "compare '' with a change", ("compare", "", "--set", "china.licence_grant_rate=0.3", *CMP), {}, ("empty",)
    ),
    BadInput("compare with B ''", ("compare", "baseline", "", *CMP), {}, ("empty",)),
    BadInput("path too long", ("run", LONG + ".yaml"), {}, ("too long",)),
    BadInput("file name too long", ("run", LONGNAME + ".yaml"), {}, ("too long",)),
    BadInput("name too long without suffix", ("run", LONG), {}, ("too long",)),
    BadInput("a folder, not a file", ("run", "folder"), {"folder/x.txt": "x"}, ("folder",)),
    BadInput("a folder named .yaml", ("run", "d.yaml"), {"d.yaml/x.txt": "x"}, ("d.yaml",)),
    BadInput("a device", ("run", "/dev/zero"), {}, ("/dev/zero",)),
    BadInput("missing file", ("run", "no/such.yaml"), {}, ("no/such.yaml",)),
    BadInput("unknown scenario name", ("run", "nonesuch"), {}, ("nonesuch",)),
    BadInput("describe a latin-1 file", ("describe", S), {S: LATIN1}, (S, "UTF-8")),
    BadInput("describe a binary file", ("describe", S), {S: bytes(range(256))}, (S,)),
    BadInput("describe a duplicate key", ("describe", S), {S: "name: a\nname: b\n"}, ("'name'",)),
    BadInput("describe deep nesting", ("describe", S), {S: deep_list(5000)}, ("nested",)),
    BadInput("describe an empty file", ("describe", S), {S: ""}, ("empty",)),
    BadInput("describe a path too long", ("describe", LONG + ".yaml"), {}, ("too long",)),
    BadInput("describe an unsafe name", ("describe", S), {S: scenario(name="../../x")}, ("../../x",)),
    BadInput("describe unknown event id", ("describe", S), {S: scenario("replay:\n  exclude: [E999]\n")}, ("E999",)),
]

DATES = [
    BadInput("--end 2021-02-31", ("run", "baseline", "--end", "2021-02-31"), {}, ("2021-02-31",)),
    BadInput("--end 2021-04-31", ("run", "baseline", "--end", "2021-04-31"), {}, ("2021-04-31",)),
    BadInput("--end 2021-13", ("run", "baseline", "--end", "2021-13"), {}, ("2021-13",)),
    BadInput("--end 2021-00", ("run", "baseline", "--end", "2021-00"), {}, ("2021-00",)),
    BadInput("--end bare year", ("run", "baseline", "--end", "2021"), {}, ("--end 2021", "YYYY-MM")),
    BadInput("--end soon", ("run", "baseline", "--end", "soon"), {}, ("soon",)),
    BadInput("--end empty", ("run", "baseline", "--end", ""), {}, ("--end",)),
    BadInput("--end before the start", ("run", "baseline", "--end", "2019-05"), {}, ("2019-05",)),
    BadInput("--end past 2100", ("run", "baseline", "--end", "2101-01"), {}, ("2101",)),
    BadInput("--end five-digit year", ("run", "baseline", "--end", "20210-01"), {}, ("20210-01",)),
    set_case("--set impossible end", "run.end=2021-02-31", "2021-02-31"),
    set_case("--set month 13 start", "run.start=2019-13", "2019-13"),
    set_case("--set end before start", "run.end=2019-01", "run.end"),
    BadInput(
        "compare --end 2021-02-31",
        ("compare", "baseline", "us_pressure", *CMP[:4], "--end", "2021-02-31", "--out", "cmp"),
        {},
        ("2021-02-31",),
    ),
    BadInput("compare --year outside", ("compare", "baseline", "us_pressure", *CMP, "--year", "1999"), {}, ("1999",)),
]

SETS = [
    set_case("--set without =", "china.licence_grant_rate", "key.path=value"),
    set_case("--set empty", "", "key.path=value"),
    set_case("--set without key", "=3", "key.path=value"),
    set_case("--set unknown key", "china.nope=1", "china.nope"),
    set_case("--set empty path part", "china..licence_grant_rate=0.3", "china"),
    set_case("--set below a number", "china.licence_grant_rate.x=1", "china.licence_grant_rate.x"),
    set_case("--set a section to a number", "china=3", "china"),
    set_case("--set dunder", "__class__=1", "__class__"),
    set_case("--set malformed YAML", "buyers.count=[1", "buyers.count"),
    set_case("--set deep nesting", "china.licence_grant_rate=" + "[" * 3000, "nested"),
    set_case("--set duplicate key", "china={licence_grant_rate: 0.3, licence_grant_rate: 0.4}", "licence_grant_rate"),
    set_case("--set unknown action", "interventions=[{date: 2027-01, action: invade}]", "invade"),
    set_case("--set text for a number", "china.licence_grant_rate=0.3=4", "china.licence_grant_rate"),
    set_case("--set list for a number", "china.licence_grant_rate=[0.3]", "china.licence_grant_rate"),
    set_case("--set negative seed", "run.seed=-1", "run.seed"),
    set_case("--set no buyers", "buyers.count=0", "buyers.count"),
]

OUTPUTS = [
    BadInput("--out in /proc", ("run", "baseline", *END, "--out", "/proc/magnetdiplomacy_run"), {}, ("/proc",)),
    BadInput("--out in /proc/self", ("run", "baseline", *END, "--out", "/proc/self/x"), {}, ("/proc",)),
    BadInput("--out in /sys", ("run", "baseline", *END, "--out", "/sys/magnetdiplomacy_run"), {}, ("/sys",)),
    BadInput("--out /dev/null", ("run", "baseline", *END, "--out", "/dev/null"), {}, ("/dev/null",)),
    BadInput("--out in /dev", ("run", "baseline", *END, "--out", "/dev/magnetdiplomacy_run"), {}, ("/dev",)),
    BadInput("--out an existing file", ("run", "baseline", *END, "--out", "f.txt"), {"f.txt": "mine"}, ("f.txt",)),
    BadInput("--out under a file", ("run", "baseline", *END, "--out", "f.txt/run"), {"f.txt": "mine"}, ("f.txt",)),
    BadInput("--out deep under a file", ("run", "baseline", *END, "--out", "f.txt/a/b"), {"f.txt": "mine"}, ("f.txt",)),
    BadInput(
        "--out a folder that is not empty",
        ("run", "baseline", *END, "--out", "full"),
        {"full/x.txt": "x"},
        ("full", "not empty"),
    ),
    BadInput("--out empty", ("run", "baseline", *END, "--out", ""), {}, ("--out",)),
    BadInput("--out '.'", ("run", "baseline", *END, "--out", "."), {}, ("--out",)),
    BadInput("--out '..'", ("run", "baseline", *END, "--out", ".."), {}, ("--out",)),
    BadInput("--out /", ("run", "baseline", *END, "--out", "/"), {}, ("--out",)),
    BadInput("--out path too long", ("run", "baseline", *END, "--out", LONG), {}, ("too long",)),
    BadInput("--out name too long", ("run", "baseline", *END, "--out", LONGNAME), {}, ("too long",)),
    BadInput("--out with a bad scenario too", ("run", S, "--out", "/proc/x"), {S: LATIN1}, (S,)),
    BadInput(
        "compare --out in /proc",
        ("compare", "baseline", "us_pressure", *CMP[:-1], "/proc/magnetdiplomacy_cmp"),
        {},
        ("/proc",),
    ),
    BadInput(
        "compare --out an existing file",
        ("compare", "baseline", "us_pressure", *CMP[:-1], "f.txt"),
        {"f.txt": "x"},
        ("f.txt",),
    ),
    BadInput(
        "compare --out /dev/null", ("compare", "baseline", "us_pressure", *CMP[:-1], "/dev/null"), {}, ("/dev/null",)
    ),
    BadInput(
        "compare --out under a file",
        ("compare", "baseline", "us_pressure", *CMP[:-1], "f.txt/c"),
        {"f.txt": "x"},
        ("f.txt",),
    ),
]

OPTIONS = [
    BadInput("--seed negative", ("run", "baseline", "--seed", "-1"), {}, ("--seed",)),
    BadInput("--seed not a number", ("run", "baseline", "--seed", "abc"), {}, ("--seed",)),
    BadInput("--seed too large", ("run", "baseline", "--seed", str(2**40)), {}, ("seed",)),
    BadInput("unknown option", ("run", "baseline", "--bogus"), {}, ("--bogus",)),
    BadInput("extra argument", ("run", "baseline", "more"), {}, ("more",)),
    BadInput("--set without a value", ("run", "baseline", "--set"), {}, ("--set",)),
    BadInput(
        "compare --seeds 1", ("compare", "baseline", "us_pressure", "--seeds", "1", "--out", "cmp"), {}, ("--seeds",)
    ),
    BadInput(
        "compare --workers -1",
        ("compare", "baseline", "us_pressure", "--workers", "-1", "--out", "cmp"),
        {},
        ("--workers",),
    ),
    BadInput("compare without --out", ("compare", "baseline", "us_pressure"), {}, ("--out",)),
    BadInput("compare without B or --set", ("compare", "baseline", "--out", "cmp"), {}, ("--set",)),
    BadInput("compare a bad file", ("compare", "baseline", S, *CMP), {S: "name: a\nname: b\n"}, ("'name'",)),
    BadInput(
        "compare with NaN",
        ("compare", "baseline", "--set", "china.licence_grant_rate=.nan", *CMP),
        {},
        ("china.licence_grant_rate",),
    ),
    BadInput(
        "compare with true for a rate",
        ("compare", "baseline", "--set", "china.licence_grant_rate=true", *CMP),
        {},
        ("china.licence_grant_rate",),
    ),
    BadInput(
        "compare scenarios starting apart",
        ("compare", "baseline", S, *CMP),
        {S: scenario("run:\n  start: 2021-01\n")},
        ("start",),
    ),
    BadInput("describe --bogus", ("describe", "baseline", "--bogus"), {}, ("--bogus",)),
    BadInput("describe two scenarios", ("describe", "baseline", "no_history"), {}, ("no_history",)),
    BadInput("scenarios with an argument", ("scenarios", "baseline"), {}, ("baseline",)),
    BadInput("scenarios --bogus", ("scenarios", "--bogus"), {}, ("--bogus",)),
    BadInput("unknown command", ("runn", "baseline"), {}, ("runn",)),
]

CASES = FILES + NUMBERS + INTERVENTIONS + NAMES + DATES + SETS + OUTPUTS + OPTIONS
# The quick suite runs one or two cases of each example of the issue; the rest are marked slow.
QUICK = {
    "latin-1 file", "utf-16 without byte-order mark", "binary bytes", "deep list nesting",
    "aliases expanding to a million values", "empty file", "duplicate nested key", "impossible date in run.end",
    "bad file in an extends chain", "NaN in a band", "infinity for a stock", "negative price band",
    "band low above high", "true for a rate", "--set true for a rate", "--set NaN for a rate", "NaN tariff",
    "infinite quota", "price floor for Atlantis", "general licence for mars", "licensing Unobtainium",
    "partnership with an unknown actor", "extraterritorial rule 'soon'", "intervention before the run",
    "intervention after the run", "unknown event id", "name escaping runs/", "--set name escaping runs/", "run ''",
    "path too long", "describe a latin-1 file", "describe ''", "--end 2021-02-31", "--end bare year",
    "--set deep nesting", "--set duplicate key", "--out in /proc", "--out in /sys", "--out /dev/null",
    "--out an existing file", "--out under a file", "compare --out in /proc", "--seed negative", "unknown option",
    "compare with true for a rate", "scenarios --bogus",
}  # fmt: skip
PARAMS = [pytest.param(case, id=case.id, marks=() if case.id in QUICK else pytest.mark.slow) for case in CASES]


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(CASES) >= 100
    assert len({case.id for case in CASES}) == len(CASES)
    assert QUICK <= {case.id for case in CASES}


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> dict[str, Outcome]:
    """Run the selected cases, in parallel (each in a fresh process and folder)."""
    selected = _selected(request)
    folders = {case.id: tmp_path_factory.mktemp("bad") for case in selected}
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = pool.map(lambda case: (case.id, run_case(case, folders[case.id])), selected)
        return dict(results)


def _selected(request) -> list[BadInput]:
    chosen = set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("case"), BadInput):
            chosen.add(callspec.params["case"].id)
    return [case for case in CASES if case.id in chosen]


@pytest.mark.parametrize("case", PARAMS)
def test_bad_input_is_refused_with_one_line(case: BadInput, outcomes: dict[str, Outcome]):
    check(case, outcomes[case.id])
