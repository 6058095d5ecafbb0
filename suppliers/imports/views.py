from django.http import HttpResponse


def import_upload(request):  # replaced by the import work
    return HttpResponse("import")
