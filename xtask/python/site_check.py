"""Checks the built documentation site (`cargo xtask docs`).

usage: site_check.py SITE OUT CHROMIUM

1. Links: every `href` and `src` of every HTML page outside `rust/` (the
   Rust API is rustdoc's own output) that points inside the site resolves
   to a file, and its `#fragment`, if any, to an `id` or `name` there.
2. A real browser: the front page, the gallery's index and the seed's
   walkthrough are opened in headless Chromium (driven by Playwright) from
   a local HTTP server, each rendered to a PNG in OUT; no page may log a
   console error, throw, or fail a request, and the walkthrough's first
   figure must be a decoded image of the size its script draws
   (`figsize=(5, 5)` at matplotlib's 100 dpi: 500 × 500 pixels).

3. Every page of the Python API reference (`api/generated/`) shows an
   example (numpydoc's "Examples" section).

Exits 1, naming every failure.
"""

import functools
import http.server
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

PAGES = [("front", "index.html"), ("gallery", "examples/index.html"), ("example", "examples/plot_walkthrough.html")]
FIGURE = ("examples/plot_walkthrough.html", 500, 500)


class Refs(HTMLParser):
    """The links (`href`, `src`) and anchors (`id`, `name`) of one page."""

    def __init__(self):
        super().__init__()
        self.links, self.anchors = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            elif name == "id" or (name == "name" and tag == "a"):
                self.anchors.add(value)


@functools.lru_cache(maxsize=None)
def parse(path):
    refs = Refs()
    refs.feed(path.read_text(errors="replace"))
    return refs


def broken_links(site):
    broken, checked = [], 0
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] == "rust":
            continue
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
                continue
            checked += 1
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {link}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).anchors:
                broken.append(f"{where} (no anchor #{parts.fragment})")
    return broken, checked


def without_examples(site):
    pages = sorted((site / "api" / "generated").glob("*.html"))
    missing = [f"{p.relative_to(site)}: no Examples section" for p in pages if 'class="rubric">Examples<' not in p.read_text()]
    return missing if pages else ["api/generated/: no API pages"], len(pages)


def serve(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def browse(site, out, chromium):
    from playwright.sync_api import sync_playwright

    failures = []
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        for name, path in PAGES:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            page.on("console", lambda m, errors=errors: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(f"uncaught: {e}"))
            page.on("requestfailed", lambda r, errors=errors: errors.append(f"request failed: {r.url}"))
            response = page.goto(base + path, wait_until="networkidle")
            if response is None or response.status != 200:
                errors.append(f"status {None if response is None else response.status}")
            title = page.title()
            shot = out / f"{name}.png"
            if path == FIGURE[0]:
                # The first figure, scrolled to the middle of the screenshot.
                size = page.evaluate("""() => { const img = document.querySelector('img.sphx-glr-single-img, img.sphx-glr-multi-img');
                    if (!img) return null;  // the theme scrolls smoothly: jump instead
                    window.scrollTo({top: window.scrollY + img.getBoundingClientRect().top - 150, behavior: 'instant'});
                    return img.complete ? [img.naturalWidth, img.naturalHeight] : null; }""")
                if size != [FIGURE[1], FIGURE[2]]:
                    errors.append(f"the first figure is {size}, not {FIGURE[1]}×{FIGURE[2]}")
                else:
                    print(f"  {path}: its first figure is a {size[0]}×{size[1]} image")
            page.screenshot(path=str(shot), full_page=False)
            print(f"  {path} ({title!r}) → {shot}")
            failures += [f"{path}: {e}" for e in errors]
            page.close()
        browser.close()
    server.shutdown()
    return failures


def main(argv):
    site, out, chromium = Path(argv[0]).resolve(), Path(argv[1]), argv[2]
    broken, checked = broken_links(site)
    print(f"links: {checked} internal links checked, {len(broken)} broken")
    lacking, n_api = without_examples(site)
    print(f"API reference: {n_api} pages, {len(lacking)} without an example")
    failures = broken + lacking + browse(site, out, chromium)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
