"""django.contrib.admin, with the site whose registered pages audit their writes.

Kept apart from ``admin_site``: INSTALLED_APPS imports this module before models may load.
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "onething.common.admin_site.AuditedAdminSite"
