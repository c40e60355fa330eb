"""Evaluation: seeded train/test splits, accuracy and top-k ranking metrics, and `evaluate`."""

from mfviz.evaluation.metrics import catalog_coverage, evaluate, mae, ranking_metrics, rmse
from mfviz.evaluation.splits import (
    SPLITS,
    leave_k_out_split,
    random_split,
    split,
    split_by_mask,
    temporal_split,
    user_split,
)

__all__ = ["SPLITS", "catalog_coverage", "evaluate", "leave_k_out_split", "mae", "random_split",
           "ranking_metrics", "rmse", "split", "split_by_mask", "temporal_split",
           "user_split"]
