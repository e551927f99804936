"""The service registry: every service app declares itself here in its AppConfig.ready().

The portal's catalogue, the case index's labels and deadlines, the uniform transition API
and `GET /api/v1/services` all read this one registry, so adding a service changes no
kernel code.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.urls import NoReverseMatch, reverse
from django_fsm import FSMField


@dataclass(frozen=True)
class ServiceSpec:
    code: str  # short uppercase Latin, the prefix of its case numbers, e.g. "ORG"
    name: str  # Chinese-first display name (lazy translation)
    description: str
    entry_url_name: str  # where an applicant starts (a URL name)
    model: type[models.Model]  # the service's case model: one-to-one `case`, FSMField `state`
    states: type[models.TextChoices]  # its states; a `badge` property gives the colour
    time_limits: dict[str, int] = field(default_factory=dict)  # state -> working days allowed
    # A service whose limits are configurable data or depend on the record (a patent type's own
    # limit, a notice's reply date) answers the deadline itself: (record, state, today) -> date.
    deadline: Callable | None = None
    responsible_role: dict[str, str] = field(default_factory=dict)  # state -> Role code that acts next
    closed_states: frozenset[str] = frozenset()
    # Roles that may read every case of the service besides those that act in it (e.g. a
    # supervising role); the acting roles come from `responsible_role`.
    viewer_roles: frozenset[str] = frozenset()
    # Who of the responsible role is told of a case nobody is assigned yet (a need-to-know
    # narrowing, e.g. the examiners of the case's technical field): (case) -> users; default all.
    role_recipients: Callable | None = None
    # The service's case page lists the case's files itself (grouped, with versions): the
    # generic attachment list is left out.
    lists_attachments: bool = False
    icon: str = "bi-folder"
    order: int = 100

    @property
    def entry_url(self) -> str:
        try:
            return reverse(self.entry_url_name)
        except NoReverseMatch:
            return ""

    def status_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def status_badge(self, state: str) -> str:
        try:
            return getattr(self.states(state), "badge", "secondary")
        except ValueError:
            return "secondary"

    @property
    def handler_roles(self) -> frozenset[str]:
        """Staff roles that work on this service's cases and may read all of them."""
        return frozenset(str(r) for r in self.responsible_role.values()) | frozenset(str(r) for r in self.viewer_roles)

    @property
    def state_field(self) -> FSMField:
        return self.model._meta.get_field("state")

    def transitions(self) -> dict[str, dict]:
        """name -> custom metadata (label, style, comment policy) of every transition."""
        result = {}
        for t in self.state_field.get_all_transitions(self.model):
            result.setdefault(t.name, t.custom)
        return result

    def transition_label(self, name: str) -> str:
        custom = self.transitions().get(name)
        if custom and custom.get("label"):
            return str(custom["label"])
        from django.utils.translation import gettext

        return gettext("Submit") if name == "submit" else name


class ServiceRegistry:
    def __init__(self) -> None:
        self._services: dict[str, ServiceSpec] = {}

    def register(self, spec: ServiceSpec) -> None:
        if not spec.code.isascii() or not spec.code.isupper() or not spec.code.isalpha():
            raise ValueError(f"service code must be short uppercase Latin letters: {spec.code!r}")
        existing = self._services.get(spec.code)
        if existing is not None and existing.model is not spec.model:
            raise ValueError(f"service code {spec.code} registered twice")
        self._services[spec.code] = spec

    def get(self, code: str) -> ServiceSpec | None:
        return self._services.get(code)

    def all(self) -> list[ServiceSpec]:
        return sorted(self._services.values(), key=lambda s: (s.order, s.code))

    def services_handled_by(self, roles) -> list[str]:
        roles = frozenset(str(r) for r in roles)
        return [s.code for s in self.all() if s.handler_roles & roles]

    def choices(self) -> list[tuple[str, str]]:
        return [(s.code, s.name) for s in self.all()]


registry = ServiceRegistry()
