"""Small helpers shared by the forms and views of every app."""

from django.core.exceptions import ValidationError


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the field it names, or above the form.

    Services check their invariants again under a row lock, so a form that validated can still fail there;
    the user then sees the message in the same place as a form error.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
