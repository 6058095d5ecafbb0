"""Staff and supplier pages of the registry (list and detail)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Supplier


@login_required
def supplier_list(request):
    suppliers = selectors.supplier_list(user=request.user)[:50]
    return render(request, "suppliers/list.html", {"suppliers": suppliers})


@login_required
def supplier_detail(request, pk: int):
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "suppliers/detail.html", {"supplier": supplier})
