"""The Spark engine: the pipeline's steps on Spark DataFrames (the only importer of pyspark).

``clean`` reads and cleans a source with the rules of :mod:`recsys.data.cleaning`;
``segments`` computes the customer figures in Spark SQL and fits MLlib KMeans for every k;
``rules`` finds frequent sets with MLlib FPGrowth; ``recommend`` computes the hybrid's
collaborative part (EASE over a distributed co-occurrence matrix) and scores customers
partition by partition; ``session`` starts Spark and writes to local, HDFS or S3 paths;
``run`` ties them together (:func:`recsys.pipeline.spark.run.run_spark`).
"""
