"""Spectrum page: singular values and cumulative energy of the data, and the models' spectra."""

import numpy as np
import streamlit as st

from mfviz.dashboard import background, cache, figures, ui

ui.header("Spectrum", "How many latent factors does the data support? The singular values of the "
          "interaction matrix say how much of its structure the first k factors can capture.")

data = ui.current_data()
inter = data.interactions
largest, opening_k = background.spectrum_components(inter)
k = st.slider("Components to compute", 2, largest, opening_k, key="spectrum_k",
              help="More components take longer; 100 is enough to see the shape on most data.")
with ui.guard("Computing the spectrum"):
    spectrum = cache.data_spectrum(data.key, inter.matrix, int(k))

cards = st.columns(4)
for column, share in zip(cards, (0.5, 0.8, 0.9), strict=False):
    reached = spectrum.k_for.get(share)
    column.metric(f"k for {share:.0%} of energy", f"{reached}" if reached else f"> {k}",
                  help=f"Smallest k whose first k singular values carry {share:.0%} of ‖R‖² (squared Frobenius norm)."
                  + ("" if reached else f" Not reached by the first {k}: move the slider up to find it."))
cards[3].metric("Effective rank", f"{spectrum.effective_rank:.1f}",
                help="exp of the entropy of the normalised singular values: how many components matter.")
ui.show(figures.data_spectrum_chart(spectrum.singular_values, spectrum.cumulative_energy, spectrum.k_for))

st.subheader("The models' spectra")
ui.ensure_model()
spectra = {}
with ui.guard("Computing the models' spectra"):
    for name, entry in ui.models().items():
        if entry.kind == "popularity":
            continue
        spectra[name] = cache.model_spectrum(entry.key, entry.model)
if spectra:
    ui.show(figures.model_spectra_chart(spectra, np.asarray(spectrum.singular_values)))
    if st.button("What does each of a model's dimensions contrast? See them on the Latent space page", icon="🧭",
                 key="to_dimensions"):
        st.session_state["latent_method"] = "Dimensions"
        st.switch_page("pages/latent_page.py")
else:
    st.info("Train a model on the **Train** page to compare its spectrum with the data's.", icon="🧠")
