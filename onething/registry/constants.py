"""Choices and fixed figures of the registries and the e-license library."""

from django.db import models

EXPIRY_WINDOW_DAYS = 30  # reminders go out this many days before a licence expires
HOLDER_CODE_SECONDS = 300  # a shown 身份码/企业码 is good for five minutes
CONSENT_HOURS = 24  # a scanned code lets the clerk see the holder's licences for a working day
# Who may scan a holder's code and be granted consent: front-line service staff. Supervisors,
# the 12345 hotline, catalog editors and the 三权分立 administrators never read holders' licences.
CONSENT_ROLES = frozenset({"window_clerk", "dept_reviewer", "dept_admin"})
SEAL_BATCH = 200  # licences sealed per worker job (about 2 s of SM2 signing)
REMINDER_PREFIX = "registry:"  # dedup keys of this app's messages start with it


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", "未婚"
    MARRIED = "married", "已婚"
    DIVORCED = "divorced", "离异"
    WIDOWED = "widowed", "丧偶"


class DisabilityCategory(models.TextChoices):
    NONE = "", "无"
    VISUAL = "visual", "视力残疾"
    HEARING = "hearing", "听力残疾"
    SPEECH = "speech", "言语残疾"
    PHYSICAL = "physical", "肢体残疾"
    INTELLECTUAL = "intellectual", "智力残疾"
    MENTAL = "mental", "精神残疾"
    MULTIPLE = "multiple", "多重残疾"


class DisabilityLevel(models.TextChoices):
    NONE = "", "无"
    ONE = "1", "一级"
    TWO = "2", "二级"
    THREE = "3", "三级"
    FOUR = "4", "四级"


class Education(models.TextChoices):
    NONE = "", "未登记"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class EmploymentStatus(models.TextChoices):
    NONE = "", "未登记"
    EMPLOYED = "employed", "就业"
    SELF_EMPLOYED = "self_employed", "灵活就业/自主创业"
    UNEMPLOYED = "unemployed", "失业"
    RETIRED = "retired", "退休"
    STUDENT = "student", "在校学生"


class EntityType(models.TextChoices):
    LLC = "llc", "有限责任公司"
    ONE_PERSON_LLC = "one_person_llc", "一人有限责任公司"
    JOINT_STOCK = "joint_stock", "股份有限公司"
    SOLE_PROPRIETORSHIP = "sole_proprietorship", "个人独资企业"
    PARTNERSHIP = "partnership", "合伙企业"
    INDIVIDUAL = "individual_business", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"
    BRANCH = "branch", "分支机构"


class OperatingStatus(models.TextChoices):
    ACTIVE = "active", "存续（在营）"
    SUSPENDED = "suspended", "歇业"
    REVOKED = "revoked", "吊销"
    DEREGISTERED = "deregistered", "注销"


class TaxCreditRating(models.TextChoices):
    NONE = "", "未评价"
    A = "A", "A级"
    B = "B", "B级"
    M = "M", "M级"
    C = "C", "C级"
    D = "D", "D级"


class LicenseStatus(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已注销（吊销）"
    SUPERSEDED = "superseded", "已被新版本替代"


class HolderKind(models.TextChoices):
    PERSON = "person", "个人"
    ENTITY = "entity", "经营主体"


PERSON_FIELD_LABELS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "gender": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "household_region": "户籍地区划",
    "household_address": "户籍地址",
    "residence_region": "居住地区划",
    "residence_address": "居住地址",
    "phone": "联系电话",
    "marital_status": "婚姻状况",
    "disability_category": "残疾类别",
    "disability_level": "残疾等级",
    "is_veteran": "退役军人",
    "death_date": "死亡日期",
    "education": "学历",
    "employment_status": "就业状态",
}

ENTITY_FIELD_LABELS = {
    "name": "名称",
    "credit_code": "统一社会信用代码",
    "entity_type": "主体类型",
    "legal_rep_name": "法定代表人姓名",
    "legal_rep_id_number": "法定代表人公民身份号码",
    "registered_region": "登记机关区划",
    "address": "住所",
    "industry_code": "行业代码",
    "registered_capital": "注册资本（万元）",
    "founded_on": "成立日期",
    "employees": "从业人数",
    "operating_status": "经营状态",
    "tax_credit_rating": "纳税信用等级",
    "is_high_tech": "高新技术企业",
    "is_small_micro": "小微企业",
    "phone": "联系电话",
}
