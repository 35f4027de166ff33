"""Write side of submissions, one module a step of the journey.

Every broken rule raises `PolicyViolation` naming the rule and the field.
"""

from submissions.services.drafts import (
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_files_set,
)
from submissions.services.move import MOVE_BATCH, submission_files_move
from submissions.services.submit import submission_submit

__all__ = [
    "MOVE_BATCH",
    "submission_acknowledge",
    "submission_certify_scope",
    "submission_create_draft",
    "submission_files_move",
    "submission_files_set",
    "submission_submit",
]
