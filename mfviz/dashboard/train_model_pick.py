"""The Train page's model box and what is said above the form of the model picked: what it is made for, and the
hyperparameters it was last trained with on other data."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import model_names, state, train_form
from mfviz.dashboard.plain import plain

FEEDBACK = {"explicit": "made for explicit ratings", "implicit": "made for implicit feedback",
            "any": "works on either kind of feedback"}


def pick_model(models: dict, inter=None):
    """(the model kind picked, the slot beside the box for the Reset button, the container between the box and the
    form) of the models `models` (mfviz.models.MODELS) on the interactions `inter`."""
    kinds = list(models)
    # Implicit ALS first on any data, as the quick default: the pages show lists, and the models fitted to
    # predict stars rank below the Popularity baseline on MovieLens 100K (random 80/20 split, NDCG@10: Funk
    # SVD 0.089, SVD++ 0.100, ALS 0.134, Popularity 0.225, Truncated SVD 0.340, Implicit ALS 0.358). On values
    # below 0 (centred ratings, −2…2) implicit ALS cannot train: ALS first there, so the Train button works as it opens.
    negative = inter is not None and inter.matrix.nnz and float(inter.matrix.data.min()) < 0
    default_kind = "als" if negative and "als" in kinds else "ials" if "ials" in kinds else kinds[0]
    # Remembered outside the widget: Streamlit forgets a widget's value when another page is shown.
    remembered = st.session_state.get(state.TRAIN_KIND, default_kind)
    # The model and the Reset button on one line: at 1,280 × 720 the Train button is to be seen without scrolling
    pick, reset_slot = st.columns([5, 1], vertical_alignment="bottom")
    # its label unseen (each option says it is a model), for the outcome of a training under the form
    kind = pick.selectbox("Model", kinds, index=kinds.index(remembered) if remembered in kinds else 0,
                          key="train_model", label_visibility="collapsed",
                          format_func=lambda k: f"{models[k].label} — {FEEDBACK.get(models[k].feedback, '')}")
    st.session_state[state.TRAIN_KIND] = kind
    # Everything between the model and the form in one container, whichever model is picked: the page's later elements
    # keep their places ("Trained …" drawn at another place by the next run showed twice, UX review)
    above_form = st.container()
    return kind, reset_slot, above_form


def describe(cls, kind: str, inter, above_form) -> None:
    """The model's description in `above_form`, with what to know of it on this kind of feedback."""
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    mismatch = (cls.feedback == "explicit" and not inter.is_explicit) or (cls.feedback == "implicit" and inter.is_explicit)
    if kind == "ials" and inter.is_explicit:
        # The figures are MovieLens 100K's: said as such on other data (they read as this data's, UX review)
        movielens = (inter.n_users, inter.n_items, inter.nnz) == (943, 1682, 100_000)
        where = ("on this data, MovieLens 100K" if movielens else
                 "measured on MovieLens 100K, not on the data loaded here (train it to see its figures on this data)")
        # one short sentence a presenter can say, one line (in a box under the model's description, the outcome of a
        # training under the form fell off a 1,280 × 720 screen); the description and the analyst's figures behind its ?
        above_form.caption("Implicit ALS reads each rating as interest, not stars to predict (no RMSE); for stars, pick "
                           "Funk SVD, SVD++ or ALS.", help=(
            f"{doc} Its lists are the best of these models {where}: NDCG@10 0.358 against the Popularity baseline's 0.225. "
            "On MovieLens 100K, random 80/20 split: Truncated SVD 0.340, Funk SVD 0.089; implicit ALS 0.358 at its 64 "
            "factors and 0.404 at 32, whose lists are more popular (catalogue coverage 0.33 against 0.37; the quick "
            "default, 32 factors and 8 epochs, 0.403). Its α = 1 was chosen on that split, so its figures there are a "
            "little kind to it. Confidence in a rating: 1 + α × rating."))
    elif kind == "svd" and inter.is_explicit:
        above_form.caption(doc + " Truncated SVD reads every missing rating as a zero, so it scores unseen items near 0 "
                           "rather than predicting their stars: it is compared by its lists (NDCG, recall), and gives no "
                           "RMSE. For predicted stars, pick Funk SVD, SVD++ or ALS.")
    elif mismatch:
        above_form.caption(doc)
        above_form.info(f"{cls.label} is {FEEDBACK[cls.feedback]}, but the current data is "
                        f"{'explicit ratings' if inter.is_explicit else 'implicit feedback'}; it will still train, "
                        "or switch the feedback kind on the Data page.", icon=":material/info:")
    elif doc:
        above_form.caption(doc)


def say_other_data(cls, last: dict, data, above_form) -> None:
    """When the form starts from the values `last` the model was trained with on other data, said above it."""
    # Kept across a change of data (to train the same model on new data), but said: on other data they
    # may be slow or unsuited (1,024 factors carried over to new data opened the slow warning unasked).
    changed = [name for name, spec in cls.params.items() if name in last and not train_form.at_default(spec, last[name])]
    if last and last.get("_data") not in (None, data.key):
        above_form.info(f"The hyperparameters below are those {cls.label} was last trained with, on other data "
                        f"({plain(last.get('_data_name', 'an earlier dataset'))})"
                        + (f": {model_names.hyperparameter_words({n: last[n] for n in changed})}" if changed else "")
                        + ". Reset them to start from the defaults for this data.", icon=":material/history:")
