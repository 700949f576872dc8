"""Shared by the browser tests: what counts as an error on a page."""

from __future__ import annotations

from playwright.sync_api import Page


def watch_page(page: Page, errors: list[str], allowed: tuple[int, ...] = ()) -> None:
    """Collect page errors, console errors and HTTP errors (other than `allowed`) into `errors`."""
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.status not in allowed and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
