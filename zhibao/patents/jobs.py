"""The corpus's job functions (registered with core's job runner); the work lives in services.

Each area adds its own: the import (patents.importing), the reindex (patents.search), the
collection refresh and results export. Importing this module registers them all.
"""
