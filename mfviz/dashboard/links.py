"""Links to a view: the Latent space, Neighbours and Recommend pages keep what they show in their URL
(`/neighbours?model=…&item=50`), so that a view can be bookmarked or sent, and it opens the same for
whoever has the same data and model (the data the server starts on and its seeded quick default
model, or the models given to `mfviz dashboard DATA --model-file`); a seeded model trained on the
Train page travels as its recipe, which the page offers to train again."""

from __future__ import annotations

import json
import math
import time

import streamlit as st

from mfviz.dashboard import pickers, state, ui
from mfviz.dashboard.figures import counted
from mfviz.dashboard.plain import plain, plain_message
from mfviz.data.id_lists import join_ids, split_ids
from mfviz.errors import DataError, ModelError

SEEN = "mfviz.link_seen"  # {page: {parameter: every value of it this session applied or wrote there}}
PENDING = "mfviz.link_pending"  # (name, recipe) of a link's model this session can train
# the first characters of the data's content hash: a link says which data it was made on
DATA, DATA_CHARS = ui.ADDRESS_DATA, ui.ADDRESS_CHARS


def opened(data, page: str) -> dict[str, str]:
    """The URL's parameters this session has not applied yet (a link just opened, or an edited URL),
    so that the URL never undoes a choice made on the page. None of them when the link was made on
    other data: item 50 there may be another item here.

    Every value the session ever wrote counts as seen, not only the last: a rerun asked while the
    user is still moving a slider can carry the address of a few runs ago, which must not pull the
    slider back (seen in Chromium with the popularity penalty's arrow keys)."""
    params = {name: st.query_params[name] for name in st.query_params}
    seen = st.session_state.setdefault(SEEN, {}).setdefault(page, {})
    fresh = {name: value for name, value in params.items() if value not in seen.get(name, ())}
    _remember(page, fresh)
    made_on = params.get(DATA)  # a hand-written link may leave it out
    if not fresh:
        return {}
    if made_on is not None and made_on != data.key[:DATA_CHARS]:
        if (st.session_state.get(state.LOST_DATA) or ("",))[0] == made_on:
            return {}  # said under the page's title already (ui.say_lost_data)
        st.warning(f"This link was made on other data than this session's ({plain(data.name)}), so it is not "
                   "applied: its items and users could be others here. A link opens the same view on the data "
                   "the server starts every session on (the demo, or `mfviz dashboard DATA`); an upload "
                   "belongs to the browser session that made it, and is gone when the server restarts (as are the "
                   "models trained in it): upload it again.", icon=":material/link_off:")
        return {}
    fresh.pop(DATA, None)
    return fresh


def pick_model(fresh: dict[str, str], data, factor_models_only: bool = True) -> None:
    """Preselect the link's model in the page's model picker (before the picker is drawn; the same
    `factor_models_only` as the picker's). A model this session lacks but whose recipe the link
    carries (a seeded model trained on the Train page) is offered for training here: the same model."""
    name = fresh.get("model")
    if name is not None:
        ui.ensure_model()
        recipe = _recipe(fresh.get("recipe"))
        if name in ui.pickable_models(factor_models_only):
            show_in_picker(name)
        elif name in ui.models():
            st.warning(f"The link's model “{plain(name)}” has no item vectors to show on this page, so the page shows "
                       "another.", icon=":material/link_off:")
        elif recipe is not None:
            st.session_state[PENDING] = (name, recipe)
        else:
            st.warning(f"The link's model “{plain(name)}” is not in this session (models live in the browser session "
                       "that trained them), so the page shows another. Train it on the Train page, or start the "
                       "server with it: `mfviz dashboard DATA --model-file MODEL.npz`.", icon=":material/link_off:")
    _offer_pending(data, factor_models_only)


def show_in_picker(name: str) -> None:
    """Make `name` the active model, which the page's model picker then opens on: the picker's own value is dropped
    rather than set, as a value set through the Session State API beside the picker's index (the active model's
    place) made Streamlit warn "created with a default value but also had its value set via the Session State API"
    whenever that place was not the first (a link opened in a session restored with several models)."""
    st.session_state[state.ACTIVE_MODEL] = name
    st.session_state.pop("model_picker", None)


def _recipe(text: str | None) -> dict | None:
    """A link's recipe, if it is one: kind, params, split, test, seed, k."""
    if not text:
        return None
    try:
        recipe = json.loads(text)
    except ValueError:
        return None
    return _checked_recipe(recipe)


def _checked_recipe(recipe) -> dict | None:
    """`recipe` when it is one the Train page could have made, else None."""
    fields = {"kind": str, "params": dict, "split": str, "test": (int, float), "seed": int, "k": int}
    if not isinstance(recipe, dict) or any(not isinstance(recipe.get(f), t) or isinstance(recipe.get(f), bool)
                                           for f, t in fields.items()):
        return None
    # What the Train page can make (an edited link may say otherwise): a share of at most half, its seeds and list
    # lengths (k = 10^20 reached the metrics: "Maximum allowed dimension exceeded").
    if not (0 <= recipe["test"] <= 0.5 and 0 <= recipe["seed"] <= MAX_SEED and 1 <= recipe["k"] <= MAX_K):
        return None
    return recipe


MAX_SEED, MAX_K = 10_000, 100  # the Train page's split seed and k for top-k metrics go no further


LINK_TRAIN_SECONDS = 10.0  # a link's model estimated to train within this is trained on opening, unasked


def _offer_pending(data, factor_models_only: bool = True) -> None:
    """The link's model to train here, until it is trained (or the session has it by that name). One
    estimated to train in seconds is trained at once, so that whoever opens the link sees the view it
    was made on; a longer one waits for a click, with the estimate."""
    pending = st.session_state.get(PENDING)
    if pending is None:
        return
    name, recipe = pending
    if name in ui.models():
        st.session_state.pop(PENDING, None)
        return
    from mfviz.dashboard import fit_time, training
    from mfviz.models import MODELS

    try:  # its kind and hyperparameters first: factors=1e300 reached the time estimate (OverflowError)
        training.make_model(recipe["kind"], recipe["params"])
    except (DataError, ModelError) as exc:
        st.session_state.pop(PENDING, None)
        st.warning(f"The link's model “{plain(name)}” cannot be trained here: {plain_message(exc)}. The page shows another; the link may "
                   "have been edited, or made by another version of mfviz.", icon=":material/link_off:")
        return
    kind = MODELS[recipe["kind"]].label if recipe["kind"] in MODELS else recipe["kind"]
    split = ("all the data (no test split)" if recipe["split"] == "none" or recipe["test"] == 0 else
             f"a {recipe['split']} split ({recipe['test']:.0%} test, seed {recipe['seed']})")
    # in Markdown: a link's recipe is whatever its address says
    how = plain(f"{kind}, {', '.join(f'{k}={v}' for k, v in recipe['params'].items())} on {split}")
    try:
        seconds = fit_time.fit_seconds(recipe["kind"], recipe["params"], data.interactions)
    except (KeyError, TypeError, ValueError, ArithmeticError):  # odd values: train_recipe says what is wrong
        seconds = math.inf
    quick = seconds <= LINK_TRAIN_SECONDS
    offer = st.empty()  # the offer and its button, taken away once the model is trained
    clicked = False
    if not quick:
        took = f" Training it takes roughly {fit_time.duration(seconds)} here." if math.isfinite(seconds) else ""
        with offer.container():
            st.info(f"The link's model “{plain(name)}” is not in this session yet. It was trained as {how}: trained here "
                    f"the same way, it is the same model.{took}", icon=":material/link:")
            clicked = st.button(f"Train “{plain(name)}” here", key="link_train", type="primary")
    if quick or clicked:
        st.session_state.pop(PENDING, None)  # tried once: a recipe that fails says why, and is not retried every run
        started = time.perf_counter()
        # In this run, before the page's model picker: the rest of the link (a profile, the models side by
        # side) is applied after this, on this run only (a rerun here lost a Recommend link's profile).
        with ui.guard("Training the link's model", stop=False), st.spinner(f"Training the link's model “{plain(name)}”…"):
            entry = train_recipe(name, recipe, data)
            ui.add_model(entry)
            offer.empty()
            if entry.name not in ui.pickable_models(factor_models_only):  # the Popularity model on Neighbours
                st.warning(f"The link's model “{plain(name)}” was trained here ({how}), but it has no item vectors to show "
                           "on this page, so the page shows another; Recommend shows it.", icon=":material/link_off:")
                return
            show_in_picker(entry.name)
            st.success(f"The link's model “{plain(name)}” was trained here as it was made ({how}) in "
                       f"{time.perf_counter() - started:.1f} s: the same model, so the view is the link's.",
                       icon=":material/link:")


def train_recipe(name: str, recipe: dict, data):
    """The model a recipe describes, trained on `data` as the Train page trains (same split, seed and
    metrics), in this run. ModelError for a recipe this data or build cannot follow (its text raw: ui.guard, which
    shows it, escapes it)."""
    from mfviz.dashboard import training
    from mfviz.evaluation import SPLITS

    if recipe["split"] not in (*SPLITS, "none") or not 0 <= recipe["test"] <= 0.5:
        raise ModelError(f"the link's recipe for “{name}” has a split this dashboard does not make: {recipe}")
    training.make_model(recipe["kind"], recipe["params"])  # checks the kind and hyperparameters first
    size = 0.0 if recipe["split"] == "none" else float(recipe["test"])
    train, test = training.split_data(data.key, data.interactions, recipe["split"], size, recipe["seed"])
    training.check_evaluable(train, test)
    job = training.TrainingJob(kind=recipe["kind"], label=name, params=recipe["params"], train=train, test=test,
                               k=recipe["k"], data_key=data.key,
                               split="none" if size == 0 else f"{recipe['split']} {size:.0%} test",
                               split_settings={"split": recipe["split"], "test": size, "seed": recipe["seed"]})
    job.start().thread.join()
    if job.error or not job.entries:
        raise ModelError(job.error or f"training “{name}” gave no model")
    return job.entries[-1]


# {multiselect key: ({name: recipe}, the link's list)}: a link's side-by-side models to train here
COMPARED_PENDING = "mfviz.link_compared_pending"
COMPARED_FAILED = "mfviz.link_compared_failed"  # {multiselect key: names}: their recipes failed here (said then)
COMPARED_LINKED = "mfviz.link_compared_names"  # {multiselect key: names}: the last link's compare= (said if missing)


def take_compared(fresh: dict[str, str], key: str, own: tuple[str, ...]) -> None:
    """The link's side-by-side models (`compare=`, by name) into the page's multiselect `key`; before the
    link's model is picked, whose training on opening must not lose them. Checked by `keep_compared`. Those
    the session lacks whose recipes the link carries (`compare_recipes=`) are trained here as the link's own
    model is: a comparison of three models trained in one session reached another with the shown one only. A link
    to the page (one of its `own` parameters) without `compare=` clears the choice."""
    if left_out(fresh, "compare", own):  # the link's view had none side by side
        st.session_state[key] = []
    if "compare" in fresh:
        st.session_state[key] = split_ids(fresh["compare"])
        st.session_state.setdefault(COMPARED_LINKED, {})[key] = list(st.session_state[key])
        recipes = _compared_recipes(fresh.get("compare_recipes"))
        pending = st.session_state.setdefault(COMPARED_PENDING, {})
        pending.pop(key, None)
        if recipes:  # with the link's own list: the choice it is put back to once they are trained
            pending[key] = (recipes, list(st.session_state[key]))
    _offer_compared(key)


def _compared_recipes(text: str | None) -> dict[str, dict]:
    """{name: recipe} of a link's `compare_recipes` (each checked as the shown model's; the others dropped)."""
    try:
        recipes = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(recipes, dict):
        return {}
    return {str(name): recipe for name, value in recipes.items() if (recipe := _checked_recipe(value)) is not None}


def _offer_compared(key: str) -> None:
    """Train the link's side-by-side models this session lacks: at once when they are estimated to train within
    LINK_TRAIN_SECONDS together, else on a click, with the estimate; then put them side by side."""
    pending = (st.session_state.get(COMPARED_PENDING) or {}).get(key)
    if not pending:
        return
    recipes, order = pending
    missing = {name: recipe for name, recipe in recipes.items() if name not in ui.models()}
    if not missing:
        st.session_state[COMPARED_PENDING].pop(key, None)
        return
    from mfviz.dashboard import fit_time

    data = ui.current_data()
    ui.ensure_model()  # first, as the page would: with these models in, the session would get no quick default
    try:
        seconds = sum(fit_time.fit_seconds(r["kind"], r["params"], data.interactions) for r in missing.values())
    except (KeyError, TypeError, ValueError, ArithmeticError):  # an edited recipe: train_recipe says why
        seconds = math.inf
    names = ", ".join(f"“{plain(name)}”" for name in missing)
    offer, clicked = st.empty(), False
    if seconds > LINK_TRAIN_SECONDS:
        took = f" Training {'them' if len(missing) > 1 else 'it'} takes roughly {fit_time.duration(seconds)} here." \
            if math.isfinite(seconds) else ""
        with offer.container():
            st.info(f"The link compared {names}, not in this session yet; it carries how "
                    f"{'they were' if len(missing) > 1 else 'it was'} trained, so trained here "
                    f"{'they are' if len(missing) > 1 else 'it is'} the same.{took}", icon=":material/link:")
            clicked = st.button(f"Train {counted(len(missing), 'compared model')} here", key=f"{key}_link_train")
    if seconds <= LINK_TRAIN_SECONDS or clicked:
        st.session_state[COMPARED_PENDING].pop(key, None)  # tried once: a recipe that fails says why
        started, trained = time.perf_counter(), []
        with st.spinner(f"Training the link's compared models ({names})…"):
            for name, recipe in missing.items():  # each on its own: one that fails says so, the others still train
                with ui.guard(f"Training the link's compared model “{plain(name)}”", stop=False):
                    try:
                        trained.append(ui.add_model(train_recipe(name, recipe, data), activate=False).name)
                    except (DataError, ModelError) as exc:
                        raise type(exc)(f"The link's compared model “{name}” could not be trained here: {exc}") from None
        st.session_state.setdefault(COMPARED_FAILED, {})[key] = [name for name in missing if name not in trained]
        offer.empty()
        if trained:
            # the link's own list (a choice made while they waited for the click is the user's, after them)
            chosen = order + [name for name in st.session_state.get(key) or [] if name not in order]
            st.session_state[key] = chosen  # keep_compared, before the picker, keeps those it offers, at most 3
            st.success(f"The link's compared {'models' if len(trained) > 1 else 'model'} "
                       f"{', '.join(f'“{plain(name)}”' for name in trained)} {'were' if len(trained) > 1 else 'was'} trained "
                       f"here as made in {time.perf_counter() - started:.1f} s.", icon=":material/link:")


MAX_COMPARED = 3  # models side by side with the one shown (each multiselect's max_selections)


def keep_compared(key: str, others: list[str]) -> None:
    """Before the multiselect `key` over `others` is drawn: only models it offers stay chosen, at most
    MAX_COMPARED (a link's names of models this session lacks are said: models trained in another session
    travel only as the one shown; a link naming four failed the page, the widget refusing them)."""
    wanted = st.session_state.get(key)
    if not wanted or (all(name in others for name in wanted) and len(wanted) <= MAX_COMPARED):
        return
    offered = [name for name in wanted if name in others]
    st.session_state[key] = offered[:MAX_COMPARED]
    offered_for_training = ((st.session_state.get(COMPARED_PENDING) or {}).get(key) or ({}, []))[0]
    failed = (st.session_state.get(COMPARED_FAILED) or {}).get(key) or []  # their error was shown as they failed
    linked = (st.session_state.get(COMPARED_LINKED) or {}).get(key) or []
    gone = [name for name in wanted if name not in ui.models() and name not in offered_for_training and name not in failed]
    # the choice is kept across pages and in a saved workspace (workspace.PAGE_WIDGETS): a model deleted or replaced
    # since leaves it with a word, not as a link's ("the link also compared" blamed a link that was never opened)
    if kept_gone := [name for name in gone if name not in linked]:
        st.caption(f"{', '.join(f'“{plain(name)}”' for name in kept_gone)}, chosen side by side before, "
                   f"{'is' if len(kept_gone) == 1 else 'are'} no longer in this session: left out.")
    if missing := [name for name in gone if name in linked]:
        st.info(f"The link also compared {', '.join(f'“{plain(name)}”' for name in missing)}, which this session does not "
                "have (models trained in another session travel in a link only as the one it shows).",
                icon=":material/link_off:")
    if beyond := offered[MAX_COMPARED:]:
        st.info(f"The link compared {len(offered)} models; {MAX_COMPARED} are shown side by side at a time: "
                f"{', '.join(f'“{plain(name)}”' for name in beyond)} left out (choose it below instead of another).",
                icon=":material/link_off:")


def left_out(fresh: dict[str, str], name: str, own: tuple[str, ...]) -> bool:
    """Whether a link to this page was just opened (`fresh`, from `opened`, holds one of the page's `own`
    parameters) whose address has no `name`: the view it was made on had that setting at what a link without it
    means, not at the opener's last choice ("a link fixes the view"). `fresh` holds only the values this session
    had not seen, so the whole address is read. (The browser clears the address on a change of page; AppTest
    keeps the last page's, which the page's own parameters tell apart.)"""
    return any(key in fresh for key in own) and name not in st.query_params


def number(fresh: dict[str, str], name: str, key: str, low: float, high: float, default: float) -> None:
    """Set the widget `key` (a number between `low` and `high`) from the link's `name`, before the
    widget is drawn; a value out of range or not a number is named in a warning and gives `default`, as a link
    without it would (it kept the opener's own value: a link with beta=abc showed their penalised lists). Without
    one, the widget starts at `default` (through the state, so that a link can set it too)."""
    st.session_state.setdefault(key, default)
    if name not in fresh:
        return
    try:
        value = type(default)(float(fresh[name]))
    except (ValueError, OverflowError):  # not a number, or int(inf)
        value = None
    if value is None or not low <= value <= high:  # what a link without it means, not the opener's last choice
        st.session_state[key] = default
        st.warning(f"The link's {name} = {plain(fresh[name])} is not a number from {low:g} to {high:g}; the page uses "
                   f"{default:g}, as for a link without it.", icon=":material/link_off:")
        return
    st.session_state[key] = value


def indices(interactions, kind: str, text: str) -> list[int]:
    """The indices of the original `kind` ("user" or "item") ids that `text` lists (`join_ids`), as
    the data writes them; a warning names those not in the data."""
    return [index for index in _listed(interactions, kind, text) if index is not None]


def _listed(interactions, kind: str, text: str) -> list[int | None]:
    """The index of every id `text` lists (None for one not in the data, or listed again: each named in a
    warning), in order. A repeat is taken once: `items=1,1` stopped the Recommend page at a fold-in error naming
    "item 0" (an index), every control greyed out."""
    found, missing, repeated = [], [], []
    for part in split_ids(text):
        if part.strip():  # "50, 181" by hand: an id is tried as written, then without the spaces
            index = pickers.by_id(interactions, kind, part)
            index = pickers.by_id(interactions, kind, part.strip()) if index is None else index
            if index is not None and index in found:
                repeated.append(part.strip())
                index = None
            elif index is None:
                missing.append(part.strip())
            found.append(index)
    if missing:
        st.warning(f"The link's {kind} {plain(', '.join(missing))} {'is' if len(missing) == 1 else 'are'} not in this "
                   "data; the page shows what it would otherwise.", icon=":material/link_off:")
    if repeated:
        st.warning(f"The link lists {kind} {plain(', '.join(dict.fromkeys(repeated)))} more than once; "
                   f"{'it is' if len(set(repeated)) == 1 else 'each is'} taken once (with the first rating given).",
                   icon=":material/link_off:")
    return found


def rated_items(interactions, items: str, ratings: str | None, scale: tuple[float, float] | None
                ) -> tuple[list[int], list[float] | None]:
    """A profile link's items (`items=`, as `indices` reads them) and each one's rating: `ratings=` holds
    one number per id of `items=`, in the same order, separated by commas (`items=50,181&ratings=5,1`;
    numbers hold no comma, so ids keep their own escaping and a link without `ratings=` reads as
    before). None for no ratings: the page's default then. `scale`: the data's lowest and highest
    rating (None: no ratings in the data). Ratings that do not fit are named in a warning and left out;
    an item not in the data drops its own rating with it."""
    found = _listed(interactions, "item", items)
    picked = [index for index in found if index is not None]
    if ratings is None:
        return picked, None
    problem, values = None, []
    if scale is None:
        problem = "this data holds no ratings"
    else:
        try:
            values = [float(word) for word in ratings.split(",")]
        except ValueError:
            problem = "they are not all numbers"
        else:
            if len(values) != len(found):
                problem = f"{counted(len(values), 'rating')} for {counted(len(found), 'item')}"
            elif not all(scale[0] <= value <= scale[1] for value in values):  # NaN too
                problem = f"the data's ratings run from {scale[0]:g} to {scale[1]:g}"
    if problem is not None:
        st.warning(f"The link's ratings = {plain(ratings)} are not applied ({problem}): the profile's items take the "
                   "rating set on the page.", icon=":material/link_off:")
        return picked, None
    return picked, [value for value, index in zip(values, found, strict=True) if index is not None]


def rating_list(values, default: float) -> str | None:
    """A profile's ratings as a link writes them (`rated_items`' `ratings=`), or None when there are none
    or every item has `default`, the rating a link's items take without one (old links stay as they were)."""
    if values is None or all(float(value) == default for value in values):
        return None
    return ",".join(f"{float(value):g}" for value in values)


def id_list(interactions, kind: str, picked) -> str | None:
    """The original ids of these `kind` indices as a link writes them (None for none): `indices`' inverse."""
    ids = getattr(interactions, f"{kind}_ids")
    return join_ids(str(ids[i]) for i in picked) if picked else None


def show(data, entry, page: str, **values) -> None:
    """Put the page's view in its URL (after its widgets are drawn): the data, the model `entry`
    (with its recipe when it has one) and `values` (`None` leaves a parameter out); only a change is
    sent to the browser. The sidebar offers the same address to copy (`page`: the page's URL path)."""
    wanted = {DATA: data.key[:DATA_CHARS], "model": entry.name}
    if entry.recipe is not None:
        wanted["recipe"] = json.dumps(entry.recipe, separators=(",", ":"))
    wanted.update({name: str(value) for name, value in values.items() if value is not None})
    models = ui.models()
    compared = {name: models[name].recipe for name in split_ids(wanted.get("compare") or "")
                if name in models and models[name].recipe is not None}
    if compared:  # the side-by-side models trained here travel as their recipes too
        wanted["compare_recipes"] = json.dumps(compared, separators=(",", ":"))
    current = {name: st.query_params[name] for name in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
    _remember(page, wanted)
    with st.sidebar.expander("Link to this view", icon=":material/link:"):
        st.code(address(st.context.url, page, wanted), language=None, wrap_lines=True)
        st.caption("The address bar holds it too. It opens this page with this model and these items for anyone "
                   "on this server with the same data: the data the server started on, or the same file uploaded "
                   "in their browser first (a model trained here comes with its recipe).")


# Streamlit's browser side pushes a history entry whenever a run changes the address's parameters, so a
# page that writes its view into the address after arriving (Latent space, Neighbours, Recommend) made
# two entries per visit, and every other Back seemed to do nothing. A new view of the same page replaces
# the entry instead: one entry per page. Back never restored an earlier view of a page anyway (`opened`
# applies only parameters the session has not seen), so no history is lost. Installed once per tab.
ONE_ENTRY_PER_PAGE = """<script>
(() => {
  const history = window.history;
  if (history.mfvizOneEntryPerPage) return;
  const push = history.pushState.bind(history);
  history.pushState = (state, title, url) => {
    const next = url == null ? null : new URL(url, window.location.href);
    return next !== null && next.pathname === window.location.pathname
      ? history.replaceState(state, title, url) : push(state, title, url);
  };
  history.mfvizOneEntryPerPage = true;
})();
</script>"""


def default_page_by_its_name(url_path: str) -> None:
    """Let the default page's own path (/data) open it without Streamlit's "Page not found" dialog.

    Streamlit serves the default page at the root only: its url_path is "" to the router, so an address
    naming it (/data, typed or bookmarked from the page list) matched no page, and every session that
    opened it got the dialog, then the default page anyway. Called before st.navigation, this drops that
    one name from the session's request, which then resolves as the root does. Left alone if this
    Streamlit has no such request to read (the dialog would only come back)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    if manager is None or not hasattr(manager, "set_script_intent"):
        return
    if not getattr(manager, "intended_page_script_hash", None) and \
            getattr(manager, "intended_page_name", None) == url_path:
        manager.set_script_intent("", "")


def one_history_entry_per_page() -> None:
    """Make a change of the address's parameters replace the browser's history entry (see above)."""
    st.sidebar.html(ONE_ENTRY_PER_PAGE, unsafe_allow_javascript=True)


def _remember(page: str, values: dict[str, str]) -> None:
    seen = st.session_state.setdefault(SEEN, {}).setdefault(page, {})
    for name, value in values.items():
        seen.setdefault(name, set()).add(value)


def address(app_url: str | None, page: str, params: dict[str, str]) -> str:
    """The full address of `page` with `params`, on the server of `app_url` (the browser's address
    when the session started; only its scheme, host and any path prefix are kept)."""
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(app_url or "")
    prefix = parts.path.rsplit("/", 1)[0] if parts.path.count("/") > 1 else ""
    base = f"{parts.scheme}://{parts.netloc}{prefix}" if parts.netloc else ""
    return f"{base}/{page}?{urlencode(params)}"
