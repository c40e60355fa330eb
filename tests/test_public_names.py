"""What `help()` and `import *` show of the public API: every public model method and property says what it is, and
mfviz.datasets exports its own names only (not pickle, os and tempfile)."""

import inspect

from mfviz.models import MODELS


def test_star_import_of_datasets_gives_its_public_names_only():
    namespace: dict = {}
    exec("from mfviz.datasets import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == ["DEMO_FILES", "demo_files", "load_demo",
                                                                   "write_demo"]


def test_every_public_model_method_and_property_has_a_docstring():
    missing = []
    for cls in MODELS.values():
        for name, member in inspect.getmembers(cls):
            if name.startswith("_"):
                continue
            function = member.fget if isinstance(member, property) else member
            if callable(function) and not (function.__doc__ or "").strip():
                missing.append(f"{cls.__name__}.{name}")
    assert not missing, missing
