"""Recommend page (stakeholder demo): a user's history and recommendations, a profile built live, or a new item
and whose lists it would enter."""

import streamlit as st

from mfviz.dashboard import cached_data, labels, links, lists, recommend_profile, recommend_user, ui
from mfviz.dashboard.recommend_view import RecommendView, rating_scale

# Two lines at 1,280 px (three before): the line the profile's box of liked items takes when its titles wrap
ui.header("Recommend", "What would the model suggest? A user's history and recommendations; a taste profile you "
          "build, whose recommendations change at once without retraining; or a new item, and whose lists it enters.")

data = ui.current_data()
inter = data.interactions
MODES = ["a user in the data", "a profile I build", "a new item (who gets it)"]
SHOWN_BEFORE = "mfviz.rec_shown_before"  # the model shown on the last run, for the side-by-side choice's swap

with ui.guard("Reading the data"):
    summary = cached_data.summary(data.key, inter)  # once per run: a cache hit still unpickles its arrays
SCALE = rating_scale(summary) if inter.is_explicit else None  # the profile's ratings
link = links.opened(data, "recommend")  # a link to this page names the model and a user, or the items of a profile
# (ratings= alone is a hand-edited address: the ratings of the items it already lists)
LINKED = ("user", "items", "ratings", "fans", "n", "beta", "hits", "compare")  # this page's link parameters
links.take_compared(link, "rec_compare", LINKED)
links.pick_model(link, data, factor_models_only=False)
if "user" in link and (chosen := links.indices(inter, "user", link["user"])):
    st.session_state["rec_mode"], st.session_state["rec_user"] = MODES[0], chosen[0]
elif (listed := link.get("items", st.query_params.get("items") if "ratings" in link else None)) and (
        rated := links.rated_items(inter, listed, link.get("ratings"),
                                   (SCALE[0], SCALE[-1]) if SCALE else None))[0]:
    st.session_state["rec_mode"] = MODES[1]
    recommend_profile.open_from_link(inter, *rated, SCALE)
elif "fans" in link and (chosen := links.indices(inter, "item", link["fans"])):
    st.session_state["rec_mode"], st.session_state["rec_new_from"] = MODES[2], chosen
# The model and the models beside it on one row, the mode's three choices on one line under it: the choices wrapped
# one a line in a quarter of the width, and the side-by-side box took a row of its own, which pushed the list below
# a 1,280 × 720 projector's edge (stakeholder demo).
top = st.columns([2, 2, 1, 1.4])
mode_row = st.container()
with top[0]:
    entry = ui.model_picker(factor_models_only=False)
mode = mode_row.radio("Recommend for", MODES,
                    horizontal=True, key="rec_mode",
                    help="A new item: the model has never seen it; its first users place it (fold-in, no "
                         "retraining), and you see whose lists it would enter.")
links.number(link, "n", "rec_n", 5, 50, 10)
if links.left_out(link, "beta", LINKED):  # a link without β was made on the model's own lists, whatever β this session had
    st.session_state["rec_penalty"] = 0.0
links.number(link, "beta", "rec_penalty", 0.0, 1.5, 0.0)
n = top[2].number_input(labels.LIST_LENGTH, 5, 50, key="rec_n",
                        help=labels.LIST_LENGTH_HELP + " Here: the list of every model on this page.")
strength = top[3].slider(
    "Popularity penalty β", 0.0, 1.5, step=0.05, key="rec_penalty",
    disabled=entry.kind == "popularity" or mode == MODES[2],
    help="0 = the model's own lists. Above 0, every score is lowered by β × the spread of the model's scores × how "
         "far the item's log popularity lies above the catalogue's mean (in standard deviations), so rarer items "
         "move up among the model's own 10·n best (a strong penalty gives the least popular items the model finds "
         "relevant, never the catalogue's unknowns); the same for every list on this page. Popularity bias page, last tab: what it costs in accuracy "
         "(there popularity is counted on the training part of a split, here on all the data).")
others = [name for name in ui.models() if name != entry.name]
# A model chosen to be shown that was side by side swaps places with the one shown before (it vanished from the
# choice, and the model just shown with it).
if (compared_now := st.session_state.get("rec_compare") or []) != (
        swapped := lists.swap_compared(compared_now, entry.name, st.session_state.get(SHOWN_BEFORE), others)):
    st.session_state["rec_compare"] = swapped
st.session_state[SHOWN_BEFORE] = entry.name
links.keep_compared("rec_compare", others)
compare = top[1].multiselect(
    "Side by side with", others, key="rec_compare", max_selections=links.MAX_COMPARED, placeholder="other models of this session",
    help="Their lists for the same user or profile next to this model's; items in every list are shaded.",
) if others else []
view = RecommendView(entry, data, summary.item_popularity, int(n), float(strength), SCALE, compare)
if mode == MODES[0]:
    recommend_user.show(view, summary.user_activity, link)
elif mode == MODES[1]:
    recommend_profile.show(view)
else:
    from mfviz.dashboard import new_item

    new_item.show(entry, data, view.popularity, view.n, compare)
    links.show(data, entry, "recommend", compare=view.compared,
               fans=links.id_list(inter, "item", st.session_state.get("rec_new_from")), n=view.n)
