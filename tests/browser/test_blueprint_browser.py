"""The blueprint site of the main job (``clverify report``) in a real browser: headless Chromium
(Debian's ``chromium`` and ``chromium-driver``, driven by Selenium) loads ``site/index.html``
from disk and finds one graph node per entry, every node's link reaching its entry's section,
every statement rendered as MathML (no raw ``$``), and no console error; it writes a
screenshot (``CLVERIFY_SCREENSHOT``, default: the test's temporary folder; the README's
picture is ``docs/figures/blueprint.png``).

Skipped, with the reason, where Chromium, its driver or Selenium is absent; ``.ci/run``
installs them, so CI runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clverify.proofs_check.registry import theorems

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                reason="Chromium or ChromeDriver is not installed (Debian: apt-get install "
                                       "chromium chromium-driver)")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The blueprint of the main job's output folder, written once for this module (or the
    one ``CLVERIFY_BLUEPRINT`` names, to look at a report already written)."""
    if os.environ.get("CLVERIFY_BLUEPRINT"):
        return Path(os.environ["CLVERIFY_BLUEPRINT"])
    out = tmp_path_factory.mktemp("report") / "results"
    run = subprocess.run([sys.executable, "-m", "clverify.proofs_check", "report", "--out", str(out), "--quiet"],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode in (0, 1), run.stderr          # 1: a failing entry, still a complete report
    return out / "site" / "index.html"


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def test_the_blueprint_in_chromium(site, browser, tmp_path):
    from selenium.webdriver.common.by import By

    ids = sorted(t.id for t in theorems())
    browser.get(site.as_uri())
    assert browser.title.startswith("clverify blueprint")

    links = browser.execute_script(   # SVG links: href or xlink:href, an SVGAnimatedString
        "return Array.from(document.querySelectorAll('div.graph svg a'), a => a.href.baseVal);")
    assert sorted(h.rsplit("#", 1)[1] for h in links) == ids      # one node per entry

    for entry_id in ids:                                         # every link reaches its section
        section = browser.execute_script("return document.getElementById(arguments[0]);", entry_id)
        assert section is not None and section.tag_name == "section", entry_id
        statement = section.find_element(By.CSS_SELECTOR, "p.statement")
        assert statement.find_elements(By.TAG_NAME, "math"), f"{entry_id}: no MathML"
        assert "$" not in statement.text and "\\" not in statement.text, f"{entry_id}: raw LaTeX"

    first = browser.find_elements(By.CSS_SELECTOR, "div.graph svg a")[0]
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", first)
    assert browser.execute_script("return decodeURIComponent(location.hash);") == links[0][links[0].index("#"):]

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

    browser.execute_script("window.scrollTo(0, 0);")
    shot = Path(os.environ.get("CLVERIFY_SCREENSHOT", tmp_path / "blueprint.png"))
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert site.stat().st_size < 5_000_000                       # a few MB at most
