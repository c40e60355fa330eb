"""What a download leaves out, said beside its button: the users or items a model never trained on."""

from __future__ import annotations

NO_TEST_SET = "no test set (train on everything)"  # the Train page's split choice that trains on every interaction


def left_out_note(included: int, total: int, kind: str, held_out: bool) -> str:
    """'28,810 of 32,095 users: 3,285 have no training interaction in this split; …' for a file that holds `included`
    of the data's `total` users or items (`kind`: "user" or "item"); empty when it holds them all. `held_out`: the
    model was trained with a test share (training on everything is then the way to include them), else it was
    trained elsewhere or on data that had them without interactions."""
    left = total - included
    if left <= 0:
        return ""
    plural = f"{kind}s"
    have = "has" if left == 1 else "have"
    if held_out:
        everyone = "everyone" if kind == "user" else f"every {kind}"
        return (f"{included:,} of {total:,} {plural}: {left:,} {have} no training interaction in this split; train "
                f"with '{NO_TEST_SET}' on the Train page to include {everyone}.")
    return (f"{included:,} of {total:,} {plural}: {left:,} {have} no interaction the model trained on, so "
            f"{'its vector says' if left == 1 else 'their vectors say'} nothing.")


def for_model(entry, included: int, total: int, kind: str) -> str:
    """`left_out_note` of a session's model (a state.ModelEntry): held out when it was trained with a test set."""
    return left_out_note(included, total, kind, getattr(entry, "test", None) is not None)
