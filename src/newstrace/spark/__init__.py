"""Corpus mode on Apache Spark: the local pipeline's functions, scaled out.

The job (``newstrace spark run`` or ``spark-submit -m newstrace.spark.job``)
reads inputs in executors with the ``io`` readers, cleans with ``prepare``,
fingerprints with ``corpus.fingerprints``, finds candidates by an LSH band
self-join and an exact blocked nearest-neighbour join, compares with
``reuse.compare.compare_articles`` and groups stories with the same
average-linkage function the local run uses, applied per connected component.
Nothing here re-implements a decision the local pipeline makes: it only moves
data so that the same functions see the same inputs.
"""
