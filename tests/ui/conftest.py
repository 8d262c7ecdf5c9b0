"""The console in a real browser: `console` (session) is a `slipstream server` subprocess on a
free loopback port over a fresh SLIPSTREAM_HOME filled by `seed_flow` through the Python API;
`page` is a fresh tab of headless Debian Chromium (Playwright never downloads a browser).

Skipped, saying why, when the bundle is not built (scripts/build_ui.sh), /usr/bin/chromium is
missing (scripts/setup.sh test installs it) or the playwright package is not installed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import wait_until_answers

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "docs" / "screenshots"
SLIPSTREAM = Path(sys.executable).with_name("slipstream")
#: As the machine notes say: without the background-networking flags Chromium keeps dialling
#: out of a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass
class Console:
    url: str
    home: Path

    def env(self) -> dict[str, str]:
        """The environment of the seed, the server and launched runs: the embedded defaults
        under `home`, whatever SLIPSTREAM_* settings the caller has."""
        kept = {k: v for k, v in os.environ.items() if not k.startswith("SLIPSTREAM_")}
        return {**kept, "SLIPSTREAM_HOME": str(self.home), "PYTHONPATH": str(REPO)}


def _requirements() -> str | None:
    from slipstream.server.console import BUNDLE

    if not (BUNDLE / "index.html").is_file():
        return f"the console is not built ({BUNDLE}): run bash scripts/build_ui.sh"
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing: apt-get install chromium (scripts/setup.sh test)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install playwright (the test extra)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    missing = _requirements()
    if missing:
        pytest.skip(missing)
    home = tmp_path_factory.mktemp("console-home")
    made = Console(url="", home=home)
    subprocess.run([sys.executable, "-m", "tests.ui.seed_flow"], cwd=home, env=made.env(),
                   check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([str(SLIPSTREAM), "server", "--port", str(port)], cwd=home,
                              env=made.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        made.url = f"http://127.0.0.1:{port}"
        wait_until_answers(made.url, timeout=30)
        yield made
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


@pytest.fixture(scope="session")
def browser(console: Console) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:  # each launch gets a new empty profile
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    """A tab on the console; a page error (an uncaught exception in the app) fails the test."""
    context = browser.new_context(base_url=console.url, viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    assert not errors, f"the console raised in the browser: {errors}"


def screenshot(page: Any, name: str) -> None:
    """Save the page as docs/screenshots/NAME.png (for the README) when there is none yet or
    SLIPSTREAM_UPDATE_SCREENSHOTS=1; otherwise beside the test's data, so that an ordinary
    test run leaves the checkout as it was."""
    target = SCREENSHOTS / f"{name}.png"
    if target.exists() and os.environ.get("SLIPSTREAM_UPDATE_SCREENSHOTS") != "1":
        target = Path(tempfile.gettempdir()) / "slipstream-ui-screenshots" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
