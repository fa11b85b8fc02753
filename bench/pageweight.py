"""Page weight and first contentful paint on a simulated mid-range phone, in Chromium.

Like Lighthouse's mobile run: a 412 x 823 screen, the CPU slowed down 4 times and a
"slow 4G" network (150 ms round trip, about 1.6 Mbit/s down), with the cache empty. Every
response's bytes on the wire are added up, and any request to another host is listed: the
hub must not depend on anything but itself. Each page is loaded three times; the median
first paint is reported.
"""

import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 412, "height": 823},
    "device_scale_factor": 1.75,
    "is_mobile": True,
    "has_touch": True,
}
CPU_SLOWDOWN = 4
SLOW_4G = {
    "offline": False,
    "latency": 150,  # ms, round trip
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,  # bytes per second
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
RUNS = 3


@dataclass
class Weight:
    name: str
    path: str
    fcp_ms: float | None = None
    transferred_bytes: int = 0
    decoded_bytes: int = 0
    requests: int = 0
    third_party: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    resources: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes on the wire)
    error: str = ""


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def _load_once(browser, url):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    urls, sizes = {}, {}

    def sent(event):
        urls[event["requestId"]] = event["request"]["url"]

    def finished(event):
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    measured = page.evaluate(
        """() => {
            const paint = performance.getEntriesByName('first-contentful-paint')[0];
            const entries = [
                ...performance.getEntriesByType('navigation'),
                ...performance.getEntriesByType('resource'),
            ];
            const blocking = performance.getEntriesByType('resource')
                .filter(e => e.renderBlockingStatus === 'blocking').map(e => e.name);
            return {
                fcp: paint ? paint.startTime : null,
                decoded: entries.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0),
                blocking,
            };
        }"""
    )
    context.close()
    return urls, sizes, measured


def measure(base_url: str, targets: list[tuple[str, str]]) -> list[Weight]:
    """`targets` is [(name, path)]. Needs Chromium at CHROMIUM_PATH or /usr/bin/chromium."""
    from playwright.sync_api import sync_playwright

    own_host = urlsplit(base_url).netloc
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, path in targets:
                weight = Weight(name, path)
                paints = []
                try:
                    for _ in range(RUNS):
                        urls, sizes, measured = _load_once(browser, base_url + path)
                        if measured["fcp"] is not None:
                            paints.append(measured["fcp"])
                    weight.requests = len(urls)
                    weight.transferred_bytes = int(sum(sizes.values()))
                    weight.resources = [
                        (urlsplit(urls[key]).path, int(size))
                        for key, size in sizes.items()
                        if key in urls
                    ]
                    weight.decoded_bytes = int(measured["decoded"])
                    weight.third_party = sorted(
                        {u for u in urls.values() if urlsplit(u).netloc not in (own_host, "")}
                        - {u for u in urls.values() if u.startswith("data:")}
                    )
                    weight.blocking = [
                        u for u in measured["blocking"] if urlsplit(u).netloc != own_host
                    ]
                    weight.fcp_ms = statistics.median(paints) if paints else None
                except Exception as error:  # noqa: BLE001 - reported in the results
                    weight.error = f"{type(error).__name__}: {error}"
                results.append(weight)
        finally:
            browser.close()
    return results
