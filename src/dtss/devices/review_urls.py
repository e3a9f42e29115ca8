"""URLs of the devices module: review (the periodic review and QR stocktakes)."""

from __future__ import annotations

from django.urls import path

from dtss.devices import review_views as v

urlpatterns = [
    path("", v.review, name="review"),
    path("county/", v.review_county, name="review_county"),
    path("stocktakes/", v.stocktake_list, name="stocktake_list"),
    path("stocktakes/new/", v.stocktake_create, name="stocktake_create"),
    path("stocktakes/<uuid:public_id>/", v.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<uuid:public_id>/scan/", v.stocktake_scan, name="stocktake_scan"),
    path("stocktakes/<uuid:public_id>/close/", v.stocktake_close, name="stocktake_close"),
    path("stocktakes/<uuid:public_id>/export/", v.stocktake_export, name="stocktake_export"),
]
