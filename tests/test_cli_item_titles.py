"""The command line's --items-title: an item table's column of titles named when its name does not say so, and
the warning of a table with none naming that option (not load_interactions' title=...)."""

from __future__ import annotations

import json

from mfviz.cli import main


def test_items_title_names_the_column_the_warning_points_to(tmp_path, capsys):
    ratings = tmp_path / "r.csv"
    ratings.write_text("user,item,rating\n" + "".join(f"{u},{i},{1 + (u + i) % 5}\n" for u in range(6)
                                                      for i in range(4)))
    items = tmp_path / "items.csv"
    items.write_text("id,Bezeichnung,Studio\n" + "".join(f"{i},Film {i},Pixar\n" for i in range(4)))
    assert main(["info", str(ratings), "--items", str(items), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "no title column among its columns ['id', 'Bezeichnung', 'Studio']" in captured.err
    assert "with --items-title (a column name or 0-based position)" in captured.err and "title=..." not in captured.err
    assert "title" not in json.loads(captured.out)["item_metadata_columns"]
    for column in ("Bezeichnung", "1"):
        assert main(["info", str(ratings), "--items", str(items), "--items-title", column, "--json", "--quiet"]) == 0
        captured = capsys.readouterr()
        assert "warning" not in captured.err and json.loads(captured.out)["item_metadata_columns"] == ["title", "Studio"]
