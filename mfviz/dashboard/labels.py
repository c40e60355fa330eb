"""One name per idea across the pages: the labels and tooltips of the measures and settings several pages share."""

# A list's length: how many items a recommendation list holds, which is also the cutoff of the top-k metrics
# (NDCG@10 is measured on lists of 10). The Recommend, Popularity bias and Train pages each set one.
LIST_LENGTH = "List length (k)"
LIST_LENGTH_HELP = ("k: how many items each recommendation list holds; the top-k metrics (NDCG@k, precision@k, "
                    "coverage@k, …) are measured on lists of this length.")

# The Popularity baseline (the most interacted items for everyone) as a row or a line beside the models: the Train
# table's row, the Popularity bias table's, the report's column, the charts' legends (the bias table said "Popularity",
# the Train table "Popularity (baseline)").
BASELINE = "Popularity (baseline)"

# How many nearest items of one item a list shows: the Neighbours page's lists, the Latent space map's lines.
NEIGHBOURS_SHOWN = "Neighbours shown"
NEIGHBOURS_SHOWN_HELP = "How many nearest items each list holds, by cosine and by dot product."

# An item's popularity: its number of interactions in the data (the users who have it; one per user and item).
POPULARITY = "popularity"
POPULARITY_HELP = "The item's popularity: its number of interactions in the data (the users who have it)."
POPULARITY_AXIS = "popularity (interactions in the data)"
POPULARITY_WIDTH = 68  # px of a table's popularity column: its header whole ("pop." was one of four names for it)
# A list's popularity is its "mean popularity": the mean popularity of its items (ARP, over users, on the Popularity
# bias page), so named in cards, headers, axis titles and sentences.

# Two shares of the long tail (items outside the head: the most popular items that together carry 20% of the
# interactions), named apart: one counts the catalogue's items (Data page), one the items on the lists (APLT).
CATALOGUE_TAIL = "Catalogue in the long tail"
LIST_TAIL = "Long tail in lists"
