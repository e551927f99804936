from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Deny by default: every page needs a login unless its view is marked public.

    The API (under PUBLIC_PATH_PREFIXES) answers 401/403 itself through DRF's default
    IsAuthenticated permission instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(request.path_info.startswith(p) for p in settings.PUBLIC_PATH_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NulCharacterMiddleware:
    """Refuse (400) a query string or form value holding a NUL character.

    No user input means one, PostgreSQL's text columns cannot store or compare it (a lookup
    with it fails with a DataError, a 500 instead of a clear refusal), and form fields that
    look a value up by it (ModelChoiceField, SlugRelatedField, filters) do not check for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest

        for data in (request.GET, request.POST if request.method == "POST" else None):
            if data is None:
                continue
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("NUL character in the request parameters")
        return self.get_response(request)
