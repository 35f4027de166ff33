"""The Content-Security-Policy (django-csp) in a real browser: every page is sent with it, breaks none of
its rules (no `securitypolicyviolation` event, no CSP message in the console), and what needs scripts
still works under it: Uppy uploads a file over tus, Chart.js draws the dashboard, the page scripts run.
"""

import pytest
from playwright.sync_api import expect

from archive.services.access import reviewer_link_create
from submissions.services import submission_create_draft, submission_submit
from tests.factories import make_study, stored_file
from tests.submissions.move_helpers import ready_draft
from uploads.models import UploadFile
from uploads.services.upload import upload_file_put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def csp_page(page):
    """The browser page, recording every CSP violation its documents report."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = []

    def record(message):
        if "Content Security Policy" in message.text:
            page.csp_console.append(message.text)

    page.on("console", record)
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def _assert_no_violations(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)  # violation events are dispatched after the work that caused them
    assert page.evaluate("window.cspViolations") + page.csp_console == [], page.url


def _policy(response) -> dict[str, str]:
    header = response.headers.get("content-security-policy", "")
    directives = (directive.strip().split(" ", 1) for directive in header.split(";") if directive.strip())
    return {name: sources for name, sources in directives}


def _open(page, url: str) -> None:
    """Open `url`, check that it is sent with the policy, and that nothing on it breaks the policy."""
    response = page.goto(url)
    assert response.ok, (url, response.status)
    assert _policy(response) == POLICY, url
    _assert_no_violations(page)


@pytest.fixture
def study(submitter):
    return make_study(
        owner=submitter,
        title="Zebrafish fin regeneration",
        files=[stored_file("images/fin_01.tif", b"fin pixels"), stored_file("README.txt", b"About")],
    )


def test_csp_public_pages_break_no_rule(csp_page, live_server, study, tmp_path):
    pages = ("/", "/search/?q=zebrafish", f"/studies/{study.accession}/", "/accounts/login/", "/admin/login/")
    for path in pages:
        _open(csp_page, live_server.url + path)
    csp_page.screenshot(path=tmp_path / "login.png", full_page=True)


def test_csp_uppy_uploads_a_file_over_tus_under_the_policy(csp_page, sign_in, submitter, live_server, tmp_path):
    page = sign_in(csp_page, submitter)
    local = tmp_path / "A01.tif"
    local.write_bytes(b"pixels " * 10_000)
    _open(page, live_server.url + "/uploads/")
    page.locator("#uppy-dashboard input[type=file]:not([webkitdirectory])").set_input_files(local)
    page.get_by_role("button", name="Upload 1 file").click()
    expect(page.locator("#upload-status")).to_contain_text("1 file uploaded", timeout=30_000)
    assert UploadFile.objects.get(area__owner=submitter).relative_path == "A01.tif"
    page.screenshot(path=tmp_path / "uploaded.png", full_page=True)
    _assert_no_violations(page)


def test_csp_wizard_steps_and_their_scripts_work(csp_page, sign_in, submitter, live_server, tmp_path):
    page = sign_in(csp_page, submitter)
    for path in ("experiment/plate1/A01.tif", "experiment/plate1/A02.tif"):
        upload_file_put(owner=submitter, relative_path=path, content=b"pixels")
    draft = submission_create_draft(owner=submitter, metadata={"title": "Plates"})
    for step in ("metadata", "files", "scope", "agreements", "release", "review"):
        _open(page, f"{live_server.url}/submissions/{draft.pk}/{step}/")

    page.goto(f"{live_server.url}/submissions/{draft.pk}/files/?folder=experiment")  # plate1/ is a subfolder there
    page.locator('input.folder-box[value="experiment/plate1"]').check()  # ticks the files shown from the folder
    expect(page.locator('input.file-box[data-path="experiment/plate1/A01.tif"]')).to_be_checked()
    page.goto(f"{live_server.url}/submissions/{draft.pk}/scope/")
    page.locator('input[name="human_material"][value="no"]').check()  # the questions about people do not apply
    expect(page.locator('input[name="publication_consent"][value="not_applicable"]')).to_be_checked()
    page.screenshot(path=tmp_path / "scope.png", full_page=True)
    _assert_no_violations(page)


def test_csp_owner_pages_with_secrets_and_progress(csp_page, sign_in, submitter, live_server):
    page = sign_in(csp_page, submitter)
    confidential = make_study(owner=submitter, status="confidential")
    _open(page, f"{live_server.url}/studies/{confidential.accession}/")
    page.get_by_role("button", name="Create a reviewer link").click()
    page.get_by_role("button", name="Copy").click()  # the copy script runs
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    _assert_no_violations(page)

    submission, _uploads = ready_draft(submitter, {"cells/c1.tif": b"c1"})
    submission_submit(submission=submission, actor=submitter)  # its files wait to move: the page polls
    _open(page, f"{live_server.url}/submissions/{submission.pk}/")
    _open(page, f"{live_server.url}/account/api-token/")
    _link, token = reviewer_link_create(study=confidential, actor=submitter)
    _open(page, f"{live_server.url}/review/{token}/")


def test_csp_dashboard_draws_its_charts(csp_page, sign_in, curator, submitter, live_server, study, tmp_path):
    page = sign_in(csp_page, curator)
    upload_file_put(owner=submitter, relative_path="old/plate.tif", content=b"o" * 5000)
    for path in ("/admin/", "/admin/archive/study/", f"/admin/archive/study/{study.pk}/change/", "/curation/review/"):
        _open(page, live_server.url + path)
    _open(page, live_server.url + "/curation/dashboard/")
    page.wait_for_function("() => document.querySelectorAll('canvas').length === Object.keys(Chart.instances).length")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('canvas')].every((canvas) => {
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          return pixels.some((value) => value !== 0);
        })"""
    )
    assert drawn, "a chart's canvas is blank"
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    _assert_no_violations(page)


def test_csp_api_docs_render_with_only_the_widening_redoc_needs(csp_page, live_server, tmp_path):
    response = csp_page.goto(live_server.url + "/api/docs/")
    # Redoc injects its styles at run time and searches in a worker made from a blob.
    widened = {"style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
    assert _policy(response) == POLICY | widened
    expect(csp_page.get_by_role("heading", name="Bioimage archive API")).to_be_visible(timeout=20_000)
    csp_page.screenshot(path=tmp_path / "api-docs.png")
    csp_page.wait_for_load_state("networkidle")
    # The one thing refused is Redoc's own "API docs by Redocly" logo from its CDN: the page loads
    # nothing from outside the portal.
    blocked = {violation.split(" at ")[0] for violation in csp_page.evaluate("window.cspViolations")}
    assert blocked == {"img-src blocked https://cdn.redoc.ly/redoc/logo-mini.svg"}
