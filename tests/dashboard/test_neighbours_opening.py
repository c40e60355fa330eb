"""The item the Neighbours page opens on is chosen from the lists' overlap alone (support.typical_overlap), which must
be the overlap the page's "Over many items" shows (support.summarised, with its lifts): the same sampled lists."""

import numpy as np

from mfviz import datasets
from mfviz.dashboard import support
from mfviz.dashboard.state import DataEntry, ModelEntry, interactions_hash, model_hash
from mfviz.models import ALS


def test_the_overlap_the_opening_item_is_chosen_by_is_the_one_over_many_items_shows():
    inter = datasets.load_demo()
    data = DataEntry(inter, "demo", interactions_hash(inter))
    model = ALS(factors=8, epochs=3, random_state=0).fit(inter)
    entry = ModelEntry("ALS", model, "als", {}, model_hash(model, data.key), data.key)
    popularity = np.asarray(inter.matrix.getnnz(axis=0))
    for k in (5, 10):
        shown = support.summarised(entry, data, popularity, k)["mean_overlap"]
        chosen_by = support.typical_overlap(entry.key, model.item_factors, data.key, k,
                                            support.item_support(entry, popularity))
        assert chosen_by == shown
    assert inter.n_items > support.SUMMARY_SAMPLE  # a sample, not every item: the samples must be the same
