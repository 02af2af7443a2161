"""hoquiz import's shared steps: the YAML writer, sources, file names, usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hoquiz.banks.yamlio import dump, parse
from hoquiz.cli import cli
from tests.conftest import TEST_SOURCES

scalars = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=",:#-?[]{}&*!|>'\"%@` \\abnoy01.e+x", max_size=8),
    st.sampled_from(["yes", "No", "on", "OFF", "y", "~", "null", "True", "0777", "0x10", "1:30"]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
keys = st.one_of(
    st.sampled_from(["id", "prompt", "choices", "answer", "text", "tags", "pairs"]),
    st.text(max_size=10),
    st.integers(-100, 100),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=16,
)


def same(a: object, b: object) -> bool:
    """Equal, with the same types all the way down (1 is not 1.0, nor True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(
            same(j, k) and same(a[j], b[k]) for j, k in zip(a, b, strict=True)
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(keys, values, max_size=5))
@example({"id": [["A,", ""]]})
@example({"a": [], "b": {}, "c": [[[1]], [{"d": [[]]}]]})
def test_dump_reads_back_as_the_same_data(data: dict[object, object]) -> None:
    """Under the bank resolver, and under YAML 1.1 (PyYAML's own), as older tools read it."""
    text = dump(data)
    loaded, problems = parse(text, "dumped.yaml")
    assert problems == []
    assert same(loaded, data), text
    assert same(yaml.safe_load(text), data), text


def test_dump_quotes_a_comma_or_question_mark_in_a_flow_sequence() -> None:
    assert dump({"id": [["A,", ""], ["a, b", "Why?"]]}) == (
        'id:\n  - ["A,", ""]\n  - ["a, b", "Why?"]\n'
    )
    assert dump({"q": "Why, then?"}) == "q: Why, then?\n"


def test_dump_writes_plain_text_unquoted_and_quotes_the_rest() -> None:
    assert dump(
        {"id": "q1", "prompt": "Which study first?", "answer": "yes", "n": "93", "t": "a: b"}
    ) == ('id: q1\nprompt: Which study first?\nanswer: "yes"\n"n": "93"\nt: "a: b"\n')


def _gift(path: Path) -> None:
    path.write_text("::q::Is it? {T}\n", encoding="utf-8")


def test_an_existing_sources_file_needs_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sources.yaml").write_text(TEST_SOURCES, encoding="utf-8")
    _gift(Path("q.gift"))
    runner = CliRunner()
    missing = runner.invoke(cli, ["import", "q.gift", "-o", "b.yaml"])
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[-1] == (
        f"Error: {tmp_path / 'sources.yaml'} exists: name the document the questions come "
        "from with --source (one of: doc, other)"
    )
    sections = runner.invoke(cli, ["import", "q.gift", "-o", "b.yaml", "--source", "doc"])
    assert sections.exit_code == 2
    assert "--source doc: it lists sections" in sections.stderr
    done = runner.invoke(cli, ["import", "q.gift", "-o", "b.yaml", "--source", "other"])
    assert done.exit_code == 0, done.output
    assert done.stdout == "Wrote b.yaml: 1 question, 2 placeholders to complete (see hoquiz lint)\n"
    assert "    source:\n      doc: other\n" in Path("b.yaml").read_text(encoding="utf-8")
    assert runner.invoke(cli, ["validate", "b.yaml"]).exit_code == 0


def test_usage_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _gift(Path("q.quiz"))
    runner = CliRunner()
    unknown = runner.invoke(cli, ["import", "q.quiz", "-o", "b.yaml"])
    assert unknown.exit_code == 2
    assert unknown.stderr.splitlines()[-1].startswith(
        "Error: q.quiz: cannot tell the format from the file name; use --format"
    )
    bad_name = runner.invoke(cli, ["import", "q.quiz", "--format", "gift", "-o", "b.txt"])
    assert (
        bad_name.stderr.splitlines()[-1] == "Error: b.txt: a bank file name ends in .yaml or .yml"
    )
    bad_id = runner.invoke(cli, ["import", "q.quiz", "-o", "b.yaml", "--bank-id", "My bank"])
    assert bad_id.stderr.splitlines()[-1] == (
        "Error: --bank-id 'My bank': a bank id is a slug (a-z, 0-9 and '-')"
    )
    absent = runner.invoke(cli, ["import", "none.gift", "-o", "b.yaml"])
    assert absent.stderr.splitlines()[-1] == "Error: no such file: none.gift"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.quiz"]


def test_several_files_make_one_bank_with_unique_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _gift(Path("a.gift"))
    _gift(Path("b.gift"))
    Path("c.aiken").write_text("Pick one\nA. x\nB. y\nANSWER: A\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["import", "a.gift", "b.gift", "c.aiken", "-o", "all.yaml"])
    assert done.exit_code == 0, done.output
    text = Path("all.yaml").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("  - id:")] == [
        "  - id: q",
        "  - id: q-2",
        "  - id: pick-one",
    ]


def test_every_format_is_documented_and_offered_by_the_cli() -> None:
    from hoquiz.cli.interchange import EXPORT_FORMATS, IMPORT_FORMATS
    from hoquiz.formats.registry import EXPORTERS, IMPORTERS, exporter, importer

    docs = (Path(__file__).parent.parent / "docs" / "formats.md").read_text(encoding="utf-8")
    for name in EXPORTERS:
        assert f"`{name}`" in docs
        assert exporter(name).name == name
    for name in IMPORTERS:
        assert importer(name).name == name
    assert set(EXPORT_FORMATS) == {"apkg", *EXPORTERS}
    assert set(IMPORT_FORMATS) == set(IMPORTERS)
