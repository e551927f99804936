"""Demo data for accounts: one user per role, organizations across the 12 leagues, and
organization-verification cases in every state — all made through the real services.

Idempotent: a second run finds what the first made and adds nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc

from zhibao.core.choices import Role
from zhibao.core.services.cases import case_transition

from .choices import OrganizationKind
from .models import Organization
from .services import organization_create, organization_verification_submit, user_set_roles

User = get_user_model()

# username, display name, roles, mobile
PEOPLE = [
    ("alice", "王晓丽", [], "13847110001"),
    ("bob", "巴特尔", [], "13947720002"),
    ("clerk", "赵工作站", [Role.CLERK], "13647130003"),
    ("examiner", "李审查", [Role.EXAMINER], "13547140004"),
    ("operator", "周运营", [Role.OPERATOR], "13447150005"),
    ("analyst", "冯分析", [Role.ANALYST], "13047150012"),
    ("mediator", "吴调解", [Role.MEDIATOR], "13347160006"),
    ("expert", "孙专家", [Role.EXPERT], "13247170007"),
    ("leader", "郑主任", [Role.LEADER], "13147180008"),
    ("sysadmin", "系统管理员", [Role.SYSADMIN], "15047190009"),
    ("secadmin", "安全管理员", [Role.SECADMIN], "15147100010"),
    ("auditadmin", "审计管理员", [Role.AUDITADMIN], "15247100011"),
]


def _org_code_check(code8: str) -> str:
    """Check character of the 9-character organization code (GB 11714)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(alphabet.index(c) * w for c, w in zip(code8, [3, 7, 9, 10, 5, 8, 4, 2], strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(region_code: str, serial: int, kind: str = "91") -> str:
    """A well-formed unified social credit code for demo and test organizations."""
    org8 = f"{serial:08d}"
    base = kind + region_code + org8 + _org_code_check(org8)
    return base + uscc.calc_check_digit(base)


# owner, kind, name, address, industry, verification outcome (None: not submitted)
ORGANIZATIONS = [
    ("alice", OrganizationKind.ENTERPRISE, "包头稀土新材料科技有限公司", "内蒙古自治区包头市昆都仑区钢铁大街88号", "C3985", "verified"),
    ("bob", OrganizationKind.ENTERPRISE, "鄂尔多斯绿能储能科技有限公司", "内蒙古自治区鄂尔多斯市康巴什区滨河路12号", "D4415", "in_review"),
    ("alice", OrganizationKind.ENTERPRISE, "呼和浩特乳业生物技术有限公司", "内蒙古自治区呼和浩特市赛罕区乳业大道6号", "C1441", "submitted"),
    ("bob", OrganizationKind.ENTERPRISE, "锡林郭勒草原牧草科技有限公司", "内蒙古自治区锡林郭勒盟锡林浩特市团结大街20号", "A0181", "returned"),
    ("alice", OrganizationKind.ENTERPRISE, "赤峰冶金新材料有限公司", "内蒙古自治区赤峰市红山区钢铁街3号", "C3240", "rejected"),
    ("bob", OrganizationKind.ENTERPRISE, "通辽玉米生物科技有限公司", "内蒙古自治区通辽市科尔沁区建国路56号", "C1391", "withdrawn"),
    ("alice", OrganizationKind.UNIVERSITY, "内蒙古示范工业大学", "内蒙古自治区呼和浩特市新城区爱民街49号", "P8341", "verified"),
    ("bob", OrganizationKind.INSTITUTE, "乌海精细化工研究院", "内蒙古自治区乌海市海勃湾区滨河大道15号", "M7320", "verified"),
    ("alice", OrganizationKind.ENTERPRISE, "呼伦贝尔寒地农业科技有限公司", "内蒙古自治区呼伦贝尔市海拉尔区胜利大街9号", "A0113", None),
    ("bob", OrganizationKind.ENTERPRISE, "巴彦淖尔河套葵花食品有限公司", "内蒙古自治区巴彦淖尔市临河区新华街101号", "C1499", "submitted"),
    ("alice", OrganizationKind.ENTERPRISE, "乌兰察布马铃薯种业有限公司", "内蒙古自治区乌兰察布市集宁区察哈尔大街7号", "A0123", "in_review"),
    ("bob", OrganizationKind.INSTITUTE, "兴安盟草原生态研究所", "内蒙古自治区兴安盟乌兰浩特市兴安北大路30号", "M7340", "verified"),
    ("alice", OrganizationKind.AGENCY, "阿拉善知识产权代理事务所", "内蒙古自治区阿拉善盟阿拉善左旗巴彦浩特镇王府街2号", "M7520", None),
]

# The transitions (after submission) that bring a case to each demo outcome.
PATHS = {
    "submitted": [],
    "in_review": ["accept"],
    "returned": ["accept", "return_for_correction"],
    "verified": ["accept", "verify"],
    "rejected": ["accept", "reject"],
    "withdrawn": ["withdraw"],
}
COMMENTS = {
    "return_for_correction": "营业执照扫描件不清晰,请重新上传并核对注册地址。",
    "reject": "统一社会信用代码与营业执照不一致。",
    "verify": "材料齐全,核验通过。",
}


def load(stdout=None) -> dict:
    password = settings.ZHIBAO_DEMO_PASSWORD
    users = {}
    with transaction.atomic():
        for username, name, roles, mobile in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username, defaults={"display_name": name, "mobile": mobile, "email": f"{username}@example.org"}
            )
            if created:
                user.set_password(password)
                user.is_staff = Role.SYSADMIN in roles  # the system admin maintains the admin tables
                user.is_superuser = Role.SYSADMIN in roles
                user.save()
                user_set_roles(user=user, roles=roles)
                if roles:
                    # Staff log in with a second factor; in the demo, `zhibao otp-code NAME`
                    # prints the code an authenticator app paired with this device would show.
                    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
            users[username] = user
    clerk = users["clerk"]
    made = 0
    for i, (owner, kind, name, address, industry, outcome) in enumerate(ORGANIZATIONS, start=1):
        if Organization.objects.filter(name=name).exists():
            continue
        user = users[owner]
        region = address_region_code(address)
        org = organization_create(
            user=user, kind=kind, name=name, uscc=make_uscc(region, 10_000_000 + i * 7919), address=address,
            industry=industry,
        )
        made += 1
        if outcome is None:
            continue
        verification, _ = organization_verification_submit(organization=org, user=user)
        for step in PATHS[outcome]:
            actor = user if step == "withdraw" else clerk
            verification = case_transition(detail=verification, name=step, actor=actor, comment=COMMENTS.get(step, ""))
    if stdout is not None:
        stdout.write(f"accounts: {len(users)} users, {made} new organizations")
    return {"users": users, "organizations": made}


def address_region_code(address: str) -> str:
    from .services import address_regions

    regions = address_regions(address)
    region = regions["banner"] or regions["league"]
    return region.code if region else "150000"
