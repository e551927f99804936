"""Security events (安全审计): one function every part of the platform calls."""

import logging

from ..models import SecurityEvent, SecurityEventKind

logger = logging.getLogger("zhibao.security")


def client_ip(request) -> str | None:
    # Behind nginx the proxy sets X-Forwarded-For; its first hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


def security_event_record(*, kind: str, request=None, user=None, username: str = "", detail: dict | None = None) -> SecurityEvent:
    """Append one security event; never raises into the caller's request."""
    if user is not None and getattr(user, "is_authenticated", False):
        user_id, username = user.pk, user.get_username()
    else:
        user_id = None
    event = SecurityEvent.objects.create(
        kind=kind,
        user_id=user_id,
        username=(username or "")[:150],
        ip=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        path=(request.path if request is not None else "")[:300],
        detail=detail or {},
    )
    logger.info("security event %s user=%s", kind, user_id or "-")
    return event


__all__ = ["SecurityEventKind", "client_ip", "security_event_record"]
