"""The corpus's job functions (registered with core's job runner); the work lives in services.

Each area registers its own — the import (patents.importing), the reindex (patents.search),
the collection refresh and the results export; importing this module registers them all.
"""

from . import collections as _collections  # noqa: F401  (patents.collections_refresh)
from . import exports as _exports  # noqa: F401  (patents.export)
from .importing import jobs as _importing_jobs  # noqa: F401  (patents.import)
from .search import jobs as _search_jobs  # noqa: F401  (patents.reindex)
