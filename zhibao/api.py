"""The REST API's shared pieces: pagination and the one error shape (URLs: api_urls.py).

Errors always have one shape, {"code", "message", "fields"}, so clients (and the center's
Excel macros) can show the Chinese message and mark the fields.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zhibao.core.services.cases import WorkflowError


class Pagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    return {"non_field_errors": [str(v) for v in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        if exc.status == 403 and context.get("request") is not None:
            from zhibao.core.models import SecurityEventKind
            from zhibao.core.services.security import security_event_record

            request = context["request"]
            security_event_record(kind=SecurityEventKind.PERMISSION_DENIED, request=request._request,
                                  user=request.user, detail={"code": exc.code})
        return Response({"code": exc.code, "message": exc.message, "fields": exc.fields}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.PermissionDenied) and context.get("request") is not None:
        from zhibao.core.models import SecurityEventKind
        from zhibao.core.services.security import security_event_record

        request = context["request"]
        security_event_record(kind=SecurityEventKind.PERMISSION_DENIED, request=request._request, user=request.user)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [""])[0]
        body = {"code": "invalid", "message": _("Please correct the marked fields: %(first)s") % {"first": first},
                "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": str(code), "message": str(detail), "fields": {}}
    response.data = body
    return response


# Statuses any operation may answer, whatever its own documentation says: the error shape
# is the same everywhere, so the schema states it once for every operation.
COMMON_ERRORS = {
    "400": "The request is invalid: see `fields`.",
    "401": "Not logged in, or the token is wrong.",
    "403": "Logged in, but not allowed.",
    "404": "No such object, or not visible to you.",
    "405": "Method not allowed.",
    "409": "Not possible in the object's current state.",
    "415": "Unsupported content type.",
}


def add_common_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the one error shape on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
        "required": ["code", "message", "fields"],
    })
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": description,
                                              "content": {"application/json": {"schema": ref}}})
    return result


def error_response(status: int, code: str, message: str):
    from django.http import JsonResponse

    return JsonResponse({"code": code, "message": str(message), "fields": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # nothing to protect: it changes nothing, and a CSRF page would hide the JSON 404
def not_found(request, *args, **kwargs):
    """Any /api/ address that matches no endpoint: the JSON error, never an HTML page."""
    return error_response(404, "not_found", _("No such API address."))
