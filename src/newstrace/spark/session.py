"""A SparkSession that works out of the box on a laptop and defers to spark-submit.

Under ``spark-submit`` the master, executors and memory come from the command
line and this only names the app. Run directly (``newstrace spark run``), it
starts ``local[N]`` with the worker Python set to this interpreter (otherwise
Spark starts whatever ``python3`` is on PATH, which lacks newstrace), finds
Java 17 when JAVA_HOME is unset, and keeps one BLAS thread per Python worker
(each task is already one core; more threads per worker only contend).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

_JAVA_CANDIDATES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64",
                    "/usr/lib/jvm/java-17-openjdk")
_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _prepare_environment() -> None:
    if not os.environ.get("JAVA_HOME"):
        for candidate in _JAVA_CANDIDATES:
            if (Path(candidate) / "bin" / "java").exists():
                os.environ["JAVA_HOME"] = candidate
                break
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    for key in _THREADS:
        os.environ.setdefault(key, "1")


#: Rows per cached column batch. Spark's 10,000 rows of article texts, sentences and
#: vectors make one batch hundreds of MB, which a local JVM must hold whole to read back.
CACHE_BATCH_ROWS = 1000


def local_memory_settings() -> dict[str, str]:
    """Heap for ``local[N]``, where every executor lives in the driver's JVM.

    Spark's 1 GB default ran out at 100,000 articles (a cached batch read back
    whole); a quarter of the machine's memory, from 1 to 8 GB, leaves the rest
    to the Python workers, which hold the models. ``SPARK_DRIVER_MEMORY`` or a
    ``conf`` entry overrides it.
    """
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: keep Spark's default
        total = 4 << 30
    gigabytes = max(1, min(8, total // (4 << 30)))
    out = {"spark.sql.inMemoryColumnarStorage.batchSize": str(CACHE_BATCH_ROWS)}
    if not os.environ.get("SPARK_DRIVER_MEMORY"):
        out["spark.driver.memory"] = f"{gigabytes}g"
    return out


def spark_session(master: str | None = None, *, shuffle_partitions: int | None = None,
                  app_name: str = "newstrace", conf: dict[str, str] | None = None) -> Any:
    """The active session, or a new one (``master`` only applies when none is running)."""
    _prepare_environment()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit set up the JVM
    if master:
        builder = builder.master(master)
    elif not under_submit:
        builder = builder.master("local[*]")
    local = not under_submit and (master or "local").startswith("local")
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.python.worker.reuse": "true",  # models stay loaded across tasks
        **{f"spark.executorEnv.{k}": "1" for k in _THREADS},
    }
    if local:
        settings.update(local_memory_settings())
    if shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
