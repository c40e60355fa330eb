"""`mfviz evaluate` on ratings: a model that does not predict ratings keeps rmse and mae (every run on
ratings has them) with a note that they measure nothing it was trained for."""

from test_cli import _one_json_object, _write_csv

from mfviz.cli import main


def test_a_ranker_s_rmse_comes_with_a_note_and_a_rating_model_s_does_not(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv")
    for model, note in (("svd", "reads missing entries as zeros"), ("ials", "ranks items"), ("als", None)):
        assert main(["evaluate", str(data), "--model", model, "--factors", "4", "--json", "--quiet"]) == 0
        result = _one_json_object(capsys.readouterr().out)
        assert {"rmse", "mae"} <= set(result)  # the documented keys of a run on ratings
        if note is None:
            assert "rmse_note" not in result
        else:
            assert note in result["rmse_note"] and "compare it by the ranking metrics" in result["rmse_note"]
