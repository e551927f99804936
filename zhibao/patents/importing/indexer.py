"""Where an import's records go to be indexed: the engine in the importing process, or (large
files, on systems with fork) a writer process of its own, fed batches in file order through a
bounded queue, so that segmentation and tantivy run on the second core (docs/decisions.md §14)."""

from django.conf import settings


def index_worker_main(path: str, lock_timeout: float, tasks, results) -> None:
    """The search index's writer in a process of its own (a large import): segments and adds
    the documents of each batch the import sends, commits on request and at the end."""
    engine = None
    try:
        from zhibao.patents.search.engine import PatentSearchEngine
        from zhibao.patents.search.tokenize import _loaded

        _loaded["ipc"] = True  # the parent loaded the dictionary; this process has no database
        engine = PatentSearchEngine(path, lock_timeout=lock_timeout)
        while True:
            task = tasks.get()
            if task is None:
                break
            if task == "commit":
                engine.commit()
            else:
                engine.index_values(task)
        engine.commit()
        results.send(None)
    except BaseException as exc:  # reported to the import, which raises it
        if engine is not None:
            engine.rollback()
        results.send(f"{type(exc).__name__}: {exc}")


class RecordIndexer:
    """Where the written records go to be indexed: the engine in this process, or (large files,
    on systems with fork) a writer process, so segmentation and tantivy run on another core
    while this one normalises and writes the database. Both get the batches in file order."""

    def __init__(self, separate: bool):
        from zhibao.patents.search import get_engine
        from zhibao.patents.search.tokenize import load_ipc_words

        self.engine = get_engine()
        self.process = None
        if separate:
            import multiprocessing

            if getattr(settings, "PATENT_SEARCH_IPC_WORDS", True):
                load_ipc_words()
            context = multiprocessing.get_context("fork")
            self.tasks = context.Queue(maxsize=4)
            self.results, child_end = context.Pipe(duplex=False)
            self.process = context.Process(target=index_worker_main, name="zhibao-index-writer", daemon=True,
                                           args=(str(self.engine.path), self.engine.lock_timeout, self.tasks,
                                                 child_end))
            self.process.start()
            child_end.close()

    def _check(self) -> None:
        if self.process is not None and not self.process.is_alive():
            self.close()

    def add(self, items: list[tuple[tuple, bool]]) -> None:
        if self.process is None:
            self.engine.index_values(items)
        else:
            self._check()
            self.tasks.put(items)

    def commit(self) -> None:
        if self.process is None:
            self.engine.commit()
        else:
            self._check()
            self.tasks.put("commit")

    def close(self) -> None:
        """Commit what was added (as an interrupted import does) and stop the writer process."""
        if self.process is None:
            self.engine.commit()
            return
        process, self.process = self.process, None
        error = "the index writer process stopped"
        try:
            if process.is_alive():
                self.tasks.put(None)
            if self.results.poll(None if process.is_alive() else 0):
                error = self.results.recv()
        except (EOFError, OSError):
            pass
        process.join()
        self.tasks.close()
        self.results.close()
        if error:
            raise RuntimeError(error)
        self.engine._refresh(force=True)
