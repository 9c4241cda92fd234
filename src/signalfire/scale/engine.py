"""Connect an ibis backend: DuckDB in this process (the default) or PySpark.

Spark's master comes from the ``spark_master`` argument, else ``$SIGNALFIRE_SPARK_MASTER``, else ``local[2]``
(point it at a real cluster with e.g. ``spark://host:7077``, ``yarn`` or ``k8s://…``).  Extra Spark settings:
``$SIGNALFIRE_SPARK_CONF`` as ``key=value`` pairs separated by ``;`` (e.g. ``spark.driver.memory=4g``).
"""

from __future__ import annotations

import os
import shutil
import tempfile

ENGINES = ("duckdb", "spark")
DEFAULT_MASTER = "local[2]"


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (a package or Java is missing); the message says how to fix it."""


def _require(module: str, extra: str):
    try:
        return __import__(module)
    except ImportError as exc:
        raise EngineUnavailable(f"{module} is not installed: install the extra with `pip install 'signalfire[{extra}]'` "
                                f"({exc})") from None


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool((home and os.path.exists(os.path.join(home, "bin", "java"))) or shutil.which("java"))


def spark_master(master: str | None = None) -> str:
    return master or os.environ.get("SIGNALFIRE_SPARK_MASTER") or DEFAULT_MASTER


def _extra_conf() -> dict[str, str]:
    conf = {}
    for item in (os.environ.get("SIGNALFIRE_SPARK_CONF") or "").split(";"):
        if item.strip():
            key, sep, value = item.partition("=")
            if not sep:
                raise EngineUnavailable(f"SIGNALFIRE_SPARK_CONF: {item.strip()[:80]!r} is not key=value")
            conf[key.strip()] = value.strip()
    return conf


def spark_session(master: str | None = None):
    """A SparkSession (reused if one is active) in UTC, with its warehouse in a temporary folder."""
    _require("ibis", "spark")
    _require("pyspark", "spark")
    if not java_available():
        raise EngineUnavailable("the Spark engine needs Java (17 or later): install a JDK or set JAVA_HOME")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession
    builder = (SparkSession.builder.master(spark_master(master)).appName("signalfire-scale")
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="signalfire-spark-wh-"))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               # list the partition folders on the driver (above 32 paths Spark would start a job to list them)
               .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000")
               .config("spark.sql.shuffle.partitions", os.environ.get("SIGNALFIRE_SPARK_SHUFFLE_PARTITIONS", "8")))
    for key, value in _extra_conf().items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 -- Java gateway failures surface as many exception types
        raise EngineUnavailable(f"Spark did not start (master {spark_master(master)}): {str(exc)[:300]}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(engine: str = "duckdb", *, spark_master: str | None = None, session=None):
    """An ibis backend for ``engine`` (``duckdb`` or ``spark``)."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"engine: unknown {engine!r}; use one of {', '.join(ENGINES)}")
    ibis = _require("ibis", "spark")
    if engine == "duckdb":
        return ibis.duckdb.connect()
    session = session or spark_session(spark_master)   # before touching ibis.pyspark: its errors are clearer
    try:
        return ibis.pyspark.connect(session)
    except ImportError as exc:
        raise EngineUnavailable(f"ibis's PySpark backend is not installed: `pip install 'signalfire[spark]'` "
                                f"({str(exc)[:200]})") from None
