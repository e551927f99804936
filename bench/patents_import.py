"""Benchmark: importing patents, end to end against a raw baseline.

In a temporary ZHIBAO_VAR_DIR (migrated there), on BENCH_N generated records (default
1,000,000) in the 61-column export layout:

(a) raw — the ceiling, single process, no normalisation: the same CSV read with the csv
    module, every raw cell inserted into SQLite with plain sqlite3 executemany, and the same
    kind of index the platform builds: title and abstract segmented with the engine's own
    rjieba call (tokenize.analyze, search mode) and the first claim with tokenize.analyze_precise
    (tantivy cannot segment Chinese itself: without this the index would not be searchable in
    Chinese), indexed with the whitespace tokenizer, plus the number, applicant and IPC cells
    as raw terms, one tantivy writer thread;
(b) end to end — `zhibao import-patents` of the file in a child process: parse, normalise,
    resolve regions, hash, upsert into the database and tokenise into the search index (a
    file this large gets the index writer process, see services.patents_import), then the
    collections' counts are refreshed, as in every real import.

Prints `BENCH name value unit` lines; targets: ≥ 10,000 records/s, ratio ≥ 0.5, RSS ≤ 1 GB.
peak_rss_mb is the SUM of the import process's peak RSS and the largest peak RSS of its
children (the index writer process; RUSAGE_CHILDREN), an upper bound: pages the fork shares
are counted twice. Both parts are printed on a comment line.
"""

import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
N = int(os.environ.get("BENCH_N", "1000000"))

CHILD = """
import resource, sys
from zhibao.cli import main
sys.argv = ["zhibao", "import-patents", sys.argv[1], "--preset", "cn_export", "--skip-checks"]
try:
    main()
finally:
    print(f"RSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
"""


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)


def raw_baseline(path: Path, directory: Path) -> float:
    """Seconds to load the file into SQLite and a segmented tantivy index without any normalisation."""
    import tantivy

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibao.settings")
    from zhibao.patents.search.tokenize import _ensure_dictionary, analyze, analyze_precise

    _ensure_dictionary()  # the domain words, as the engine has them (not timed)
    started = time.perf_counter()
    db = sqlite3.connect(directory / "raw.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pn", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="whitespace")
    builder.add_text_field("abstract", tokenizer_name="whitespace")
    builder.add_text_field("claim", tokenizer_name="whitespace")
    builder.add_text_field("applicant", tokenizer_name="raw")
    builder.add_text_field("ipc", tokenizer_name="raw")
    schema = builder.build()
    (directory / "raw-index").mkdir()
    index = tantivy.Index(schema, path=str(directory / "raw-index"))
    writer = index.writer(256_000_000, 1)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        db.execute(f"CREATE TABLE raw ({columns})")
        insert = f"INSERT INTO raw VALUES ({', '.join('?' * len(header))})"
        batch = []
        for row in reader:
            batch.append(row)
            writer.add_document(tantivy.Document(pn=row[7], title=analyze(row[10]), abstract=analyze(row[12]),
                                                 claim=analyze_precise(row[13]), applicant=row[4], ipc=row[17]))
            if len(batch) >= 2000:
                db.executemany(insert, batch)
                db.commit()
                batch = []
        db.executemany(insert, batch)
        db.commit()
    writer.commit()
    writer.wait_merging_threads()
    db.close()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="zhibao-bench-") as tmp:
        directory = Path(tmp)
        env = {**os.environ, "ZHIBAO_VAR_DIR": str(directory / "var"), "ZHIBAO_ENV": os.environ.get("ZHIBAO_ENV", "test"),
               "DJANGO_SETTINGS_MODULE": "zhibao.settings"}
        env.pop("DATABASE_URL", None)
        run([PYTHON, "-m", "zhibao.cli", "migrate", "-v0", "--skip-checks"], env)
        data = directory / "patents.csv"
        started = time.perf_counter()
        run([PYTHON, "-m", "zhibao.cli", "gen-patents", str(N), "--seed", "1", "--out", str(data), "--skip-checks"], env)
        gen_seconds = time.perf_counter() - started
        print(f"BENCH patents.gen.records_per_s {N / gen_seconds:.0f} records/s", flush=True)

        raw_seconds = raw_baseline(data, directory)
        raw_rate = N / raw_seconds
        print(f"BENCH patents.import.raw_records_per_s {raw_rate:.0f} records/s", flush=True)

        started = time.perf_counter()
        result = run([PYTHON, "-c", CHILD, str(data)], env)
        seconds = time.perf_counter() - started
        rss_line = next(line.split() for line in result.stderr.splitlines() if line.startswith("RSS_KB"))
        main_kb, children_kb = int(rss_line[1]), int(rss_line[2])
        rss_kb = main_kb + children_kb
        summary = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
        print(f"# {summary}", flush=True)
        rate = N / seconds
        print(f"BENCH patents.import.records_per_s {rate:.0f} records/s")
        print(f"BENCH patents.import.ratio_to_raw {rate / raw_rate:.2f} ratio")
        print(f"# peak RSS: import process {main_kb / 1024:.0f} MB + largest child {children_kb / 1024:.0f} MB")
        print(f"BENCH patents.import.peak_rss_mb {rss_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
