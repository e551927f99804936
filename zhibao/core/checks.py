from django.core import checks


@checks.register()
def registered_services_are_well_formed(app_configs, **kwargs):
    """Every registered service model must link to the case index and have a state machine."""
    from django_fsm import FSMField

    from .registry import registry

    errors = []
    for spec in registry.all():
        names = {f.name for f in spec.model._meta.get_fields()}
        if "case" not in names:
            errors.append(checks.Error(f"{spec.model.__name__} has no `case` link", id="zhibao.E001"))
        elif not isinstance(spec.model._meta.get_field("state"), FSMField):
            errors.append(checks.Error(f"{spec.model.__name__}.state is not an FSMField", id="zhibao.E002"))
    return errors
