"""The heavy aggregates, defined once and run embedded (DuckDB) or on Apache Spark.

The transformations are ibis expressions (:mod:`signalfire.scale.pipeline`); :mod:`signalfire.scale.engine` connects
an ibis backend (DuckDB in process by default, PySpark when asked); :mod:`signalfire.scale.exchange` writes the
store's events as Parquet partitioned hive-style by ``source=…/month=…``, which both engines read, and the pipeline
writes its aggregates back as Parquet.  Spark is an optional extra (``pip install signalfire[spark]``).
"""
