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
