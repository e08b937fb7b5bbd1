"""One import of a BENCH_DATA file into Kuzu or DuckDB, for `ruzu-bench run --compare`.

Written next to the results by ruzu-bench, run once per step in a fresh interpreter:

    python3 peers.py --system kuzu|duckdb --step person|knows --db PATH FILE

The person step creates the database; the knows step opens the one the person step made.
Timed from just before the database is opened (the module is loaded before) until the data
is durable (checkpoint done); rows are counted afterwards. Prints
`RESULT {json}` (the same fields as `ruzu-bench import`) on the last line.
"""

import argparse
import json
import os
import resource
import sys
import time

PERSON_COLUMNS = (
    "id INT64, first_name STRING, last_name STRING, gender STRING, birthday DATE, "
    "creation_date TIMESTAMP, location_ip STRING, browser STRING, email STRING, "
    "score DOUBLE, bio STRING"
)
KNOWS_PROPERTIES = "creation_date TIMESTAMP, weight DOUBLE, tag STRING"


def sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def kuzu_import(step, db_path, file, start):
    import kuzu

    db = kuzu.Database(db_path)
    conn = kuzu.Connection(db)
    if step == "person":
        conn.execute(f"CREATE NODE TABLE Person({PERSON_COLUMNS}, PRIMARY KEY(id))")
        conn.execute(f"COPY Person FROM {sql_string(file)} (HEADER=true)")
        count = "MATCH (p:Person) RETURN count(*)"
    else:
        conn.execute(f"CREATE REL TABLE Knows(FROM Person TO Person, {KNOWS_PROPERTIES})")
        conn.execute(f"COPY Knows FROM {sql_string(file)} (HEADER=true)")
        count = "MATCH ()-[k:Knows]->() RETURN count(*)"
    conn.execute("CHECKPOINT")
    seconds = time.perf_counter() - start
    rows = conn.execute(count).get_next()[0]
    conn.close()
    db.close()
    return rows, seconds


def duckdb_import(step, db_path, file, start):
    import duckdb

    con = duckdb.connect(db_path)
    if step == "person":
        columns = PERSON_COLUMNS.replace("INT64", "BIGINT").replace("STRING", "VARCHAR")
        columns = columns.replace("id BIGINT", "id BIGINT PRIMARY KEY")
        table = "Person"
    else:
        # A plain table: DuckDB has no endpoint check or adjacency for edges.
        columns = '"from" BIGINT, "to" BIGINT, ' + KNOWS_PROPERTIES.replace("STRING", "VARCHAR")
        table = "Knows"
    con.execute(f"CREATE TABLE {table}({columns})")
    con.execute(f"COPY {table} FROM {sql_string(file)} (HEADER true)")
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - start
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.close()
    return rows, seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--system", choices=["kuzu", "duckdb"], required=True)
    parser.add_argument("--step", choices=["person", "knows"], required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("file")
    args = parser.parse_args()
    run = kuzu_import if args.system == "kuzu" else duckdb_import
    __import__(args.system)  # loaded before the clock starts, like ruzu's code
    start = time.perf_counter()
    rows, seconds = run(args.step, args.db, os.path.abspath(args.file), start)
    result = {
        "table": "Person" if args.step == "person" else "Knows",
        "rows": int(rows),
        "rejected": 0,
        "bytes": os.path.getsize(args.file),
        "seconds": seconds,
        "rows_per_s": rows / seconds if seconds > 0 else 0.0,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
