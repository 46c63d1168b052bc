"""The patient page in headless Chromium against a real ``navis serve`` (SQLite, in-process workers).

Chromium is Debian's ``/usr/bin/chromium`` (``scripts/setup.sh`` installs it), driven by playwright; no browser is
ever downloaded. Without it these tests skip, and fail under CI (``CI=true``), where set-up must have installed it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Playwright, expect, sync_playwright

from tests.integration.conftest import NAVIS, Process, free_port, service_env, wait_http

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
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
REPORT = (
    "SURGICAL PATHOLOGY REPORT\n"
    "Specimen: Left breast, core needle biopsy.\n"
    "FINAL DIAGNOSIS: Invasive ductal carcinoma, Nottingham grade 2.\n"
    "Estrogen receptor (ER): Positive, 90% of tumor cells, strong intensity.\n"
    "Progesterone receptor (PR): Negative, less than 1% of tumor cells.\n"
    "HER2 (IHC): Score 1+, negative.\n"
)
PROCESSING_S = 120  # the first document also loads the NLP pipeline, on a busy 2-core machine


class Service:
    """A running ``navis serve`` and the environment to run ``navis admin`` against its data."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url, self.env = url, env

    def patient_token(self) -> str:
        """A new patient's token, made the way an operator makes one."""
        done = subprocess.run(
            [NAVIS, "admin", "create-patient", "web test"], env=self.env, capture_output=True, text=True, check=True
        )
        return dict(line.split(": ", 1) for line in done.stdout.splitlines())["token"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("web")
    env = service_env(root / "data", None, None)
    url = f"http://127.0.0.1:{free_port()}"
    process = Process([NAVIS, "serve", "--port", url.rsplit(":", 1)[1]], env, root / "serve.log")
    try:
        wait_http(f"{url}/readyz", timeout=60)
        yield Service(url, env)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh should have installed Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (scripts/setup.sh installs it)")
    expect.set_options(timeout=20_000)  # a busy 2-core machine: answers can take seconds, not milliseconds
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile of its own, so nothing carries over between tests."""
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile",
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        accept_downloads=True,
        viewport={"width": 1000, "height": 900},
    )
    context.set_default_timeout(20_000)
    try:
        yield context
    finally:
        context.close()


def open_page(browser: BrowserContext, service: Service, console: list[str] | None = None) -> Page:
    page = browser.pages[0] if browser.pages else browser.new_page()
    if console is not None:
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.goto(service.url + "/")
    return page


def submit_token(page: Page, token: str) -> None:
    page.get_by_label("Your access token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, token: str) -> None:
    submit_token(page, token)
    expect(page.locator("#signed-in")).to_be_visible()


def drop_file(page: Page, name: str, text: str) -> None:
    """Drag a file onto the upload area, as a file manager would."""
    page.evaluate(
        """([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type: "text/plain"}));
            const drop = new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true});
            document.getElementById("dropzone").dispatchEvent(drop);
        }""",
        [name, text],
    )


def finding_card(page: Page, label: str) -> Locator:
    return page.locator(".finding").filter(has=page.get_by_role("heading", name=label, exact=True))


def test_the_page_and_its_files_come_with_a_strict_content_security_policy(service: Service) -> None:
    page = httpx.get(service.url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="en">' in page.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.DOTALL)
    assert scripts
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts), "no inline script: CSP blocks it"
    assert "<style" not in page.text
    assert re.search(r"\son\w+=", page.text) is None, "no inline event handlers"
    # Every file the page loads, and every module those scripts import, is served with a type browsers accept.
    wanted = re.findall(r'(?:src|href)="/static/([^"]+)"', page.text)
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        seen.add(name)
        asset = httpx.get(f"{service.url}/static/{name}")
        assert asset.status_code == 200, name
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        assert asset.headers["content-type"].startswith(kind), name
        wanted += [found for found in re.findall(r'from "\./([\w.]+)"', asset.text) if found not in seen]
    assert {"app.js", "style.css"} < seen
    missing = httpx.get(f"{service.url}/static/..%2Fpages.py")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_every_control_has_a_label_and_the_keyboard_reaches_sign_in(browser: BrowserContext, service: Service) -> None:
    page = open_page(browser, service)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
               .filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id)"""
    )
    assert unlabelled == []
    assert page.evaluate("document.documentElement.lang") == "en"
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "token"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused control must show its focus"


def test_a_patient_uploads_sees_cited_results_reads_guidance_and_saves_context(
    browser: BrowserContext, service: Service, tmp_path: Path
) -> None:
    token = service.patient_token()
    console: list[str] = []
    page = open_page(browser, service, console)
    sign_in(page, token)
    expect(page.get_by_role("heading", name="My results")).to_be_focused()  # where a screen reader continues
    expect(page.locator("#results-summary")).to_contain_text("No results yet")

    report = tmp_path / "my report.txt"
    report.write_text(REPORT)
    page.get_by_label("Choose report files").set_input_files(report)
    page.get_by_role("button", name="Upload", exact=True).click()
    job = page.locator(".job").filter(has_text="my report.txt")
    expect(job).to_have_attribute("data-status", "done", timeout=PROCESSING_S * 1000)

    her2 = finding_card(page, "HER2 by immunohistochemistry (IHC)")
    expect(her2.locator(".value strong")).to_have_text("1+")
    quote = her2.locator("blockquote").first.text_content() or ""
    assert "1+" in quote
    assert quote in REPORT, "the evidence is the report's own words"
    expect(her2.locator("figcaption").first).to_have_text("my report.txt, page 1")

    her2.get_by_role("button", name="Confirm HER2 by immunohistochemistry (IHC)").click()
    expect(finding_card(page, "HER2 by immunohistochemistry (IHC)").locator(".reported")).to_have_text(
        "You confirmed this value."
    )
    er = finding_card(page, "Estrogen receptor (ER)")
    er.get_by_role("button", name="Correct Estrogen receptor (ER)").click()
    page.get_by_label("Right value for Estrogen receptor (ER)").fill("negative")
    page.get_by_role("button", name="Save correction").click()
    expect(finding_card(page, "Estrogen receptor (ER)").locator(".reported")).to_contain_text("negative")

    page.get_by_role("button", name="Show my guidance").click()
    headers = {"Authorization": f"Bearer {token}"}
    title = httpx.get(f"{service.url}/v1/me/guidance?format=json", headers=headers).json()["title"]
    expect(page.locator("#guidance h3").first).to_have_text(title)
    assert page.locator("#guidance script, #guidance style").count() == 0

    page.get_by_label("Menopausal status").select_option("postmenopausal")
    page.get_by_label("Setting").select_option("metastatic")
    page.get_by_label("Treatments so far").fill("letrozole (current)\nsurgery")
    page.locator("#context-form").get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_contain_text("Saved")
    stored = httpx.get(f"{service.url}/v1/me/profile", headers=headers).json()
    assert stored["context"]["menopausal_status"] == "postmenopausal"
    assert stored["context"]["metastatic"] is True
    assert stored["context"]["treatments"] == [{"name": "letrozole", "status": "current"}, {"name": "surgery"}]
    reported = {f["field"]: f["patient_reported"] for f in stored["findings"] if f["patient_reported"]}
    assert reported["her2_ihc"]["action"] == "confirm"
    assert reported["er_status"]["value"] == "negative"

    with page.expect_download() as download:
        page.get_by_role("button", name="Export my data").click()
    assert json.loads(Path(download.value.path()).read_text())["resourceType"] == "Bundle"

    page.locator("#results-section").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "patient-page.png"))
    assert not [line for line in console if "Content Security Policy" in line or line.startswith("error")], console


def test_another_patient_sees_nothing_of_the_first(browser: BrowserContext, service: Service) -> None:
    first, second = service.patient_token(), service.patient_token()
    page = open_page(browser, service)
    sign_in(page, first)
    drop_file(page, "dropped report.txt", REPORT)
    expect(page.get_by_role("list", name="Files chosen")).to_have_text("dropped report.txt")
    page.get_by_role("button", name="Upload", exact=True).click()
    job = page.locator(".job").filter(has_text="dropped report.txt")
    expect(job).to_have_attribute("data-status", "done", timeout=PROCESSING_S * 1000)
    expect(page.locator(".finding")).not_to_have_count(0)
    page.get_by_role("button", name="Show my guidance").click()
    expect(page.locator("#guidance h3")).not_to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, second)
    expect(page.locator("#results-summary")).to_contain_text("No results yet")
    page.get_by_role("button", name="Show my guidance").click()
    expect(page.locator("#status")).to_contain_text("guidance is shown")
    body = page.locator("body").inner_text()
    assert "HER2 (IHC): Score 1+" not in body
    assert "dropped report.txt" not in body
    assert page.locator(".finding").count() == 0


def test_errors_show_the_apis_message_and_deleting_needs_a_confirmation(
    browser: BrowserContext, service: Service, tmp_path: Path
) -> None:
    page = open_page(browser, service)
    submit_token(page, "not-a-real-token")
    expect(page.get_by_role("alert")).to_have_text("the token is not valid")
    expect(page.get_by_label("Your access token")).to_be_visible()

    token = service.patient_token()
    sign_in(page, token)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    page.get_by_label("Choose report files").set_input_files(empty)
    page.get_by_role("button", name="Upload", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert re.search(r"empty", alert.inner_text(), re.IGNORECASE)
    assert "Traceback" not in page.content()

    page.get_by_role("button", name="Delete my data…").click()
    expect(page.get_by_role("button", name="Keep my data")).to_be_focused()  # the safe choice is the default
    page.get_by_role("button", name="Keep my data").click()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{service.url}/v1/me/profile", headers=headers).status_code == 200
    page.get_by_role("button", name="Delete my data…").click()
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.locator("#status")).to_contain_text("deleted")
    expect(page.get_by_label("Your access token")).to_be_visible()
    assert httpx.get(f"{service.url}/v1/me/profile", headers=headers).status_code == 401
