"""axe-core on every page a browser test visits: the suite's accessibility check.

`chromium()` (test_journey) hands tests a browser whose pages run axe-core (the copy bundled by the
PyPI package axe-playwright-python: no CDN) on each document they load, and fails the test at the end
when any page breaks a WCAG 2.1 A or AA rule (colour contrast of at least 4.5:1 among them).

When: a page remembers that a document finished loading; before the test's next call on that page
(click, fill, screenshot, locator, goto...) or when it closes, axe runs on that document. The test has
not touched the new document yet, so what is checked is the page as it arrived, and nothing races with
a navigation the test starts. A document that is not HTML (a PDF) is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Pages whose markup is a library's, not ours: Django's admin (its breadcrumbs' links are told apart by
# colour only) and the API documentation (Swagger UI and ReDoc, an <html> without lang). Changing them
# means overriding the libraries' templates; they are the operators' and developers' tools.
NOT_OURS = ("/admin/", "/api/docs/", "/api/redoc/")
_SCRIPT: str | None = None


def _axe_script() -> str:
    global _SCRIPT
    if _SCRIPT is None:
        from axe_playwright_python.sync_playwright import Axe

        _SCRIPT = Axe().axe_script
    return _SCRIPT


@dataclass
class AxeLog:
    """What axe found, page by page, for one browser."""

    checked: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)

    def report(self) -> str:
        lines = []
        for v in self.violations:
            lines.append(f"{v['url']}: {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5]]
        return "\n".join(lines)


def axe_run(page: Any, log: AxeLog) -> None:
    """Run axe on the page's current document and log its violations."""
    if any(part in page.url for part in NOT_OURS):
        return
    try:
        if page.evaluate("document.contentType") != "text/html":
            return
        page.evaluate(_axe_script())
        result = page.evaluate("options => axe.run(document, options)", RULES)
    except Exception as exc:  # the document went away under us (a navigation): nothing to check
        if "context was destroyed" in str(exc) or "closed" in str(exc):
            return
        raise
    url = page.url
    log.checked.append(url)
    for violation in result["violations"]:
        log.violations.append(
            {
                "url": url,
                "id": violation["id"],
                "impact": violation.get("impact"),
                "help": violation["help"],
                "nodes": [
                    {"target": " ".join(map(str, n["target"])), "summary": n.get("failureSummary", "")}
                    for n in violation["nodes"]
                ],
            }
        )


class AxePage:
    """A Playwright page that runs axe on each document it loads, before the test acts on it."""

    def __init__(self, page: Any, log: AxeLog) -> None:
        self._page = page
        self._log = log
        self._pending = False
        page.on("load", self._loaded)

    def _loaded(self, _page: Any) -> None:
        self._pending = True  # no call on the page from inside an event handler: see axe_check()

    def axe_check(self) -> None:
        if self._pending and not self._page.is_closed():
            self._pending = False
            axe_run(self._page, self._log)

    def close(self, *args: Any, **kwargs: Any) -> Any:
        self.axe_check()
        return self._page.close(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._page, name)
        if not callable(attr) or name in ("on", "once", "remove_listener", "is_closed"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self.axe_check()
            return attr(*args, **kwargs)

        return call


class AxeContext:
    def __init__(self, context: Any, log: AxeLog) -> None:
        self._context = context
        self._log = log
        self.axe_pages: list[AxePage] = []

    def new_page(self, *args: Any, **kwargs: Any) -> AxePage:
        page = AxePage(self._context.new_page(*args, **kwargs), self._log)
        self.axe_pages.append(page)
        return page

    def axe_check(self) -> None:
        for page in self.axe_pages:
            page.axe_check()

    def close(self, *args: Any, **kwargs: Any) -> Any:
        self.axe_check()
        return self._context.close(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class AxeBrowser:
    """A Playwright browser whose contexts and pages check every document they load (see the module)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.axe_log = AxeLog()
        self._contexts: list[AxeContext] = []

    def new_context(self, *args: Any, **kwargs: Any) -> AxeContext:
        context = AxeContext(self._browser.new_context(*args, **kwargs), self.axe_log)
        self._contexts.append(context)
        return context

    def new_page(self, *args: Any, **kwargs: Any) -> AxePage:
        context = self.new_context(*args, **kwargs)
        return context.new_page()

    def axe_check(self) -> None:
        for context in self._contexts:
            context.axe_check()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
