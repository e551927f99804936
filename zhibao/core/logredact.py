"""Personal data and secrets never reach a log line (PIPL; GB/T 35273 §6.3).

Installed as the logging record factory from settings, so it covers every logger —
Django's, gunicorn's access log, third-party libraries — before any handler sees the record.
"""

import logging
import re

_PATTERNS = [
    # Password-reset links carry a one-time token in the path.
    (re.compile(r"(/reset/[^/\s]+/)[^/\s]+"), r"\1***"),
    # key=value and "key": "value" pairs of secrets.
    (re.compile(r"(?i)((?:password|passwd|pwd|secret|token|otp|csrfmiddlewaretoken|sessionid)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',;]+"), r"\1***"),
    (re.compile(r"(?i)(Authorization:?\s*(?:Token|Bearer)\s+)\S+"), r"\1***"),
    # 18-character resident ID numbers (GB 11643): keep the first and last four.
    (re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])"), r"\1**********\2"),
    # Mainland mobile numbers: 138****1234.
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
]
_HINT = re.compile(r"\d{11}|(?i:pass|secret|token|otp|reset|authorization|session|csrf)")


def redact(text: str) -> str:
    if not _HINT.search(text):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_base_factory = logging.getLogRecordFactory()


def _factory(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is the logging call's problem, not ours
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    return record


def install() -> None:
    if logging.getLogRecordFactory() is not _factory:
        logging.setLogRecordFactory(_factory)
