"""Spectrum page: singular values and cumulative energy of the data, and the models' spectra."""

import numpy as np
import streamlit as st

from mfviz.analysis.heavy_values import SCALES, default_scale
from mfviz.analysis.spectrum import ABOVE_MARGIN, components_above
from mfviz.dashboard import background, cached_spectra, figures, plotted, ui


def rank_ranges(ranks) -> str:
    """Ranks as runs: [2, 3, 4, 7, 9, 10] → '2–4, 7, 9–10'."""
    runs = []
    for rank in ranks:
        if runs and rank == runs[-1][1] + 1:
            runs[-1][1] = rank
        else:
            runs.append([rank, rank])
    return ", ".join(f"{first}" if first == last else f"{first}–{last}" for first, last in runs)


# The sentence on one line and the two controls on one row, the numbers' guide under the chart: at 1,280 × 720 (a
# presenter's laptop) the chart began at ~625 px, below the cards and four lines of text; now at ~400.
ui.header("Spectrum", "How many latent factors does the data support? The singular values say how much the first "
          "k can capture.")

data = ui.current_data()
inter = data.interactions
largest, opening_k = background.spectrum_components(inter)
smaller = min(inter.n_users, inter.n_items)
# one row for the three settings: the chart starts on a 1,280 × 720 screen (tests/dashboard/test_first_screen.py)
controls = st.columns([5, 3, 4], vertical_alignment="bottom")
if largest <= 2:  # 3 users or items or fewer: a slider needs two ends, and every singular value is cheap
    k = smaller
    controls[0].caption(f"The data has only {inter.n_users:,} user{'s' * (inter.n_users != 1)} and {inter.n_items:,} "
                        f"item{'s' * (inter.n_items != 1)}, so it has at most {smaller} singular "
                        f"value{'s' * (smaller != 1)}: all of them are shown.")
else:
    # kept across pages (workspace.PAGE_WIDGETS): started here, not by value=, and within this data's range
    if type(st.session_state.get("spectrum_k")) is not int or not 2 <= st.session_state["spectrum_k"] <= largest:
        st.session_state["spectrum_k"] = opening_k
    k = controls[0].slider("Components to compute", 2, largest, key="spectrum_k",
                           help="More components take longer; 100 is enough to see the shape on most data.")
st.session_state.setdefault("spectrum_null", inter.nnz <= background.NULL_SPECTRUM_NNZ)
compare = controls[2].toggle(
    "Compare with items shuffled", key="spectrum_null",
    help="Shuffles which item each interaction is with, keeping every user's number of interactions and values and "
         "every item's number of users: what remains is popularity and activity, no taste. The data's components "
         "clearly stronger than the shuffle's are structure beyond those counts.")
loaded = cached_spectra.value_concentration(data.key, inter)
if st.session_state.get("spectrum_values") not in SCALES:
    st.session_state["spectrum_values"] = default_scale(inter, loaded)
scale = controls[1].selectbox("Values", list(SCALES), format_func=SCALES.get, key="spectrum_values",
                              help="The matrix whose spectrum is computed: the values as loaded, 1 for every "
                                   "interaction, or log(1 + value), which keeps the order of counts but stops a few "
                                   "huge ones from outweighing the rest. It opens on log(1 + value) for counts where a "
                                   "few entries carry most of the energy.")
if loaded.heavy:
    share = f"{loaded.share:.1%}" if loaded.share < 0.9995 else "over 99.9%"  # not "100.0%": the rest is not nothing
    held = (f"the largest {loaded.few:,} of {loaded.entries:,} entries hold {share} of ‖R‖² (the squared "
            f"Frobenius norm; the largest value alone is {loaded.largest:,.6g})")
    if scale == "loaded":
        st.warning(f"A few entries carry most of this matrix's energy: {held}. The leading singular values then carry "
                   "those entries, so the energy levels, the effective rank and the comparison with the shuffle below "
                   "describe them, not the rest of the data. Choose **log(1 + value)** or **0–1** under *Values* above to see the "
                   "structure of the rest.", icon=":material/warning:")
    else:
        st.caption(f"Values as {SCALES[scale]}: as loaded, {held}, and the spectrum showed little but those entries.")

with ui.guard("Computing the spectrum"):
    spectrum = cached_spectra.data_spectrum(data.key, inter.matrix, int(k), scale)
    null = cached_spectra.null_spectrum(data.key, inter.matrix, int(k), scale) if compare else None

cards = st.columns(5 if compare else 4)
for column, share in zip(cards, (0.5, 0.8, 0.9), strict=False):
    reached = spectrum.k_for.get(share)
    # "> 100" alone left two of the cards empty of news on MovieLens and the demo: how far the first k got is said
    carried = float(spectrum.cumulative_energy[-1]) if spectrum.cumulative_energy.size else 0.0
    column.metric(f"k for {share:.0%} of energy", f"{reached}" if reached else f"> {k}",
                  delta=None if reached else f"the first {k} carry {carried:.0%}", delta_color="off",
                  delta_arrow="off",
                  help=f"Smallest k whose first k singular values carry {share:.0%} of ‖R‖² (squared Frobenius norm)."
                  + ("" if reached else f" Not reached by the first {k}: move the slider up to find it."))
cards[3].metric("Effective rank", f"{spectrum.effective_rank:.1f}",
                help="Stable rank ‖R‖²/σ₁² (squared Frobenius norm over the first singular value squared): over how "
                     "many directions as strong as the first the energy is spread.")

margin = f"{ABOVE_MARGIN:.0%}"
if null is not None:
    above = components_above(spectrum.singular_values, null.singular_values)
    computed = min(spectrum.singular_values.size, null.singular_values.size)
    cards[4].metric("Above the shuffle", f"{above.size}",
                    help=f"How many components after the first (popularity and activity, in both) are more than "
                         f"{margin} stronger than the same component of the shuffled data, wherever they are among "
                         f"components 2 to {computed}" + (f" (here {rank_ranges(above)})." if above.size else "."))
chart = figures.data_spectrum_chart(spectrum.singular_values, spectrum.cumulative_energy, spectrum.k_for,
                                   None if null is None else null.singular_values)
ui.show(chart, config=figures.export_config(chart.figure, ui.data_label(data)))  # the data's name in the file name
if null is not None:
    second = spectrum.singular_values[1] / null.singular_values[1] - 1 if computed > 1 else 0.0
    if above.size:
        verdict = (f"{above.size} of components 2 to {computed} stand{'s' * (above.size == 1)} more than {margin} "
                   f"above the shuffle's ({rank_ranges(above)}): that much taste structure is clear of chance")
        if 2 not in above and second < 0:  # the shuffle's second is popularity and activity again
            verdict += f"; the second is {-second:.1%} below the shuffle's second, so it is no more than those counts"
        verdict += (". The last computed component is still above: compute more to see where the data's structure "
                    "ends." if above[-1] == computed else
                    "; elsewhere the data's components are within " + margin + " of the shuffle's or below, and what "
                    "more factors add there is fine taste mixed with noise.")
    else:
        verdict = (f"No component after the first stands more than {margin} above the shuffle's: beyond popularity "
                   "the data shows little structure a factor model can find.")
    st.caption(f"The grey dashed line is the same interactions with their items shuffled (every user's and item's "
               f"count kept). Its first component is close to the data's ({null.singular_values[0]:,.4g} against "
               f"{spectrum.singular_values[0]:,.4g}): the first direction is mostly who is active and what is popular. "
               + verdict)

# Three numbers that each read like "how many factors?" and disagree (16, 3.3, 17 on MovieLens 100K): a
# presenter needs to hear which question each answers and which one picks a model's factor count (under the chart,
# after its caption: above it, these four lines pushed the chart below a 720 px screen).
if null is not None:
    use = (f"start from **above the shuffle** ({above.size} here, plus one factor for the first, popularity, direction) "
           "and confirm with a factors sweep on the Train page, which measures held-out accuracy")
else:
    use = ("turn on the shuffle comparison above and start from **above the shuffle**, then confirm with a factors "
           "sweep on the Train page, which measures held-out accuracy")
st.markdown(f"These numbers answer different questions: **k for 50%, 80%, 90% of energy** is how many factors rebuild "
            "that share of the matrix, noise included; **effective rank** is how concentrated its energy is (a shape, not a factor "
            "count); **above the shuffle** is how many directions of taste stand clear of chance. To choose a model's "
            f"number of factors, {use}.")

st.subheader("The models' spectra")
ui.ensure_model()
spectra = {}
factor_models = {name: entry for name, entry in ui.models().items() if entry.kind != "popularity"}
with ui.guard("Computing the models' spectra"):
    for name in plotted.plotted_models(list(factor_models), "spectrum_models"):
        spectra[name] = cached_spectra.model_spectrum(factor_models[name].key, factor_models[name].model)
if spectra:
    chart = figures.model_spectra_chart(spectra, np.asarray(spectrum.singular_values))
    ui.show(chart, config=figures.export_config(chart.figure, ui.data_label(data)))
    if st.button("What does each of a model's dimensions contrast? See them on the Latent space page", icon=":material/explore:",
                 key="to_dimensions"):
        st.session_state["latent_method"] = "Dimensions"
        st.switch_page("pages/latent_page.py")
else:
    st.info("Train a model on the **Train** page to compare its spectrum with the data's.", icon=":material/model_training:")
