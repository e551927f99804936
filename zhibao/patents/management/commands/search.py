"""`zhibao search "QUERY"`: run a patent query from the terminal (hits, a count or JSON)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibao.patents.search import QuerySyntaxError, get_engine


class Command(BaseCommand):
    help = "Search the patent index with the query language (TI=, IPC=, AD=[2019 TO 2022] …)."

    def add_arguments(self, parser):
        parser.add_argument("query", help=_("the query, e.g. 'TI=锂离子电池 AND IPC=H01M'"))
        parser.add_argument("--count", action="store_true", help=_("print only the number of hits"))
        parser.add_argument("--json", action="store_true", help=_("print the hits as JSON"))
        parser.add_argument("--limit", type=int, default=20, help=_("how many hits to print (default 20)"))
        parser.add_argument("--sort", default="relevance",
                            choices=["relevance", "application_date", "-application_date", "publication_date",
                                     "-publication_date"])

    def handle(self, *args, query, count, json: bool, limit, sort, **options):
        engine = get_engine()
        try:
            if count:
                self.stdout.write(str(engine.count(query)))
                return
            result = engine.search(query, sort=sort, page_size=max(1, limit), facets=(), highlight=False)
        except QuerySyntaxError as exc:
            # The query, then a caret under the offending character, then the reason.
            raise CommandError(f"{exc.message}\n  {query}\n  {' ' * self._width(query[:exc.position])}^") from None
        if json:
            self.stdout.write(self._json({
                "query": query, "total": result.total,
                "hits": [{k: v for k, v in hit.as_dict().items() if not k.endswith("_html")} for hit in result.hits],
            }))
            return
        for hit in result.hits:
            date = hit.application_date.isoformat() if hit.application_date else "          "
            self.stdout.write(f"{hit.publication_number:<14} {date}  {hit.first_applicant[:20]:<20}  {hit.title}")
        self.stdout.write(_("%(shown)d of %(total)d hits, %(ms).1f ms") % {
            "shown": len(result.hits), "total": result.total, "ms": result.took_ms})

    @staticmethod
    def _json(data) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2)

    @staticmethod
    def _width(text: str) -> int:
        """Terminal columns of text: CJK and full-width characters take two."""
        import unicodedata

        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
