"""A workspace saved to one file and opened again: the data, its preparation, the models and the settings."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import logging
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.dashboard import state
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.dashboard.training import TrainingJob
from mfviz.data.interactions import Interactions
from mfviz.data.report import LoadReport
from mfviz.errors import DataError, ModelError
from mfviz.models.files import model_bytes

log = logging.getLogger(__name__)

# A workspace lived in the server's memory only: a restart lost an afternoon's upload, preparation and
# sweeps, and a demonstration prepared the day before had to be rebuilt. The file is a zip of JSON,
# .npz and Parquet (no pickle: a file someone sends you runs no code when opened).
FORMAT = 1
MANIFEST = "mfviz_workspace.json"
TRAINING_REPLAY = "training/replay.npz"
SUFFIX = ".mfviz.zip"
# Settings kept with the workspace besides the data and models: what app.py's workspace keeps in memory.
SETTINGS = (state.ACTIVE_MODEL, state.LAST_SWEEP, state.TRAIN_PARAMS, state.TRAIN_KIND, state.PROFILE,
            "mfviz.profile_dislikes", "mfviz.profile_ratings", "latent_subset", "latent_subset_of", "mfviz.min_support")


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _between(low, high):
    """A number within a widget's bounds, an integer when they are (Streamlit refuses 10.5 for an int box)."""
    whole = isinstance(low, int)
    return lambda value, inter: (_int(value) if whole else _number(value)) and low <= value <= high


def _rows(kind: str):
    """Row indices of the data's items or users (a list of them, or one, or none)."""
    def valid(value, inter) -> bool:
        size = inter.n_items if kind == "item" else inter.n_users
        values = value if isinstance(value, list | tuple) else [value]
        return all(_int(row) and 0 <= row < size for row in values)
    return valid


def _text(value, inter) -> bool:
    return isinstance(value, str)


def _flag(value, inter) -> bool:
    return isinstance(value, bool)


def _train_params(value, inter) -> bool:
    """The Train page's last hyperparameters per model kind: each a known hyperparameter its model takes (its
    bounds are the form's), besides the page's own notes ("_sweep", "_data", "_data_name"). Only their shape was checked:
    factors = 10^12 or learning_rate = "fast" opened, then failed the Train page."""
    from mfviz.errors import ModelError
    from mfviz.models import MODELS

    if not isinstance(value, dict):
        return False
    for kind, params in value.items():
        if kind not in MODELS or not isinstance(params, dict):
            return False
        for name, setting in params.items():
            if name == "_sweep":  # (the hyperparameter varied or None, the values as typed)
                if not (isinstance(setting, list | tuple) and len(setting) == 2 and isinstance(setting[0], str | None)
                        and isinstance(setting[1], str)):
                    return False
                continue
            if str(name).startswith("_"):  # "_data", "_data_name"
                if not isinstance(setting, str):
                    return False
                continue
            spec = MODELS[kind].params.get(name)
            if spec is None:
                return False
            try:
                spec.check(name, setting)
            except (ModelError, TypeError, ValueError, OverflowError):
                return False
    return True


def _model_kinds() -> set[str]:
    from mfviz.models import MODELS

    return set(MODELS)


# What each setting may hold, as the pages set it (types, the widgets' bounds, rows of the data): a value of
# another type (a hand-edited "lots" for the list length) or out of a widget's bounds (a penalty of 7) broke its
# page, and a reload brought it back with the browser's kept workspace.
VALID = {
    state.ACTIVE_MODEL: _text,
    state.TRAIN_KIND: lambda v, inter: isinstance(v, str) and v in _model_kinds(),  # "nope" was dropped unsaid
    state.LAST_SWEEP: lambda v, inter: isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str)
    and isinstance(v[1], list) and all(isinstance(name, str) for name in v[1]),
    state.TRAIN_PARAMS: _train_params,
    state.PROFILE: _rows("item"), "mfviz.profile_dislikes": _rows("item"), "rec_new_from": _rows("item"),
    "mfviz.profile_ratings": lambda v, inter: isinstance(v, dict) and _rows("item")(list(v), inter)
    and all(_number(rating) for rating in v.values()),
    "latent_subset": lambda v, inter: isinstance(v, tuple | list) and len(v) == 2 and isinstance(v[0], str) and (
        _rows("item")(list(np.asarray(v[1]).tolist()), inter) if isinstance(v[1], np.ndarray | list) else False),
    # (data key, the item whose neighbourhood a subset map is), as the Latent space page keeps it
    "latent_subset_of": lambda v, inter: v is None or (isinstance(v, tuple | list) and len(v) == 2
                                                       and isinstance(v[0], str) and _rows("item")(v[1], inter)),
    **dict.fromkeys(("rec_mode", "latent_method", "latent_colour", "latent_search", "axis_up", "rec_new_who",
                     "axis_kind", "axis_left_search", "axis_right_search"), _text),
    # the genres highlighted on the map (at most map_highlight.HIGHLIGHTED_AT_MOST); the page lets go of any this
    # data lacks
    "latent_highlight": lambda v, inter: isinstance(v, list) and len(v) <= 3 and all(isinstance(g, str) for g in v),
    "rec_n": _between(5, 50), "neighbours_k": _between(3, 50), "rec_penalty": _between(0.0, 1.5),
    "rec_stars": lambda v, inter: _number(v),  # the page starts it again when the data's scale lacks it
    **dict.fromkeys(("latent_anchor", "neighbours_item", "axis_left_item", "axis_right_item"),
                    lambda v, inter: v is None or _rows("item")(v, inter)),
    **dict.fromkeys(("rec_user", "neighbours_user"), lambda v, inter: v is None or _rows("user")(v, inter)),
    **dict.fromkeys(("rec_users_map_on", "latent_3d", "dims_users", "rec_hits", "neighbours_more_columns",
                     "latent_spherize"), _flag),
    # the map's settings, within their sliders' bounds (map_projection); a label or component this data lacks is
    # let go of by the page
    "latent_neighbours": _between(5, 100), "latent_min_dist": _between(0.0, 0.99), "latent_perplexity": _between(2, 100),
    "latent_k": _between(5, 50), "latent_label": _text,
    # model names side by side with the one shown; names the session lacks are dropped by the page (links.keep_compared)
    **dict.fromkeys(("neighbours_compare", "rec_compare"),
                    lambda v, inter: isinstance(v, list) and all(isinstance(name, str) for name in v)),
    **dict.fromkeys(("latent_pca_x", "latent_pca_y", "latent_pca_z"), _between(0, 9)),
    # Spectrum's and Popularity bias' settings; a component count beyond this data's is let go of by the page
    "spectrum_k": lambda v, inter: type(v) is int and v >= 2,
    "spectrum_null": _flag, "spectrum_values": lambda v, inter: v in ("loaded", "binary", "log"),
    "bias_k": lambda v, inter: type(v) is int and v in range(5, 51, 5),
    "mfviz.min_support": lambda v, inter: type(v) is int and 0 <= v <= 10_000,  # support.KEPT: Min. interactions
}
# Unpacked, a workspace is at most this many times its file (its arrays compress 2-5x): a crafted zip
# that would unpack to far more is refused before anything is read.
MAX_EXPANSION = 40


@dataclass
class Opened:
    """What a workspace file holds, rebuilt and checked: ready to become a session's state."""

    source: DataEntry  # the data as loaded, before Prepare
    filters: dict  # the Prepare settings applied to it
    data: DataEntry  # the data every page works on
    models: list[ModelEntry]
    settings: dict  # session-state key -> value
    saved: str  # when it was saved (ISO date and time, UTC)
    notes: list[str] = field(default_factory=list)  # what could not be taken up, in words
    last_training: TrainingJob | None = None  # the last training's loss curve and replay, as the Train page showed them


# ------------------------------------------------------------------ writing
def write(values, widget_keys: tuple[str, ...] = ()) -> bytes:
    """The workspace in `values` (a session state, or any mapping of its keys) as a file's bytes:
    the source data (the server's start data too: a file saved there opens on any server), the Prepare
    settings, every model trained or loaded on the data (the quick default as a flag: it is trained again, seeded,
    on opening) and the settings."""
    source: DataEntry = values.get(state.SOURCE) or values[state.DATA]
    data: DataEntry = values[state.DATA]
    filters = dict(values.get(state.FILTERS) or {})
    buffer = io.BytesIO()
    of_data = [entry for entry in (values.get(state.MODELS) or {}).values() if entry.data_key == data.key]
    models = [entry for entry in of_data if not entry.auto and hasattr(entry.model, "save")]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # its parts are compressed already
        manifest = {"format": FORMAT, "saved": datetime.now(UTC).isoformat(timespec="seconds"),
                    "source": _data_record(source), "filters": filters, "data": _data_record(data),
                    "models": [], "settings": {},
                    # the quick default is trained again on opening (seeded: the same model), not stored; left out
                    # altogether, a workspace of it and a Funk SVD reopened with the Funk SVD alone
                    "quick_default": any(entry.auto for entry in of_data)}
        manifest["source"]["ids"] = _write_interactions(archive, source.interactions)
        manifest["source"]["content"] = state.interactions_hash(source.interactions)  # its key may be another
        for number, entry in enumerate(models):
            path = f"models/{number}.npz"
            # A model's file carries its training matrix (to leave seen items out once loaded): here that is its
            # split's training part, made again on opening, so it is left out (it was the split's size again per model).
            split_made_again = entry.split_settings is not None and entry.train is not None
            model = entry.model
            if split_made_again and getattr(model, "train_matrix", None) is not None:
                model = copy.copy(model)  # a shallow copy: the session's model is in use by its pages meanwhile
                model.train_matrix = None
            archive.writestr(path, model_bytes(model))
            manifest["models"].append({
                "file": path, "name": entry.name, "kind": entry.kind, "params": _plain(entry.params),
                "key": entry.key, "metrics": _plain(entry.metrics), "fit_seconds": entry.fit_seconds,
                "epochs": entry.epochs, "split": entry.split, "stopped_early": entry.stopped_early,
                "recipe": _plain(entry.recipe), "split_settings": _plain(entry.split_settings),
                "train_from_split": split_made_again})
        for key in (*SETTINGS, *widget_keys):
            if key in values and (encoded := _encoded(values[key])) is not _UNSAVED:
                manifest["settings"][key] = encoded
        job = values.get(state.LAST_TRAINING)
        if job is not None and job.done and job.data_key == data.key and job.entries \
                and {entry.name for entry in job.entries} <= {entry.name for entry in models}:
            manifest["last_training"] = _write_training(archive, job)
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
    return buffer.getvalue()


def _write_training(archive: zipfile.ZipFile, job: TrainingJob) -> dict:
    """The last training as the Train page draws it: its record, and its replay lined up (.npz): the items'
    positions per epoch on the final principal plane, not their vectors (ML-100K, implicit ALS defaults: 0.2 MB
    against 2.7 MB). A demonstration prepared the day before lost its loss curve and replay on opening."""
    if (lined_up := job.replay()) is not None:
        coords, settled, kept = lined_up
        npz = io.BytesIO()
        np.savez_compressed(npz, coords=np.asarray(coords, np.float32), settled=settled, kept=kept,
                            items=np.asarray(job.replay_items))
        archive.writestr(TRAINING_REPLAY, npz.getvalue())
    return {"kind": job.kind, "label": job.label, "params": _plain(job.params), "k": int(job.k), "split": job.split,
            "sweep": _plain(list(job.sweep)) if job.sweep else None, "split_settings": _plain(job.split_settings),
            "epochs": _plain(job.epochs), "snapshot_labels": list(job.snapshot_labels),
            "replay": lined_up is not None, "models": [entry.name for entry in job.entries],
            "reused": [entry.name for entry in job.reused], "current": int(job.current),
            "seconds": float(job.finished_at - job.started), "stopped": job.stop_event.is_set(), "error": job.error,
            **{part: [[str(label), str(text)] for label, text in getattr(job, part)]
               for part in ("failures", "warnings", "notes")}}


def _data_record(entry: DataEntry) -> dict:
    return {"name": entry.name, "key": entry.key, "report_lines": list(entry.report_lines),
            "is_start": entry.is_start, "filters": entry.filters}


def _write_interactions(archive: zipfile.ZipFile, inter: Interactions) -> dict:
    """The data's arrays (.npz), item table (Parquet) and load report (JSON); returns how its ids are kept."""
    arrays = {"indptr": inter.matrix.indptr, "indices": inter.matrix.indices, "data": inter.matrix.data,
              "shape": np.array(inter.matrix.shape, np.int64)}
    if inter.timestamps is not None:
        arrays["timestamps"] = inter.timestamps
    ids = {}
    for kind, values in (("user_ids", inter.user_ids), ("item_ids", inter.item_ids)):
        if values.dtype.kind in "iu":
            arrays[kind] = values
            ids[kind] = "array"
        else:  # text, or a mix of numbers and text kept apart (7 is not "7"), or integers beyond int64
            archive.writestr(f"data/{kind}.json", json.dumps(values.tolist()))
            ids[kind] = "json"
    npz = io.BytesIO()
    np.savez_compressed(npz, **arrays)
    archive.writestr("data/interactions.npz", npz.getvalue())
    archive.writestr("data/items.parquet", _items_parquet(inter.items))
    report = dataclasses.asdict(inter.report)
    archive.writestr("data/report.json", json.dumps(report, default=str))
    return {**ids, "explicit": bool(inter.is_explicit), "list_columns": _list_columns(inter.items)}


def _list_columns(items: pd.DataFrame) -> list[str]:
    return [column for column in items.columns if column != "item_id"
            and items[column].map(lambda value: isinstance(value, list | tuple | np.ndarray)).any()]


def _items_parquet(items: pd.DataFrame) -> bytes:
    """The item table without its ids (they are the data's own), as Parquet; a column Parquet cannot hold
    as it is (numbers and text mixed) is kept as text."""
    table = items.drop(columns="item_id")
    for column in table.columns:
        try:
            table[[column]].to_parquet(io.BytesIO(), index=False)
        except (TypeError, ValueError, ArithmeticError):  # pyarrow's conversion errors derive from these
            table[column] = table[column].map(lambda value: None if _missing(value) else str(value))
    table.columns = [str(column) for column in table.columns]
    out = io.BytesIO()
    table.to_parquet(out, index=False)
    return out.getvalue()


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


_UNSAVED = object()


def _encoded(value):
    """A setting as JSON, tuples and arrays tagged so they come back as such; _UNSAVED for anything else."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, list | tuple):
        items = [_encoded(item) for item in value]
        if any(item is _UNSAVED for item in items):
            return _UNSAVED
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        items = {key: _encoded(item) for key, item in value.items()}
        return _UNSAVED if any(item is _UNSAVED for item in items.values()) else items
    if isinstance(value, dict) and all(isinstance(key, int | np.integer) for key in value):
        # JSON keys are text: {item row: its rating} (the profile's own ratings) kept as pairs
        pairs = [[int(key), _encoded(item)] for key, item in value.items()]
        return _UNSAVED if any(item is _UNSAVED for _, item in pairs) else {"__int_keys__": pairs}
    return _UNSAVED


def _decoded(value):
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_decoded(item) for item in value["__tuple__"])
        if set(value) == {"__int_keys__"}:
            return {int(key): _decoded(item) for key, item in value["__int_keys__"]}
        if set(value) == {"__array__", "dtype"}:
            return np.asarray(value["__array__"], dtype=np.dtype(value["dtype"]))
        return {key: _decoded(item) for key, item in value.items()}
    return value


def _plain(value):
    """Hyperparameters, metrics and recipes as JSON (NumPy numbers as Python ones)."""
    return json.loads(json.dumps(value, default=lambda v: v.item() if isinstance(v, np.generic) else str(v)))


def saved_words(saved: str) -> str:
    """When a workspace was saved, as its file says: "saved 2026-11-28 14:02:11 UTC" (an edited file's "yesterday"
    read "saved yesterday UTC"; "at an unknown time" when it says nothing)."""
    try:
        when = datetime.fromisoformat(saved)
    except (TypeError, ValueError):
        return "saved at an unknown time" if not str(saved).strip() else f"saved “{saved}”, its file says"
    return f"saved {when.strftime('%Y-%m-%d %H:%M:%S')}" + (" UTC" if when.utcoffset() is not None and
                                                            not when.utcoffset().total_seconds() else "")


# ------------------------------------------------------------------ reading
def read(content: bytes, file_name: str, start: DataEntry | None = None) -> Opened:
    """A workspace file rebuilt: its data (as the server's `start` data when it is that data), Prepare
    applied again, its models checked against the data. DataError saying what is wrong otherwise; a model that
    cannot be taken up is left out with a note."""
    try:
        return _read(content, file_name, start)
    except DataError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, TypeError, AttributeError, ValueError, KeyError,
            ArithmeticError, RecursionError) as exc:
        # a changed byte (the zip's checksum), a part of the wrong JSON type, an infinite number where a count
        # goes, settings nested thousands deep: any damage gets the same advice
        log.warning("workspace %s not read: %s: %s", file_name, type(exc).__name__, exc)  # for whoever runs the server
        raise DataError(f"{file_name} is damaged or was edited (a part of it could not be read); save the workspace "
                        "again.") from None


def _read(content: bytes, file_name: str, start: DataEntry | None) -> Opened:
    from mfviz.dashboard.data_swap import prepared_entry

    archive = _archive(content, file_name)
    manifest = _manifest(archive, file_name)
    saved_source = manifest["source"]
    interactions = _read_interactions(archive, saved_source.get("ids") or {}, file_name)
    content, saved_key = state.interactions_hash(interactions), saved_source.get("key")
    if content != saved_source.get("content", saved_key):
        raise DataError(f"{file_name}'s data does not match its own record of it (damaged or edited); "
                        "save the workspace again.")
    if start is not None and saved_key == start.key and (
            saved_key == content or state.interactions_hash(start.interactions) == content):
        source = start  # the data this server starts on: its own copy, and "Back to" it still works
    else:
        # Keyed by its content, always: a key taken from the file could name another dataset's cached analyses.
        # (A workspace served by `mfviz dashboard --workspace` keys its data otherwise; opened elsewhere, its
        # links to views then no longer apply.)
        source = DataEntry(interactions=interactions, name=str(saved_source.get("name") or file_name), key=content,
                           report_lines=[str(line) for line in saved_source.get("report_lines") or []])
    filters = manifest.get("filters") or {}
    data = source if not filters else prepared_entry(source, _filters(filters, file_name))
    if source.key == saved_key and data.key != manifest["data"].get("key"):
        raise DataError(f"{file_name}'s Prepare settings give other data than it was saved with (damaged, or "
                        "saved by another version of mfviz); load the data and train the models again.")
    notes: list[str] = []
    models = [entry for record in manifest.get("models") or []
              if (entry := _model_entry(archive, record, data, str(manifest["data"].get("key")), notes)) is not None]
    if manifest.get("quick_default"):  # first, as in the session it was saved from
        from mfviz.dashboard.training import default_model

        quick = default_model(data.key, data.interactions)
        models = ([quick] if quick is not None else []) + models
    settings = {key: _decoded(value) for key, value in (manifest.get("settings") or {}).items()}
    invalid = sorted(key for key, value in settings.items()
                     if key not in VALID or not VALID[key](value, data.interactions))
    if invalid:
        notes.append(f"{len(invalid)} setting{'s' if len(invalid) > 1 else ''} of the file {'are' if len(invalid) > 1 else 'is'} "
                     f"not valid and {'were' if len(invalid) > 1 else 'was'} left out ({', '.join(invalid)}).")
    settings = {key: value for key, value in settings.items() if key not in invalid}
    last = manifest.get("last_training")
    return Opened(source=source, filters=filters, data=data, models=models, settings=settings,
                  saved=str(manifest.get("saved", "")), notes=notes,
                  last_training=None if last is None else _last_training(archive, last, models, data, notes))


def _archive(content: bytes, file_name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise DataError(f"{file_name} is not a workspace file (not a zip archive). Open a file saved with "
                        "“Save the workspace” (in the sidebar).") from None
    # The .npz parts are zips of their own, and np.load unpacks every array in them: their sizes count too
    # (a 0.6 MB file passed the outer check and took 620 MB of memory). Parquet's are in its metadata.
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked <= MAX_EXPANSION * max(len(content), 1 << 20):
        unpacked += sum(_inner_size(archive, info) for info in archive.infolist())
    if unpacked > MAX_EXPANSION * max(len(content), 1 << 20):
        raise DataError(f"{file_name} would unpack to {unpacked / 1e9:.1f} GB from {len(content) / 1e6:.1f} MB, "
                        "far more than a workspace file does; it was not opened.")
    return archive


def _inner_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Bytes a part unpacks to beyond its own size: an .npz's arrays, a Parquet table's columns (0 for other
    parts, and for a damaged one: refused, or left out, when it is read)."""
    try:
        if info.filename.endswith(".npz"):
            with zipfile.ZipFile(io.BytesIO(archive.read(info))) as inner:
                return sum(part.file_size for part in inner.infolist())
        if info.filename.endswith(".parquet"):
            import pyarrow.parquet as pq

            metadata = pq.ParquetFile(io.BytesIO(archive.read(info))).metadata
            return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    except Exception:  # noqa: BLE001 - damage is found, and said, where the part is read
        return 0
    return 0


def _manifest(archive: zipfile.ZipFile, file_name: str) -> dict:
    if MANIFEST not in archive.namelist():
        # a workspace cut short can still open as a zip: the end of one of its .npz parts (zips too) is found
        raise DataError(f"{file_name} is not a workspace file, or one cut short or damaged (it has no {MANIFEST}). "
                        "Open a file saved with “Save the workspace” (in the sidebar), whole; data files go in "
                        "“Load your own data”.")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except ValueError:
        raise DataError(f"{file_name}'s {MANIFEST} is not JSON (damaged or edited); save the workspace again.") from None
    if not isinstance(manifest, dict) or "format" not in manifest:  # valid JSON, but no manifest: `[]` said "format None"
        raise DataError(f"{file_name}'s {MANIFEST} is not a workspace's manifest (damaged or edited); save the "
                        "workspace again.")
    if manifest.get("format") != FORMAT:
        found = manifest.get("format")
        raise DataError(f"{file_name} is a workspace of format {found!r}; this mfviz opens format {FORMAT} (a file "
                        "from a newer mfviz needs that version).")
    for part, kind in (("source", dict), ("data", dict)):
        if not isinstance(manifest.get(part), kind):
            raise DataError(f"{file_name}'s {MANIFEST} has no {part} record; save the workspace again.")
    return manifest


def _member(archive: zipfile.ZipFile, name: str, file_name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise DataError(f"{file_name} lacks {name} (damaged or edited); save the workspace again.") from None


def _read_interactions(archive: zipfile.ZipFile, ids: dict, file_name: str) -> Interactions:
    try:
        with np.load(io.BytesIO(_member(archive, "data/interactions.npz", file_name)), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        kept = {}
        for kind in ("user_ids", "item_ids"):
            if ids.get(kind) == "json":
                values = json.loads(_member(archive, f"data/{kind}.json", file_name))
                kept[kind] = np.empty(len(values), dtype=object)
                kept[kind][:] = values
            else:
                kept[kind] = arrays[kind]
        shape = tuple(int(n) for n in arrays["shape"])
        matrix = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
        items = pd.read_parquet(io.BytesIO(_member(archive, "data/items.parquet", file_name)))
        for column in ids.get("list_columns") or []:  # Parquet gives lists back as arrays
            items[column] = items[column].map(lambda value: list(value) if isinstance(value, np.ndarray) else value)
        items.insert(0, "item_id", kept["item_ids"])
        report = _report(json.loads(_member(archive, "data/report.json", file_name)), file_name)
        return Interactions(matrix, kept["user_ids"], kept["item_ids"], timestamps=arrays.get("timestamps"),
                            items=items, is_explicit=bool(ids.get("explicit")), report=report)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage gets the same advice
        log.warning("workspace %s: data not read: %s: %s", file_name, type(exc).__name__, exc)
        raise DataError(f"{file_name}'s data could not be read (damaged or edited); save the "
                        "workspace again.") from None


def _report(fields, file_name: str) -> LoadReport:
    """The data's load report, each field of its own type: numbers where the report said words (an edited file)
    opened, then failed the Data page (`"format": 3` reached a text method)."""
    def text(value) -> bool:
        return isinstance(value, str)

    kinds = {"source": text, "format": text, "rows_read": _int, "rows_kept": _int,
             "dropped": lambda v: isinstance(v, dict) and all(text(k) and _int(n) for k, n in v.items()),
             "notes": lambda v: isinstance(v, list) and all(map(text, v)),
             "warnings": lambda v: isinstance(v, list) and all(map(text, v)),
             "columns": lambda v: isinstance(v, dict) and all(text(k) and (c is None or text(c)) for k, c in v.items()),
             "duplicates_policy": lambda v: v is None or text(v), "duplicates_merged": _int,
             "metadata_join_rate": lambda v: v is None or _number(v),
             "merged_values": lambda v: v is None or (isinstance(v, list) and len(v) == 3 and _number(v[0])
                                                      and _number(v[1]) and text(v[2])),
             "merged_stamps": lambda v: isinstance(v, bool)}
    if not isinstance(fields, dict) or any(key not in kinds or not kinds[key](value) for key, value in fields.items()):
        raise DataError(f"{file_name}'s load report (data/report.json) is damaged or was edited; save the workspace "
                        "again.")
    if fields.get("merged_values") is not None:  # a tuple, written as a JSON list
        fields = {**fields, "merged_values": tuple(fields["merged_values"])}
    return LoadReport(**fields)


def _filters(filters: dict, file_name: str) -> dict:
    expected = {"min_count": int, "binarize_at": (float, type(None)), "explicit": (bool, type(None)),
                "drop_zeros": bool}
    if set(filters) != set(expected) or not all(isinstance(filters[k], t) for k, t in expected.items()) \
            or isinstance(filters["min_count"], bool) or filters["min_count"] < 1:
        raise DataError(f"{file_name}'s Prepare settings are not valid ({filters}); save the workspace again.")
    return filters


def _model_entry(archive: zipfile.ZipFile, record: dict, data: DataEntry, saved_key: str,
                 notes: list[str]) -> ModelEntry | None:
    """A saved model as the session lists it, its split made again; None (and a note) when it cannot be."""
    from mfviz.models import load_model

    name = str(record.get("name") or record.get("file"))
    try:
        raw = archive.read(str(record.get("file")))
        model = load_model(io.BytesIO(raw))
    except (KeyError, ModelError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        why = str(exc) if isinstance(exc, ModelError) else "damaged or edited"  # a ModelError says what is wrong
        notes.append(f"{name} could not be read ({why}) and was left out.")
        return None
    try:
        if _stored_hash(raw, saved_key) == record.get("key"):
            # the record hashes the factors as saved; loading may bring them up to date (a Truncated SVD
            # saved before its singular values were split evenly), so the session knows them by their new hash
            record = {**record, "key": state.model_hash(model, saved_key)}
        return _checked_entry(model, name, record, data, saved_key, notes)
    except (TypeError, ValueError, KeyError, ArithmeticError) as exc:  # a record edited by hand: that model only
        log.warning("workspace model %s: record not valid: %s: %s", name, type(exc).__name__, exc)
        notes.append(f"{name}'s record is not valid (damaged or edited) and it was left out.")
        return None


def _stored_hash(raw: bytes, saved_key: str) -> str:
    """The hash of a model file's factors and biases as it holds them (`state.model_hash` at saving time)."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return state.array_hash(*(npz[key] for key in ("user_factors", "item_factors", "user_bias", "item_bias")
                                  if key in npz.files), extra=saved_key)


def _checked_entry(model, name: str, record: dict, data: DataEntry, saved_key: str,
                   notes: list[str]) -> ModelEntry | None:
    from mfviz.dashboard.training import split_data

    inter = data.interactions
    if model.user_factors.shape[0] != inter.n_users or model.item_factors.shape[0] != inter.n_items:
        notes.append(f"{name} does not fit the data (other users or items) and was left out.")
        return None
    if state.model_hash(model, saved_key) != record.get("key"):
        notes.append(f"{name}'s factors do not match the workspace's record of them (damaged) and were left out.")
        return None
    settings = record.get("split_settings")
    train = test = None
    if isinstance(settings, dict) and {"split", "test", "seed"} <= set(settings):
        train, test = split_data(data.key, inter, settings["split"], float(settings["test"]), int(settings["seed"]))
        if record.get("train_from_split") and getattr(model, "train_matrix", None) is None:
            model.train_matrix = train.matrix  # left out of its file: the same split's training part
    # The model file is the authority on what the model is; the record only adds how it was trained and scored.
    kind = record.get("kind") if record.get("kind") == getattr(model, "name", None) else "loaded"
    metrics = {str(k): v if isinstance(v, int) else float(v) for k, v in dict(record.get("metrics") or {}).items()
               if isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)}
    # a recipe trains the same model again (links, "trained the same way is reused"): only one that says so
    recipe = record.get("recipe")
    recipe = recipe if isinstance(recipe, dict) and recipe.get("kind") == kind and recipe.get("params") == \
        _plain(model.get_params()) and all(recipe.get(k) == (settings or {}).get(k) for k in ("split", "test", "seed")) \
        else None
    return ModelEntry(name=name, model=model, kind=kind, params=model.get_params(),
                      key=state.model_hash(model, data.key), data_key=data.key,
                      metrics=metrics, fit_seconds=float(record.get("fit_seconds") or 0),
                      epochs=int(record.get("epochs") or 0), split=str(record.get("split") or ""),
                      stopped_early=bool(record.get("stopped_early")), train=train, test=test,
                      recipe=recipe,
                      split_settings=settings if isinstance(settings, dict) else None)


def _last_training(archive: zipfile.ZipFile, record: dict, models: list[ModelEntry], data: DataEntry,
                   notes: list[str]) -> TrainingJob | None:
    """The last training as a finished job, for the Train page; None (and a note) when its models were left out
    or its record is damaged: the models themselves are kept either way."""
    try:
        by_name = {entry.name: entry for entry in models}
        if not record["models"] or not all(name in by_name for name in record["models"]):
            notes.append("The last training's loss curve and replay were left out with its model.")
            return None
        entries = [by_name[name] for name in record["models"]]
        lined_up, items, labels = None, None, [str(label) for label in record["snapshot_labels"]]
        if record["replay"]:
            raw = archive.read(TRAINING_REPLAY)
            if not zipfile.is_zipfile(io.BytesIO(raw)):  # np.load would say "pickled data" of any other bytes
                raise DataError(f"{TRAINING_REPLAY} is not an .npz file")
            with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
                coords, settled, kept, items = npz["coords"], npz["settled"], npz["kept"], npz["items"]
            frames = len(labels)
            if coords.dtype.kind != "f" or coords.shape != (frames, len(items), 2) or not np.isfinite(coords).all() \
                    or settled.shape != (frames,) or kept.shape != (frames,) or frames < 2 \
                    or items.dtype.kind not in "iu" or (len(items) and not 0 <= int(items.min()) <= int(items.max())
                                                        < data.interactions.n_items):
                raise DataError("the replay does not fit its model or the data")
            lined_up = (coords, settled, kept)
        epochs = [(int(epoch), float(loss), float(seconds), None if metric is None else float(metric))
                  for epoch, loss, seconds, metric in record["epochs"]]
        sweep = record["sweep"]
        return TrainingJob.finished(
            seconds=float(record["seconds"]), stopped=bool(record["stopped"]), kind=str(record["kind"]),
            label=str(record["label"]), params=dict(record["params"]), train=entries[-1].train, test=entries[-1].test,
            k=int(record["k"]), data_key=data.key, split=str(record["split"]),
            sweep=None if sweep is None else (str(sweep[0]), list(sweep[1])), split_settings=record["split_settings"],
            epochs=epochs, snapshot_labels=labels, lined_up=lined_up, opened=True, replay_items=items, error=record["error"],
            entries=entries,
            reused=[by_name[name] for name in record["reused"] if name in by_name], current=int(record["current"]),
            **{part: [(str(label), str(text)) for label, text in record[part]] for part in ("failures", "warnings", "notes")})
    except (DataError, KeyError, TypeError, ValueError, IndexError, zipfile.BadZipFile, zlib.error, EOFError,
            OSError) as exc:
        log.warning("workspace last training not read: %s: %s", type(exc).__name__, exc)
        why = str(exc) if isinstance(exc, DataError) else "damaged or edited"  # ours say what; Python's would not
        notes.append(f"The last training's loss curve and replay could not be read ({why}) and "
                     "were left out; its models are here.")
        return None
