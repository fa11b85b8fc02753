def posted(request):
    """The submitted form data, or None for a GET. An empty POST still counts as submitted,
    so a form sent with nothing filled in shows its errors instead of quietly reappearing."""
    return request.POST if request.method == "POST" else None
