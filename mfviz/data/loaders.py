"""File loaders with format detection (placeholder until the loader work lands)."""


def load_interactions(source, **overrides):
    raise NotImplementedError
