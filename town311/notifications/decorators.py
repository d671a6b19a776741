from functools import wraps

from django.views.decorators.csrf import csrf_exempt, csrf_protect


def one_click_unsubscribe(view):
    """CSRF protection for the view, except for the one-click unsubscribe
    POST of RFC 8058: mail programs send it without a token or cookies,
    and the signed link in the address is what authorises it."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and is_one_click(request):
            return view(request, *args, **kwargs)

        return protected(request, *args, **kwargs)

    return wrapper


def is_one_click(request) -> bool:
    return request.POST.get("List-Unsubscribe") == "One-Click"
