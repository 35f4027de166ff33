"""Write side of submissions, one module a step of the journey.

Every broken rule raises `PolicyViolation` naming the rule and the field.
"""

from submissions.services.drafts import (
    file_list_report,
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_file_list_check,
    submission_files_set,
    submission_metadata_update,
    submission_project_set,
    submission_release_date_set,
)
from submissions.services.move import MOVE_BATCH, submission_files_move
from submissions.services.submit import (
    SubmissionNotReady,
    SubmitProblem,
    submission_move_queue,
    submission_problems,
    submission_screen,
    submission_submit,
)
from submissions.services.versions import submission_version_start
from submissions.services.whole import submission_create_whole, submission_update_whole

__all__ = [
    "MOVE_BATCH",
    "SubmissionNotReady",
    "SubmitProblem",
    "file_list_report",
    "submission_acknowledge",
    "submission_certify_scope",
    "submission_create_draft",
    "submission_create_whole",
    "submission_file_list_check",
    "submission_files_move",
    "submission_files_set",
    "submission_metadata_update",
    "submission_move_queue",
    "submission_problems",
    "submission_project_set",
    "submission_release_date_set",
    "submission_screen",
    "submission_submit",
    "submission_update_whole",
    "submission_version_start",
]
