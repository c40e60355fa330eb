"""The Latent space page's projection settings as the Embedding Projector offers them (UMAP's neighbours and
minimum distance, t-SNE's perplexity, Spherize, PCA's components with the variance each describes, how many
neighbours a clicked item draws), read from a link, drawn, and written back to the link."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from mfviz.analysis import map_options
from mfviz.dashboard import background, cached_maps, labels, links, map_colours, support
from mfviz.dashboard.map_figures import PROJECTION_NOTES, MapAxes
from mfviz.dashboard.plain import plain

METHODS = ["UMAP", "t-SNE", "PCA", "Axes", "Dimensions"]  # the maps the page offers ("Map")
PROJECTIONS = ("UMAP", "t-SNE", "PCA")  # the maps made by projecting the vectors (the others have axes)
SWITCHES = {"on": True, "1": True, "true": True, "yes": True, "off": False, "0": False, "false": False, "no": False}
NEIGHBOURS_SHOWN = ("latent_k", 5, 50, 10)  # the clicked item's neighbours per metric: key, least, most, default
COMPONENT_KEYS = ("latent_pca_x", "latent_pca_y", "latent_pca_z")
SETTINGS = ("latent_neighbours", "latent_min_dist", "latent_perplexity", "latent_spherize", *COMPONENT_KEYS,
            NEIGHBOURS_SHOWN[0])
SPHERIZE_HELP = ("The Embedding Projector's “Spherize data”: subtract the average item vector, then scale every "
                 "vector to length 1, before mapping. The average is mostly the direction popular items share "
                 "(their vectors are long and point alike), so spherizing takes popularity out of the picture: items "
                 "are placed by how their direction differs from the average, not by how long their vector is. PCA "
                 "changes most; UMAP and t-SNE compare directions (cosine) already, so only the centring changes them.")


@dataclass
class MapSettings:
    """A projection's settings as chosen, with its cache-key suffix and link parameters (None: the default)."""

    n_neighbors: int = background.UMAP_NEIGHBOURS
    min_dist: float = background.UMAP_MIN_DIST
    perplexity: float | None = None
    spherize: bool = False
    components: tuple[int, ...] | None = None
    link: dict = field(default_factory=dict)
    clamped: str | None = None  # the sentence saying a perplexity was lowered

    @property
    def key(self) -> str:
        parts = (["sphere"] if self.spherize else []) + ([f"perplexity={self.perplexity:g}"] if self.perplexity else []) \
            + ([f"pcs={','.join(map(str, self.components))}"] if self.components  # the first ones: the plain PCA map
               and self.components != tuple(range(len(self.components))) else [])
        return "".join(f"|{p}" for p in parts)


def link_name(method: str) -> str:
    """The map's name in a link and in file names: "umap", "tsne", "pca", "axes", "dimensions"."""
    return method.lower().replace("-", "")


def keep() -> None:
    """Keep each setting over a run that does not draw its widget (Streamlit forgets a widget's value then): the
    UMAP settings while the map is PCA, the PCA components while it is t-SNE."""
    for setting in SETTINGS:
        if setting in st.session_state:
            st.session_state[setting] = st.session_state[setting]


def open_from_link(view: dict[str, str]) -> None:
    """Set the settings to an opened link's (each it lacks to its default; a perplexity left out is the
    Projector's default for the map's item count, set when the map is drawn)."""
    for setting, name, low, high, default in (("latent_neighbours", "neighbours", 5, 100, background.UMAP_NEIGHBOURS),
                                              ("latent_min_dist", "min_dist", 0.0, 0.99, background.UMAP_MIN_DIST),
                                              (NEIGHBOURS_SHOWN[0], "k", *NEIGHBOURS_SHOWN[1:])):
        st.session_state[setting] = default
        links.number(view, name, setting, low, high, default)
    st.session_state.pop("latent_perplexity", None)
    if "perplexity" in view:
        low, high = map_options.PERPLEXITY_RANGE
        try:
            value = int(float(view["perplexity"]))
        except (ValueError, OverflowError):
            value = None
        if value is not None and low <= value <= high:
            st.session_state["latent_perplexity"] = value
        else:
            st.warning(f"The link's perplexity = {plain(view['perplexity'])} is not a number from {low} to {high}; the map "
                       "uses the Projector's default for its number of items.", icon=":material/link_off:")
    spherize = SWITCHES.get(view.get("spherize", "off").lower())
    if spherize is None:
        st.warning(f"The link's spherize = {plain(view['spherize'])} is neither on nor off; the data is not spherized.",
                   icon=":material/link_off:")
    st.session_state["latent_spherize"] = bool(spherize)
    for key in COMPONENT_KEYS:
        st.session_state.pop(key, None)
    if "components" in view:
        numbers = [text.strip() for text in view["components"].split(",")]
        chosen = [int(n) - 1 for n in numbers if n.isdigit() and 1 <= int(n) <= map_options.PCA_COMPONENTS]
        if len(chosen) != len(numbers) or len(chosen) not in (2, 3) or len(set(chosen)) != len(chosen):
            st.warning(f"The link's components = {plain(view['components'])} are not two or three different component "
                       f"numbers from 1 to {map_options.PCA_COMPONENTS}; PCA shows components 1, 2 (and 3).",
                       icon=":material/link_off:")
        else:
            for key, component in zip(COMPONENT_KEYS, chosen, strict=False):
                st.session_state[key] = component


SETTINGS_CHANGED = "Map settings (changed)"  # the popover's label when a setting in it is not its default


def settings_box(slot, method: str, three_d: bool, n: int):
    """The "Map settings" popover in `slot`, holding the controls a demonstration rarely touches (the projection's
    own settings, "Label by", the neighbours drawn and their filter), for a map of n items. A popover floats over
    the page: an expander in the row's narrow column opened 600 px tall and pushed the map below a 1,280 × 720
    screen (presenter review). Its label says when any of them is not its default (a link's spherize or components),
    as a popover cannot open by itself."""
    changed = not at_defaults(method, three_d, n)
    return slot.popover(SETTINGS_CHANGED if changed else "Map settings", key="latent_settings", width="stretch")


def choose(box, slot, method: str, three_d: bool, model_key: str, shown: np.ndarray) -> MapSettings:
    """Draw the settings of the map `method` ("UMAP", "t-SNE" or "PCA") in the popover `box`, for the vectors
    `shown` (those mapped), and return them; a perplexity lowered to fit is said in `slot`, outside it."""
    chosen = MapSettings()
    with box:
        if method == "UMAP":
            # through the session state, not a `value=` beside it: a widget given both made Streamlit warn
            st.session_state.setdefault("latent_neighbours", chosen.n_neighbors)
            st.session_state.setdefault("latent_min_dist", chosen.min_dist)
            chosen.n_neighbors = st.slider("UMAP neighbours", 5, 100, key="latent_neighbours",
                                           help="Small values show fine local structure, large values the global shape.")
            chosen.min_dist = st.slider("UMAP minimum distance", 0.0, 0.99, step=0.01, key="latent_min_dist",
                                        help="How tightly points may pack together.")
            chosen.link.update(neighbours=None if chosen.n_neighbors == background.UMAP_NEIGHBOURS else chosen.n_neighbors,
                               min_dist=None if chosen.min_dist == background.UMAP_MIN_DIST else chosen.min_dist)
        elif method == "t-SNE":
            default = map_options.default_perplexity(len(shown))
            st.session_state.setdefault("latent_perplexity", min(default, map_options.PERPLEXITY_RANGE[1]))
            wanted = st.slider("Perplexity", *map_options.PERPLEXITY_RANGE, key="latent_perplexity",
                               help="Roughly how many neighbours each item pays attention to (t-SNE weighs its "
                                    "3 × perplexity nearest, by cosine): small values show small tight groups, large "
                                    "ones the broader shape. It starts at the Embedding Projector's default for the "
                                    f"number of items, max(5, ⌈√items / 4⌉) = {default} here; at most (items − 1) / 3.")
            chosen.perplexity, chosen.clamped = map_options.clamped_perplexity(wanted, len(shown))
            chosen.link["perplexity"] = None if wanted == default else wanted
        chosen.spherize = st.checkbox("Spherize data", key="latent_spherize", help=SPHERIZE_HELP)
        chosen.link["spherize"] = "on" if chosen.spherize else None
        if method == "PCA":
            chosen.components = components(three_d, model_key, shown, chosen.spherize)
            chosen.link["components"] = (None if chosen.components == tuple(range(len(chosen.components))) else
                                         ",".join(str(c + 1) for c in chosen.components))
    if chosen.clamped:
        slot.caption(chosen.clamped)
    return chosen


def at_defaults(method: str, three_d: bool, n: int) -> bool:
    """Whether the settings of the map `method` drawn in its popover (as the session holds them before they are
    drawn) are all their defaults, for a map of n items."""
    state = st.session_state
    neighbours_key, _, _, neighbours_default = NEIGHBOURS_SHOWN
    if (state.get(LABEL_KEY, "title") != "title" or state.get(neighbours_key, neighbours_default) != neighbours_default
            or state.get(support.KEPT, 0)):  # "Label by", the neighbours drawn and their filter: on every map
        return False
    if method in ("UMAP", "t-SNE", "PCA") and state.get("latent_spherize", False):
        return False
    if method == "UMAP":
        return (state.get("latent_neighbours", background.UMAP_NEIGHBOURS) == background.UMAP_NEIGHBOURS
                and state.get("latent_min_dist", background.UMAP_MIN_DIST) == background.UMAP_MIN_DIST)
    if method == "t-SNE":
        return state.get("latent_perplexity") in (None, map_options.default_perplexity(n),
                                                  min(map_options.default_perplexity(n), map_options.PERPLEXITY_RANGE[1]))
    if method == "PCA":
        first = range(3 if three_d else 2)
        return all(state.get(key, c) == c for key, c in zip(COMPONENT_KEYS, first, strict=False))
    return True


def components(three_d: bool, model_key: str, shown: np.ndarray, spherize: bool) -> tuple[int, ...]:
    """The principal components on x, y (and z) of a PCA map, each offered with the share of the variance it
    describes, and their total said under them (as the Projector's "Total variance described")."""
    shares = cached_maps.pca_shares(model_key + ("|sphere" if spherize else ""), shown, spherize)
    offered = list(range(len(shares)))
    name = lambda c: f"Component #{c + 1} ({shares[c]:.1%})"  # noqa: E731
    used = []
    for axis, key in zip(("X", "Y", "Z")[:3 if three_d else 2], COMPONENT_KEYS, strict=False):
        start = len(used)
        if st.session_state.get(key) not in offered:
            st.session_state[key] = start if start < len(offered) else 0
        used.append(st.selectbox(f"{axis} axis", offered, key=key, format_func=name,
                                 help="The share of the vectors' variance each principal component describes."))
    st.caption(f"Total variance described: {sum(shares[c] for c in set(used)):.1%}.")
    return tuple(used)


def neighbour_count(slot) -> int:
    """The slider of how many neighbours by each metric a clicked item draws (the Projector's "neighbors")."""
    key, low, high, default = NEIGHBOURS_SHOWN
    st.session_state.setdefault(key, default)
    return slot.slider(labels.NEIGHBOURS_SHOWN, low, high, key=key,
                       help=labels.NEIGHBOURS_SHOWN_HELP + " On the map, the clicked item's lines join them.")


def project(model_key: str, shown: np.ndarray, method: str, chosen: MapSettings, three_d: bool):
    """The map's projection, through the caches (t-SNE under a progress line with its seconds and an estimate
    of those left: `cached_maps.projector_map`); marked cached when it was there before this run asked (see `ready`)."""
    n_components = 3 if three_d else 2
    arguments = (model_key, shown, link_name(method), min(chosen.n_neighbors, len(shown) - 1), chosen.min_dist,
                 n_components, chosen.perplexity, chosen.spherize, chosen.components)
    plain = not chosen.spherize and chosen.components in (None, tuple(range(n_components)))  # as MapSettings.key
    asked = time.monotonic()
    if method in ("UMAP", "PCA") and plain:  # the map the background worker precomputes, from the same cache
        projection = cached_maps.projection(*arguments[:5], n_components=n_components)
    elif method == "t-SNE":
        projection = cached_maps.projector_map(*arguments)
    else:
        with st.spinner("Projecting item vectors…"):
            projection = cached_maps.projector_map(*arguments)
    return ready(projection, time.monotonic() - asked)


def ready(projection, waited: float):
    """`projection` marked cached when this run waited on it for less than half the seconds it took: it was made
    before (a t-SNE map finished in its thread while the user looked at another map, the background worker's UMAP
    map), and the page's cache returns it with the seconds of the run that made it, as if it had just taken them."""
    if projection.cached or waited >= projection.seconds / 2:
        return projection
    return dataclasses.replace(projection, cached=True)


def made(projection) -> tuple[str, str | None]:
    """The "Projection time" card's value (cached, or the seconds the map took) and the line under it: the seconds
    a cached map took when it was made in this process, or that those include numba compiling (or loading) its
    code on first use in the server process."""
    if projection.cached:
        # by the seconds as written: a map of 0.097 s read "0.1 s" when made and then had no line when found again
        took = f"{projection.seconds:.1f}"
        return "cached", (f"made earlier, in {took} s" if took != "0.0" else None)
    return f"{projection.seconds:.1f} s", ("incl. first-use compile: the next maps take less" if projection.compiled
                                           else None)


def map_axes(method: str, chosen: MapSettings, three_d: bool, model_key: str, shown: np.ndarray) -> MapAxes | None:
    """The titles of a projection's map when its settings change what its axes are: a PCA map names its
    components with the variance each describes, and a map of spherized vectors says so. None: the usual ones."""
    if method != "PCA" and not chosen.spherize:
        return None
    made = f"Item vectors{' (spherized)' if chosen.spherize else ''} mapped to {3 if three_d else 2}-D by {method}"
    first = method == "PCA" and chosen.components == tuple(range(len(chosen.components)))
    note = PROJECTION_NOTES.get(method, "") if method != "PCA" or first else (
        "PCA projects the vectors onto the principal components chosen (a linear map, so distances are the vectors' "
        "own, shortened): component #1 is the direction along which they vary most, #2 the next, and so on.")
    caption = ("Nearby points are items the model considers alike; look for clusters that share a colour. " + note
               + (" Spherized: each vector's direction from the average vector, at length 1 (the average, mostly "
                  "what popular items share, taken out)." if chosen.spherize else ""))
    if method != "PCA":
        names = [f"{method} {d} (arbitrary units)" for d in (1, 2, 3)]
    else:
        shares = cached_maps.pca_shares(model_key + ("|sphere" if chosen.spherize else ""), shown, chosen.spherize)
        names = [f"PCA component #{c + 1} ({shares[c]:.1%} of the variance)" for c in chosen.components] + [""]
        numbers = [f"#{c + 1}" for c in chosen.components]
        caption += f" Variance described by components {', '.join(numbers[:-1])} and {numbers[-1]}: " \
                   f"{sum(shares[c] for c in set(chosen.components)):.1%}."
    return MapAxes(made, names[0], names[1], caption, names[2] if three_d else "")


LABEL_KEY = "latent_label"
NOT_LABELS = ("x", "y", "z", "item", "label", "label_line")  # the map's own columns: no item's name


def label_choice(slot, table, view: dict[str, str] | None) -> str:
    """The column of the map's table whose values label the points (the Projector's "Label by"): titles by default,
    or any column of the item table (a link's `label=` first; one this data lacks is said, and titles kept)."""
    options = ["title", *[c for c in table.columns if c not in (*NOT_LABELS, "title")]]
    if view is not None:
        wanted = view.get("label", "title")
        if wanted not in options:
            st.warning(f"The link's label = {plain(wanted)} is not a column of this data's items ({plain(', '.join(options))}); the "
                       "points are labelled by title.", icon=":material/link_off:")
        st.session_state[LABEL_KEY] = wanted if wanted in options else "title"
    if st.session_state.get(LABEL_KEY) not in options:
        st.session_state[LABEL_KEY] = "title"
    return slot.selectbox("Label by", options, key=LABEL_KEY, format_func=map_colours.column_name,
                          help="What names the points written on the map (the clicked item, its neighbours, search "
                               "matches): its title, or any column of the item table, as the Embedding Projector's "
                               "“Label by”, with the title beside it where it fits. The legend and the hover keep the "
                               "title (the hover says the value too); search still searches titles.")


def labelled(table, column: str, name: str | None = None):
    """The map's table with the text its points are written by in `label` ("01-Jan-1977 · Star Wars (1977)": the
    `column`'s value, the title beside it where room allows, `point_label`) and the value named on hover in
    `label_line` ("release date: 01-Jan-1977"); the title stays the title (legend, hover, search)."""
    if column == "title":
        return table
    values = table[column]
    numbers = values if values.dtype.kind in "iuf" else None
    if numbers is not None and (numbers.dropna() == numbers.dropna().round()).all():  # a year, not "1995.0"
        text = numbers.map(lambda v: "(none)" if v != v else f"{int(v)}")
    else:
        text = values.map(lambda v: "(none)" if v is None or (isinstance(v, float) and v != v) or str(v) == "" else
                          f"{v:.3g}" if isinstance(v, float) else
                          ", ".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else str(v))
    text = text.astype(str)
    return table.assign(label=[point_label(value, str(title)) for value, title in zip(text, table["title"], strict=True)],
                        label_line=f"{name or column}: " + text)


def point_label(value: str, title: str) -> str:
    """A point's label on the map: the chosen column's value, then its title where the two fit in LABEL_CHARS
    ("01-Jan-1977 · Star Wars (1977)"), the title shortened after a whole word when at least a word of it fits,
    else the value alone (shortened after a whole word)."""
    from mfviz.dashboard.map_labels import LABEL_CHARS, short_title

    both = f"{value} · {title}"
    if len(both) <= LABEL_CHARS:
        return both
    room = LABEL_CHARS - len(value) - 3
    first_word = title.split(" ", 1)[0]
    if room >= min(len(first_word) + 1, LABEL_CHARS):  # a word of the title and the "…"
        shortened = short_title(title, room)
        if not shortened.startswith("…"):
            return f"{value} · {shortened}"
    return short_title(value)
