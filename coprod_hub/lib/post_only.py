"""Views that act only on a form's POST, with somewhere to go for any other request.

A button posts to an address such as /sign-ups/5/accept/. Someone whose session ran out
before they pressed it is sent to sign in, then brought back to that address with a GET.
Django's `require_POST` answers that with a blank 405, which browsers show as an error
page with no way on. These views send the person to the page the button is on instead, where
they can press it again.
"""

from functools import wraps

from django.shortcuts import redirect


def post_only(page: str, *, with_args: bool = True):
    """Run the view for a POST; redirect anything else to the URL named `page`, given the
    view's own URL arguments (none with `with_args=False`). The page checks who may see it,
    so the redirect says nothing the address did not."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if with_args:
                return redirect(page, *args, **kwargs)
            return redirect(page)

        return wrapper

    return decorator
