"""User-supplied rich text: only a small safe subset of HTML survives (nh3, an ammonia binding)."""

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "h3", "h4", "a", "table",
                "thead", "tbody", "tr", "th", "td", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(value: str, *, max_length: int = 50_000) -> str:
    """Strip scripts, event handlers, styles and unknown tags; links get rel=noopener."""
    return nh3.clean(
        (value or "")[:max_length],
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
