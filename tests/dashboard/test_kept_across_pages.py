"""A page's settings survive a visit to another page (Streamlit forgets a widget's value after a run
that does not draw it): a presenter going back and forth finds each page as it was left."""

from test_pages import new_app, open_page


def test_settings_of_recommend_and_latent_space_are_kept_after_visiting_other_pages():
    at = open_page(new_app(), "pages/recommend_page.py")
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.slider(key="rec_penalty").set_value(0.3).run()
    at.number_input(key="rec_n").set_value(15).run()
    open_page(at, "pages/latent_page.py")
    at.radio(key="latent_method").set_value("Axes").run()
    at.selectbox(key="latent_colour").set_value(at.selectbox(key="latent_colour").options[-1]).run()
    colour = at.selectbox(key="latent_colour").value
    open_page(at, "pages/spectrum_page.py")
    open_page(at, "pages/neighbours_page.py")
    at.number_input(key="neighbours_k").set_value(7).run()

    open_page(at, "pages/recommend_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.radio(key="rec_mode").value == "a profile I build"
    assert at.slider(key="rec_penalty").value == 0.3 and at.number_input(key="rec_n").value == 15
    open_page(at, "pages/latent_page.py")
    assert at.radio(key="latent_method").value == "Axes" and at.selectbox(key="latent_colour").value == colour
    open_page(at, "pages/neighbours_page.py")
    assert at.number_input(key="neighbours_k").value == 7


def test_the_projector_settings_of_the_map_are_kept_after_visiting_another_page():
    """t-SNE's perplexity, Spherize, the neighbour count and Label by went back to their defaults on coming back."""
    at = open_page(new_app(), "pages/latent_page.py")
    at.radio(key="latent_method").set_value("PCA").run()
    at.checkbox(key="latent_spherize").check().run()
    at.selectbox(key="latent_pca_x").set_value(2).run()
    at.slider(key="latent_k").set_value(25).run()
    at.selectbox(key="latent_label").set_value("genres").run()
    open_page(at, "pages/spectrum_page.py")
    open_page(at, "pages/latent_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.radio(key="latent_method").value == "PCA" and at.checkbox(key="latent_spherize").value
    assert at.selectbox(key="latent_pca_x").value == 2 and at.slider(key="latent_k").value == 25
    assert at.selectbox(key="latent_label").value == "genres"


def test_a_kept_colour_the_new_data_cannot_show_falls_back_to_the_default():
    # Streamlit itself drops a kept value that is not among the options; this guards that it keeps doing so
    at = open_page(new_app(), "pages/spectrum_page.py")
    at.session_state["latent_colour"] = "no such column"  # as kept from data with other item metadata
    open_page(at, "pages/latent_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="latent_colour").index == 2  # the default: the genre colours


def test_a_new_items_first_users_are_kept_after_visiting_another_page():
    """A reviewer picked Star Wars' fans for a new item, looked at Neighbours and came back to an empty box
    (and a link without fans=)."""
    at = open_page(new_app(), "pages/recommend_page.py")
    at.radio(key="rec_mode").set_value("a new item (who gets it)").run()
    at.multiselect(key="rec_new_from").set_value([0, 3]).run()
    open_page(at, "pages/neighbours_page.py")
    open_page(at, "pages/recommend_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.radio(key="rec_mode").value == "a new item (who gets it)"
    assert at.multiselect(key="rec_new_from").value == [0, 3]


def test_the_rating_of_a_profiles_liked_items_is_kept_after_visiting_another_page():
    """It was lost on leaving the page, and left out of a saved workspace (the profile came back at 5 stars)."""
    at = open_page(new_app(), "pages/recommend_page.py")
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_profile").set_value([0, 3]).run()
    at.select_slider(key="rec_stars").set_value(3.0).run()
    open_page(at, "pages/spectrum_page.py")
    open_page(at, "pages/recommend_page.py")
    assert not at.exception and not at.error and not at.warning, [w.value for w in at.warning]
    assert at.select_slider(key="rec_stars").value == 3.0


def two_more_models(at):
    """The demo session with two factor models trained besides the quick default (three to compare)."""
    from test_pages import train_on_page

    train_on_page(at, "svd", factors=4)
    train_on_page(at, "svd", factors=6)
    return [name for name in at.session_state["mfviz.models"] if name != at.session_state["mfviz.active_model"]]


def go_to(at, page: str):
    """A change of page as the browser makes it: the address loses the last page's parameters (AppTest keeps
    them, and Recommend's compare= would read as a link opened on Neighbours)."""
    at.query_params.clear()
    return open_page(at, page)


def test_the_models_side_by_side_on_neighbours_and_recommend_are_kept_after_visiting_other_pages():
    """Both boxes were empty (and compare= gone from the address) after a look at Spectrum."""
    at = new_app()
    others = two_more_models(at)
    assert len(others) == 2
    go_to(at, "pages/neighbours_page.py")
    at.multiselect(key="neighbours_compare").set_value(others).run()
    go_to(at, "pages/recommend_page.py")
    at.multiselect(key="rec_compare").set_value(others[:1]).run()
    go_to(at, "pages/spectrum_page.py")
    go_to(at, "pages/neighbours_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key="neighbours_compare").value == others
    assert any(m.label.startswith(f"Shared with {others[1]}") for m in at.metric)  # compared, not only listed
    assert at.query_params["compare"] == ",".join(others)  # in the address again, for a link
    go_to(at, "pages/bias_page.py")
    go_to(at, "pages/recommend_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key="rec_compare").value == others[:1]


def test_a_kept_side_by_side_model_no_longer_in_the_session_is_left_out_with_a_word():
    """A model deleted (or replaced under another name) after it was chosen side by side: the others stay."""
    at = new_app()
    others = two_more_models(at)
    go_to(at, "pages/neighbours_page.py")
    at.multiselect(key="neighbours_compare").set_value(others).run()
    go_to(at, "pages/spectrum_page.py")
    del at.session_state["mfviz.models"][others[0]]
    go_to(at, "pages/neighbours_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key="neighbours_compare").value == others[1:]
    said = [c.value for c in at.caption if "no longer in this session" in c.value]
    assert said == [f"“{others[0]}”, chosen side by side before, is no longer in this session: left out."]
    assert not [i.value for i in at.info if "link" in i.value]  # no link was opened: none is blamed
    at.run()
    assert not [c.value for c in at.caption if "no longer in this session" in c.value]  # said once


def test_the_models_side_by_side_come_back_after_a_reload_and_from_a_saved_workspace(monkeypatch):
    """After opening a saved workspace in a fresh browser, Neighbours' box was empty."""
    from mfviz.dashboard import workspace, workspace_file

    at = new_app()
    others = two_more_models(at)
    go_to(at, "pages/neighbours_page.py")
    at.multiselect(key="neighbours_compare").set_value(others).run()
    go_to(at, "pages/recommend_page.py")
    at.multiselect(key="rec_compare").set_value(others[1:]).run()
    go_to(at, "pages/spectrum_page.py")

    monkeypatch.setattr(workspace, "sent_id", lambda: at.session_state[workspace.ID])  # a reload of this tab
    again = go_to(new_app(), "pages/neighbours_page.py")
    assert not again.exception and not again.error, [e.value for e in again.error]
    assert again.multiselect(key="neighbours_compare").value == others
    monkeypatch.undo()

    # the file as "Save the workspace" writes it (ui.save_workspace_button), opened in another browser
    values = {key: at.session_state[key] for key in (*workspace.KEYS, *workspace.PAGE_WIDGETS) if key in at.session_state}
    content = workspace_file.write(values, workspace.PAGE_WIDGETS)
    fresh = new_app()
    fresh.file_uploader(key="open_workspace").set_value(("w.mfviz.zip", content, "application/zip"))
    fresh.run()
    assert not fresh.exception and not fresh.error, [e.value for e in fresh.error]
    go_to(fresh, "pages/neighbours_page.py")
    assert not fresh.exception and not fresh.error, [e.value for e in fresh.error]
    assert fresh.multiselect(key="neighbours_compare").value == others
    go_to(fresh, "pages/recommend_page.py")
    assert fresh.multiselect(key="rec_compare").value == others[1:]


def test_spectrum_and_popularity_bias_settings_are_kept_and_spectrums_let_go_with_the_data():
    # Values, Components and the shuffle on Spectrum, and the list length on Popularity bias, were back at their
    # defaults after a visit to another page (a presenter's first-time review)
    from test_pages import upload

    at = go_to(new_app(), "pages/spectrum_page.py")
    assert at.selectbox(key="spectrum_values").value == "loaded" and at.toggle(key="spectrum_null").value
    at.selectbox(key="spectrum_values").set_value("log").run()
    at.slider(key="spectrum_k").set_value(37).run()
    at.toggle(key="spectrum_null").set_value(False).run()
    go_to(at, "pages/bias_page.py")
    at.slider(key="bias_k").set_value(35).run()
    go_to(at, "pages/latent_page.py")
    go_to(at, "pages/spectrum_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="spectrum_values").value == "log" and at.slider(key="spectrum_k").value == 37
    assert at.toggle(key="spectrum_null").value is False
    go_to(at, "pages/bias_page.py")
    assert not at.exception and at.slider(key="bias_k").value == 35
    # other data: Spectrum's settings start again from it (its component count may not even fit), the list length stays
    rows = "".join(f"u{u},i{(u * 7 + j) % 40},{1 + (u + j) % 5}\n" for u in range(60) for j in range(6))
    upload(go_to(at, "pages/data_page.py"), "other.csv", ("user,item,rating\n" + rows).encode())
    go_to(at, "pages/spectrum_page.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="spectrum_values").value == "loaded" and at.slider(key="spectrum_k").value != 37
    go_to(at, "pages/bias_page.py")
    assert at.slider(key="bias_k").value == 35


def test_min_interactions_comes_back_in_a_new_tab_and_from_a_saved_workspace(monkeypatch):
    # kept after a reload only through the address's min=: a new tab opening bare /neighbours lost it
    from mfviz.dashboard import workspace, workspace_file

    at = go_to(new_app(), "pages/neighbours_page.py")
    at.number_input(key="neighbours_min_support").set_value(10).run()
    go_to(at, "pages/spectrum_page.py")
    monkeypatch.setattr(workspace, "sent_id", lambda: at.session_state[workspace.ID])  # a new tab of this browser
    tab = go_to(new_app(), "pages/neighbours_page.py")
    assert not tab.exception and tab.number_input(key="neighbours_min_support").value == 10
    go_to(tab, "pages/latent_page.py")  # the setting is the Latent space page's too
    assert tab.number_input(key="latent_min_support").value == 10
    monkeypatch.undo()
    values = {key: at.session_state[key] for key in (*workspace.KEYS, *workspace.PAGE_WIDGETS) if key in at.session_state}
    fresh = new_app()
    fresh.file_uploader(key="open_workspace").set_value(
        ("w.mfviz.zip", workspace_file.write(values, workspace.PAGE_WIDGETS), "application/zip"))
    fresh.run()
    go_to(fresh, "pages/neighbours_page.py")
    assert not fresh.exception and fresh.number_input(key="neighbours_min_support").value == 10
