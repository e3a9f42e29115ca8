from django.contrib import admin
from django.urls import include, path, re_path

from dtss.api.urls import api

urlpatterns = [
    path("", include("dtss.core.urls")),
    path("accounts/", include("dtss.accounts.urls")),
    path("orgs/", include("dtss.orgs.urls")),
    path("imports/", include("dtss.imports.urls")),
    path("framework/", include("dtss.framework.urls")),
    path("surveys/", include("dtss.surveys.urls")),
    path("lrs/", include("dtss.lrs.admin_urls")),
    path("analytics/", include("dtss.analytics.urls")),
    path("predict/", include("dtss.predict.urls")),
    path("devices/", include("dtss.devices.urls")),
    path("helpdesk/", include("dtss.helpdesk.urls")),
    path("homeschool/", include("dtss.homeschool.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^(?:xapi|xAPI)/", include("dtss.lrs.urls")),
    path("admin/", admin.site.urls),
]
