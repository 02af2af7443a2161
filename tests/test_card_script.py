"""The Anki card script grades like the Python matcher: one case table through both.

Runs the script in node (skipped when node is absent); the same table drives
tests/test_matching.py, and tests/test_card_browser.py runs the script on
rendered cards in Chromium.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hoquiz.formats.anki_cards import script
from hoquiz.model import Numeric, SourceRef
from hoquiz.study.grading import Grade, Presentation, grade, verdict_line
from hoquiz.study.matching import match_answer
from hoquiz.study.scheduling import Rating

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

CASES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "matching_cases.json").read_text(encoding="utf-8")
)

HARNESS = """
const fs = require("fs");
eval(fs.readFileSync(process.argv[2], "utf8"));
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const h = globalThis.hoquiz;
const out = { text: [], numeric: [] };
for (const c of cases.text) {
  const m = h.matchAnswer(c.typed, c.accept, c.mode === "exact");
  out.text.push({
    kind: m ? m.kind : "wrong",
    answer: m ? m.answer : null,
    line: h.verdictLine(!!m, c.typed, m && m.kind, m && m.answer, null),
  });
}
for (const c of cases.numeric) {
  const g = h.gradeNumeric(c.typed, c.answer, c.tolerance, c.unit);
  out.numeric.push(g.hint ? { hint: g.hint } :
    { line: h.verdictLine(g.correct, g.given, "exact", null, g.detail) });
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("node")
    (folder / "card.js").write_text(script(), encoding="utf-8")
    (folder / "harness.js").write_text(HARNESS, encoding="utf-8")
    cases = folder / "cases.json"
    cases.write_text(json.dumps(CASES), encoding="utf-8")
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(folder / "harness.js"), str(folder / "card.js"), str(cases)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _python_text(case: dict[str, Any]) -> dict[str, Any]:
    from hoquiz.study.matching import MatchKind

    m = match_answer(case["typed"], case["accept"], exact=case.get("mode") == "exact")
    verdict = Grade(
        m is not None, Rating.GOOD, case["typed"], kind=m.kind if m else MatchKind.EXACT,
        accepted=m.answer if m else None,
    )  # fmt: skip
    return {
        "kind": m.kind.value if m else "wrong",
        "answer": m.answer if m else None,
        "line": verdict_line(verdict),
    }


@pytest.mark.parametrize("index", range(len(CASES["text"])))
def test_text_cases_grade_alike(node_results: dict[str, Any], index: int) -> None:
    assert node_results["text"][index] == _python_text(CASES["text"][index])


@pytest.mark.parametrize("index", range(len(CASES["numeric"])))
def test_numeric_cases_grade_alike(node_results: dict[str, Any], index: int) -> None:
    case = CASES["numeric"][index]
    question = Numeric(
        id="n", explanation="e", source=SourceRef("d", "s"), prompt="p", answer=case["answer"],
        tolerance=case["tolerance"], unit=case["unit"],
    )  # fmt: skip
    result = grade(question, Presentation(), case["typed"])
    expected = (
        {"line": verdict_line(result)} if isinstance(result, Grade) else {"hint": result.hint}
    )
    assert node_results["numeric"][index] == expected


def test_the_script_holds_no_template_braces() -> None:
    text = script()
    assert "{{" not in text and "}}" not in text and "</" not in text


def test_exact_questions_tell_the_script() -> None:
    from hoquiz.formats.anki_cards import card_fields
    from hoquiz.model import Bank, Short

    question = Short(
        id="s", explanation="e", source=SourceRef("d", "s"), prompt="p",
        accept=("indomethacin", "a <b>"), exact_match=True,
    )  # fmt: skip
    bank = Bank(id="b", title="B", questions=(question,), path=Path("b.yaml"), sources={})
    fields = card_fields(bank, question, {"Accepted": ""})
    assert fields["Accepted"] == (
        '<span class="hoquiz-accept" data-match="exact"><span class="accepted">indomethacin'
        '</span> / <span class="accepted">a &lt;b&gt;</span></span>'
    )
