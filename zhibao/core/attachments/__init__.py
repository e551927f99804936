"""The one attachment mechanism every service uses.

- kinds.py: file formats, attachment kinds (register_kind) and the configurable limits
- validators.py: validate_upload — name, type sniffed from content, ZIP/PDF/image checks
- services.py: attachment_add(*, case, kind, uploaded_file, user)
- selectors.py: attachments_for(case, user), attachments_visible_to(user)
- forms.py: AttachmentField, MultipleAttachmentField
- views.py: attachment_download (the only way a stored file leaves the server)
"""
