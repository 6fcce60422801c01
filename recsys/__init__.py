"""recsys: customer segmentation, shop insights and hybrid product recommendations.

The core library of the dashboard. It never imports Streamlit: every function is a
pure function of DataFrames (or an sklearn-style estimator), so it can be used from
notebooks, batch jobs and the command line alike.
"""

from recsys.data.dataset import CleaningReport, Dataset

__all__ = ["CleaningReport", "Dataset"]
__version__ = "0.1.0"
