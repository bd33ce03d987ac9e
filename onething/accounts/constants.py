from django.db import models


class Role(models.TextChoices):
    APPLICANT_PERSON = "applicant_person", "申请人（个人）"
    APPLICANT_ENTITY = "applicant_entity", "申请人（企业）"
    WINDOW_CLERK = "window_clerk", "综合窗口人员"
    DEPT_REVIEWER = "dept_reviewer", "部门审批人员"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    CATALOG_ADMIN = "catalog_admin", "目录管理员（数据局）"
    SUPERVISOR = "supervisor", "监督人员"
    HOTLINE_OPERATOR = "hotline_operator", "12345话务员"
    # 三权分立 (GB/T 22239-2019 8.1.4.2): each administers one thing and none can erase the audit.
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITADMIN = "auditadmin", "审计管理员"


APPLICANT_ROLES = {Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY}
STAFF_ROLES = set(Role) - APPLICANT_ROLES
ADMIN_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN}
# Roles that reach the Django admin (is_staff); what they see there is set per role.
ADMIN_SITE_ROLES = ADMIN_ROLES | {Role.CATALOG_ADMIN}


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
