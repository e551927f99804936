from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreExamConfig(AppConfig):
    name = "zhibao.pre_exam"
    label = "pre_exam"
    verbose_name = _("Patent pre-examination")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhibao.core.attachments.kinds import AttachmentKind, register_kind
        from zhibao.core.choices import Role
        from zhibao.core.registry import ServiceSpec, registry
        from zhibao.core.sweeps import register_sweep
        from zhibao.patents.signals import patents_imported

        from . import checks, jobs  # noqa: F401  (registers the system check and the pre_exam.* jobs)
        from .choices import PRE_EXAM_CLOSED_STATES, DocumentKind, FilingState, PreExamState, PriorityState
        from .models import (
            AbnormalFilingRecord,
            Filing,
            FormalCheckItem,
            NoticeTemplate,
            PreExamCase,
            PreExamConfig,
            PriorityRequest,
            TechnicalField,
        )
        from .services.assignment import field_examiners_of_case
        from .services.deadlines import pre_exam_deadline
        from .services.sweep import pre_exam_sweep

        for model in (TechnicalField, PreExamConfig, FormalCheckItem, NoticeTemplate, AbnormalFilingRecord):
            auditlog.register(model)

        # The application documents: a file per kind, every upload kept as a version.
        for kind in DocumentKind:
            formats = ("pdf", "docx", "jpg", "png") if kind == DocumentKind.DRAWINGS else ("pdf", "docx")
            register_kind(AttachmentKind(kind.value, kind.label, formats))
        register_kind(AttachmentKind("pe_search_report", _("Prior-art search report"), ("pdf", "docx")))
        register_kind(AttachmentKind("pe_letter", _("Letter from the center"), ("pdf",)))

        S, F, P = PreExamState, FilingState, PriorityState
        registry.register(ServiceSpec(
            code="PEF", name=_("Pre-examination filing"),
            description=_("Register your organization for the patent pre-examination green channel: "
                          "for organizations of the region working in the center's technical fields."),
            entry_url_name="pre_exam:filing_new", model=Filing, states=FilingState,
            time_limits={F.SUBMITTED: 2, F.IN_REVIEW: 5, F.RETURNED: 10},
            responsible_role={F.SUBMITTED: Role.CLERK, F.IN_REVIEW: Role.CLERK},
            closed_states=frozenset({F.APPROVED, F.REJECTED, F.WITHDRAWN}),
            viewer_roles=frozenset({Role.EXAMINER}), icon="bi-card-checklist", order=20,
        ))
        registry.register(ServiceSpec(
            code="PE", name=_("Patent pre-examination"),
            description=_("The green channel: the center pre-examines your application in days, "
                          "then you file it at CNIPA for fast examination."),
            entry_url_name="pre_exam:case_new", model=PreExamCase, states=PreExamState,
            deadline=pre_exam_deadline, role_recipients=field_examiners_of_case,
            # FILED waits for CNIPA (the grant match closes it): on nobody's worklist.
            responsible_role={S.SUBMITTED: Role.EXAMINER, S.ASSIGNED: Role.EXAMINER, S.EXAMINING: Role.EXAMINER},
            closed_states=frozenset(PRE_EXAM_CLOSED_STATES), lists_attachments=True, icon="bi-lightning-charge",
            order=21,
        ))
        registry.register(ServiceSpec(
            code="PER", name=_("Prioritized examination recommendation"),
            description=_("Ask the center to recommend your application, already filed at CNIPA, "
                          "for prioritized examination."),
            entry_url_name="pre_exam:priority_new", model=PriorityRequest, states=PriorityState,
            time_limits={P.SUBMITTED: 5, P.IN_REVIEW: 10},
            responsible_role={P.SUBMITTED: Role.EXAMINER, P.IN_REVIEW: Role.EXAMINER},
            closed_states=frozenset({P.NOT_RECOMMENDED, P.ACCEPTED, P.REFUSED, P.WITHDRAWN}),
            icon="bi-sort-up", order=22,
        ))

        register_sweep("pre_exam", pre_exam_sweep)
        patents_imported.connect(jobs.retrain_after_import, dispatch_uid="pre-exam-retrain-after-import")
        patents_imported.connect(jobs.grant_match_after_import, dispatch_uid="pre-exam-grant-match-after-import")
