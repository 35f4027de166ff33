"""Render Django form widgets with Bootstrap classes and accessible error wiring."""

from django import forms, template

register = template.Library()


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.simple_tag
def bootstrap_widget(field: forms.BoundField, extra_class: str = ""):
    """Render the field's widget with Bootstrap classes, aria-invalid and aria-describedby."""
    widget = field.field.widget
    classes = [widget.attrs.get("class", ""), _css_class(widget), extra_class]
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_help")
    if field.errors:
        classes.append("is-invalid")
        described_by.append(f"{field.auto_id}_errors")
    attrs = {"class": " ".join(c for c in classes if c)}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def is_marked_required(field: forms.BoundField) -> bool:
    """Whether the field's label carries the required mark: required to send the form, or to submit (aria-required)."""
    return field.field.required or field.field.widget.attrs.get("aria-required") == "true"


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """Name the layout a field needs: checkbox, choices (radio/checkbox list), hidden or input."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"
