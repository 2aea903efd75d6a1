#!/usr/bin/env python3
"""nsys_check.py CAPTURE.sqlite [TASKS]

Queries the SQLite export of an Nsight Systems capture of `aatgs run` (made
with shared/device/nsys-capture.sh) and prints what the timeline holds:
the NVTX ranges of the aatgs domain (one per task, plus the run range), the
decision markers, the names given to the CUDA streams, and how many kernels
overlapped in time on different streams. With TASKS, exits 1 unless there
is exactly one task range per task.
"""
import sqlite3
import sys


def main():
    db = sqlite3.connect(sys.argv[1])
    want = int(sys.argv[2]) if len(sys.argv) > 2 else None
    q = lambda sql, *a: db.execute(sql, a).fetchall()
    tables = {r[0] for r in q("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    print("tables:", ", ".join(sorted(t for t in tables if t.startswith(("NVTX", "CUPTI", "String")))))
    text = ("COALESCE(e.text, s.value)" if "StringIds" in tables else "e.text")
    join = "LEFT JOIN StringIds s ON s.id = e.textId" if "StringIds" in tables else ""
    rows = q(f"SELECT e.eventType, {text}, e.start, e.end, e.category, e.uint64Value "
             f"FROM NVTX_EVENTS e {join}")
    ranges = [r for r in rows if r[3] is not None and r[1] and " #" in r[1]]
    marks = [r for r in rows if r[1] and r[1].startswith("decide #")]
    runs = [r for r in rows if r[1] and r[1].startswith("run ")]
    ids = [r[5] for r in ranges]
    print(f"NVTX_EVENTS: {len(rows)} rows; task ranges {len(ranges)} "
          f"(distinct task ids in payload {len(set(ids))}); decision markers {len(marks)}; "
          f"run ranges {len(runs)}")
    for r in ranges[:3]:
        print(f"  range '{r[1]}' {r[2]}..{r[3]} category {r[4]} payload {r[5]}")
    names = q("SELECT value FROM StringIds WHERE value LIKE 'kernel-%' OR value IN "
              "('config-upload','telemetry-download','aatgs')") if "StringIds" in tables else []
    print("named streams/threads in StringIds:", sorted({n[0] for n in names}))
    k = q("SELECT start, end, streamId FROM CUPTI_ACTIVITY_KIND_KERNEL ORDER BY start")
    streams = {r[2] for r in k}
    overlaps, active = 0, []
    for s, e, sid in k:
        active = [a for a in active if a[1] > s]
        overlaps += sum(1 for a in active if a[2] != sid)
        active.append((s, e, sid))
    print(f"CUPTI kernels: {len(k)} on {len(streams)} streams; "
          f"pairs overlapping on different streams: {overlaps}")
    if want is not None and (len(ranges) != want or len(set(ids)) != want):
        print(f"FAIL: expected {want} task ranges")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
