"""A browser's workspace kept across a reload (mfviz/dashboard/workspace.py): a new session of the same
browser (its cookie's id) takes up the data, the models and the settings; another browser does not."""

from __future__ import annotations

import pytest
from test_links import ratings_upload, warnings
from test_pages import new_app, open_page, train_on_page

from mfviz.dashboard import workspace


def reopened(monkeypatch, workspace_id: str | None, page: str = "pages/neighbours_page.py"):
    """A new session whose browser sends `workspace_id` (a reload of that browser's tab), on `page`."""
    monkeypatch.setattr(workspace, "sent_id", lambda: workspace_id)
    at = new_app()
    # said on the session's first run, in the sidebar (a toast covered the page's top-right controls)
    at.restored_notes = [i.value for i in at.sidebar.info if i.value.startswith("Picked up")]
    at.said_on_rerun = workspace.SAID in at.run().session_state  # still said on the page it opened on
    open_page(at, page)
    return at


def test_a_reload_takes_up_the_upload_the_models_and_the_settings(monkeypatch):
    # F5 threw away an upload and 13 trained models, and said the address named "another browser session".
    at = ratings_upload(new_app(), seed=5)
    at = train_on_page(at, "ials", factors=8, epochs=3)
    open_page(at, "pages/neighbours_page.py")
    at.selectbox(key="neighbours_item").set_value(7).run()
    at.number_input(key="neighbours_k").set_value(7).run()
    at.toggle(key="neighbours_more_columns").set_value(True).run()  # (it was off again after a reload)
    mine = at.session_state[workspace.ID]
    data, models = at.session_state["mfviz.data"], dict(at.session_state["mfviz.models"])
    assert not data.is_start and len(models) >= 2  # the quick default and the one trained

    again = reopened(monkeypatch, mine)
    assert again.session_state[workspace.ID] == mine
    assert again.session_state["mfviz.data"] is data  # the same records, not re-read
    assert set(again.session_state["mfviz.models"]) == set(models)
    assert again.session_state["mfviz.active_model"] == at.session_state["mfviz.active_model"]
    assert again.selectbox(key="neighbours_item").value == 7 and again.number_input(key="neighbours_k").value == 7
    assert again.toggle(key="neighbours_more_columns").value is True
    assert not any("does not hold" in w or "restarted" in w for w in warnings(again))
    said = again.restored_notes
    assert workspace.RESTORED not in again.session_state and not again.toast  # taken once, not said as a toast
    assert again.said_on_rerun and workspace.SAID not in again.session_state  # until another page is shown
    assert len(said) == 1 and said[0].startswith("Picked up where this browser left off: mine.csv and")
    # the quick default is not counted (every session gets one): the count says so, as the sidebar lists it too
    assert f"and 1 model trained or loaded here ({len(models)} with the quick default, as the sidebar lists them)." in said[0]
    # its own lists: a model trained in the reloaded tab does not appear in the other tab's session
    again.session_state["mfviz.models"]["extra"] = next(iter(models.values()))
    assert "extra" not in at.session_state["mfviz.models"]


def test_another_browser_or_a_forgotten_workspace_starts_afresh(monkeypatch):
    at = ratings_upload(new_app(), seed=6)
    open_page(at, "pages/bias_page.py")
    mine, key = at.session_state[workspace.ID], at.session_state["mfviz.data"].key[:8]
    other = reopened(monkeypatch, "0" * 32, "pages/bias_page.py")  # an id this server never gave
    assert other.session_state["mfviz.data"].is_start and not other.restored_notes
    # the server keeps the work of its KEPT most recent browsers with work of their own: more of them, and the
    # first is let go
    for n in range(workspace.KEPT):
        ratings_upload(reopened(monkeypatch, f"{n + 1:032x}", "pages/data_page.py"), seed=20 + n)
    monkeypatch.setattr(workspace, "sent_id", lambda: mine)
    from test_links import first_visit

    gone = first_visit("pages/bias_page.py", data=key)
    assert gone.session_state["mfviz.data"].is_start
    said = [w for w in warnings(gone) if key in w]
    assert len(said) == 1 and "names data this browser does not hold" in said[0], said
    assert f"its {workspace.KEPT} most recent browsers with work of their own" in said[0]


def test_viewers_of_a_link_do_not_push_the_analysts_work_out(monkeypatch):
    """Five viewers opened an analyst's link (each fell back to the demo): a new tab of the analyst's browser then
    showed the demo, the upload and the models gone without a word."""
    from collections import OrderedDict

    monkeypatch.setattr(workspace, "_STORE", OrderedDict())  # no browsers of the tests before
    at = ratings_upload(new_app(), seed=7)
    open_page(at, "pages/bias_page.py")
    mine, data = at.session_state[workspace.ID], at.session_state["mfviz.data"]
    for n in range(workspace.KEPT + 1):  # fresh browsers holding only the demo and its quick default
        viewer = reopened(monkeypatch, f"{n + 100:032x}", "pages/bias_page.py")
        assert not workspace.holds_work({key: viewer.session_state[key] for key in workspace.KEYS
                                         if key in viewer.session_state})
    again = reopened(monkeypatch, mine)
    assert again.session_state["mfviz.data"] is data and again.restored_notes
    # a viewer's own settings stay while there is room: the least recent viewers made way, not the newest
    assert f"{workspace.KEPT + 100:032x}" in workspace._STORE and f"{100:032x}" not in workspace._STORE
    # four browsers with work of their own: a fifth holding only the start still keeps its own view across a reload
    monkeypatch.setattr(workspace, "_STORE", OrderedDict())
    for n in range(workspace.KEPT):
        ratings_upload(reopened(monkeypatch, f"{n + 200:032x}", "pages/data_page.py"), seed=30 + n)
    presenter = reopened(monkeypatch, f"{300:032x}", "pages/latent_page.py")
    presenter.radio(key="latent_method").set_value("Axes").run()
    again = reopened(monkeypatch, f"{300:032x}", "pages/latent_page.py")
    assert again.radio(key="latent_method").value == "Axes"
    assert f"{200:032x}" not in workspace._STORE  # the least recent browser made way instead


@pytest.mark.parametrize("sent", [None, "not-a-workspace", "ABCDEF" * 6])
def test_a_browser_without_a_well_formed_id_is_given_a_new_one(monkeypatch, sent):
    from streamlit.testing.v1 import AppTest
    from test_pages import APP, TIMEOUT

    monkeypatch.setattr(workspace.st, "context", type("Context", (), {"cookies": {workspace.COOKIE: sent}})())
    assert workspace.sent_id() is None
    monkeypatch.undo()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    given = at.session_state[workspace.ID]
    assert len(given) == 32 and int(given, 16) >= 0


def test_a_link_to_an_upload_opens_in_another_browser_once_it_has_uploaded_the_same_file(monkeypatch):
    # The link's address is typed into the tab: a new session. It took up nothing, so the link never applied.
    from test_links import open_link

    sender = ratings_upload(new_app(), seed=7)
    open_page(sender, "pages/neighbours_page.py")
    sender.selectbox(key="neighbours_item").set_value(3).run()
    link = dict(sender.query_params)
    assert link["item"] == str(sender.session_state["mfviz.data"].interactions.item_ids[3])

    receiver = ratings_upload(new_app(), seed=7)  # another browser, the same file
    theirs = receiver.session_state[workspace.ID]
    assert theirs != sender.session_state[workspace.ID]
    opened = reopened(monkeypatch, theirs)  # the address pasted: a new session of their browser
    open_link(opened, "pages/neighbours_page.py", **link)
    assert not any("link" in w.lower() or "does not hold" in w for w in warnings(opened)), warnings(opened)
    assert opened.selectbox(key="neighbours_item").value == 3


def test_a_second_tab_does_not_drop_a_model_trained_in_the_first(monkeypatch):
    # Tab B, opened before tab A trained a model, saved its own state after A did: A's reload lost the model.
    first = ratings_upload(new_app(), seed=8)
    mine = first.session_state[workspace.ID]
    tab_a = reopened(monkeypatch, mine, "pages/bias_page.py")
    tab_b = reopened(monkeypatch, mine, "pages/bias_page.py")
    tab_a = train_on_page(tab_a, "svd", factors=4)
    trained = tab_a.session_state["mfviz.active_model"]
    assert trained not in tab_b.session_state["mfviz.models"]
    open_page(tab_b, "pages/spectrum_page.py")  # tab B does something, and saves its state
    reloaded = reopened(monkeypatch, mine, "pages/bias_page.py")
    assert trained in reloaded.session_state["mfviz.models"]
    assert set(tab_b.session_state["mfviz.models"]) <= set(reloaded.session_state["mfviz.models"])


def test_a_reload_during_a_training_takes_it_up_and_it_goes_on_while_either_session_is_there(monkeypatch):
    """A reload (F5) during a training stopped it: its session was gone. The new session of the same browser
    takes the job up, which stops only when every session watching it is gone."""
    from mfviz.dashboard import background, state
    from mfviz.dashboard.training import TrainingJob

    at = new_app()
    job = TrainingJob(kind="ials", label="Implicit ALS (f=8)", params={}, train=None, test=None, k=10,
                      data_key="d", split="")  # not started: a training still running
    at.session_state[state.TRAINING] = job
    at.run()
    again = reopened(monkeypatch, at.session_state[workspace.ID])
    assert again.session_state[state.TRAINING] is job and len(job.followers) == 1
    assert again.restored_notes[-1].endswith("; the training of Implicit ALS (f=8) goes on.")
    # the sidebar's Save the workspace says the model under way is not in the file yet
    assert any(c.value == "Implicit ALS (f=8), still training, is not in it: save again once it is trained."
               for c in again.sidebar.caption)
    assert not again.exception and not again.error
    # it stops once both the session that asked and the one that took it up are gone, not before
    gone = {job.owner}
    monkeypatch.setattr(background, "session_gone", lambda session: session in gone)
    assert not job.abandoned()
    gone.add(job.followers[0])
    assert job.abandoned()


def test_a_finished_training_is_taken_up_only_when_its_models_were_not_collected(monkeypatch):
    """Collected already, it would make its model the active one again over the choice the reload brought
    back; finished after its tab was reloaded (never collected), its models would be lost without it."""
    from mfviz.dashboard import state

    at = train_on_page(new_app(), "ials", factors=4, epochs=2)
    job = at.session_state[state.LAST_TRAINING]
    [trained] = [entry.name for entry in job.entries]
    default = next(name for name, entry in at.session_state[state.MODELS].items() if entry.auto)
    open_page(at, "pages/neighbours_page.py")
    at.selectbox(key="model_picker").set_value(default).run()  # the presenter shows the quick default again
    mine = at.session_state[workspace.ID]
    workspace._STORE[mine][state.TRAINING] = job  # as a tab that saved its state before collecting would leave it
    again = reopened(monkeypatch, mine)
    assert state.TRAINING not in again.session_state and again.session_state[state.ACTIVE_MODEL] == default
    saved = workspace._STORE[mine]  # the reopened session's own state, saved after its run
    saved[state.TRAINING] = job
    saved[state.MODELS] = {name: e for name, e in saved[state.MODELS].items() if name != trained}  # never collected
    again = reopened(monkeypatch, mine)
    assert trained in again.session_state[state.MODELS]


def test_a_workspace_file_saved_from_another_tab_holds_the_models_trained_in_the_first(monkeypatch):
    """Tab B of the same browser, open before tab A trained a model, saved a file without that model."""
    import io
    import json
    import zipfile

    from mfviz.dashboard import state, workspace_file

    first = ratings_upload(new_app(), seed=7)
    mine = first.session_state[workspace.ID]
    second = reopened(monkeypatch, mine)
    train_on_page(first, "ials", factors=4, epochs=2)
    trained = first.session_state[state.ACTIVE_MODEL]
    assert trained not in second.session_state[state.MODELS]  # tab B's own state never saw it
    values = {key: second.session_state[key] for key in workspace.KEYS if key in second.session_state}
    content = workspace_file.write(workspace.with_other_tabs(values, mine))
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(content)).read(workspace_file.MANIFEST))
    assert trained in [model["name"] for model in manifest["models"]]
    assert trained not in second.session_state[state.MODELS]  # the tab's own lists are left as they were


def test_a_second_tab_going_to_other_data_leaves_the_first_tabs_training_running(monkeypatch):
    from mfviz.dashboard import state
    from mfviz.dashboard.training import TrainingJob

    first = new_app()
    job = TrainingJob(kind="ials", label="Implicit ALS (f=8)", params={}, train=None, test=None, k=10,
                      data_key="d", split="", owner="tab A")  # not started: a training still running in tab A
    first.session_state[state.TRAINING] = job
    first.run()
    second = reopened(monkeypatch, first.session_state[workspace.ID], "pages/data_page.py")
    assert len(job.followers) == 1
    ratings_upload(second, seed=8)  # tab B loads other data
    assert second.session_state["mfviz.data"].name == "mine.csv"
    assert not job.stop_event.is_set() and job.followers == []  # tab A still watches it
    job.leave(job.owner)  # and when tab A goes on to other data too, nobody watches it: it stops
    assert job.stop_event.is_set()


def test_the_picked_up_line_goes_once_other_data_is_loaded_on_the_page_it_opened_on(monkeypatch):
    """A presenter replaced the data on the Data page the reload opened on: the sidebar still said "Picked up …
    demo catalogue and 5 models" beside "Trained models: none yet"."""
    from test_pages import upload

    at = ratings_upload(new_app(), seed=7)
    at = train_on_page(at, "ials", factors=8, epochs=3)
    open_page(at, "pages/data_page.py")
    again = reopened(monkeypatch, at.session_state[workspace.ID], "pages/data_page.py")
    said = [i.value for i in again.sidebar.info if i.value.startswith("Picked up")]
    assert len(said) == 1 and "mine.csv" in said[0]  # on the page it opened on, with the same data: still said
    rows = "".join(f"v{u},j{i},{1 + (u + i) % 5}\n" for u in range(30) for i in range(12) if (u * i) % 3)
    upload(again, "other.csv", ("user,item,rating\n" + rows).encode())
    again.button(key="replace_confirm").click().run()  # the models trained on mine.csv go with it: asked first
    assert again.session_state["mfviz.data"].name == "other.csv"
    assert not [i.value for i in again.sidebar.info if i.value.startswith("Picked up")]
    assert workspace.SAID not in again.session_state
