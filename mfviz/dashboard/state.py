"""Session-state keys and records: the dataset and models of one browser session, nothing global."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# Keys in st.session_state. Everything a session owns lives under these keys, so two browser
# sessions never see each other's data or models.
SOURCE = "mfviz.source"  # DataEntry as loaded (the start data or an upload), before the Data page's filters
FILTERS = "mfviz.filters"  # the filter settings last applied on the Data page (a dict)
DATA = "mfviz.data"  # DataEntry every page works on: SOURCE after the filters
MODELS = "mfviz.models"  # dict display name -> ModelEntry, trained on DATA, in training order
ACTIVE_MODEL = "mfviz.active_model"  # display name of the model the analysis pages show
TRAINING = "mfviz.training"  # the running TrainingJob, if any
LAST_TRAINING = "mfviz.last_training"  # the finished job whose loss curve the Train page still shows
LAST_SWEEP = "mfviz.last_sweep"  # (hyperparameter, names of the models) of the last sweep, for its chart
TRAIN_PARAMS = "mfviz.train_params"  # {model kind: the hyperparameters it was last trained with}
TRAIN_KIND = "mfviz.train_kind"  # the model last picked on the Train page
COMPARE_METRIC = "mfviz.compare_metric"  # the metric the Train page's comparison chart was last set to
PROFILE = "mfviz.profile"  # item indices picked on the Recommend page
UPLOAD_KEY = "mfviz.upload_key"  # hash of the last upload + mapping parsed, to parse each once
UPLOADS_EMPTIED = "mfviz.uploads_emptied"  # times the Data page emptied its uploaders (their keys' suffix)
ITEMS_JOINED = "mfviz.items_joined"  # (data key, item table hash) of the item table the data holds
MAPPING = "mfviz.mapping"  # column overrides chosen for the current upload (a dict)
STARTED = "mfviz.started"  # set after the session's first run (background work waits longer after it)
ADDRESS_CHECKED = "mfviz.address_checked"  # set once the session's first address was compared with its data
LOST_DATA = "mfviz.lost_data"  # (data key prefix, why) the address named but the session does not hold


@dataclass
class DataEntry:
    """The dataset in use: the Interactions plus where it came from and its load report."""

    interactions: Any  # mfviz.Interactions
    name: str  # what the sidebar shows, e.g. "demo catalogue" or "u.data"
    key: str  # content hash: cache key of everything derived from this dataset
    report_lines: list[str] = field(default_factory=list)
    is_start: bool = False  # the data every session starts on (the demo, or `mfviz dashboard DATA`)
    filters: str = ""  # plain words for the filters applied ("5-core, binarised at >= 4")


@dataclass
class ModelEntry:
    """A trained (or loaded) model with what the results table shows about it."""

    name: str  # unique display name within the session, e.g. "Implicit ALS #2 (f=32)"
    model: Any  # an mfviz Model, or any object with user_factors / item_factors
    kind: str  # registry name ("ials", ...) or "loaded"
    params: dict
    key: str  # content hash of the factors: cache key of every analysis of this model
    data_key: str
    metrics: dict = field(default_factory=dict)
    fit_seconds: float = 0.0
    epochs: int = 0
    split: str = ""
    stopped_early: bool = False
    auto: bool = False  # trained automatically so the pages show something on first load
    train: Any = None  # the Interactions it was fitted on and the held-out part, when trained here with
    test: Any = None  # a test share (the accuracy / popularity trade-off re-ranks against it)
    recipe: dict | None = None  # how to train it again, the same (kind, params, split, test, seed, k): a link carries it
    split_settings: dict | None = None  # {"split", "test", "seed"} of train/test: a saved workspace makes them again


def array_hash(*arrays: np.ndarray, extra: str = "") -> str:
    """A short content hash of arrays (dtype, shape and bytes) plus a string."""
    digest = hashlib.blake2b(digest_size=12)
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.view(np.uint8).ravel() if array.dtype != object else str(array.tolist()).encode())
    digest.update(extra.encode())
    return digest.hexdigest()


def bytes_hash(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=12).hexdigest()


def interactions_hash(interactions) -> str:
    """Content hash of an Interactions: the matrix, both id maps, the timestamps and the item table (its
    columns and every value). The analyses cached under it are shared by every session on the server: with
    the titles left out, an upload of the start data's ratings under other titles took the start data's key,
    and other sessions were shown its titles."""
    matrix = interactions.matrix
    ids = [np.asarray(interactions.user_ids).astype(str), np.asarray(interactions.item_ids).astype(str)]
    items = interactions.items
    columns = ",".join(map(str, items.columns))
    # each column as text (lists of genres too), hashed by pandas: ~0.1 s per million values
    table = [pd.util.hash_array(items[column].astype(str).to_numpy(object)) for column in items.columns]
    stamps = [] if interactions.timestamps is None else [np.asarray(interactions.timestamps)]
    return array_hash(matrix.indptr, matrix.indices, matrix.data, *ids, *table, *stamps,
                      extra=f"{columns}|{interactions.is_explicit}|{len(items)}|{len(stamps)}")


def model_hash(model, data_key: str) -> str:
    """Content hash of a model's factors and biases (plus the data it belongs to)."""
    arrays = [model.user_factors, model.item_factors]
    for bias in (getattr(model, "user_bias", None), getattr(model, "item_bias", None)):
        if bias is not None:
            arrays.append(bias)
    return array_hash(*arrays, extra=data_key)


def unique_name(base: str, taken) -> str:
    """`base`, or the same numbered #2, #3, ... whichever is not yet taken. The number goes before a
    trailing "(...)": a narrow picker cuts a name's end, and "Implicit ALS (f=64) #2" cut short reads
    as another model of the session."""
    if base not in taken:
        return base
    head, paren, tail = base.rpartition(" (") if base.endswith(")") else (base, "", "")
    n = 2
    while (name := f"{head} #{n}{paren}{tail}") in taken:
        n += 1
    return name
