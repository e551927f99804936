"""Property-based fuzzing of the REST API against its own OpenAPI schema (schemathesis).

The CI check that no endpoint answers 5xx and that every answer is what the schema
promises: a documented status code, the documented content type, and a body that
validates against the documented schema.

How it runs:

* The schema is read from the real WSGI application (``zhibao.wsgi.application``, path
  ``/api/schema/``) at collection time, in-process: no server, no network. Every operation
  becomes one test item per persona, e.g. ``test_api[GET /api/v1/cases/{number}][clerk]``.
* Two personas, made through the real services: an applicant (alice, who owns an
  organization whose verification is an open ORG case) and a workstation clerk. Each calls
  the API with its own ``Authorization: Token …``.
* Every generated request is sent twice: as generated (random ids mostly meet 404), and
  aimed at the persona's real objects (the ORG case, alice's organization, the persona's
  job, and for workflow steps a transition the persona may take now), so that the 200
  answers for real records are validated too.
* The navigation operations (/api/v1/navigation/) also get a navigation project commissioned
  by alice's organization, with a tree, a finished run and a report: alice reads it (200s
  validated) and may change nothing (403), the clerk sees nothing (404).
* Both positive (schema-valid) and negative (schema-violating) requests are generated:
  the API must refuse bad input with a documented 4xx, never a 5xx.
* Reproducible: a fixed seed (``ZHIBAO_FUZZ_SEED``), no Hypothesis example database, and
  ``ZHIBAO_FUZZ_EXAMPLES`` random examples per operation and persona (default 15), on top
  of schemathesis' deterministic "examples" and "coverage" phases.

Known application bugs are listed in KNOWN_BUGS. A failure that matches one exactly (same
operation, same check, same status code, and the bug's own condition on the request) is
reported as a warning naming the bug instead of failing the run; every other check of
that operation stays strict. ``ZHIBAO_FUZZ_STRICT=1`` fails on known bugs too, to see
which are fixed. Delete an entry when its bug is fixed.

    ZHIBAO_ENV=test pytest zhibao/tests/test_api_fuzz.py            # or: -m fuzz / -m "not fuzz"
    ZHIBAO_FUZZ_EXAMPLES=200 ZHIBAO_FUZZ_SEED=7 pytest …            # a deeper, different run
"""

import os
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhibao.accounts.services import organization_verification_submit
from zhibao.conftest import make_org, make_user
from zhibao.core.choices import Role
from zhibao.core.models import Case
from zhibao.core.services.cases import available_transitions
from zhibao.core.services.jobs import job_execute, job_start
from zhibao.core.services.notifications import notification_send

EXAMPLES = int(os.environ.get("ZHIBAO_FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("ZHIBAO_FUZZ_SEED", "20260501"))
STRICT = os.environ.get("ZHIBAO_FUZZ_STRICT", "") not in {"", "0"}

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES,
            # No example database: a CI run must not depend on what an earlier run found.
            "database": "none",
            # Authentication is ours (a real token per persona, below). Random values for the
            # declared security schemes (Authorization header, sessionid cookie) would only
            # replace it and turn every request into the same 401.
            "with-security-parameters": False,
        },
    }
)

# No operation is excluded. The form-encoded login (POST /api/v1/auth/token) is fuzzed like
# the rest: 400 for wrong credentials, 200 and a token when the generator happens on the
# personas' real ones (schemathesis reuses string constants it finds in the code).
# JSON rather than the default YAML: the same document, parsed without a YAML loader.
try:
    from zhibao.wsgi import application  # the production handler, middleware and all

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)
    SCHEMA_ERROR = None
except Exception as exc:  # an application or schema that cannot load fails test_schema_loads,
    schema, SCHEMA_ERROR = None, exc  # instead of aborting the collection of the whole suite


# --- Known application bugs ----------------------------------------------------------------


class KnownAppBugWarning(UserWarning):
    """A known application bug was met again (once per test item and bug)."""


@dataclass(frozen=True)
class KnownBug:
    """An application bug this test found and that is not fixed yet."""

    id: str
    reason: str
    checks: tuple[str, ...]  # names of the schemathesis checks it fails
    status: int  # the status code the application answers
    operations: tuple[str, ...] = ()  # schemathesis labels, "METHOD /path"; empty: any operation
    applies: Callable[[object], bool] | None = None  # a further condition on the request (Case)


# Empty: every bug this test has found so far is fixed (ZB-API-1 … ZB-API-11, fixed in commit
# 95ede1a), and a fixed bug must fail loudly if it comes back. An entry looks like this:
#
#     KnownBug(
#         "ZB-API-1",
#         "POST /notifications/read with an id beyond 64 bits answers 500 (OverflowError)",
#         checks=("not_a_server_error", "status_code_conformance"),
#         status=500,
#         operations=("POST /api/v1/notifications/read",),
#         applies=lambda case: any(abs(i) >= 2**63 for i in case.body.get("ids", [])),
#     ),
KNOWN_BUGS: list[KnownBug] = []


def _known_bug(case, response, failure) -> KnownBug | None:
    if STRICT:
        return None
    for bug in KNOWN_BUGS:
        if (
            set(bug.checks) & set(failure.checks)
            and bug.status == response.status_code
            and (not bug.operations or case.operation.label in bug.operations)
            and (bug.applies is None or bug.applies(case))
        ):
            return bug
    return None


# --- The world the personas live in --------------------------------------------------------


@dataclass
class Persona:
    name: str
    user: object
    headers: dict[str, str]
    case_number: str
    organization_id: int
    job_id: str
    known_bugs_met: set[str] = field(default_factory=set)
    navigation: dict = field(default_factory=dict)  # {"number", "node"}: see _navigation_world


@pytest.fixture
def _in_process_requests():
    """Let the production WSGI handler run inside the test's transaction.

    ``zhibao.wsgi.application`` fires request_started/request_finished, whose receiver
    closes "obsolete" connections; inside pytest-django's ``db`` transaction that would
    close the very connection that holds the test data. Django's own test client
    disconnects the same receiver for the same reason (django.test.client.ClientHandler).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["applicant", "clerk"])
def persona(request, db, _in_process_requests, settings, tmp_path) -> Persona:
    """alice owns an organization whose verification is submitted (an ORG case waiting for a
    clerk); bob owns another organization; the clerk handles organization cases. The persona
    also has a notification and a finished export job, so that its lists are not empty.

    Made once per test item: its examples are successive requests of the same user
    against the same (growing) data, all rolled back at the end of the item.
    """
    settings.MEDIA_ROOT = tmp_path  # the export job writes a file
    clerk = make_user("clerk", [Role.CLERK])  # first, so that alice's submission notifies the clerk
    alice = make_user("alice", mobile="13812341234")
    alice_org = make_org(alice, "包头稀土新材料科技有限公司", 10000001)
    verification, _ = organization_verification_submit(organization=alice_org, user=alice)
    bob = make_user("bob", mobile="13912345678")
    make_org(
        bob, "鄂尔多斯绿能储能科技有限公司", 10000002, address="内蒙古自治区鄂尔多斯市康巴什区滨河路12号"
    )

    user = {"applicant": alice, "clerk": clerk}[request.param]
    notification_send(recipient=user, title="欢迎使用知保", body="fuzz", url="/", case=verification.case)
    job = job_start(name="cases_export", title="导出办件", owner=user, params={"scope": "all"})
    job_execute(str(job.pk))
    token = Token.objects.create(user=user)
    navigation = {}
    if "/api/v1/navigation/" in request.node.name:  # only the items that need it pay for it
        from zhibao.patents.search import reset_engine

        request.addfinalizer(reset_engine)  # its index is the test's own: leave no engine pointing at it
        navigation = _navigation_world(alice_org, settings, tmp_path)
    return Persona(
        name=request.param,
        user=user,
        headers={"Authorization": f"Token {token.key}"},
        case_number=verification.case.number,
        organization_id=alice_org.pk,
        job_id=str(job.pk),
        navigation=navigation,
    )


def _navigation_world(client_org, settings, tmp_path) -> dict:
    """A navigation project commissioned by alice's organization (so alice reads it and may
    change nothing; the clerk sees nothing), with a two-branch tree, a finished run (number 1,
    on an empty index of its own) and a ready report (version 1)."""
    from zhibao.navigation.choices import RunState
    from zhibao.navigation.models import NavigationReport
    from zhibao.navigation.services.projects import project_create
    from zhibao.navigation.services.runs import project_run
    from zhibao.navigation.services.tree import node_add
    from zhibao.patents.search import reset_engine

    settings.PATENT_INDEX_DIR = tmp_path / "patent-index"
    reset_engine()
    analyst = make_user("nav-analyst", [Role.ANALYST])
    project, _ = project_create(user=analyst, title="稀土永磁产业专利导航", industry="稀土永磁", client=client_org.pk)
    root = node_add(project=project, user=analyst, name="稀土永磁材料", query="TIAB=永磁")
    node_add(project=project, user=analyst, name="烧结钕铁硼", parent=root, query="TIAB=烧结")
    snapshot = project_run(project=project, user=analyst)
    job_execute(str(snapshot.job_id))
    NavigationReport.objects.create(project=project, snapshot=snapshot, version=1, created_by=analyst,
                                    state=RunState.READY)
    return {"number": project.case.number, "node": root.pk}


def _aimed_at_real_objects(case, persona: Persona):
    """The same request with its path ids replaced by the persona's real objects, or None."""
    params = dict(case.path_parameters or {})
    if not params:
        return None
    path = case.operation.path
    number = persona.case_number
    if path.startswith("/api/v1/navigation/") and persona.navigation:
        number = persona.navigation["number"]
        params.update({name: value for name, value in (("id", persona.navigation["node"]), ("run", 1),
                                                      ("version", 1), ("key", "1")) if name in params})
    if "number" in params:
        params["number"] = number
    if "id" in params and path.startswith("/api/v1/organizations/"):
        params["id"] = persona.organization_id
    if "id" in params and path.startswith("/api/v1/jobs/"):
        params["id"] = persona.job_id
    if "name" in params and "number" in params:
        # A workflow step the persona may take now, picked by the generated name, so that
        # transitions really happen (and move the case along for the examples that follow).
        detail = Case.objects.get(number=number).detail
        names = [t["name"] for t in available_transitions(detail, persona.user)]
        if names and params["name"] not in names:
            params["name"] = names[zlib.crc32(str(params["name"]).encode()) % len(names)]
    if params == case.path_parameters:
        return None
    aimed = case.derive()
    aimed.path_parameters.update(params)
    return aimed


def _call_and_validate(case, persona: Persona) -> None:
    # One savepoint per request, as each request has its own transaction in production
    # (autocommit): a request that breaks the transaction (a database error behind a 500)
    # is rolled back alone, instead of failing every later request of the item with
    # TransactionManagementError and misleading Hypothesis' shrinking.
    with transaction.atomic():
        response = case.call(headers=persona.headers)
    try:
        case.validate_response(response, checks=CHECKS, headers=persona.headers)
    except FailureGroup as group:
        known = [_known_bug(case, response, f) for f in group.exceptions]
        for bug in known:
            if bug is not None and bug.id not in persona.known_bugs_met:
                persona.known_bugs_met.add(bug.id)
                warnings.warn(
                    f"{bug.id} ({case.operation.label}): {bug.reason}", KnownAppBugWarning, stacklevel=1
                )
        if None in known:
            raise


@pytest.mark.fuzz
def test_schema_loads():
    """The application starts and serves an OpenAPI schema that schemathesis can read
    (without a database: it is loaded at collection time)."""
    assert SCHEMA_ERROR is None, f"loading /api/schema/ failed, so no operation was fuzzed: {SCHEMA_ERROR!r}"
    assert len(list(schema.get_all_operations())) > 0


if schema is not None:  # otherwise test_schema_loads fails and says why

    @pytest.mark.fuzz
    @schema.parametrize()
    @settings(
        # The persona is made once per item and shared by its examples, on purpose (see above).
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        deadline=None,
    )
    def test_api(case, persona):
        _call_and_validate(case, persona)
        aimed = _aimed_at_real_objects(case, persona)
        if aimed is not None:
            _call_and_validate(aimed, persona)
