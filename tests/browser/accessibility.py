"""axe-core (from npm) on every page state a journey visits, plus the phone layout checks.

The app's CSP refuses inline scripts, so `page.add_script_tag` cannot inject axe; evaluating
its source through the DevTools protocol is not subject to the page's CSP. With JavaScript off
axe cannot run (its queue needs timers), so such a page's DOM is copied, without scripts, into
a page of a JavaScript context at the same address and checked there.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
TAP_MIN_PX = 44
# The page's width against the window's, and the outermost elements that stick out.
SIDEWAYS = """() => {
  const width = document.scrollingElement.scrollWidth, inner = window.innerWidth;
  if (width <= inner) { return null; }
  const right = e => e.getBoundingClientRect().right;
  const clipped = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") { return true; }
    }
    return false;
  };
  const all = Array.from(document.body.querySelectorAll("*"));
  let out = all.filter(e =>
    right(e) > inner + 0.5 && !clipped(e) && right(e.parentElement) <= inner + 0.5);
  if (!out.length) {  // positioned boxes escape a scroller that is not their containing block
    out = all.filter(e => right(e) > inner + 0.5 &&
      ["absolute", "fixed"].includes(getComputedStyle(e).position));
  }
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className ? "." + e.className.trim()
      .split(/\\s+/).join(".") : "");
  return {scrollWidth: width, innerWidth: inner, body: Math.round(right(document.body)),
          elements: out.slice(0, 10).map(e => name(e) + " " + Math.round(right(e)) + "px")};
}"""


def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: `make test` (or `npm ci`) installs axe-core")
    return AXE_JS.read_text(encoding="utf-8")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {' > '.join(map(str, node['target']))}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class Axe:
    """Call `axe(page, "what the page shows")` after each navigation and each in-page change.

    Every main-frame navigation of a watched page must be followed by a check before the next
    one (or the end of the test), so a journey cannot visit a page state unchecked."""

    def __init__(self, browser: Browser, context_args: dict) -> None:
        self.browser = browser
        self.context_args = context_args
        self.source = axe_source()
        self.unchecked: dict[Page, str | None] = {}
        self.missed: list[str] = []
        self.no_js: set[Page] = set()
        self._twin: Page | None = None
        self._contexts: list = []

    def watch(self, page: Page) -> Page:
        self.unchecked[page] = None

        def navigated(frame) -> None:
            if frame != page.main_frame:
                return
            if self.unchecked[page] is not None:
                self.missed.append(self.unchecked[page])
            self.unchecked[page] = frame.url

        page.on("framenavigated", navigated)
        return page

    def __call__(self, page: Page, state: str = "") -> None:
        page.wait_for_load_state()
        where = f"{page.url} ({state})" if state else page.url
        if page in self.no_js:
            violations = self._run_in_twin(page)
        else:
            violations = self._run(page)
        self.unchecked[page] = None
        if violations:
            pytest.fail(f"axe: {len(violations)} violation(s) on {where}:\n"
                        + describe(violations), pytrace=False)
        wide = page.evaluate(SIDEWAYS)
        assert not wide, f"{where} scrolls sideways: {wide}"

    def verify(self) -> None:
        missed = self.missed + [url for url in self.unchecked.values() if url is not None]
        assert not missed, f"pages visited without an axe check: {missed}"

    def _run(self, page: Page) -> list[dict]:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})", TAGS)
        return result["violations"]

    def _run_in_twin(self, page: Page) -> list[dict]:
        html = SCRIPT.sub("", page.content())
        if self._twin is None:
            context = self.browser.new_context(**self.context_args)
            self._contexts.append(context)
            self._twin = context.new_page()
        twin = self._twin
        url = page.url
        twin.route(url, lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=html))
        try:
            twin.goto(url)
            return self._run(twin)
        finally:
            twin.unroute(url)

    def no_js_page(self) -> Page:
        """A watched page in a new context with JavaScript off, at the test's viewport."""
        context = self.browser.new_context(**self.context_args, java_script_enabled=False)
        self._contexts.append(context)
        page = self.watch(context.new_page())
        self.no_js.add(page)
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()


# Elements that spill out of their card (the page may still fit the window).
SPILLS = """() => Array.from(document.querySelectorAll("main .card *")).filter(e => {
  const card = e.closest(".card").getBoundingClientRect(), box = e.getBoundingClientRect();
  for (let a = e.parentElement; a && !a.classList.contains("card"); a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== "visible") { return false; }
  }
  return box.width > 0 && !["absolute", "fixed"].includes(getComputedStyle(e).position) &&
    (box.right > card.right + 0.5 || box.left < card.left - 0.5);
}).slice(0, 5).map(e => e.outerHTML.slice(0, 80))"""


def assert_inside_cards(page: Page) -> None:
    """Nothing in a card is wider than the card, unless it scrolls inside it."""
    spills = page.evaluate(SPILLS)
    assert not spills, f"{page.url}: wider than their card: {spills}"


def assert_tap_targets(page: Page, selector: str) -> None:
    """Every visible match of `selector` is at least 44 px tall (WCAG 2.5.5's size)."""
    boxes = page.locator(selector).evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => [e.outerHTML.slice(0, 80),"
        " e.getBoundingClientRect().height])")
    assert boxes, f"nothing visible matches {selector}"
    small = [(html, height) for html, height in boxes if height < TAP_MIN_PX]
    assert not small, f"tap targets under {TAP_MIN_PX} px: {small}"
