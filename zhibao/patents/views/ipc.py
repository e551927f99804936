"""Pages: the IPC browser — the scheme's tree, expanded with htmx fragments, and a search."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, register_converter
from django.urls.converters import get_converters

from ..ipc import highlight, ipc_children, ipc_lookup, ipc_patent_counts, ipc_path, ipc_search, search_words

SEARCH_LIMIT = 100
# A tree level with more nodes than this shows no corpus counts (one engine count per node).
COUNT_LIMIT = 60


class IpcCodeConverter:
    """An IPC code in a URL: `H01F1/057` (the slash kept) or `H01F1-057`; passed on as written
    (the views look it up with parse_ipc and redirect other spellings to the canonical one)."""

    # Loose on purpose: a malformed code reaches the view (404 there, after the login check)
    # instead of falling through the URLconf.
    regex = r"[A-Za-z][0-9A-Za-z]{0,12}(?:[/-][0-9]{1,6})?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


if "ipc" not in get_converters():
    register_converter(IpcCodeConverter, "ipc")


def _nodes(codes, words=()):
    codes = list(codes)
    counts = ipc_patent_counts([c.code for c in codes]) if len(codes) <= COUNT_LIMIT else {}
    for node in codes:
        node.title_html = highlight(node.title, words)
        node.patent_count = counts.get(node.code)
    return codes


def ipc_browser(request):
    """/ipc/: the sections, each expanding into its classes, or the matches of ?q= (titles, codes)."""
    q = request.GET.get("q", "").strip()[:100]
    context = {"q": q}
    if q:
        words = search_words(q)
        context["results"] = _nodes(ipc_search(q, SEARCH_LIMIT), words)
        context["limit"] = SEARCH_LIMIT
    else:
        context["nodes"] = _nodes(ipc_children(None))
    if request.htmx and request.htmx.target == "ipc-results":
        return render(request, "patents/ipc_browser.html#results", context)
    return render(request, "patents/ipc_browser.html", context)


def ipc_detail(request, code):
    """/ipc/<code>/: one symbol with its path and children; an htmx request gets the children only."""
    node = ipc_lookup(code)
    if node is None:
        raise Http404
    if node.code != code and not request.htmx:
        return redirect("patents:ipc_detail", code=node.code)
    children = _nodes(ipc_children(node.code))
    context = {"node": node, "children": children, "path": ipc_path(node.code)}
    if request.htmx:
        return render(request, "patents/ipc_tree.html", {"nodes": children})
    counts = ipc_patent_counts([node.code])
    node.patent_count = counts.get(node.code)
    return render(request, "patents/ipc_detail.html", context)


urlpatterns = [
    path("ipc/", ipc_browser, name="ipc_browser"),
    path("ipc/<ipc:code>/", ipc_detail, name="ipc_detail"),
]
