"""Data page: upload interactions (or use the start data), map columns, filter, and see what was loaded."""

import io

import streamlit as st

from mfviz import datasets
from mfviz.dashboard import (
    cached_data,
    cached_upload,
    data_swap,
    labels,
    load_words,
    pickers,
    state,
    ui,
    workspace_file,
)
from mfviz.dashboard.figures import counted, percent
from mfviz.dashboard.held_upload import HELD_ITEMS, held, held_items, hold, release
from mfviz.dashboard.plain import plain, plain_message
from mfviz.dashboard.state import DataEntry
from mfviz.data import scale
from mfviz.data.item_tables import with_items
from mfviz.errors import UnreadableFile

start = ui.start_name()
source: DataEntry = st.session_state.get(state.SOURCE) or ui.current_data()
# true whatever is loaded ("…, loaded already" still named the demo once MovieLens was loaded)
ui.header("Data", "Upload user–item interactions — or explore the " +
          ("built-in demo catalogue (3,000 users rating 1,500 made-up films of 12 genres)" if start is None else f"data this server was started on, {plain(start)}") +
          ", which every session starts on — and check what the models will learn from.")

st.session_state.setdefault(state.SOURCE, source)

# The loader's reading overrides the column mapping offers: {override: (label, {choice: value})};
# None leaves the loader's own detection (or default) in place.
READING_OPTIONS = {
    "delimiter": ("delimiter", {"detect": None, "comma ,": ",", "tab": "\t", "semicolon ;": ";", "pipe |": "|",
                                "double colon ::": "::", "space": " "}),
    "header": ("header line", {"detect": None, "yes: names the columns": True, "no: data from line 1": False}),
    "encoding": ("encoding", {"detect": None, "UTF-8": "utf-8", "Windows (cp1252)": "cp1252", "Latin-1": "latin-1",
                              "UTF-16": "utf-16"}),
    "on_bad_rows": ("bad rows", {"stop and say where": None, "drop them and count them": "drop"}),
    "out_of_scale": ("ratings outside the scale", {"as bad rows": None, "drop them and count them": "drop",
                                                   "keep them as ratings": "keep"}),
    "zeros": ("rows whose value is 0", {"dropped from implicit feedback": None, "drop them all": "drop",
                                         "keep them as interactions": "keep"}),
}




def option_key(option: str) -> str:
    """A reading option's box key, new each time the options are set from outside (choose_for_typos)."""
    return ui.renewed(f"map_{option}", "reading options")


ITEM_TITLES = "item titles"  # Column mapping's choice of the item table's column of titles (the load words name it)


def detected_words(detected: dict, by_name: bool) -> str:
    """The columns the data was read with, role by role, which "detect" keeps ("user = 'customer_id', …, timestamp:
    none"; by position, 0 first, without a header): a caption, as in the boxes' own labels a confirmed replacement
    of the data left them stale in the browser (a keyed selectbox keeps the options it was first drawn with)."""
    def found(role: str) -> str:
        name = detected.get(role)
        if name is None:
            return f"{role}: none"
        number = name.removeprefix("column_")  # a file without a header names its columns column_1, column_2, …
        return f"{role} = {int(number) - 1}" if not by_name and number.isdigit() else f"{role} = '{name}'"

    return "Columns read: " + ", ".join(found(role) for role in ("user", "item", "rating", "timestamp")) + "."


def choose_for_typos(content_key: str, mapping: dict, choice: str) -> None:
    """Load again with the typos dropped or kept (a button's callback: it runs before the page does,
    so the reading option below can be set to show the choice)."""
    st.session_state[state.MAPPING] = {**mapping, "out_of_scale": choice}
    st.session_state[state.UPLOAD_KEY] = f"{content_key}|remap"
    ui.renew("reading options")  # shown from the mapping again, the choice made ("as bad rows" came back)


def load_warnings(report, metadata_name: str | None) -> list[str]:
    """What a user must not miss in a load report: rows dropped, values likely misread, and item
    metadata that matched few items (a wrong file or id column leaves the lists without titles)."""
    said = list(load_words.plain_report(report.warnings))
    if report.rows_dropped:
        # "1 row: a wrong number of fields", as the load report says it ("1 a wrong number of fields" before)
        reasons = "; ".join(f"{counted(count, 'row')}: {reason}" for reason, count in report.dropped.items())
        were = "was" if report.rows_dropped == 1 else "were"
        said.append(f"{report.rows_dropped:,} of {report.rows_read:,} rows {were} dropped ({reasons}); the report below "
                    "says more.")
    rate = report.metadata_join_rate
    if metadata_name and rate is not None and rate < 0.5:
        said.append(f"{metadata_name} names only {rate:.0%} of the items, so most have no title or genres: check "
                    "that its first column holds the same item ids as the interactions file.")
    return said


def join_words(joined, table: str, data: str) -> tuple[str, str]:
    """What joining an item table made of the data, and how to show it: a success when most items have a row in it,
    else a warning with how many do and examples of both sides' ids (a green "Joined" read as done at 0%)."""
    report = joined.report
    rate = report.metadata_join_rate or 0.0
    if rate >= 0.5:
        return f"Joined {table} to {data}: {rate:.0%} of the items have a row in it.", "success"
    matched = round(rate * joined.n_items)
    missing = next((n for n in report.notes if "have no row in the item table" in n), "")
    return (f"Joined {table} to {data}, but only {matched:,} of {joined.n_items:,} items ({rate:.1%}) have a row in "
            f"it: its ids and the data's likely do not match. {missing}"), "warning"


def offer(replacement: data_swap.Replacement) -> bool:
    """Replace the data now when no model would be lost with it, else keep it until the user says
    so (the question is shown where the change was asked for). True when replaced."""
    if not at_stake():
        replacement.replace()
        return True
    st.session_state[data_swap.PENDING] = replacement
    return False


def at_stake() -> list:
    start = cached_data.start_data()[0]
    return data_swap.models_at_stake(ui.models(), [model for _, model in start.models] + [e.model for e in start.entries])


def answered(replace: bool) -> None:
    """A button's callback: it runs before the page, so the page is drawn on the data as chosen."""
    replacement = st.session_state.pop(data_swap.PENDING, None)
    if replacement is not None:
        (replacement.replace if replace else replacement.cancelled or (lambda: None))()


def ask(*kinds: str) -> None:
    """The question before replacing the data, when a replacement of one of these kinds waits for it."""
    replacement = st.session_state.get(data_swap.PENDING)
    if replacement is None or replacement.kind not in kinds:
        return
    models = at_stake()
    if not models:  # they went meanwhile (another tab of the session): nothing to ask
        answered(True)
        st.rerun()
    training = st.session_state.get(state.TRAINING)
    st.warning(data_swap.question(replacement, models, training is not None and not training.done),
               icon=":material/help:")
    yes, no = st.columns(2)
    yes.button("Go on: replace the data, clear the models", key="replace_confirm", type="primary",
               on_click=answered, args=(True,))
    no.button("Cancel: keep the data and the models", key="replace_cancel", on_click=answered, args=(False,))


def show_notices() -> None:
    """What a replacement said (loaded, dropped rows, ...), once, on the run after it was confirmed."""
    for kind, text in st.session_state.pop(data_swap.NOTICES, []):
        # said with file, data and column names in them: as they are (plain_message)
        if kind == "success":
            st.success(plain_message(text), icon=":material/check_circle:")
        else:
            st.warning(plain_message(text), icon=":material/warning:")


def empty_uploaders() -> None:
    """New keys for the uploaders (a file uploader's value cannot be set): the file in them is not read again."""
    st.session_state[state.UPLOADS_EMPTIED] = st.session_state.get(state.UPLOADS_EMPTIED, 0) + 1


def cleared_words() -> str:
    return " Models of the previous data were cleared." if ui.models() else ""


def take_up(new: DataEntry, said: str, warnings: list[str], meta_key: str, parse_key: str | None = None,
            kind: str = "success") -> None:
    """Make `new` the session's data as loaded (its filters none yet), and say so on the next run (`kind`: a
    "warning" for a join that named few items, said as a success it read as done)."""
    st.session_state[state.SOURCE] = new
    if parse_key is not None:
        st.session_state[state.UPLOAD_KEY] = parse_key
    st.session_state[state.ITEMS_JOINED] = (new.key, meta_key)  # its item table, if one came with it
    st.session_state[state.FILTERS] = {}
    ui.renew("prepare")  # its boxes show no filter again (a k-core of 20 set for the old data stayed in the box)
    ui.set_data(new)
    st.session_state[data_swap.NOTICES] = [(kind, said)] + [("warning", w) for w in warnings]


# ------------------------------------------------------------------ upload
loading = st.container(border=True)
with loading:
    st.subheader("Load your own data")
    left, right, saved_column = st.columns(3)
    # "Back to …" empties the uploaders by giving them new keys (a file uploader's value cannot be
    # set), else the file still in them would be read again on the next run.
    emptied = st.session_state.get(state.UPLOADS_EMPTIED, 0)
    suffix = f"_{emptied}" if emptied else ""
    upload = left.file_uploader(
        "Interactions file", key="upload_interactions" + suffix,
        help="One row per interaction: user, item, optional rating and timestamp. CSV/TSV/DAT "
             "(delimiter and header detected), Parquet, JSON Lines or a JSON array of objects (e.g. Amazon, "
             "Yelp or Goodreads reviews), .gz/.bz2/.xz or .zip. MovieLens and Last.fm files load without "
             "any mapping. A file over the upload limit: start the dashboard on it instead, "
             "`mfviz dashboard FILE` (no limit; every session then opens on it).")
    # in sight, not only in the "?": over the limit the browser refuses the file with a tooltip on a red mark alone
    left.caption(f"Over {st.get_option('server.maxUploadSize'):,} MB? Upload it gzipped (.gz) or as Parquet, or "
                 "start the dashboard on it: `mfviz dashboard FILE`.")
    metadata = right.file_uploader(
        "Item metadata (optional)", key="upload_items" + suffix,
        help="A table with an item id column and optionally title and genres (e.g. MovieLens u.item "
             "or movies.csv); titles then appear on hover and in every list.")

    if upload is not None and upload.name.lower().endswith(".npz"):
        st.error(f"{plain(upload.name)} looks like a model file, not interactions: load it on the Train page, under "
                 "**Load a model**, once its data is loaded here.", icon=":material/error:")
        upload = None
    if upload is not None and upload.name.lower().endswith(workspace_file.SUFFIX):
        st.error(f"{plain(upload.name)} is a saved workspace, not interactions: open it in **Saved workspace (optional)**, "
                 "the third box.", icon=":material/error:")
        upload = None
    returned = upload is None and metadata is None  # left the page and came back: the upload that is the data stays
    if returned:
        upload = held(st.session_state.get(state.UPLOAD_KEY), source.name)
        # with the item table read with it: read again without, the titles were lost (and the models retrained)
        metadata = held_items() if upload is not None else None
        if upload is not None:
            left.caption(f"In use: {plain(upload.name)}" + (f" with {plain(metadata.name)}" if metadata else "") +
                         " (its column mapping below).")
    if upload is not None:
        content = upload.getvalue()
        content_key = getattr(upload, "content_key", None) or state.bytes_hash(content)  # the held file's is known
        hold(upload.name, content, content_key)
        mapping = st.session_state.get(state.MAPPING, {}) if \
            st.session_state.get(state.UPLOAD_KEY, "").startswith(content_key) else {}
        meta_content = metadata.getvalue() if metadata is not None else None
        meta_key = getattr(metadata, "content_key", None) or (state.bytes_hash(meta_content) if meta_content else "")
        # the item table's column names, for its column of titles under Column mapping (None without a header)
        item_names = cached_upload.header_names(meta_key, meta_content) if meta_content else None
        if mapping.get("title") is not None and mapping["title"] not in (item_names or []):  # another table's
            mapping = {option: value for option, value in mapping.items() if option != "title"}
        if not returned:  # the item table in its uploader (or none) goes with the file held
            if metadata is not None:
                hold(metadata.name, meta_content, meta_key, slot=HELD_ITEMS)
            else:
                release(HELD_ITEMS)
        parse_key = f"{content_key}|{meta_key}|{sorted(mapping.items())}"
        failed = unreadable = False
        if st.session_state.get(state.UPLOAD_KEY) != parse_key:
            try:
                with st.spinner(f"Reading {plain(upload.name)}…"):
                    loaded = cached_upload.parse_upload(content_key, content, upload.name,
                                                        tuple(sorted(mapping.items())), meta_key, meta_content,
                                                        metadata.name if metadata else "")
            except scale.RatingsOutsideScale as exc:  # typos such as -1 or 99 among 1-5 stars: drop or keep?
                failed = True
                said = str(exc).removeprefix(f"{upload.name}: ").split(f": {exc.why}.")[0]
                look = ("They look like typos" if exc.why == scale.TYPOS else
                        "They look like the file's codes for 'not rated' or a dislike, or typos")
                st.error(f"{plain(upload.name)}: {plain_message(said)}. {look}: drop them (they are counted in the load "
                         "report) or keep them as ratings.", icon=":material/error:")
                drop, keep = st.columns(2)
                them = "it" if exc.count == 1 else f"these {exc.count:,}"
                drop.button(f"Drop {them} and load the rest", key="typos_drop", type="primary",
                            on_click=choose_for_typos, args=(content_key, mapping, "drop"))
                keep.button(f"Keep {them} as ratings", key="typos_keep",
                            on_click=choose_for_typos, args=(content_key, mapping, "keep"))
            except (ValueError, OSError) as exc:  # DataError is a ValueError
                failed = True
                said = str(exc).removeprefix(f"{upload.name}: ")  # the message names the file too
                if metadata is not None and said.startswith(f"{metadata.name}:"):  # the item table's fault, said so
                    st.error(f"Could not load the item table {plain(metadata.name)}: "
                             f"{plain_message(load_words.page_words(said.removeprefix(f'{metadata.name}: ')))}\n\nRemove "
                             f"the item table (×) to load {plain(upload.name)} alone, or upload another.", icon=":material/error:")
                else:
                    # the mapping's advice only where it can help: not for an empty, binary or damaged file
                    unreadable = isinstance(exc, UnreadableFile)  # Column mapping stays shut: it cannot help
                    advice = ("" if unreadable else
                              "\n\nThe columns and the reading options (delimiter, header, encoding, dropping bad "
                              "rows) are under **Column mapping** below; or fix the file and upload it again.")
                    st.error(f"Could not load {plain(upload.name)}: {plain_message(load_words.page_words(said))}{advice}", icon=":material/error:")
            else:
                new = DataEntry(interactions=loaded, name=upload.name, key=state.interactions_hash(loaded),
                                report_lines=load_words.plain_report(loaded.report.lines()))
                warnings = load_warnings(loaded.report, metadata.name if metadata else None)

                def load(new=new, parse_key=parse_key, meta_key=meta_key, warnings=warnings) -> None:
                    said = (f"Loaded {new.name}: {counted(new.interactions.n_users, 'user')}, "
                            f"{counted(new.interactions.n_items, 'item')}, {counted(new.interactions.nnz, 'interaction')}."
                            + cleared_words())
                    take_up(new, said, warnings, meta_key, parse_key)

                if offer(data_swap.Replacement(f"Loading {plain(upload.name)}", "upload", load, empty_uploaders)):
                    source = new
        ask("upload")
        show_notices()

        # Column mapping: open by default when loading failed or columns were taken by position.
        columns = getattr(source.interactions.report, "columns", {}) or {}
        unsure = (failed and not unreadable) or any(str(v).isdigit() or str(v).startswith(("column", "col_", "f"))
                               for v in columns.values() if v is not None)
        # an item table came with it, but no column of titles was found in it: "item titles" is in there
        unsure = unsure or bool(item_names) and not failed and source.name == upload.name and \
            "title" not in source.interactions.items.columns
        with st.expander("Column mapping" + (" — please check" if unsure else ""), expanded=unsure):
            preview = cached_upload.preview_frame(content_key, content)
            # by the header's names when the file has one (row 0 of the preview), else by position
            names = cached_upload.header_names(content_key, content, mapping.get("header"), mapping.get("delimiter"))
            st.caption("The first rows of the file as read. Pick the column for each role " +
                       ("by its name in the header (row 0)" if names else "(0 = first)") + ", or leave it on detection.")
            st.dataframe(preview, hide_index=False, width="stretch")
            positions = ["detect"] + (names or list(range(preview.shape[1])))
            # what detection took, once this upload is the data (not after a failure, nor the data before it)
            detected = columns if not failed and source.name == upload.name else {}
            # One form: a pick reran the page and shut the expander, so that changing two roles meant opening it
            # again between them; the choices now go together with the button
            with st.form("column_mapping", border=False):
                if detected:
                    st.caption(plain(detected_words(detected, bool(names))))
                roles = st.columns(4)
                chosen = {}
                for column, role in zip(roles, ("user", "item", "rating", "timestamp"), strict=True):
                    options = positions + (["none"] if role in ("rating", "timestamp") else [])
                    current = mapping.get(role)
                    index = options.index(current if current is not None else "detect") \
                        if (current if current is not None else "detect") in options else 0
                    if current is False:
                        index = options.index("none")
                    choice = column.selectbox(role, options, index=index, key=f"map_{role}")
                    if choice == "none":
                        chosen[role] = False
                    elif choice != "detect":
                        chosen[role] = choice if names else int(choice)
                if item_names:  # its titles under a name the loader does not know ("Bezeichnung")
                    options = ["detect", *item_names]
                    current = mapping.get("title", "detect")
                    choice = st.columns(4)[0].selectbox(
                        ITEM_TITLES, options, index=options.index(current) if current in options else 0,
                        key="map_title", help=f"The column of {metadata.name} that holds the items' titles; "
                                              "“detect” finds it by its name or content (the load report says which).")
                    if choice != "detect":
                        chosen["title"] = choice
                st.caption("Reading options, when detection guesses wrong or some rows are bad.")
                # two rows of three: six in one row cut their values at 1,280 px ("stop and s", "dropped fr")
                reading = [column for _ in range(2) for column in st.columns(3)]
                for column, (option, (label, choices)) in zip(reading, READING_OPTIONS.items(), strict=True):
                    current = next((name for name, value in choices.items() if value == mapping.get(option)), "detect")
                    choice = column.selectbox(label, list(choices), index=list(choices).index(current),
                                              key=option_key(option))
                    if choices[choice] is not None:
                        chosen[option] = choices[choice]
                if st.form_submit_button("Load with this mapping", key="apply_mapping"):
                    st.session_state[state.MAPPING] = chosen
                    st.session_state[state.UPLOAD_KEY] = f"{content_key}|remap"
                    st.rerun()

    elif metadata is not None:  # an item table for the data already loaded (its uploader emptied on leaving the page)
        meta_content = metadata.getvalue()
        meta_key = state.bytes_hash(meta_content)
        if st.session_state.get(state.ITEMS_JOINED) != (source.key, meta_key):  # not joined yet
            try:
                named = io.BytesIO(meta_content)
                named.name = metadata.name
                joined = with_items(source.interactions, named)
            except (ValueError, OSError) as exc:  # DataError is a ValueError (a table with no id column too)
                said = load_words.plain_report([str(exc)])[0]
                st.error(f"Could not join {plain(metadata.name)} to {plain(source.name)}: {plain_message(said)}",
                         icon=":material/error:")
            else:
                new = DataEntry(interactions=joined, name=source.name, key=state.interactions_hash(joined),
                                report_lines=load_words.plain_report(joined.report.lines()), is_start=source.is_start)
                said, kind = join_words(joined, metadata.name, source.name)
                # a join that named few items is said once, by join_words, not again as load_warnings says it
                warnings = load_warnings(joined.report, None)

                def join(new=new, meta_key=meta_key, meta_content=meta_content, warnings=warnings,
                         table=metadata.name, said=said, kind=kind) -> None:
                    said += cleared_words()
                    upload_key = st.session_state.get(state.UPLOAD_KEY)
                    kept = held(upload_key, new.name)
                    parse_key = None
                    if kept is not None:  # the file held is read with this table from now on (Column mapping)
                        hold(table, meta_content, meta_key, slot=HELD_ITEMS)
                        mapping = st.session_state.get(state.MAPPING, {}) if upload_key.startswith(kept.content_key) \
                            else {}
                        parse_key = f"{kept.content_key}|{meta_key}|{sorted(mapping.items())}"
                    take_up(new, said, warnings, meta_key, parse_key, kind)

                if offer(data_swap.Replacement(f"Joining {plain(metadata.name)}", "items", join, empty_uploaders)):
                    source = new
        ask("items")
        show_notices()

    else:  # a question about a file no longer in its uploader (the page was left) has lapsed
        if getattr(st.session_state.get(data_swap.PENDING), "kind", None) in ("upload", "items"):
            st.session_state.pop(data_swap.PENDING)
        show_notices()

    def back() -> None:
        # the start data is set without a swap (the next run reads it), so the choices follow its ids here
        pickers.follow_ids(ui.current_data().interactions, cached_data.start_data()[0].interactions)
        for key in (state.SOURCE, state.DATA, state.UPLOAD_KEY, state.MAPPING, state.FILTERS):
            st.session_state.pop(key, None)
        release()  # the upload held for Column mapping: no longer the data
        st.session_state[state.MODELS] = {}
        ui.renew("prepare")
        empty_uploaders()

    if not source.is_start and st.button(f"Back to {plain(start or 'the demo catalogue')}", key="back_to_start") and \
            offer(data_swap.Replacement(f"Going back to {plain(start or 'the demo catalogue')}", "back", back)):
        st.rerun()
    ask("back")

# ------------------------------------------------------------------ workspace file
OPENED = "mfviz.workspace_opened"  # (content hash, workspace_file.Opened or the refusal) of the file in the box


def workspace_cancelled() -> None:
    """The box emptied and the file forgotten: dropped again, it is asked about again (it was read once per
    file, and a second drop of the same file after Cancel did nothing)."""
    st.session_state.pop(OPENED, None)
    empty_uploaders()


def open_workspace(opened: workspace_file.Opened, file_name: str) -> None:
    """Make the workspace the session's: its data and preparation, its models and its settings."""
    for key in (state.UPLOAD_KEY, state.MAPPING, state.LAST_TRAINING, OPENED):
        st.session_state.pop(key, None)
    release()  # the upload held for Column mapping: no longer the data
    st.session_state[state.SOURCE] = opened.source
    st.session_state[state.FILTERS] = dict(opened.filters)
    ui.renew("prepare")  # its boxes show the workspace's filters
    st.session_state[state.ITEMS_JOINED] = (opened.source.key, "")
    ui.set_data(opened.data)
    st.session_state[state.MODELS] = {}
    for entry in opened.models:
        ui.add_model(entry, activate=False)
    for key, value in opened.settings.items():  # rows of the same data (its key was checked): valid as they are
        st.session_state[key] = value
    if opened.last_training is not None:  # the Train page shows its loss curve and replay again
        st.session_state[state.LAST_TRAINING] = opened.last_training
    st.session_state.pop(pickers.GONE, None)  # choices of the data left behind: the workspace's own replace them
    if st.session_state.get(state.ACTIVE_MODEL) not in st.session_state[state.MODELS]:
        st.session_state.pop(state.ACTIVE_MODEL, None)
    ui.renew("prepare")  # Prepare's boxes made anew: they showed the settings of the data left behind
    empty_uploaders()
    inter = opened.data.interactions
    said = (f"Opened {file_name} ({workspace_file.saved_words(opened.saved)}): "
            f"{ui.data_label(opened.data)}" + (f" ({opened.data.filters})" if opened.data.filters else "")
            + f", {counted(inter.n_users, 'user')}, {counted(inter.nnz, 'interaction')}, "
            + f"{counted(len(opened.models), 'model')}.")
    st.session_state[data_swap.NOTICES] = [("success", said)] + [("warning", note) for note in opened.notes]


with loading:
    opening = saved_column.file_uploader(
        "Saved workspace (optional)", type=["zip"], key="open_workspace" + suffix,
        help="A .mfviz.zip file written by “Save the workspace” (in the sidebar, on every page): its data, "
             "preparation, models and settings come back as they were saved.")
    if opening is not None:
        content = opening.getvalue()
        content_key = state.bytes_hash(content)
        held = st.session_state.get(OPENED)
        if held is not None and held[0] == content_key and isinstance(held[1], str):  # refused once: said again
            st.error(held[1], icon=":material/error:")
        elif held is None or held[0] != content_key:
            try:
                with st.spinner(f"Opening {plain(opening.name)}…"):
                    held = (content_key, workspace_file.read(content, opening.name, ui.start_entries()[0]))
            except (ValueError, OSError) as exc:  # DataError is a ValueError
                # kept with the file's hash: every rerun read the file and applied Prepare again to refuse it
                st.session_state[OPENED] = (content_key, f"Could not open {plain(opening.name)}: {plain_message(exc)}")
                st.error(st.session_state[OPENED][1], icon=":material/error:")
            else:
                st.session_state[OPENED] = held
                if offer(data_swap.Replacement(f"Opening {plain(opening.name)}", "workspace",
                                               lambda: open_workspace(held[1], opening.name), workspace_cancelled)):
                    st.rerun()
    elif getattr(st.session_state.get(data_swap.PENDING), "kind", None) == "workspace":
        st.session_state.pop(data_swap.PENDING)  # the file left the box: its question has lapsed
    ask("workspace")

# ------------------------------------------------------------------ filters
applied = st.session_state.get(state.FILTERS, {})
def prepare_key(name: str) -> str:
    """A Prepare box's key, new after a cancelled Apply, so that it shows the settings applied again (the
    k-core box kept the 5 that was not applied)."""
    return ui.renewed(f"prep_{name}", "prepare")


def prepare_cancelled() -> None:
    ui.renew("prepare")


# Shut on the data the server starts on with nothing applied: at 1,280 × 720 the open form pushed the data's own
# figures below the fold (a presenter's first screen); open after an upload, which is when one prepares data
with st.expander("**Prepare**: k-core, binarise, drop 0 ratings, explicit or implicit",
                 expanded=bool(applied) or not source.is_start), st.form("filters", border=False):
    if source.is_start and source.filters and not applied:  # `mfviz dashboard --workspace` serves prepared data
        st.caption(f"The data this server serves was prepared before it was saved ({source.filters}); the settings "
                   "here apply on top of that.")
    a, b, c = st.columns(3)
    min_count = a.number_input("k-core: keep users and items with at least this many interactions", 1, 1000,
                               int(applied.get("min_count", 1)), key=prepare_key("min_count"),
                               help="Repeatedly drops users and items with fewer interactions (1 = off). "
                                    "5 or 10 removes noise from very short histories.")
    binarize = b.checkbox("Binarise ratings", value=applied.get("binarize_at") is not None, key=prepare_key("binarize"),
                          disabled=not source.interactions.is_explicit,
                          help="Turn ratings into implicit 'liked' signals: ratings at or above the threshold "
                               "become 1, the rest are dropped. Done before the k-core, so the k-core counts the "
                               "positives that are left.")
    # A form does not rerun on the tick, so the box cannot follow it: its label and help say it waits for the tick
    threshold = b.number_input("binarise at (stars), when ticked", 0.0, 10.0,
                               float(applied.get("binarize_at") or 4.0), 0.5, key=prepare_key("threshold"),
                               disabled=not source.interactions.is_explicit,
                               help="Used only with Binarise ratings ticked: ratings at or above it become 1.")
    has_zeros = source.interactions.is_explicit and cached_data.has_zero_ratings(source.key,
                                                                                 source.interactions.matrix.data)
    drop_zeros = c.checkbox("Drop 0 ratings", value=bool(applied.get("drop_zeros")), disabled=not has_zeros,
                            key=prepare_key("drop_zeros"),
                            help="Goodreads and Book-Crossing exports write 0 for 'read, not rated': kept, it is "
                                 "the lowest rating. Done first, before binarising and the k-core.")
    kinds = {"as detected": None, "explicit ratings": True, "implicit feedback": False}
    feedback = c.radio("Treat values as", list(kinds),
                       index=list(kinds.values()).index(applied.get("explicit")), key=prepare_key("feedback"),
                       help="Explicit: values are ratings to predict (RMSE). Implicit: values are "
                            "confidence of a positive signal (ranking metrics, implicit ALS).")
    if st.form_submit_button("Apply", type="primary", key="filters_apply"):
        settings = {"min_count": int(min_count), "binarize_at": float(threshold) if binarize else None,
                    "explicit": kinds[feedback], "drop_zeros": bool(drop_zeros and has_zeros)}
        with ui.guard("Filtering"):
            new = data_swap.prepared_entry(source, settings)

        def prepare(new=new, settings=settings) -> None:
            st.session_state[state.FILTERS] = settings
            ui.set_data(new)

        if new.key == ui.current_data().key:  # the data as it is: nothing is cleared
            prepare()
            st.rerun()
        elif offer(data_swap.Replacement("Applying these settings", "prepare", prepare, prepare_cancelled)):
            st.rerun()
ask("prepare")

# ------------------------------------------------------------------ what is loaded
data = ui.current_data()
inter = data.interactions
with ui.guard("Summarising the data"):
    summary = cached_data.summary(data.key, inter)

st.subheader(f"What is loaded: {plain(ui.data_label(data))}" + (f" ({data.filters})" if data.filters else ""))
cards = st.columns([0.8, 0.8, 1, 0.9, 1.5])  # the last card's name whole ("Catalogue in the lo…" in a fifth)
cards[0].metric("Users", f"{summary.n_users:,}")
cards[1].metric("Items", f"{summary.n_items:,}")
cards[2].metric("Interactions", f"{summary.nnz:,}")
cards[3].metric("Density", f"{summary.density:.2%}", help="Share of user–item pairs with an interaction.")
cards[4].metric(labels.CATALOGUE_TAIL, percent(summary.long_tail_share),
                help=f"Share of the catalogue's {summary.n_items:,} items that are in the long tail: every item outside "
                     f"the head, the {summary.head_items:,} most popular items that together carry "
                     f"{summary.head_share:.0%} of all interactions. It counts items, whatever their popularity; the "
                     f"Popularity bias page's “{labels.LIST_TAIL}” counts the items on the models' lists instead.")
kind = "explicit ratings" if inter.is_explicit else "implicit feedback"
st.markdown(f"Values are treated as **{kind}**. " + plain_message(" ".join(data.report_lines)))

rating_chart, long_tail_chart, activity_chart = cached_data.data_charts(data.key, summary)
left, right = st.columns(2)
with left:
    ui.show_svg(rating_chart)
with right:
    ui.show_svg(long_tail_chart)
ui.show_svg(activity_chart)
if inter.timestamps is not None:  # the span and the busy periods: what a split by time needs, and a wrong clock shows
    with ui.guard("Reading the timestamps"):
        found = cached_data.data_timeline(data.key, inter.timestamps, inter.report.duplicates_merged)
    if found is not None:
        ui.show_svg(found[1])

# ------------------------------------------------------------------ demo files
with st.expander("Download the demo files to see the expected format"):
    st.caption("Upload files shaped like these: one interaction per line, and optionally an item table "
               "with an id, a title and genres separated by '|'.")
    with ui.guard("Preparing the demo files"):
        files = datasets.demo_files()
    for n, (name, path) in enumerate(files.items()):
        # Read on click (a deferred download): page runs neither read nor hash the ~0.9 MB of files.
        st.download_button(f"Download {name} ({path.stat().st_size / 1e6:.1f} MB)", path.read_bytes,
                           file_name=name, mime="text/csv", key=f"demo_download_{n}")
