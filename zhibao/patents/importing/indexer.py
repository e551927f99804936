"""Where an import's records go to be indexed: the engine in the importing process, or (large
files) a writer process of its own, fed batches in file order through a bounded queue, so that
segmentation and tantivy run on the second core (docs/decisions.md §14).

The process is spawned, not forked: the importing process has threads (tantivy's, a worker's,
a test runner's), and a fork copies whatever lock one of them held at that moment into a child
that can then never take it — a writer that hangs forever, as it once did under CI."""

import queue

from django.conf import settings

# How long a put or a wait sleeps before looking again whether the writer process is alive.
_POLL_S = 1.0


def index_worker_main(path: str, lock_timeout: float, words: list[str] | None, tasks, results) -> None:
    """The search index's writer in a process of its own (a large import): segments and adds
    the documents of each batch the import sends, commits on request and at the end."""
    engine = None
    try:
        import django

        django.setup()  # a spawned process starts bare; settings come from the inherited environment
        from zhibao.patents.search.engine import PatentSearchEngine
        from zhibao.patents.search.tokenize import add_ipc_words

        # The parent read the IPC terms from its database; this process opens none.
        add_ipc_words(words or [])
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
    """Where the written records go to be indexed: the engine in this process, or (large files)
    a writer process, so segmentation and tantivy run on another core while this one
    normalises and writes the database. Both get the batches in file order."""

    def __init__(self, separate: bool):
        from zhibao.patents.search import get_engine
        from zhibao.patents.search.tokenize import ipc_words

        self.engine = get_engine()
        self.process = None
        if separate:
            import multiprocessing

            words = ipc_words() if getattr(settings, "PATENT_SEARCH_IPC_WORDS", True) else None
            context = multiprocessing.get_context("spawn")
            self.tasks = context.Queue(maxsize=4)
            self.results, child_end = context.Pipe(duplex=False)
            self.process = context.Process(target=index_worker_main, name="zhibao-index-writer", daemon=True,
                                           args=(str(self.engine.path), self.engine.lock_timeout, words,
                                                 self.tasks, child_end))
            self.process.start()
            child_end.close()

    def _send(self, task) -> None:
        """Hand a task to the writer; when it has stopped, close() raises its error instead of
        this waiting forever on a queue nobody reads."""
        while True:
            if self.process is not None and not self.process.is_alive():
                self.close()
            try:
                self.tasks.put(task, timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def add(self, items: list[tuple[tuple, bool]]) -> None:
        if self.process is None:
            self.engine.index_values(items)
        else:
            self._send(items)

    def commit(self) -> None:
        if self.process is None:
            self.engine.commit()
        else:
            self._send("commit")

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
            # Wait for the writer's last word while it lives; a dead one has said all it will.
            while not self.results.poll(_POLL_S) and process.is_alive():
                pass
            if self.results.poll(0):
                error = self.results.recv()
        except (EOFError, OSError):
            pass
        process.join()
        self.tasks.close()
        self.results.close()
        if error:
            raise RuntimeError(error)
        self.engine._refresh(force=True)
