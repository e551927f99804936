"""The corpus's job functions (registered with core's job runner); the work lives in services.

Each area adds its own: the import (patents.importing), the reindex (patents.search), the
collection refresh and results export. Importing this module registers them all.
"""
from . import collections  # noqa: E402, F401  (patents.collections_refresh)
from . import exports as _exports  # noqa: E402, F401  (patents.export)
from .importing import jobs as _importing_jobs  # noqa: E402, F401  (patents.import)
from .search import jobs as _search_jobs  # noqa: F401  (registers patents.reindex)
