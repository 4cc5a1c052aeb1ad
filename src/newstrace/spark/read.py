"""Inputs: list files on the driver, read each in an executor with the ``io`` readers.

Files are listed in the local run's order (``iter_input_files``: arguments in
order, folders sorted), and every record gets a rank = (file number, position in
the file). The rank keeps the local run's first-come rule for duplicates and its
article order, which breaks ties in story clustering.

Local paths are opened where they are (a text file then still finds its
``meta.jsonl`` sidecar); other URIs (``hdfs://``, ``s3a://``, and ``file:`` for
testing) arrive as bytes through ``binaryFiles`` and are parsed from a temporary
copy, so the same readers see them. Parquet, which the local readers lack, is
read row group by row group with pyarrow and mapped to articles exactly like a
JSONL object. Whatever fails becomes a reject row; no record stops the job.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from newstrace.io import iter_input_files, read_file
from newstrace.io.common import ReadOptions
from newstrace.io.fields import resolve_columns
from newstrace.io.records import record_to_article
from newstrace.io.text import SidecarCache
from newstrace.model import Article, Skipped, Source
from newstrace.spark.costs import Costs
from newstrace.spark.rows import article_json

#: rank = file number << RANK_BITS | position in the file
RANK_BITS = 32
#: (rank, article id, article JSON, source, reason); id and JSON are None for a reject
ReadRow = tuple[int, str | None, str | None, str, str | None]
READ_SCHEMA = "rank long, id string, article string, source string, reason string"


def is_remote(path: str) -> bool:
    return "://" in path or path.startswith("file:")


def list_inputs(spark: Any, paths: Iterable[str]) -> tuple[list[str], list[Skipped]]:
    """Every input file, in the local run's order, and the paths that are not there."""
    files: list[str] = []
    problems: list[Skipped] = []
    for given in paths:
        if not is_remote(given):
            for item in iter_input_files([given]):
                if isinstance(item, Skipped):
                    problems.append(item)
                else:
                    files.append(str(item.resolve()))
            continue
        found = _hadoop_list(spark, given)
        if not found:
            problems.append(Skipped(given, "no such file or folder"))
        files.extend(found)
    return files, problems


def _hadoop_list(spark: Any, uri: str) -> list[str]:
    """Files under a Hadoop URI (recursive, hidden and sidecar names left out), sorted."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(conf)
    statuses = fs.globStatus(path) or []
    out: list[str] = []
    for status in statuses:
        if status.isFile():
            out.append(status.getPath().toString())
            continue
        it = fs.listFiles(status.getPath(), True)
        while it.hasNext():
            name = it.next().getPath().toString()
            rel = name[len(status.getPath().toString()):].strip("/").split("/")
            if not any(p.startswith((".", "_")) for p in rel) and rel[-1] != "meta.jsonl":
                out.append(name)
    return sorted(dict.fromkeys(out))


def _rows(number: int, items: Iterable[Article | Skipped], name: str | None = None
          ) -> Iterator[ReadRow]:
    """Reader output as rows; ``name`` replaces a temporary copy's path in sources."""
    for position, item in enumerate(items):
        rank = (number << RANK_BITS) | position
        if isinstance(item, Skipped):
            yield rank, None, None, item.source, item.reason
            continue
        if name is not None:
            item.source = Source(item.source.kind, name, item.source.line, item.source.record)
        yield rank, item.id, article_json(item), str(item.source), None


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in (".parquet", ".parq"):
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def read_parquet(path: Path, options: ReadOptions, name: str | None = None
                 ) -> Iterator[Article | Skipped]:
    """Rows of a Parquet file as articles, mapped like JSONL objects (``--map`` applies)."""
    import pyarrow.parquet as pq

    shown = name or str(path)
    number = 0
    try:
        parquet = pq.ParquetFile(path)
        columns = resolve_columns(parquet.schema_arrow.names, options.field_map)
        for batch in parquet.iter_batches(batch_size=1000):
            for record in batch.to_pylist():
                number += 1
                source = Source("parquet", shown, line=number)
                try:
                    yield record_to_article(record, columns, source, options)
                except Exception as exc:  # an odd value costs its row, not the file
                    yield Skipped(str(source), f"bad row: {type(exc).__name__}: {exc}")
    except Exception as exc:  # pyarrow raises several types for damaged files
        yield Skipped(shown, f"Parquet file unreadable after row {number} "
                             f"({type(exc).__name__}: {exc})")


def read_local(number: int, path: str, options: ReadOptions, sidecars: SidecarCache,
               name: str | None = None) -> Iterator[ReadRow]:
    file = Path(path)
    if _is_parquet(file):
        yield from _rows(number, read_parquet(file, options, name))
        return
    try:
        items: list[Article | Skipped] = list(read_file(file, options, sidecars))
    except Exception as exc:  # a reader bug must cost one file, not the job
        items = [Skipped(name or path, f"could not read: {type(exc).__name__}: {exc}")]
    items.extend(sidecars.problems)
    sidecars.problems.clear()
    if name is not None:
        items = [Skipped(s.source.replace(path, name), s.reason) if isinstance(s, Skipped)
                 else s for s in items]
    yield from _rows(number, items, name)


def read_local_partition(files: Iterable[tuple[int, str]], options: ReadOptions
                         ) -> Iterator[ReadRow]:
    sidecars = SidecarCache()
    for number, path in files:
        yield from read_local(number, path, options, sidecars)


def read_remote_partition(files: Iterable[tuple[str, bytes]], numbers: dict[str, int],
                          options: ReadOptions) -> Iterator[ReadRow]:
    """``binaryFiles`` records: parse a temporary copy that keeps the file's name."""
    sidecars = SidecarCache()
    with tempfile.TemporaryDirectory(prefix="newstrace-") as folder:
        for uri, data in files:
            local = Path(folder) / (uri.rstrip("/").rsplit("/", 1)[-1] or "input")
            local.write_bytes(data)
            try:
                yield from read_local(numbers[uri], str(local), options, sidecars, name=uri)
            finally:
                os.unlink(local)


def read_inputs(spark: Any, files: list[str], options: ReadOptions, partitions: int,
                costs: Costs | None = None) -> Any:
    """An RDD of read rows over all files (local and remote)."""
    costs = costs or Costs(spark.sparkContext)
    sc = spark.sparkContext
    local = [(k, f) for k, f in enumerate(files) if not is_remote(f)]
    remote = {f: k for k, f in enumerate(files) if is_remote(f)}
    rdds = []
    if local:
        rdds.append(sc.parallelize(local, max(1, min(len(local), partitions)))
                    .mapPartitions(costs.timed(
                        "read", lambda it: read_local_partition(it, options))))
    if remote:
        numbers = sc.broadcast(remote)
        rdd = sc.binaryFiles(",".join(remote), minPartitions=max(1, min(len(remote),
                                                                        partitions)))
        rdds.append(rdd.mapPartitions(costs.timed(
            "read", lambda it: read_remote_partition(it, numbers.value, options))))
    if not rdds:
        return sc.emptyRDD()
    return sc.union(rdds) if len(rdds) > 1 else rdds[0]
