"""Benchmark: importing patents, end to end against a raw baseline.

In a temporary ZHIBAO_VAR_DIR (migrated there), on BENCH_N generated records (default
1,000,000) in the 61-column export layout:

(a) raw — the same CSV read with the csv module, inserted into SQLite with plain
    sqlite3 executemany, and indexed by a plain tantivy writer (no normalisation, no jieba);
(b) end to end — `zhibao import-patents` of the file in a child process: parse, normalise,
    resolve regions, hash, upsert into the database and tokenise into the search index.

Prints `BENCH name value unit` lines; targets: ≥ 10,000 records/s, ratio ≥ 0.5, RSS ≤ 1 GB.
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
    print(f"RSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
"""


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)


def raw_baseline(path: Path, directory: Path) -> float:
    """Seconds to load the file into SQLite and a tantivy index without any normalisation."""
    import tantivy

    started = time.perf_counter()
    db = sqlite3.connect(directory / "raw.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pn", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True)
    builder.add_text_field("abstract")
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
            writer.add_document(tantivy.Document(pn=row[7], title=row[10], abstract=row[12], applicant=row[4],
                                                 ipc=row[17]))
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
        rss_kb = int(next(line.split()[1] for line in result.stderr.splitlines() if line.startswith("RSS_KB")))
        summary = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
        print(f"# {summary}", flush=True)
        rate = N / seconds
        print(f"BENCH patents.import.records_per_s {rate:.0f} records/s")
        print(f"BENCH patents.import.ratio_to_raw {rate / raw_rate:.2f} ratio")
        print(f"BENCH patents.import.peak_rss_mb {rss_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
