from django import template

register = template.Library()


@register.filter
def bs(field):
    """Render a form field's widget with the Bootstrap class that fits it."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")
    css = "form-select" if kind == "select" or widget.__class__.__name__.endswith("Select") else "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)
