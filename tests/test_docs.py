"""The model description is kept current with the code."""

from pathlib import Path

from magnetdiplomacy.docgen import ODD, render
from magnetdiplomacy.parameters import iter_parameters


def test_odd_parameter_table_is_current():
    text = ODD.read_text(encoding="utf-8")
    assert render(text) == text, "run: uv run python -m magnetdiplomacy.docgen"


def test_every_parameter_has_a_source_and_flag():
    for spec in iter_parameters():
        assert spec.source and spec.flag and spec.unit and spec.description, spec.path


def test_readme_opens_with_the_two_commands():
    readme = Path(__file__).resolve().parents[1].joinpath("README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "uv run magnetdiplomacy run configs/baseline.yaml" in first_block
    assert "uv run pytest" in first_block
