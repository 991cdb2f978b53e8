"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", "test-artifacts"))
# axe-core, as packaged by axe-playwright-python: every page a journey opens is audited in the
# page itself when it has loaded, and reports back through a binding (no call from Python
# while the journey navigates). Serious and critical WCAG 2 A/AA violations fail the test.
# `axe_check(page)` waits for the audit of the page now shown (window.axeAudit) and fails on
# what it found, so a journey proves each page it visits was audited, not only the ones axe
# finished before the next click.
AXE_SOURCE = (
    Path(importlib.util.find_spec("axe_playwright_python").origin).parent / "axe.min.js"
).read_text()
AXE_AUDIT = """
window.addEventListener("load", () => {
  if (!window.axe || !window.reportAxe) return;
  window.axe
    .run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    .then((result) => window.reportAxe(location.pathname + location.search,
      result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id + " " + JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target)))))
    .then(() => { window.axeAudit = "done"; })
    .catch((error) => { window.axeAudit = "failed: " + error; });
});
"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def audit(context) -> dict[str, list[str]]:
    """Have axe audit every page this browser context loads; returns its findings by path."""
    audited: dict[str, list[str]] = {}
    context.expose_binding(
        "reportAxe", lambda _source, path, found: audited.setdefault(path, []).extend(found)
    )
    context.add_init_script(AXE_SOURCE)
    context.add_init_script(AXE_AUDIT)
    return audited


def audited_tab(context):
    """A new tab in a second context (another person's browser), audited like `page`."""
    audited = audit(context)
    tab = context.new_page()
    tab.axe_results, tab.axe_checked = audited, []
    return tab


def axe_check(page) -> None:
    """Wait until axe has audited the page now shown, then fail on any serious or critical
    violation found so far. Call it once the journey has seen the new page (an expect on its
    content), never straight after a click that is still navigating."""
    state = page.wait_for_function("() => window.axeAudit").json_value()
    path = page.evaluate("() => location.pathname + location.search")
    assert state == "done", f"axe could not audit {path}: {state}"
    assert path in page.axe_results, (path, list(page.axe_results))
    violations = {where: found for where, found in page.axe_results.items() if found}
    assert not violations, f"axe: serious or critical violations: {violations}"
    page.axe_checked.append(path)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium for the whole run; a missing browser skips (or fails under REQUIRE_E2E)."""
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("REQUIRE_E2E"):
            pytest.fail(reason + "; REQUIRE_E2E is set", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser tab (phone-sized) on the live server; a screenshot is kept on failure."""
    context = browser.new_context(viewport=PHONE, locale="es-EC", base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.js_errors = errors
    audited = audit(context)
    tab.axe_results, tab.axe_checked = audited, []
    yield tab
    violations = {path: found for path, found in audited.items() if found}
    assert audited, "axe audited no page"
    assert not violations, f"axe: serious or critical violations: {violations}"
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
