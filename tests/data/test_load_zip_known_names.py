"""A zip whose ratings.csv is named like MovieLens's: its files' columns decide what it is, not the name alone."""

import zipfile

import pytest

from mfviz import load_interactions

# MovieLens-latest's ratings columns, as an analyst's export may reuse them
RATINGS = "userId,movieId,rating,timestamp\n" + "".join(
    f"{u},{i},{(u + i) % 5 + 1},{964982703 + 60 * (u * 7 + i)}\n" for u in range(1, 7) for i in (10, 20, 30, 40))
OWN_RATINGS = "user_id,item_id,rating\n" + "".join(f"u{u},{i},{(u * i) % 5 + 1}\n" for u in range(1, 7)
                                                  for i in (10, 20, 30, 40))
ITEMS = "item_id,title,category\n10,Kettle,kitchen\n20,Lamp,living\n30,Rug,living\n40,Pan,kitchen\n"
MOVIES = ('movieId,title,genres\n10,Toy Story (1995),Adventure|Animation\n20,"American President, The (1995)",'
          'Comedy|Drama\n30,Heat (1995),Action\n40,"Loft, The (2005)",(no genres listed)\n')


def zipped(path, **members: str):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name.replace("__", ".").replace("_SLASH_", "/"), text)
    return path


@pytest.mark.parametrize("ratings", [RATINGS, OWN_RATINGS], ids=["movielens columns", "own columns"])
def test_ratings_csv_beside_a_custom_item_table_joins_that_table(tmp_path, ratings):
    data = load_interactions(zipped(tmp_path / "shop.zip", ratings__csv=ratings, items__csv=ITEMS))
    assert not data.report.format.startswith("MovieLens")  # it was "MovieLens latest (ratings.csv)"
    assert (data.n_users, data.n_items, data.nnz) == (6, 4, 24)
    titles = dict(zip(data.item_ids.tolist(), data.titles, strict=True))
    assert titles == {10: "Kettle", 20: "Lamp", 30: "Rug", 40: "Pan"} and data.report.metadata_join_rate == 1.0
    said = " ".join(data.report.notes)
    assert "took ratings.csv (columns" in said and "items.csv (columns item_id, title, category; about 4 rows) as " \
           "the item table" in said
    assert "movies.csv was not found" not in said and not data.report.warnings


def test_a_movielens_latest_zip_reads_as_before(tmp_path):
    folder = "ml-latest-small_SLASH_"
    data = load_interactions(zipped(
        tmp_path / "ml-latest-small.zip", **{folder + "ratings__csv": RATINGS, folder + "movies__csv": MOVIES,
                                              folder + "tags__csv": "userId,movieId,tag,timestamp\n1,10,pixar,1\n",
                                              folder + "links__csv": "movieId,imdbId,tmdbId\n10,0114709,862\n",
                                              folder + "README__txt": "MovieLens\n"}))
    assert data.report.format == "MovieLens latest (ratings.csv + movies.csv), zip archive"
    items = data.items.set_index("item_id")
    assert items.loc[20, "title"] == "American President, The (1995)" and items.loc[40, "genres"] == []
    assert items.loc[10, "genres"] == ["Adventure", "Animation"] and data.nnz == 24
    assert "Item metadata from movies.csv next to the ratings file." in data.report.notes


def test_an_item_table_without_an_id_column_is_said_and_the_interactions_still_load(tmp_path):
    table = "name,category\nKettle,kitchen\nLamp,living\n"
    data = load_interactions(zipped(tmp_path / "shop.zip", ratings__csv=OWN_RATINGS, items__csv=table))
    assert (data.n_users, data.n_items, data.nnz) == (6, 4, 24)
    assert "title" not in data.items.columns
    [said] = data.report.warnings
    assert "items.csv has no item id column to join on (its first column, 'name', is no id), so it was not " \
           "joined. To join it, give it a column named 'item_id' of the interactions' item ids" in said


def test_an_item_table_of_other_ids_is_said(tmp_path):
    table = "item_id,title\nA-10,Kettle\nA-20,Lamp\n"  # the shop's codes, not the interactions' numbers
    data = load_interactions(zipped(tmp_path / "shop.zip", ratings__csv=OWN_RATINGS, items__csv=table))
    assert data.nnz == 24 and data.report.metadata_join_rate == 0.0
    [said] = data.report.warnings
    assert "items.csv names only 0% of the items, so most have no title (its id column, 'item_id', and the " \
           "interactions' 'item_id' hold different ids)" in said
