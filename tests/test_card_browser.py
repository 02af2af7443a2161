"""Anki cards in a real browser: type or click, flip, read the verdict.

Each card's front and back HTML is rendered by the official Anki library from
an imported export (with the note type's CSS), served from localhost and
opened in headless Chromium (Debian's ``chromium`` and ``chromium-driver``).
The front and the back are separate pages, as on AnkiDroid and AnkiMobile,
or one page whose content is replaced, as on Anki desktop. Screenshots of
every scripted card type, at phone and desktop width in light and dark mode,
are written to ``tests/output/screens/`` for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_banks import write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.formats.anki import export_apkg
from hoquiz.formats.anki_notes import note_guid

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
anki_collection = pytest.importorskip("anki.collection")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

SCREENS = Path(__file__).parent / "output" / "screens"
WIDTHS = {"phone": 390, "desktop": 1280}

# The page around a card, as Anki's reviewer gives it: Anki itself, not the
# note type, paints the night-mode background.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body.nightMode { background: #2c2c2c; color: #fcfcfc; }</style></head>
<body class="card{night}"><div id="qa">{html}</div></body></html>
"""


class Cards:
    """Rendered card sides, served as pages ``<name>-front.html`` and ``<name>-back.html``."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.base = f"http://127.0.0.1:{port}"
        self.sides: dict[str, tuple[str, str]] = {}

    def add(self, name: str, front: str, back: str) -> None:
        self.sides[name] = (front, back)
        for night in ("", " nightMode night_mode"):
            suffix = "-dark" if night else ""
            for side, html in (("front", front), ("back", back)):
                page = PAGE.replace("{night}", night).replace("{html}", html)
                (self.folder / f"{name}-{side}{suffix}.html").write_text(page, encoding="utf-8")

    def url(self, name: str, side: str, dark: bool = False) -> str:
        return f"{self.base}/{name}-{side}{'-dark' if dark else ''}.html"


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cards]:
    root = tmp_path_factory.mktemp("cards")
    banks = write_banks(root / "banks")
    apkg = root / "hoquiz.apkg"
    export_apkg(load_banks([banks]), apkg)
    (root / "anki").mkdir()
    col = anki_collection.Collection(str(root / "anki" / "collection.anki2"))
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(apkg), options=anki_collection.ImportAnkiPackageOptions()
    )
    col.import_anki_package(request)
    site = root / "site"
    site.mkdir()
    for media in Path(col.media.dir()).iterdir():
        shutil.copy(media, site / media.name)
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served = Cards(site, server.server_address[1])
    notes = {col.get_note(n).guid: col.get_note(n) for n in col.find_notes("")}
    for question_id in (
        "mcq-skeleton", "multi-sites", "tf-size", "short-drug", "numeric-dose", "cloze-timing",
    ):  # fmt: skip
        note = notes[note_guid("every-type", question_id)]
        for card in sorted(note.cards(), key=lambda c: c.ord):
            name = question_id + (f"-c{card.ord + 1}" if question_id.startswith("cloze") else "")
            served.add(name, card.question(), card.answer())
    yield served
    server.shutdown()
    server.server_close()
    col.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _driver(*, javascript: bool = True) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = _driver()
    driver.set_window_size(WIDTHS["desktop"], 900)
    yield driver
    driver.quit()


def verdict(browser: Any) -> str:
    element = browser.find_element(By.CSS_SELECTOR, ".hoquiz-back .hoquiz-verdict")
    return str(element.text) if element.is_displayed() else ""


def type_and_flip(browser: Any, cards: Cards, name: str, typed: str) -> str:
    browser.get(cards.url(name, "front"))
    box = browser.find_element(By.CSS_SELECTOR, "input.hoquiz-typed")
    assert box.is_displayed()
    box.send_keys(typed)
    browser.get(cards.url(name, "back"))
    return verdict(browser)


@pytest.mark.parametrize(
    ("name", "typed", "expected"),
    [
        ("short-drug", "nsaid", 'Correct (accepted "NSAIDs"; you typed "nsaid")'),
        ("short-drug", "Non-steroidal anti-inflammatory drug", 'Correct (accepted '
         '"non-steroidal anti-inflammatory drugs"; you typed "Non-steroidal anti-inflammatory '
         'drug")'),
        ("short-drug", "non-steroidal anti-inflamatory drugs",
         "Correct, but check the spelling: non-steroidal anti-inflammatory drugs"),
        ("short-drug", "aspirin", "Incorrect. You answered: aspirin"),
        ("numeric-dose", "7.5 gray", "Correct (accepted 6 to 8 Gy)."),
        ("numeric-dose", "90%", 'Not a number: give the number in Gy (the unit is optional) '
         '(you typed "90%")'),
        ("numeric-dose", "9", "Incorrect. You answered: 9 Gy (accepted 6 to 8 Gy)"),
        ("cloze-timing-c1", "72 hour", 'Correct (accepted "72 hours"; you typed "72 hour")'),
        ("cloze-timing-c1", "27 hours", "Incorrect. You answered: 27 hours"),
        ("cloze-timing-c2", "7 gy", "Correct."),
    ],
)  # fmt: skip
def test_typed_answer_verdict(
    browser: Any, cards: Cards, name: str, typed: str, expected: str
) -> None:
    assert type_and_flip(browser, cards, name, typed) == expected


def test_nothing_typed_shows_no_verdict_but_every_accepted_answer(
    browser: Any, cards: Cards
) -> None:
    assert type_and_flip(browser, cards, "short-drug", "") == ""
    accepted = browser.find_element(By.CSS_SELECTOR, ".hoquiz-accept").text
    assert accepted == "NSAIDs / non-steroidal anti-inflammatory drugs"


def test_enter_shows_the_answer(browser: Any, cards: Cards) -> None:
    browser.get(cards.url("short-drug", "front"))
    browser.execute_script("window.showAnswer = function () { window.flipped = true; };")
    browser.find_element(By.CSS_SELECTOR, "input.hoquiz-typed").send_keys("NSAIDs", Keys.ENTER)
    assert browser.execute_script("return window.flipped === true;")


def test_one_page_for_both_sides_as_on_anki_desktop(browser: Any, cards: Cards) -> None:
    """Anki desktop replaces the card's HTML in place; the script's global carries the answer."""
    browser.get(cards.url("short-drug", "front"))
    browser.find_element(By.CSS_SELECTOR, "input.hoquiz-typed").send_keys("nsaid")
    browser.execute_script(
        """
        sessionStorage.removeItem("hoquiz-answer");
        const qa = document.getElementById("qa");
        qa.innerHTML = arguments[0];
        for (const old of qa.querySelectorAll("script")) {
          const fresh = document.createElement("script");
          fresh.textContent = old.textContent;
          old.replaceWith(fresh);
        }
        """,
        cards.sides["short-drug"][1],
    )
    assert verdict(browser) == 'Correct (accepted "NSAIDs"; you typed "nsaid")'


def _click(browser: Any, cards: Cards, name: str, labels: list[str]) -> None:
    browser.get(cards.url(name, "front"))
    selector = "ol.options > li" if name != "tf-size" else "button.hoquiz-tf"
    choices = browser.find_elements(By.CSS_SELECTOR, selector)
    for label in labels:
        (choice,) = [c for c in choices if label in c.text]
        choice.click()
    browser.get(cards.url(name, "back"))


def test_mcq_click_the_key(browser: Any, cards: Cards) -> None:
    _click(browser, cards, "mcq-skeleton", ["Axial"])
    assert verdict(browser) == "Correct."
    key = browser.find_element(By.CSS_SELECTOR, ".hoquiz-back ol.options > li.is-key")
    assert "Axial" in key.text and "chosen" in key.get_attribute("class")


def test_mcq_click_a_distractor(browser: Any, cards: Cards) -> None:
    _click(browser, cards, "mcq-skeleton", ["Neither"])
    line = verdict(browser)
    assert line.startswith("Incorrect. You answered: ") and line.endswith(") Neither")
    (chosen,) = browser.find_elements(By.CSS_SELECTOR, ".hoquiz-back li.chosen")
    assert "is-key" not in chosen.get_attribute("class")


def test_multi_clicks(browser: Any, cards: Cards) -> None:
    _click(browser, cards, "multi-sites", ["Hip", "Elbow"])
    assert verdict(browser) == "Correct."
    _click(browser, cards, "multi-sites", ["Hip"])
    assert verdict(browser).endswith("(1 of 2 right choices)")


def test_true_false_tap(browser: Any, cards: Cards) -> None:
    _click(browser, cards, "tf-size", ["False"])
    assert verdict(browser) == "Correct."
    key = browser.find_element(By.CSS_SELECTOR, ".hoquiz-back button.hoquiz-tf.is-key")
    assert key.text.startswith("False")
    _click(browser, cards, "tf-size", ["True"])
    assert verdict(browser) == "Incorrect. You answered: True"


@pytest.fixture(scope="module")
def no_script_browser() -> Iterator[Any]:
    driver = _driver(javascript=False)
    driver.set_window_size(WIDTHS["phone"], 900)
    yield driver
    driver.quit()


def test_javascript_off_fallback(no_script_browser: Any, cards: Cards) -> None:
    browser = no_script_browser
    browser.get(cards.url("short-drug", "back"))
    assert browser.find_element(By.CSS_SELECTOR, ".hoquiz-accept").text == (
        "NSAIDs / non-steroidal anti-inflammatory drugs"
    )
    assert not browser.find_element(By.CSS_SELECTOR, ".hoquiz-verdict").is_displayed()
    browser.get(cards.url("mcq-skeleton", "back"))
    key = browser.find_element(By.CSS_SELECTOR, ".hoquiz-back ol.options > li.is-key")
    assert key.value_of_css_property("border-top-color") == "rgba(26, 127, 55, 1)"
    browser.get(cards.url("short-drug", "front"))
    assert not browser.find_element(By.CSS_SELECTOR, "input.hoquiz-typed").is_displayed()


SCREENSHOT_ANSWERS = {
    "short-drug": "nsaid",
    "numeric-dose": "7.5 gray",
    "cloze-timing-c1": "72 hour",
    "mcq-skeleton": ["Neither"],
    "multi-sites": ["Hip", "Elbow"],
    "tf-size": ["False"],
}


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_screenshots(browser: Any, cards: Cards, width: str, dark: bool) -> None:
    """Front and answered back of each scripted card type, for a person to look at."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(WIDTHS[width], 900)
    try:
        for name, answer in SCREENSHOT_ANSWERS.items():
            mode = "dark" if dark else "light"
            browser.get(cards.url(name, "front", dark))
            if isinstance(answer, str):
                browser.find_element(By.CSS_SELECTOR, "input.hoquiz-typed").send_keys(answer)
            else:
                selector = "button.hoquiz-tf" if name == "tf-size" else "ol.options > li"
                for label in answer:
                    (choice,) = [
                        c for c in browser.find_elements(By.CSS_SELECTOR, selector)
                        if label in c.text
                    ]  # fmt: skip
                    choice.click()
            browser.save_screenshot(str(SCREENS / f"{name}-front-{width}-{mode}.png"))
            browser.get(cards.url(name, "back", dark))
            assert verdict(browser), name
            browser.save_screenshot(str(SCREENS / f"{name}-back-{width}-{mode}.png"))
    finally:
        browser.set_window_size(WIDTHS["desktop"], 900)
