"""Who may do what in the patent corpus (django-rules), shared by pages, API and exports.

Patent documents are public information once published (专利法 第三十四条, 第三十九条), so every
signed-in user may search and read the corpus; changing it is staff work.
"""

import rules

from zhibao.core.choices import Role
from zhibao.core.rules import has_role

# Importing files into the corpus and re-indexing it: the analysts and the system admin.
can_import = has_role(Role.OPERATOR, Role.EXAMINER, Role.SYSADMIN)
# Curating industry collections: the operators who run revitalization and navigation.
can_manage_collections = has_role(Role.OPERATOR, Role.SYSADMIN)


@rules.predicate
def can_view_collection(user, collection) -> bool:
    if collection is None:
        return True
    return collection.is_public or collection.owner_id == user.pk or can_manage_collections(user)


rules.add_perm("patents.view_corpus", rules.is_authenticated)
rules.add_perm("patents.import_patents", can_import)
rules.add_perm("patents.manage_collections", can_manage_collections)
rules.add_perm("patents.view_collection", rules.is_authenticated & can_view_collection)
rules.add_perm("patents.change_collection", can_manage_collections)
