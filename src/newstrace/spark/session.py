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


def spark_session(master: str | None = None, *, shuffle_partitions: int | None = None,
                  app_name: str = "newstrace", conf: dict[str, str] | None = None) -> Any:
    """The active session, or a new one (``master`` only applies when none is running)."""
    _prepare_environment()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # set by spark-submit for its app
        builder = builder.master("local[*]")
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.python.worker.reuse": "true",  # models stay loaded across tasks
        **{f"spark.executorEnv.{k}": "1" for k in _THREADS},
    }
    if shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
