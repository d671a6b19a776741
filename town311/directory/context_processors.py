from town311.directory.models import Town


def town(request) -> dict:
    return {"town": Town.objects.current()}
