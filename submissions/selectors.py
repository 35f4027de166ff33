"""Read side of submissions."""

from submissions import scope


def scope_form_get() -> dict:
    """Return the current scope form as the portal shows it: version and questions with their choices."""
    return {
        "version": scope.SCOPE_FORM_VERSION,
        "questions": [
            {"id": question.id, "text": question.text, "choices": list(question.choices)}
            for question in scope.QUESTIONS
        ],
    }
