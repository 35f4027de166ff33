"""Background jobs of submissions (django-q2). Each calls one service and is safe to run twice."""

from submissions.services import move


def submission_files_move(submission_id: int) -> str:
    """Move a submitted submission's files into the archive and accession it; return its state."""
    return move.submission_files_move(submission_id=submission_id).state
