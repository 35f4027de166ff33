"""axe-core (the pinned npm devDependency) in a real browser finds no serious or critical accessibility
violation on the public, submitter and curator pages, the Django admin's included.

Left out: /api/docs/, which is Redoc's own page (third-party, drawn at run time), not the portal's.
"""

import io
import os

import pytest
from PIL import Image

from archive.services.access import reviewer_link_create
from archive.services.accession import study_version_add
from archive.tasks import thumbnails_make_missing
from submissions.services import submission_create_draft
from tests.curation.review_helpers import in_review_for_scope
from tests.factories import make_study, stored_file, study_metadata
from tests.submissions.move_helpers import ready_draft
from uploads.services.upload import upload_file_put

pytestmark = [pytest.mark.browser, pytest.mark.node, pytest.mark.django_db(transaction=True)]

SEVERE = ("serious", "critical")
# axe.run() answers every rule broken on the page; the test keeps the serious and critical ones,
# each with the elements that break it, what to do and axe's finding on the first element.
AXE_RUN = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
    example: v.nodes[0].failureSummary,
  }));
}"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The portal's Content-Security-Policy refuses a script the test injects; the pages are checked
    # with it by tests/flows/test_browser_csp.py.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def axe_page(page, npm_file, live_server):
    """The browser page and a function that opens a path and returns axe's severe violations on it."""
    axe_script = npm_file("axe-core", "axe.min.js")

    def violations_on(path: str, expected_status: int = 200) -> list[dict]:
        response = page.goto(live_server.url + path)
        assert response.status == expected_status, (path, response.status)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=axe_script)
        return [{**v, "page": path} for v in page.evaluate(AXE_RUN) if v["impact"] in SEVERE]

    page.violations_on = violations_on
    return page


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_none(violations: list[dict], page, name: str, output_path) -> None:
    """Fail with each rule broken once: its impact and help, an example finding, the elements and the pages."""
    shots = os.environ.get("SCREENSHOT_DIR", output_path)
    page.screenshot(path=f"{shots}/axe_{name}_last.png", full_page=True)
    rules = {}
    for v in violations:
        rule = rules.setdefault(v["id"], {**v, "targets": set(), "pages": []})
        rule["targets"].update(v["targets"])
        rule["pages"].append(v["page"])
    report = "\n".join(
        f"{id} ({rule['impact']}): {rule['help']}\n  e.g. {rule['example']}\n"
        f"  at {', '.join(sorted(rule['targets']))}\n  on {' '.join(rule['pages'])}"
        for id, rule in rules.items()
    )
    assert not violations, f"axe found serious or critical violations:\n{report}"


def test_axe_public_pages_have_no_serious_violation(axe_page, output_path):
    study = make_study(
        title="Zebrafish heart regeneration atlas",
        files=[
            stored_file("hearts/fish_01.png", _png((30, 160, 90)), {"channel": "GFP"}),
            stored_file("hearts/fish_02.png", _png((160, 30, 90)), {"channel": "RFP"}),
            stored_file("README.txt", b"Read me"),
        ],
    )
    thumbnails_make_missing()
    study_version_add(
        study=study,
        metadata=study_metadata("Zebrafish heart regeneration atlas, corrected"),
        files=[stored_file("hearts/fish_01.png", _png((30, 160, 90)))],
        actor=study.owner,
    )
    removed = make_study(status="removed", title="Retracted study")

    violations = []
    for path in (
        "/",
        "/search/?q=zebrafish",
        "/search/?q=nothing-matches-this",
        f"/studies/{study.accession}/",
        f"/studies/{study.accession}/v1/",
        "/accounts/login/",
        "/accounts/signup/",
        "/projects/propose/",
    ):
        violations += axe_page.violations_on(path)
    violations += axe_page.violations_on(f"/studies/{removed.accession}/", expected_status=410)
    _assert_none(violations, axe_page, "public", output_path)


def test_axe_submitter_pages_have_no_serious_violation(axe_page, sign_in, submitter, output_path):
    sign_in(axe_page, submitter)
    upload_file_put(owner=submitter, relative_path="hela/raw/cell_01.tif", content=b"pixels")
    half_done = submission_create_draft(owner=submitter, metadata={"title": "Half-done HeLa study"})
    ready, _uploads = ready_draft(submitter, {"cells/c1.tif": b"c1"})
    confidential = make_study(owner=submitter, status="confidential", title="Embargoed organoids")
    reviewer_link_create(study=confidential, actor=submitter)
    make_study(owner=submitter, title="Mitochondria in motion")

    violations = []
    for path in ("/uploads/", "/submissions/", "/my/studies/", f"/studies/{confidential.accession}/"):
        violations += axe_page.violations_on(path)
    for step in ("metadata", "files", "scope", "agreements", "release", "review"):
        violations += axe_page.violations_on(f"/submissions/{half_done.pk}/{step}/")
    violations += axe_page.violations_on(f"/submissions/{ready.pk}/review/")
    _assert_none(violations, axe_page, "submitter", output_path)


def test_axe_curator_pages_have_no_serious_violation(axe_page, sign_in, curator, submitter, output_path):
    sign_in(axe_page, curator)
    entry = in_review_for_scope(submitter)
    study = make_study(owner=submitter)

    violations = []
    for path in (
        "/curation/dashboard/",
        "/curation/review/",
        f"/curation/review/{entry.pk}/",
        "/admin/",
        "/admin/archive/study/",
        f"/admin/archive/study/{study.pk}/change/",
        "/admin/core/curationevent/",
    ):
        violations += axe_page.violations_on(path)
    _assert_none(violations, axe_page, "curator", output_path)
