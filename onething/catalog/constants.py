from django.db import models


class Subject(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个人"


ENTERPRISE_STAGES = ["准入准营", "招聘用工", "纳税缴费", "经营发展", "工程建设", "注销退出"]
INDIVIDUAL_STAGES = ["出生", "教育", "就业", "生活", "置业", "出行", "就医", "救助", "养老", "身后"]
STAGES_BY_SUBJECT = {Subject.ENTERPRISE: ENTERPRISE_STAGES, Subject.INDIVIDUAL: INDIVIDUAL_STAGES}


# Every member names its label: a member given only a value is labelled from its English name
# (Rollout, After Death), and that label is what the admin's lists and filters show.
class Stage(models.TextChoices):
    ENTRY = "准入准营", "准入准营"
    HIRING = "招聘用工", "招聘用工"
    TAX = "纳税缴费", "纳税缴费"
    OPERATION = "经营发展", "经营发展"
    CONSTRUCTION = "工程建设", "工程建设"
    EXIT = "注销退出", "注销退出"
    BIRTH = "出生", "出生"
    EDUCATION = "教育", "教育"
    EMPLOYMENT = "就业", "就业"
    LIVING = "生活", "生活"
    HOUSING = "置业", "置业"
    TRAVEL = "出行", "出行"
    MEDICAL = "就医", "就医"
    ASSISTANCE = "救助", "救助"
    ELDERLY = "养老", "养老"
    AFTER_DEATH = "身后", "身后"


class Status(models.TextChoices):
    """The five standardisation steps of a one-thing, in order."""

    INITIAL = "初标", "初标"
    PILOT = "试点", "试点"
    STANDARD = "定标", "定标"
    TRAINING = "培训", "培训"
    ROLLOUT = "推广", "推广"


STATUS_ORDER = list(Status.values)


class ItemKind(models.TextChoices):
    LICENSING = "行政许可", "行政许可"
    CONFIRMATION = "行政确认", "行政确认"
    BENEFIT = "行政给付", "行政给付"
    ADJUDICATION = "行政裁决", "行政裁决"
    LEVY = "行政征收", "行政征收"
    REWARD = "行政奖励", "行政奖励"
    OTHER_POWER = "其他行政权力", "其他行政权力"
    PUBLIC_SERVICE = "公共服务", "公共服务"


class OnlineLevel(models.TextChoices):
    FULLY_ONLINE = "全程网办", "全程网办"
    PARTLY_ONLINE = "部分网办", "部分网办"
    WINDOW = "窗口办理", "窗口办理"


class CrossRegion(models.TextChoices):
    NONE = "无", "无"
    PROVINCE = "全省通办", "全省通办"
    NATIONAL = "跨省通办", "跨省通办"


class HandlingLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class ElementType(models.TextChoices):
    TEXT = "text", "文本"
    ID_NUMBER = "id_number", "公民身份号码"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PHONE = "phone", "手机号码"
    DATE = "date", "日期"
    MONEY = "money", "金额"
    INTEGER = "integer", "整数"
    BOOLEAN = "boolean", "是/否"
    ENUM = "enum", "枚举"
    REGION = "region", "行政区划"
    ADDRESS = "address", "地址"


class MaterialDisposition(models.TextChoices):
    UPLOAD = "upload", "需提交"
    LICENSE = "license", "电子证照免交"
    SHARED_DATA = "shared_data", "共享数据免交"
    EARLIER_ITEM = "earlier_item", "前序事项产生"
    COMMITMENT = "commitment", "可容缺后补"


REFORM_TARGET_PERCENT = 50
