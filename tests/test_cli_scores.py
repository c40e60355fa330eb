"""`mfviz recommend`'s CSV score is what `predict` gives for the pair: a rating model's predicted rating (not
`recommend`'s ranking score, which leaves out the global mean and the user's bias)."""

import numpy as np
import pandas as pd
import pytest

from mfviz import load_interactions
from mfviz.cli import main
from mfviz.models import load_model


@pytest.mark.parametrize("model, rating", [("als", True), ("funksvd", True), ("svdpp", True), ("ials", False)])
def test_the_csv_score_is_the_models_prediction_for_the_pair(tmp_path, capsys, model, rating):
    rng = np.random.default_rng(0)
    rows = [(f"u{u}", f"m{i}", int(rng.integers(1, 6))) for u in range(30)
            for i in rng.choice(20, size=6 + u % 8, replace=False)]
    data = tmp_path / "r.csv"
    pd.DataFrame(rows, columns=["user", "item", "rating"]).to_csv(data, index=False)
    model_file = tmp_path / "m.npz"
    assert main(["train", str(data), "--model", model, "--factors", "3", "--epochs", "3", "--output",
                 str(model_file), "--quiet"]) == 0
    assert main(["recommend", str(data), "--model-file", str(model_file), "--n", "4", "--output",
                 str(tmp_path / "recs.csv"), "--quiet"]) == 0
    capsys.readouterr()
    written = pd.read_csv(tmp_path / "recs.csv", dtype={"user_id": str, "item_id": str})
    fitted, inter = load_model(model_file), load_interactions(data)
    users, items = fitted.user_rows(written.user_id), fitted.item_rows(written.item_id)
    np.testing.assert_allclose(written.score, fitted.predict(users, items), rtol=0, atol=2e-6)
    if rating:  # on the 1-5 scale, where recommend's ranking score is not
        assert 1 < written.score.mean() < 6
        ranked = fitted.recommend(users[written["rank"] == 1], n=1, exclude=inter)[1][:, 0]
        assert np.abs(written.score[written["rank"] == 1].to_numpy() - ranked).min() > 0.1
