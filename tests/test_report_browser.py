"""The HTML report of an example (examples/branches.py) in a real headless browser: Debian's chromium (or
TRACEJIT_CHROMIUM), driven by Playwright (from PyPI, pointed at that installed binary: no browser download).
The page must load without console errors, show every section, and clicking a source line, an IR op or a
machine-code group must highlight its counterparts. Skipped, with the reason, when no browser or no
Playwright is installed (`make test` installs both where it can).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracejit.optimizer import PIPELINE

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("TRACEJIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# flags for a sandboxed machine with no network (as root, no GPU, nothing fetched at start)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (Debian: apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install playwright)"),
]

EXAMPLE = REPO / "examples" / "branches.py"      # a loop with a branch: a trace and a bridge
BRANCH_LINE = next(n for n, text in enumerate(EXAMPLE.read_text().splitlines(), 1) if "if i % 3 == 0" in text)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-m", "tracejit", "--params", "threshold=50", "--view", "r.html",
                          str(EXAMPLE)], cwd=d, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                    env=dict(os.environ, HOME=str(d)))
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto((d / "r.html").as_uri())
            pg.wait_for_load_state("load")
            yield pg, errors, d
        finally:
            browser.close()


def test_page_loads_without_errors(page):
    pg, errors, _ = page
    assert pg.title() == "tracejit report: branches.py"
    assert errors == []


def test_every_section_is_shown(page):
    pg, _, _ = page
    for sel in ("#summary", "#source", "#loops", "#help", "section.loop", "svg.loopgraph",
                ".timeline li", ".guards table", ".panel.bytecode", ".panel.ir", ".panel.asm"):
        assert pg.locator(sel).first.is_visible(), sel
    assert pg.locator("table.source tr.src").count() == len(EXAMPLE.read_text().splitlines())
    assert pg.locator(".trace").count() == 2                    # the loop and its bridge


def test_clicking_a_source_line_highlights_its_trace(page):
    pg, _, _ = page
    pg.click(f"#src0-{BRANCH_LINE}")                            # if i % 3 == 0:
    assert "hl-main" in pg.get_attribute(f"#src0-{BRANCH_LINE}", "class")
    loop = pg.locator(".trace").first
    assert loop.locator(".panel.bytecode .row.hl").count() >= 3   # its instructions, and nothing else:
    assert loop.locator(".panel.bytecode .row:not(.hl)").count() >= 3
    assert loop.locator(".pane.on .irop.hl").count() >= 2       # ops from that line (int_mod, the guard, ...)
    assert loop.locator(".asmgroup.hl").count() >= 2            # and the machine code they became
    for text in loop.locator(".panel.bytecode .row.hl .ln").all_inner_texts():
        assert text == str(BRANCH_LINE)


def test_clicking_an_ir_op_highlights_machine_code_and_source(page):
    pg, _, _ = page
    loop = pg.locator(".trace").first
    guard = loop.locator(".pane.on .irop.guard", has_text="guard_true").first
    guard.click()
    assert "hl-main" in guard.get_attribute("class")
    op_key = next(k for k in guard.get_attribute("data-k").split() if k.startswith("O"))
    groups = loop.locator(f'.asmgroup[data-k~="{op_key}"]')
    assert groups.count() >= 1 and all("hl" in g.get_attribute("class") for g in groups.all())
    line_key = next(k for k in guard.get_attribute("data-k").split() if k.startswith("L"))
    assert "hl" in pg.get_attribute(f'tr.src[data-k~="{line_key}"]', "class")
    # and back: a machine-code group selects its IR op
    pg.click("#summary")                                        # (no selection there)
    groups.first.click()
    assert "hl" in guard.get_attribute("class")


def test_stage_buttons_switch_the_ir(page):
    pg, _, _ = page
    loop = pg.locator(".trace").first
    buttons = loop.locator("button.stage")
    last = len(PIPELINE) + 1
    assert buttons.count() == last + 1                          # recorded, the passes, compiled
    assert buttons.nth(last).inner_text().startswith("compiled (")
    final = loop.locator(".pane").nth(last)
    assert final.is_visible()
    buttons.nth(0).click()                                      # the recorded trace
    assert loop.locator(".pane").nth(0).is_visible() and not final.is_visible()
    assert "on" in buttons.nth(0).get_attribute("class") and "on" not in buttons.nth(last).get_attribute("class")
    buttons.nth(2).click()                                      # a pass: its diff against the stage before
    assert loop.locator(".pane").nth(2).locator(".diff").is_visible()
    assert loop.locator(".pane").nth(2).locator(".row.add").count() >= 1   # guard_implied_constants changed it
    buttons.nth(last).click()
    assert final.is_visible()


def test_screenshot(page):
    pg, _, d = page
    pg.click(f"#src0-{BRANCH_LINE}")
    pg.locator(".trace").first.scroll_into_view_if_needed()
    pg.screenshot(path=str(d / "report.png"))
    assert (d / "report.png").stat().st_size > 10_000
