"""What a browser transfers for a page, on a first view (empty cache) and a repeat view: the
figures of docs/development.md. Run against a production-like server (collected static files,
DEBUG off), e.g.

    python -m tests.e2e.page_weight http://localhost:8731 operator_a pbi-demo-2026 / /peserta/
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PHONE = {"width": 390, "height": 844}


def transferred(page, url):
    """(address, bytes with headers, content encoding) of every response the view needed."""
    rows = []

    def finished(request):
        response = request.response()
        if response is not None:
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            rows.append((request.url, size, response.headers.get("content-encoding", "")))

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", finished)
    return rows


def main(base, username, password, *paths):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        login = browser.new_context(viewport=PHONE)
        page = login.new_page()
        page.goto(base + "/masuk/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button:has-text('Masuk')")
        page.wait_for_url(base + "/")
        for path in paths or ["/"]:
            fresh = browser.new_context(viewport=PHONE, storage_state=login.storage_state())
            tab = fresh.new_page()
            for view in ("first view", "repeat view"):
                rows = transferred(tab, base + path)
                fetched = [row for row in rows if row[1]]
                total = sum(size for _, size, _ in rows) / 1024
                print(f"{path} {view}: {total:.1f} KB in {len(fetched)} responses")
                for url, size, encoding in fetched:
                    print(f"    {size / 1024:6.1f} KB {encoding or '-':4} {url.replace(base, '')}")
            fresh.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
