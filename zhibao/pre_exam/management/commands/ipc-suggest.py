"""`zhibao ipc-suggest "TITLE" [--abstract TEXT]` and `zhibao ipc-suggest --evaluate FILE`.

Suggests IPC subclasses (with confidence) and the center's technical field from the model of
the current corpus, training it first when it is missing or older than the corpus. With
--evaluate, measures top-1/top-3 on a CSV (publication_number, title, ipc_subclasses with |
separators) using a model trained without the patents the file names.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibao.pre_exam.suggest import evaluate as evaluate_model
from zhibao.pre_exam.suggest import field_for_subclasses, suggester_for_corpus

EMPTY_CORPUS = "专利库为空：先用 zhibao import-patents 导入专利"


def read_evaluation_file(path: Path) -> list[tuple[str, str, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"publication_number", "title", "ipc_subclasses"} - set(reader.fieldnames or ())
            if missing:
                raise CommandError(f"{path}: missing columns {', '.join(sorted(missing))}")
            return [(r["publication_number"].strip(), r["title"],
                     [s.strip().upper() for s in (r["ipc_subclasses"] or "").split("|") if s.strip()])
                    for r in reader]
    except OSError as exc:
        raise CommandError(f"{path}: {exc}")


class Command(BaseCommand):
    help = "Suggest IPC subclasses and the technical field for a title (and abstract), or evaluate on a CSV."

    def add_arguments(self, parser):
        parser.add_argument("title", nargs="?", help=_("the title of the application"))
        parser.add_argument("--abstract", default="", help=_("the abstract"))
        parser.add_argument("--evaluate", metavar="FILE",
                            help=_("CSV of publication_number, title, ipc_subclasses: print top-1/top-3"))
        parser.add_argument("-k", type=int, default=5, help=_("how many subclasses to print (default 5)"))

    def handle(self, *args, title=None, abstract="", evaluate=None, k=5, **options):
        if bool(title) == bool(evaluate):
            raise CommandError("give a TITLE or --evaluate FILE (one of them)")
        if evaluate:
            rows = read_evaluation_file(Path(evaluate))
            model = suggester_for_corpus(exclude_publication_numbers=[pn for pn, _t, _s in rows if pn])
            if model is None:
                raise CommandError(EMPTY_CORPUS)
            result = evaluate_model(model, [(t, s) for _pn, t, s in rows])
            self.stdout.write(f"top1 {result['top1']:.3f}\ntop3 {result['top3']:.3f}\nn {result['n']}")
            self.stdout.write(_("(trained on %(patents)d corpus patents, %(excluded)d left out)") % {
                "patents": model.meta.get("patents", 0), "excluded": model.meta.get("excluded", 0)})
            return
        model = suggester_for_corpus()
        if model is None:
            raise CommandError(EMPTY_CORPUS)
        suggestions = model.suggest(title, abstract, k=max(1, k))
        for subclass, confidence in suggestions:
            self.stdout.write(f"{subclass}  {confidence * 100:5.1f}%")
        field = field_for_subclasses(suggestions)
        if field:
            self.stdout.write(_("Field: %(name)s (%(code)s) %(confidence).1f%%") % {
                "name": field[1], "code": field[0], "confidence": field[2] * 100})
        else:
            self.stdout.write(_("Field: none of the center's fields"))

