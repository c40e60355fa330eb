"""Popularity bias of data and models: long tail, ARP, APLT, coverage, Gini, group lift."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PopularityReport:
    """Popularity-bias metrics of one model's top-k lists."""

    k: int
    users: int
    arp: float
    aplt: float
    coverage: float
    gini: float
    group_lift: pd.DataFrame
    norm_popularity_spearman: float
    recommended_counts: np.ndarray


def long_tail_curve(popularity, head_share: float = 0.2):
    raise NotImplementedError


def gini(counts) -> float:
    raise NotImplementedError


def popularity_report(model, interactions, k: int = 10, sample_users=None, head_share: float = 0.2, seed: int = 0):
    raise NotImplementedError


def bias_table(models, interactions, k: int = 10) -> pd.DataFrame:
    raise NotImplementedError
