"""The one error type that services raise when a rule is broken, and how a form shows it."""


class PolicyViolation(Exception):
    """A request breaks one of the archive's rules (docs/design.md §5).

    Views turn it into a form error or a 4xx JSON body naming the field and the rule;
    subclasses may answer another 4xx status.
    """

    status = 400

    def __init__(self, *, rule: str, message: str, field: str = "non_field_errors"):
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message

    def as_dict(self) -> dict:
        return {self.field: [self.message], "rule": self.rule}


class NotAllowed(PolicyViolation):
    """The actor may not make this change at all (403)."""

    status = 403


def policy_error(form, error: PolicyViolation) -> None:
    """Show a service's refusal on `form` (a Django form) next to the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
