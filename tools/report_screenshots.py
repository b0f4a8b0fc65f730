"""Screenshots of the HTML report for docs/tutorial.md (PNG, made in headless chromium through Playwright).

    python tools/report_screenshots.py docs/images

Runs examples under `python -m tracejit --view`, opens each report and photographs one view of it. Needs
chromium (TRACEJIT_CHROMIUM, or `chromium` on PATH) and playwright, as the report's browser test does.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def report(example: str, out: Path, params: str = "threshold=50") -> Path:
    path = out / (Path(example).stem + ".html")
    subprocess.run([sys.executable, "-m", "tracejit", "--params", params, "--view", str(path),
                    str(REPO / example)], check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    return path


def loop_section_shot(page, down_to: str, path: Path) -> None:
    """The first loop section of the page, from its title down to (including) its part `down_to`."""
    loop = page.locator("section.loop").first
    top = loop.bounding_box()
    end = loop.locator(down_to).bounding_box()
    page.set_viewport_size({"width": 1360, "height": 2400})
    page.screenshot(path=str(path), clip={"x": top["x"], "y": top["y"], "width": top["width"],
                                          "height": end["y"] + end["height"] - top["y"] + 10})
    page.set_viewport_size({"width": 1360, "height": 900})


def main(argv: list[str]) -> int:
    dest = Path(argv[0] if argv else REPO / "docs" / "images")
    dest.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("TRACEJIT_CHROMIUM") or shutil.which("chromium")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        browser = p.chromium.launch(executable_path=chromium, args=ARGS, env=dict(os.environ, HOME=str(tmp)))
        page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)

        # 1. the summary and the source's heat map (examples/demo.py)
        page.goto(report("examples/demo.py", tmp).as_uri())
        page.screenshot(path=str(dest / "report-source.png"))

        # 2. a loop's life, totals and exits, with its bridge (examples/branches.py)
        page.goto(report("examples/branches.py", tmp).as_uri())
        loop_section_shot(page, ".graph", dest / "report-loop.png")

        # 3. a source line clicked: its bytecode, IR ops and machine code light up
        page.click('tr.src:has-text("other_sum += i")')
        trace = page.locator(".trace").first
        trace.scroll_into_view_if_needed()
        trace.screenshot(path=str(dest / "report-trace.png"))

        # 4. what one optimizer pass changed (examples/dispatch.py)
        page.goto(report("examples/dispatch.py", tmp).as_uri())
        trace = page.locator("section.loop", has_text="weighted_sum").first.locator(".trace").first
        changed = trace.locator("button.stage").filter(has_text="hoist_loop_invariants")
        changed.click()
        trace.locator(".panel.ir").screenshot(path=str(dest / "report-diff.png"))

        # 5. deoptimization: an overflow guard fails, the interpreter carries on (examples/overflow.py)
        page.goto(report("examples/overflow.py", tmp, "threshold=10,little_left=0").as_uri())
        loop_section_shot(page, ".guards", dest / "report-deopt.png")
        browser.close()
    for name in ("report-source", "report-loop", "report-trace", "report-diff", "report-deopt"):
        print(dest / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
