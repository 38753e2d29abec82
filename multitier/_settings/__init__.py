"""The stack settings: the model (``model.py``), reading a stack's config (``loader.py``)
and the files generated from them (``generate.py``, a tool)."""
