"""Demo data of the pre-examination channel: a year of the center's work, and alice's cases.

`zhibao demo` calls `load` after the accounts demo (INSTALLED_APPS order), so the personas
exist. Two parts, each idempotent on its own:

1. **A year of history**, written directly (bulk) so that it takes seconds, not the many
   minutes a thousand cases through every service step would: 46 organizations of the region
   across the 12 leagues with their verification (ORG) and filing (PEF) cases, ~900
   pre-examination cases (PE) submitted over the past twelve months and ~100
   prioritized-examination requests (PER). Every row is what the services would have written
   at the time: the same case numbers (core.CaseSequence continues after them); the index row's
   status, assignee, responsible role, deadline and closing time as the registry spec
   (apps.py) derives them; one CaseEvent per step with its actor, time and payload, in the
   order the state machine allows; correction notices, opinions and the documents (the demo's
   few pages, one stored file per kind that every case's attachment rows name). Three things
   are left out, said here so nobody looks for them: the center's PDF letters (letter fields
   are empty: each takes a second to render), the notifications of past events, and the IPC
   suggestion (empty, as intake leaves it while no model is trained). The mix follows the
   center's reports: about 90 % qualified, 93 % granted, inventions granted ~64 days after the
   filing at CNIPA against 472 in the ordinary channel, correction rounds, a few withdrawals
   and lapses, a few cases overdue now (the sweep tells their field lead on its first run).
2. **alice's cases, through the real services** (filing, submission, formal check, opinions,
   letters): her "my cases" shows one awaiting the formal check, a formal correction and an
   examiner's correction request to answer, a qualification waiting for the CNIPA number, one
   filed at CNIPA and a prioritized-examination request.

Examiners: the `examiner` persona examines new materials and new energy and leads new
materials; five colleagues (examiner2 … examiner6, without a password until an administrator
sets one) examine and lead the other fields.
"""

import contextlib
import datetime as dt
import hashlib
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import OrganizationKind, OrganizationStatus, VerificationState
from zhibao.accounts.demo import make_uscc
from zhibao.accounts.models import Membership, Organization, OrganizationVerification
from zhibao.accounts.services import (
    address_regions,
    organization_create,
    organization_snapshot,
    user_set_roles,
)
from zhibao.core.choices import Role
from zhibao.core.models import Attachment, Case, CaseEvent, CaseSequence
from zhibao.core.registry import registry
from zhibao.core.services.cases import WorkflowError
from zhibao.core.workdays import WorkCalendar
from zhibao.patents.choices import PatentType
from zhibao.patents.normalize import application_check_char, parse_ipc

from .choices import (
    DocumentKind,
    FilingState,
    NoticeKind,
    NoticeStage,
    NoticeStatus,
    PreExamState,
    PriorityGround,
    PriorityState,
)
from .models import (
    CorrectionNotice,
    Filing,
    FormalCheckItem,
    Opinion,
    PreExamCase,
    PreExamConfig,
    PriorityRequest,
    TechnicalField,
)
from .services.intake import REQUIRED_DOCUMENTS

S, P = PreExamState, PriorityState
SEED = 2024
OWNER_PREFIX = "pe_demo_"  # the contact persons (owners) of the generated organizations
HISTORY_DAYS = 365

# username, name, fields examined, fields led
EXAMINERS = [
    ("examiner", None, ["new_materials", "new_energy"], ["new_materials"]),
    ("examiner2", "刘敏", ["biology"], ["biology"]),
    ("examiner3", "陈静", ["biology"], []),
    ("examiner4", "张磊", ["new_materials"], []),
    ("examiner5", "王芳", ["new_materials", "new_energy"], []),
    ("examiner6", "杨帆", ["new_energy"], ["new_energy"]),
]
# Recommendations each field may make per year (CNIPA's allotment; the center edits it).
QUOTAS = {"biology": 20, "new_materials": 40, "new_energy": 30}

E, U, INST = OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE
BIO, MAT, NRG = "biology", "new_materials", "new_energy"
# name, kind, address, industry (GB/T 4754), fields, size (relative number of applications)
ORGANIZATIONS = [
    ("包头瑞稀永磁材料有限公司", E, "内蒙古自治区包头市九原区稀土大街12号", "C3985", [MAT], 5),
    ("包头华晟稀土抛光材料有限公司", E, "内蒙古自治区包头市昆都仑区友谊大街36号", "C3232", [MAT], 3),
    ("包头钢联合金材料科技有限公司", E, "内蒙古自治区包头市青山区幸福路8号", "C3240", [MAT], 3),
    ("包头稀土功能材料研究所", INST, "内蒙古自治区包头市九原区建华南路21号", "M7320", [MAT, NRG], 6),
    ("包头锂硅新能源科技有限公司", E, "内蒙古自治区包头市九原区装备园区纬三路5号", "C3841", [NRG, MAT], 4),
    ("包头石拐碳素新材料有限公司", E, "内蒙古自治区包头市石拐区工业园区1号", "C3091", [MAT], 2),
    ("包头固阳风电装备有限公司", E, "内蒙古自治区包头市固阳县金山镇风电路3号", "C3415", [NRG], 2),
    ("呼和浩特草原乳源生物科技有限公司", E, "内蒙古自治区呼和浩特市和林格尔县盛乐经济园区乳业路9号", "C1441", [BIO], 5),
    ("内蒙古青城蒙药研究院", INST, "内蒙古自治区呼和浩特市赛罕区大学东街118号", "M7340", [BIO], 4),
    ("呼和浩特金桥生物疫苗有限公司", E, "内蒙古自治区呼和浩特市赛罕区金桥开发区宝力尔街18号", "C2762", [BIO], 3),
    ("内蒙古北疆农牧大学", U, "内蒙古自治区呼和浩特市赛罕区昭乌达路306号", "P8341", [BIO, MAT], 8),
    ("呼和浩特云谷光伏材料有限公司", E, "内蒙古自治区呼和浩特市和林格尔县云谷大道16号", "C3825", [NRG, MAT], 3),
    ("呼和浩特托克托电力新能源科技有限公司", E, "内蒙古自治区呼和浩特市托克托县双河镇电厂路2号", "D4416", [NRG], 2),
    ("鄂尔多斯蓝海氢能科技有限公司", E, "内蒙古自治区鄂尔多斯市伊金霍洛旗阿勒腾席热镇氢能路6号", "C3849", [NRG], 4),
    ("鄂尔多斯准格尔煤基新材料有限公司", E, "内蒙古自治区鄂尔多斯市准格尔旗薛家湾镇化工园区7号", "C2651", [MAT], 3),
    ("鄂尔多斯康巴什光储科技有限公司", E, "内蒙古自治区鄂尔多斯市康巴什区创业大厦A座", "C3825", [NRG], 3),
    ("鄂尔多斯绒山羊生物育种研究所", INST, "内蒙古自治区鄂尔多斯市东胜区鄂托克西街20号", "M7330", [BIO], 2),
    ("鄂尔多斯达拉特光伏电力有限公司", E, "内蒙古自治区鄂尔多斯市达拉特旗树林召镇光伏园区", "D4416", [NRG], 2),
    ("乌海海勃湾精细化工有限公司", E, "内蒙古自治区乌海市海勃湾区千里山工业园区", "C2614", [MAT], 3),
    ("乌海乌达焦化新材料有限公司", E, "内蒙古自治区乌海市乌达区工业园区经二路", "C2520", [MAT], 2),
    ("乌海宏达氯碱化工有限公司", E, "内蒙古自治区乌海市海南区西来峰工业园区", "C2612", [MAT], 2),
    ("赤峰元宝山有色合金有限公司", E, "内蒙古自治区赤峰市元宝山区平庄镇冶金路11号", "C3240", [MAT], 3),
    ("赤峰松山蒙中药业有限公司", E, "内蒙古自治区赤峰市松山区玉龙大街66号", "C2740", [BIO], 3),
    ("赤峰宁城生物发酵科技有限公司", E, "内蒙古自治区赤峰市宁城县天义镇发酵园区", "C1495", [BIO], 2),
    ("赤峰克什克腾风电运维有限公司", E, "内蒙古自治区赤峰市克什克腾旗经棚镇新能源路1号", "D4415", [NRG], 2),
    ("通辽科尔沁玉米生物工程有限公司", E, "内蒙古自治区通辽市科尔沁区工业园区玉米路10号", "C1391", [BIO], 4),
    ("通辽霍林郭勒铝业新材料有限公司", E, "内蒙古自治区通辽市霍林郭勒市铝工业园区", "C3216", [MAT], 3),
    ("通辽开鲁风光储能有限公司", E, "内蒙古自治区通辽市开鲁县开鲁镇新能源大道", "D4419", [NRG], 2),
    ("通辽蒙医药研究所", INST, "内蒙古自治区通辽市科尔沁区霍林河大街52号", "M7340", [BIO], 3),
    ("呼伦贝尔海拉尔寒地生物科技有限公司", E, "内蒙古自治区呼伦贝尔市海拉尔区河东新区", "C2761", [BIO], 2),
    ("呼伦贝尔牙克石兽药有限公司", E, "内蒙古自治区呼伦贝尔市牙克石市工业园区", "C2750", [BIO], 2),
    ("呼伦贝尔陈巴尔虎风电科技有限公司", E, "内蒙古自治区呼伦贝尔市陈巴尔虎旗巴彦库仁镇", "D4415", [NRG], 1),
    ("巴彦淖尔河套益生菌科技有限公司", E, "内蒙古自治区巴彦淖尔市临河区农畜产品加工园区", "C1495", [BIO], 3),
    ("巴彦淖尔乌拉特光热发电有限公司", E, "内蒙古自治区巴彦淖尔市乌拉特中旗海流图镇", "D4416", [NRG], 2),
    ("巴彦淖尔磴口沙产业生物科技有限公司", E, "内蒙古自治区巴彦淖尔市磴口县巴彦高勒镇", "C2740", [BIO], 1),
    ("乌兰察布集宁石墨新材料有限公司", E, "内蒙古自治区乌兰察布市集宁区工业园区石墨路", "C3091", [MAT], 3),
    ("乌兰察布察右前旗锂电负极材料有限公司", E, "内蒙古自治区乌兰察布市察哈尔右翼前旗土贵乌拉镇", "C3985", [MAT, NRG], 3),
    ("乌兰察布丰镇硅铁合金有限公司", E, "内蒙古自治区乌兰察布市丰镇市冶金园区", "C3140", [MAT], 2),
    ("兴安盟乌兰浩特生物制药有限公司", E, "内蒙古自治区兴安盟乌兰浩特市经济技术开发区", "C2761", [BIO], 2),
    ("兴安盟科右中旗风光新能源有限公司", E, "内蒙古自治区兴安盟科尔沁右翼中旗巴彦呼舒镇", "D4419", [NRG], 1),
    ("锡林郭勒锡林浩特风电装备有限公司", E, "内蒙古自治区锡林郭勒盟锡林浩特市经济技术开发区", "C3415", [NRG], 2),
    ("锡林郭勒多伦草原生物科技有限公司", E, "内蒙古自治区锡林郭勒盟多伦县诺尔镇", "C2761", [BIO], 1),
    ("锡林郭勒正蓝旗乳酸菌技术研究所", INST, "内蒙古自治区锡林郭勒盟正蓝旗上都镇", "M7340", [BIO], 1),
    ("阿拉善左旗肉苁蓉生物科技有限公司", E, "内蒙古自治区阿拉善盟阿拉善左旗巴彦浩特镇", "C2740", [BIO], 2),
    ("阿拉善右旗光伏治沙新能源有限公司", E, "内蒙古自治区阿拉善盟阿拉善右旗额肯呼都格镇", "D4416", [NRG], 1),
    ("阿拉善额济纳胡杨生态研究所", INST, "内蒙古自治区阿拉善盟额济纳旗达来呼布镇", "M7330", [BIO], 1),
]
CONTACTS = ["张伟", "王磊", "李娜", "刘洋", "陈晨", "杨帆", "赵敏", "黄丽", "周强", "吴刚", "徐静", "孙悦",
            "马超", "朱琳", "胡军", "郭峰", "何平", "高娟", "林涛", "罗霞", "乌云", "其木格", "巴图", "斯琴",
            "苏和", "额尔敦", "萨仁", "宝音", "娜仁", "阿拉坦"]
SCOPES = {
    BIO: "生物技术研发与技术服务；蒙药、中药制剂及兽药的研发、生产和销售；微生物发酵制品、乳制品的研发",
    MAT: "稀土永磁材料、合金材料、高分子材料及石墨新材料的研发、生产和销售；冶金技术服务",
    NRG: "光伏、风电、储能电池及氢能等新能源技术研发；新能源发电项目的开发、建设和运营",
}
AGENCIES = [("包头市知成专利事务所", "李明"), ("呼和浩特北疆专利代理有限公司", "王建华"),
            ("鄂尔多斯市智远知识产权代理事务所", "张雪"), ("赤峰市红山专利代理有限公司", "刘晓东"),
            ("", "")]

# What each field's applications are about: (title, main IPC, further IPC)
SUBJECTS = {
    MAT: [
        ("高矫顽力烧结钕铁硼永磁材料", "H01F 1/057", "C22C 38/00"), ("低重稀土晶界扩散钕铁硼磁体", "H01F 1/057", "H01F 41/02"),
        ("钐钴永磁合金", "H01F 1/055", "C22C 19/07"), ("稀土抛光粉", "C01F 17/00", "C22B 59/00"),
        ("铈基稀土储氢合金", "C22C 19/03", "H01M 4/38"), ("稀土镁合金", "C22C 23/06", "C22C 1/02"),
        ("高强耐蚀铝合金型材", "C22C 21/10", "C22C 1/03"), ("碳化硅陶瓷膜", "C04B 35/565", "C04B 38/00"),
        ("氧化锆结构陶瓷", "C04B 35/48", "C04B 35/622"), ("石墨烯导热复合材料", "C01B 32/184", "C08K 3/04"),
        ("球形天然石墨负极材料", "C01B 32/21", "H01M 4/587"), ("高纯稀土氧化物", "C01F 17/206", "C22B 59/00"),
        ("稀土萃取分离", "C22B 59/00", "C22B 3/38"), ("聚氯乙烯热稳定剂", "C08K 5/098", "C08L 27/06"),
        ("煤基针状焦", "C01B 32/05", "C04B 35/52"), ("硅铁合金冶炼", "C22C 33/04", "C22B 4/06"),
        ("稀土掺杂发光玻璃", "C03C 4/12", "C03C 3/062"), ("粉末冶金高速钢", "B22F 3/15", "C22C 33/02"),
        ("可降解聚乳酸改性材料", "C08L 67/04", "C08K 5/00"), ("稀土催化剂载体材料", "C04B 35/50", "C01F 17/00"),
    ],
    NRG: [
        ("锂离子电池高镍正极材料", "H01M 4/525", "H01M 10/0525"), ("磷酸铁锂储能电池模组", "H01M 10/42", "H01M 50/20"),
        ("储能电池热管理系统", "H01M 10/613", "H01M 10/6556"), ("光伏组件清洗机器人", "H02S 40/10", "H02J 7/35"),
        ("双面光伏组件支架", "H02S 20/10", "H02S 30/10"), ("风电机组叶片除冰装置", "F03D 80/40", "F03D 17/00"),
        ("风力发电机组偏航控制方法", "F03D 7/02", "F03D 7/04"), ("风光储微电网能量调度方法", "H02J 3/38", "H02J 3/32"),
        ("光伏电站功率预测方法", "H02J 3/00", "H02J 3/38"), ("燃料电池双极板", "H01M 8/0206", "H01M 8/0228"),
        ("钠离子电池负极材料", "H01M 4/583", "H01M 10/054"), ("钙钛矿太阳能电池", "H01L 31/18", "H01L 31/0256"),
        ("槽式光热集热管", "F24S 10/40", "F24S 20/20"), ("液流电池电解液", "H01M 8/18", "H01M 8/20"),
        ("电池储能变流器控制方法", "H02J 7/00", "H02J 3/32"), ("锂电池极片涂布装置", "H01M 4/04", "H01M 4/139"),
    ],
    BIO: [
        ("蒙药组合物", "A61K 36/00", "A61P 1/04"), ("乳酸菌发酵剂", "C12N 1/20", "C12R 1/225"),
        ("益生菌制剂", "A61K 35/747", "C12N 1/20"), ("羊胚胎体外培养液", "C12N 5/073", "C12N 5/00"),
        ("口蹄疫灭活疫苗", "A61K 39/135", "A61P 31/14"), ("布鲁氏菌病检测试剂盒", "C12Q 1/689", "C12Q 1/6851"),
        ("肉苁蓉提取物", "A61K 36/64", "A61P 39/06"), ("沙棘黄酮提取方法", "A61K 36/185", "A61P 39/06"),
        ("玉米秸秆纤维素酶", "C12N 9/42", "C12P 19/02"), ("重组人源胶原蛋白", "C07K 14/78", "C12N 15/12"),
        ("马铃薯脱毒种苗培育方法", "A01H 4/00", "A01H 6/82"), ("兽用中药注射液", "A61K 36/8968", "A61P 29/00"),
        ("微生物菌剂", "C12N 1/20", "C12R 1/07"), ("生物有机肥发酵装置", "C12M 1/02", "C12M 1/107"),
        ("牛乳铁蛋白分离纯化方法", "C07K 14/79", "C07K 1/18"), ("甘草酸生物转化方法", "C12P 19/56", "A61K 36/484"),
    ],
}
# A design is classified by Locarno, not IPC: what each field's designs are, (product, main
# Locarno, further Locarno), within the field's Locarno classes (migration 0003).
DESIGN_SUBJECTS = {
    MAT: [
        ("石墨烯导热片", "05-06", "05-06"), ("高分子防水卷材", "05-06", "25-01"), ("碳纤维复合板材", "05-06", "25-01"),
        ("稀土陶瓷装饰砖", "25-01", "25-01"), ("铝合金建筑型材", "25-01", "25-01"), ("碳化硅陶瓷墙板", "25-01", "05-06"),
    ],
    NRG: [
        ("电动汽车充电桩", "13-03", "13-03"), ("储能电池柜", "13-02", "13-03"), ("光伏逆变器", "13-02", "13-03"),
        ("风力发电机组机舱罩", "13-01", "13-01"), ("光伏组件接线盒", "13-03", "13-02"), ("太阳能热水器", "23-03", "13-02"),
    ],
    BIO: [
        ("全自动生化分析仪", "24-01", "24-02"), ("微生物培养箱", "24-01", "24-01"), ("核酸检测试剂盒", "24-02", "24-01"),
        ("电动移液器", "24-02", "24-02"), ("蒙药滴丸", "28-01", "28-01"), ("兽用药片", "28-01", "28-01"),
    ],
}
TITLE_FORMS = {
    PatentType.INVENTION: ["一种{s}及其制备方法", "一种{s}的制备方法", "{s}及其应用", "一种{s}的制备工艺", "一种{s}"],
    PatentType.UTILITY_MODEL: ["一种{s}用装置", "一种{s}生产设备", "一种{s}检测装置", "一种便于拆装的{s}装置"],
    PatentType.DESIGN: ["{s}", "{s}（一）", "{s}（二）"],
}
VARIANTS = ["", "", "", "高效", "低成本", "绿色", "连续化", "改进型", "复合", "新型"]
DESIGN_VARIANTS = ["", "", "", "新型"]  # a design names a product, not a process: no "连续化", "低成本"

CORRECTION_OPINIONS = [
    "权利要求1中“高效”“优良”等属于相对术语，保护范围不清楚，请以具体参数限定。",
    "说明书未充分公开实施例2的工艺参数（温度、时间、配比），请补充具体数据。",
    "权利要求3的引用关系有误，请修改为引用权利要求1或2。",
    "从属权利要求5的附加技术特征在说明书中没有记载，缺乏依据，请删除或补充说明书。",
    "经初步检索，对比文件公开了权利要求1的主要技术特征，请陈述新颖性理由或修改权利要求。",
    "说明书附图标记与文字说明不一致，请核对附图1至附图3。",
    "权利要求书包含多项独立权利要求但缺乏单一性，请删除或分案处理。",
]
REPLIES = [
    "已按审查意见修改权利要求书，并提交修改对照页。",
    "已补充实施例工艺参数，详见修改后的说明书。",
    "已修正引用关系和附图标记，请审查。",
    "已陈述新颖性意见并将权利要求1与权利要求2合并。",
]
FORMAL_FAILURES = ["请求书申请人名称与备案主体不一致。", "说明书摘要超过300字，未指定摘要附图。",
                   "权利要求编号不连续。", "附图不清晰，请重新提交。"]
DISQUALIFY_REASONS = [
    "经检索，对比文件已公开本申请的全部技术特征，本申请不具备新颖性，预审不合格。",
    "经两轮补正，权利要求的保护范围仍不清楚，预审不合格。",
    "本申请的主要技术方案不属于本中心预审服务的技术领域，预审不合格。",
    "说明书公开不充分，所属领域技术人员无法实现，预审不合格。",
]
REJECTION_REASONS = [
    "国家知识产权局驳回：权利要求不具备创造性（专利法第二十二条第三款）。",
    "国家知识产权局驳回：说明书公开不充分（专利法第二十六条第三款）。",
]
PRIORITY_DETAILS = {
    PriorityGround.KEY_INDUSTRY: "本申请涉及自治区重点发展的稀土新材料/新能源/生物医药产业，属于《专利优先审查管理办法》第三条第（一）项情形。",
    PriorityGround.FAST_OBSOLESCENCE: "本申请技术更新换代快，产品生命周期短，需尽快获得授权。",
    PriorityGround.IN_USE: "本申请技术方案已在企业生产线实施，产品已小批量投放市场。",
    PriorityGround.FIRST_IN_CHINA: "本申请在中国首次提出，申请人已计划向欧洲、美国提出相应申请。",
}
DECLINE_REASONS = [
    "检索报告显示对比文件D1与本申请技术方案高度相近，不符合推荐条件。",
    "申请材料未能证明属于《专利优先审查管理办法》第三条规定的情形。",
    "本领域本年度推荐名额已用完。",
]


# --- the calendar -------------------------------------------------------------------------------

class Workdays:
    """add_working_days on one calendar read once (core.workdays.WorkCalendar): the same days."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.cal = WorkCalendar(start, end)

    def add(self, day: dt.date, days: int) -> dt.date:
        current, remaining = day, days
        while remaining:
            current += dt.timedelta(days=1)
            if self.cal.is_working_day(current):
                remaining -= 1
        return current

    def is_working(self, day: dt.date) -> bool:
        return self.cal.is_working_day(day)


def _aware(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes))


def _minutes(value: dt.datetime) -> int:
    local = timezone.localtime(value)
    return local.hour * 60 + local.minute


class _Stop(Exception):  # noqa: N818 — not an error: the story has reached today
    pass


# --- the records the bulk insert writes ---------------------------------------------------------

@dataclass
class Record:
    """One case being written: its index row, its service record and what hangs on them."""

    case: Case
    detail: object
    events: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    opinions: list = field(default_factory=list)
    attachments: list = field(default_factory=list)  # (kind, name, content, created_at, user)
    state: str = ""
    fields: list = field(default_factory=list)  # a filing's technical fields

    def event(self, name: str, to_state: str, actor, at: dt.datetime, comment: str = "", payload=None) -> None:
        self.events.append(CaseEvent(actor=actor, transition=name, from_state=self.state, to_state=to_state,
                                     comment=comment, payload=payload or {}, created_at=at))
        self.state = to_state


class History:
    """The year of history, built in memory in time order, then written in bulk."""

    def __init__(self, *, rng: random.Random, now: dt.datetime, staff: dict, fields: dict, config: PreExamConfig,
                 clerk) -> None:
        self.rng, self.now, self.today = rng, now, timezone.localdate(now)
        self.staff, self.fields, self.config, self.clerk = staff, fields, config, clerk
        self.days = Workdays(self.today - dt.timedelta(days=HISTORY_DAYS + 120), self.today + dt.timedelta(days=120))
        self.records: list[Record] = []
        self.pe: list[Record] = []
        self.desk: dict[int, list[list]] = defaultdict(list)  # examiner pk -> [[start, end|None], …]
        self.checklist = list(FormalCheckItem.objects.filter(active=True))
        self.app_serial = defaultdict(lambda: 0)
        self.used_titles: set[str] = set()
        self.documents = _demo_documents()
        self.quota_used = defaultdict(int)
        self.stored: dict[str, str] = {}  # kind -> the stored file of the demo document
        self.stamps: dict = defaultdict(list)  # model -> [(pk, auto_now_add value[, auto_now value])]
        # Application numbers the corpus has: the grant match would take a demo case for their grant.
        from django.db.models import Q

        from zhibao.patents.models import Patent

        years = Q()
        for year in range(self.today.year - 2, self.today.year + 1):
            years |= Q(application_number__startswith=f"CN{year}")
        self.taken = set(Patent.objects.filter(years).values_list("application_number", flat=True))

    # -- time ----------------------------------------------------------------------------------
    def office(self, day: dt.date, *, after: dt.datetime | None = None) -> dt.datetime:
        """A time in office hours on `day` (or the next working day), after `after`."""
        while not self.days.is_working(day):
            day += dt.timedelta(days=1)
        low = 8 * 60 + 40
        if after is not None and timezone.localdate(after) == day:
            low = max(low, _minutes(after) + 10)
        if low > 17 * 60 + 20:
            return self.office(day + dt.timedelta(days=1))
        return _aware(day, self.rng.randint(low, max(low, 17 * 60 + 30)))

    def staff_after(self, t: dt.datetime, working_days: int) -> dt.datetime:
        day = timezone.localdate(t)
        if working_days:
            return self.office(self.days.add(day, working_days))
        return self.office(day, after=t)

    def applicant_after(self, t: dt.datetime, days: int) -> dt.datetime:
        day = timezone.localdate(t) + dt.timedelta(days=days)
        low = 8 * 60
        if day == timezone.localdate(t):
            low = max(low, _minutes(t) + 15)
        if low > 22 * 60:
            day, low = day + dt.timedelta(days=1), 8 * 60
        return _aware(day, self.rng.randint(low, max(low, 22 * 60)))

    def sweep_at(self, deadline: dt.date) -> dt.datetime:
        """When the periodic sweep (every few minutes) finds a deadline passed: just after midnight."""
        return _aware(deadline + dt.timedelta(days=1), self.rng.randint(1, 9))

    def check(self, t: dt.datetime) -> dt.datetime:
        if t > self.now:
            raise _Stop
        return t

    # -- case numbers --------------------------------------------------------------------------
    def numbered(self) -> None:
        """Case numbers in the order of submission per service and year, after those issued."""
        by_key = defaultdict(list)
        for record in self.records:
            by_key[(record.case.service, timezone.localdate(record.case.submitted_at).year)].append(record)
        for (service, year), records in by_key.items():
            sequence, _created = CaseSequence.objects.get_or_create(service=service, year=year)
            records.sort(key=lambda r: r.case.submitted_at)
            for i, record in enumerate(records, start=sequence.last + 1):
                record.case.number = f"{service}-{year}-{i:06d}"
            CaseSequence.objects.filter(pk=sequence.pk).update(last=sequence.last + len(records))

    def new_case(self, *, service: str, title: str, applicant, organization, at: dt.datetime) -> Case:
        return Case(number="", service=service, title=title[:200], applicant=applicant, organization=organization,
                    submitted_at=at, last_event_at=at, status="", created_at=at, updated_at=at)

    def close(self, record: Record) -> None:
        """The index row from the final state, as core.services.cases._sync_case derives it."""
        case, spec = record.case, registry.get(record.case.service)
        # The FSM field is protected (no assignment once set): its own setter writes the state reached.
        type(record.detail)._meta.get_field("state").set_state(record.detail, record.state)
        case.status = record.state
        case.assignee_role = spec.responsible_role.get(record.state, "")
        last = record.events[-1].created_at
        case.last_event_at = case.updated_at = last
        if record.state in spec.closed_states:
            closing = next(e.created_at for e in record.events if e.to_state in spec.closed_states)
            case.closed_at, case.deadline = closing, None
        else:
            case.closed_at = None
            day = timezone.localdate(last)
            if spec.deadline is not None:
                case.deadline = self.pe_deadline(record, day)
            else:
                limit = spec.time_limits.get(record.state)
                case.deadline = self.days.add(day, limit) if limit else None

    def pe_deadline(self, record: Record, day: dt.date) -> dt.date | None:
        """services.deadlines.pre_exam_deadline, on the record in memory."""
        detail, config = record.detail, self.config
        if record.state == S.SUBMITTED:
            return self.days.add(day, config.formal_check_days)
        if record.state in (S.ASSIGNED, S.EXAMINING):
            return detail.exam_deadline
        if record.state in (S.FORMAL_CORRECTION, S.CORRECTION):
            return next(n.reply_deadline for n in reversed(record.notices) if n.status == NoticeStatus.OPEN)
        if record.state == S.QUALIFIED:
            return self.days.add(detail.qualified_on, config.cnipa_filing_days)
        return None

    # -- organizations, their verification and filing ---------------------------------------------
    def organizations(self, owners: list) -> list[tuple[Organization, list, float, dt.datetime]]:
        from zhibao.core.industries import industry_lookup
        from zhibao.core.models import Industry

        check_industry = Industry.objects.exists()
        made = []
        for i, ((name, kind, address, industry, codes, size), owner) in enumerate(
                zip(ORGANIZATIONS, owners, strict=True), start=1):
            if check_industry and industry_lookup(industry) is None:
                industry = ""
            region = address_regions(address)
            found = region["banner"] or region["league"]
            code = found.code if found else "150000"
            org = organization_create(user=owner, kind=kind, name=name, uscc=make_uscc(code, 20_000_000 + i * 7919),
                                      address=address, industry=industry)
            # Two thirds used the channel before the year began; the others joined during it.
            if i % 3:
                verify_at = self.office(self.today - dt.timedelta(days=HISTORY_DAYS + self.rng.randint(20, 60)))
            else:
                verify_at = self.office(self.today - dt.timedelta(days=self.rng.randint(60, HISTORY_DAYS - 20)))
            created = verify_at - dt.timedelta(days=self.rng.randint(1, 5), minutes=self.rng.randint(0, 300))
            fields = [self.fields[c] for c in codes]
            verified, approved = self.verification_and_filing(org, owner, fields, verify_at)
            Organization.objects.filter(pk=org.pk).update(status=OrganizationStatus.VERIFIED, verified_at=verified)
            self.stamps[Organization].append((org.pk, created, verified))
            membership = Membership.objects.get(organization=org, user=owner)
            self.stamps[Membership].append((membership.pk, created))
            made.append((org, fields, float(size), approved))
        return made

    def _scope(self, codes) -> str:
        return "；".join(SCOPES[c] for c in codes)

    def verification_and_filing(self, org, owner, fields, submitted_at) -> tuple[dt.datetime, dt.datetime]:
        from .services.filings import filing_checks

        snapshot = organization_snapshot(org)
        # ORG: submit → accept → verify, by the workstation clerk.
        case = self.new_case(service="ORG", title=_("Organization verification: %(name)s") % {"name": org.name},
                             applicant=owner, organization=org, at=submitted_at)
        record = Record(case=case, detail=OrganizationVerification(organization=org, snapshot=snapshot,
                                                                   state=VerificationState.VERIFIED))
        record.event("submit", VerificationState.SUBMITTED, owner, submitted_at)
        accepted = self.staff_after(submitted_at, self.rng.choice([0, 1]))
        record.event("accept", VerificationState.IN_REVIEW, self.clerk, accepted)
        verified = self.staff_after(accepted, self.rng.choice([0, 1, 2]))
        record.event("verify", VerificationState.VERIFIED, self.clerk, verified, comment="材料齐全,核验通过。")
        case.assignee = self.clerk
        self.close(record)
        self.records.append(record)
        # PEF: submit (with the licence) → accept → approve, valid for the configured months.
        filed_at = self.applicant_after(verified, self.rng.randint(1, 6))
        codes = [f.code for f in fields]
        scope = self._scope(codes)
        org.status, org.verified_at = OrganizationStatus.VERIFIED, verified
        filing = Filing(organization=org, business_scope=scope, contact_name=owner.display_name,
                        contact_phone=f"0{self.rng.choice(['471', '472', '473', '476', '477', '478'])}-"
                                      f"{self.rng.randint(5000000, 8999999)}",
                        checks=filing_checks(organization=org, fields=fields, business_scope=scope),
                        snapshot=organization_snapshot(org), state=FilingState.APPROVED)
        case = self.new_case(service="PEF", title=_("Pre-examination filing: %(name)s") % {"name": org.name},
                             applicant=owner, organization=org, at=filed_at)
        record = Record(case=case, detail=filing, fields=fields)
        record.event("submit", FilingState.SUBMITTED, owner, filed_at)
        record.attachments.append(("licence", "营业执照.pdf", self.documents["licence"], filed_at, owner))
        accepted = self.staff_after(filed_at, self.rng.choice([1, 1, 2]))
        record.event("accept", FilingState.IN_REVIEW, self.clerk, accepted)
        approved = self.staff_after(accepted, self.rng.choice([0, 1, 2, 3]))
        record.event("approve", FilingState.APPROVED, self.clerk, approved)
        filing.valid_until = timezone.localdate(approved) + relativedelta(months=self.config.filing_validity_months)
        filing.decided_at = approved
        case.assignee = self.clerk
        self.close(record)
        self.records.append(record)
        return verified, approved

    # -- pre-examination cases -----------------------------------------------------------------
    def title(self, code: str, patent_type: str) -> tuple[str, list[str]]:
        """A title and its codes: IPC codes, or a design's Locarno codes (DESIGN_SUBJECTS)."""
        design = patent_type == PatentType.DESIGN
        for _attempt in range(50):
            subject, main, extra = self.rng.choice(DESIGN_SUBJECTS[code] if design else SUBJECTS[code])
            variant = self.rng.choice(DESIGN_VARIANTS if design else VARIANTS)
            title = self.rng.choice(TITLE_FORMS[patent_type]).format(s=variant + subject)
            if title not in self.used_titles:
                break
        else:
            title = f"{title}（{len(self.used_titles)}）"
        self.used_titles.add(title)
        codes = [main] if self.rng.random() < 0.3 or main == extra else [main, extra]
        return title, codes if design else [IPC[c] for c in codes]

    def examiners_of(self, code: str) -> list:
        return self.staff["by_field"][code]

    def pick(self, code: str, at: dt.datetime):
        """examiner_pick: the least work on the desk (assigned, examining, correction), then the one
        assigned longest ago, then the first made."""
        horizon = at - dt.timedelta(days=60)  # no case stays on a desk that long: older ones are done

        def load(user):
            intervals = self.desk[user.pk] = [i for i in self.desk[user.pk] if i[1] is None or i[1] > horizon]
            busy = sum(1 for start, end in intervals if start <= at and (end is None or end > at))
            last = max((start for start, _end in intervals if start <= at), default=None)
            return busy, last.timestamp() if last else 0.0, user.pk

        return min(self.examiners_of(code), key=load)

    def new_application_number(self, patent_type: str, filed_on: dt.date) -> str:
        kind = {PatentType.INVENTION: "1", PatentType.UTILITY_MODEL: "2", PatentType.DESIGN: "3"}[patent_type]
        # The serials of CNIPA's year: the channel's filings come from the early millions.
        while True:
            self.app_serial[(filed_on.year, kind)] += self.rng.randint(1, 400)
            digits = f"{filed_on.year}{kind}{1_500_000 + self.app_serial[(filed_on.year, kind)]:07d}"
            number = f"CN{digits}.{application_check_char(digits)}"
            if number not in self.taken:
                self.taken.add(number)
                return number

    def pre_exam_case(self, *, org, owner, code: str, submitted_at: dt.datetime, filing: Filing,
                      slow_formal: bool = False, slow_exam: bool = False) -> Record:
        rng = self.rng
        patent_type = rng.choices([PatentType.INVENTION, PatentType.UTILITY_MODEL, PatentType.DESIGN],
                                  weights=[66, 29, 5])[0]
        title, codes = self.title(code, patent_type)
        design = patent_type == PatentType.DESIGN
        agency, agent = rng.choice(AGENCIES)
        detail = PreExamCase(
            filing=filing, field=self.fields[code], patent_type=patent_type, title=title[:200],
            abstract=f"{SUBJECT_NOUN[patent_type]}公开了{title if title.startswith('一种') else '一种' + title}。"
                     f"{rng.choice(ABSTRACT_TAILS[code])}",
            ipc_codes=[] if design else codes, locarno_codes=codes if design else [], agency=agency, agent=agent,
            suggestion={},
        )
        case = self.new_case(service="PE", title=title, applicant=owner, organization=org, at=submitted_at)
        record = Record(case=case, detail=detail)
        record.event("submit", S.SUBMITTED, owner, submitted_at)
        for kind in REQUIRED_DOCUMENTS[patent_type]:
            record.attachments.append((kind.value, f"{DocumentKind(kind).label}.pdf", self.documents[kind.value],
                                       submitted_at, owner))
        with contextlib.suppress(_Stop):  # the story reached today: the case stays where it is
            self._pre_exam_story(record, owner=owner, code=code, slow_formal=slow_formal, slow_exam=slow_exam)
        self.close(record)
        self.records.append(record)
        self.pe.append(record)
        return record

    def _notice(self, record, *, stage, actor, at, text, items=()) -> CorrectionNotice:
        notice = CorrectionNotice(stage=stage, text=text, items=list(items), issued_by=actor, issued_at=at,
                                  reply_deadline=self.days.add(timezone.localdate(at), self.config.reply_days))
        record.notices.append(notice)
        return notice

    def _opinion(self, record, *, actor, at, text, kind) -> None:
        record.opinions.append(Opinion(examiner=actor, version=len(record.opinions) + 1, text=text, kind=kind,
                                       created_at=at))

    def _unanswered(self, record, notice, owner) -> bool:
        """The applicant's answer to a notice: replied (True), or the case ended (False)."""
        rng, at = self.rng, record.events[-1].created_at
        outcome = rng.random()
        if outcome < 0.03:  # never answered: the sweep withdraws it the night after the deadline
            when = self.check(self.sweep_at(notice.reply_deadline))
            notice.status = NoticeStatus.EXPIRED
            record.event("withdraw_unanswered", S.WITHDRAWN, None, when, comment=_(
                "The correction notice was not answered by its deadline: the case is deemed withdrawn."))
            return False
        if outcome < 0.05:
            when = self.check(self.applicant_after(at, rng.randint(1, 6)))
            notice.status = NoticeStatus.CANCELLED
            record.event("withdraw", S.WITHDRAWN, owner, when, comment="申请人决定暂缓申请，主动撤回。")
            return False
        when = self.applicant_after(at, rng.choice([1, 2, 3, 3, 4, 5, 6, 8]))
        if timezone.localdate(when) > notice.reply_deadline:
            when = _aware(notice.reply_deadline, 20 * 60 + rng.randint(0, 90))
        self.check(when)
        text = rng.choice(REPLIES) if notice.stage == NoticeStage.EXAMINATION else "已按补正通知修改申请文件。"
        notice.status, notice.replied_at, notice.reply_text = NoticeStatus.REPLIED, when, text
        back = S.SUBMITTED if record.state == S.FORMAL_CORRECTION else S.EXAMINING
        record.event("reply", back, owner, when, comment=text)
        return True

    def _pre_exam_story(self, record: Record, *, owner, code: str, slow_formal: bool, slow_exam: bool) -> None:
        rng, detail, case, config = self.rng, record.detail, record.case, self.config
        t = case.submitted_at
        staff = self.examiners_of(code)
        items = [i for i in self.checklist if i.applies_to(detail.patent_type)]
        # Formal check (2 working days), perhaps a formal correction first.
        failed_once = False
        while True:
            t = self.check(self.staff_after(t, rng.choice([0, 1, 1, 1, 2]) + (5 if slow_formal else 0)))
            checker = rng.choice(staff)
            if not failed_once and rng.random() < 0.11:
                failed_once = True
                failed = rng.sample([i.code for i in items], k=rng.choice([1, 1, 2]))
                results = {i.code: i.code not in failed for i in items}
                detail.formal_check = {"passed": False, "by": checker.pk, "at": t.isoformat(), "items": results}
                comment = rng.choice(FORMAL_FAILURES)
                record.event("fail_formal_check", S.FORMAL_CORRECTION, checker, t, comment=comment,
                             payload={"failed": failed})
                notice = self._notice(record, stage=NoticeStage.FORMAL, actor=checker, at=t, text=comment,
                                      items=[i.label for i in items if not results[i.code]])
                if not self._unanswered(record, notice, owner):
                    return
                t = record.events[-1].created_at
                continue
            detail.formal_check = {"passed": True, "by": checker.pk, "at": t.isoformat(),
                                   "items": {i.code: True for i in items}}
            examiner = self.pick(code, t)
            case.assignee, detail.assigned_at = examiner, t
            detail.exam_deadline = self.days.add(timezone.localdate(t), config.examination_days(detail.patent_type))
            record.event("pass_formal_check", S.ASSIGNED, checker, t)
            self.desk[examiner.pk].append([t, None])
            break
        t = self._examination(record, owner=owner, examiner=examiner, slow_exam=slow_exam, t=t)
        if t is not None:
            self._after_qualification(record, owner=owner, code=code, t=t)

    def _examination(self, record: Record, *, owner, examiner, slow_exam: bool, t: dt.datetime) -> dt.datetime | None:
        """Pre-examination by the assigned examiner, with correction rounds; the time of the
        qualification, or None when the case ended otherwise (its desk time ends then too)."""
        rng, detail, config = self.rng, record.detail, self.config
        desk = self.desk[examiner.pk][-1]
        t = self.check(self.staff_after(t, rng.choice([0, 0, 1])))
        record.event("start_examination", S.EXAMINING, examiner, t)
        rounds = 0
        while True:
            delay = rng.choice([1, 2, 2, 3, 3, 4, 5]) + (12 if slow_exam else 0)
            if rng.random() < 0.04:
                delay += rng.randint(3, 6)  # a busy week: the decision comes late
            decided = self.check(self.staff_after(t, delay))
            if rounds < 2 and rng.random() < (0.30 if rounds == 0 else 0.22):
                text = rng.choice(CORRECTION_OPINIONS)
                self._opinion(record, actor=examiner, at=decided, text=text, kind=NoticeKind.OPINION)
                record.event("request_correction", S.CORRECTION, examiner, decided, comment=text)
                notice = self._notice(record, stage=NoticeStage.EXAMINATION, actor=examiner, at=decided, text=text)
                if not self._unanswered(record, notice, owner):
                    desk[1] = record.events[-1].created_at
                    return None
                t = record.events[-1].created_at
                # Back with the examiner, who gets the stage's full time again.
                detail.exam_deadline = self.days.add(timezone.localdate(t),
                                                     config.examination_days(detail.patent_type))
                rounds += 1
                continue
            if rng.random() < 0.008:
                when = self.check(self.applicant_after(t, rng.randint(0, 3)))
                record.event("withdraw", S.WITHDRAWN, owner, when, comment="申请人主动撤回。")
                desk[1] = when
                return None
            if rng.random() < 0.08 + 0.08 * rounds:
                reason = rng.choice(DISQUALIFY_REASONS)
                detail.decision_reason = reason
                self._opinion(record, actor=examiner, at=decided, text=reason, kind=NoticeKind.NOT_QUALIFIED)
                record.event("disqualify", S.NOT_QUALIFIED, examiner, decided, comment=reason)
                desk[1] = decided
                return None
            detail.qualified_on = timezone.localdate(decided)
            self._opinion(record, actor=examiner, at=decided, kind=NoticeKind.QUALIFICATION,
                          text=_("The application meets the requirements of pre-examination."))
            record.event("qualify", S.QUALIFIED, examiner, decided)
            desk[1] = decided
            return decided

    def _after_qualification(self, record: Record, *, owner, code: str, t: dt.datetime) -> None:
        rng, detail = self.rng, record.detail
        deadline = self.days.add(detail.qualified_on, self.config.cnipa_filing_days)
        x = rng.random()
        if x < 0.015:
            when = self.check(self.sweep_at(deadline))
            record.event("lapse", S.LAPSED, None, when,
                         comment=_("Not filed at CNIPA within the time allowed after qualification."))
            return
        if x < 0.02:
            when = self.check(self.applicant_after(t, rng.randint(1, 5)))
            record.event("withdraw", S.WITHDRAWN, owner, when, comment="申请人决定调整申请策略，主动撤回。")
            return
        when = self.applicant_after(t, rng.choice([0, 1, 1, 2, 3, 4, 6]))
        if timezone.localdate(when) > deadline:
            when = _aware(deadline, 16 * 60 + rng.randint(0, 120))
        self.check(when)
        filed_on = max(detail.qualified_on, timezone.localdate(when) - dt.timedelta(days=rng.choice([0, 0, 0, 1, 2])))
        number = self.new_application_number(detail.patent_type, filed_on)
        detail.cnipa_application_number, detail.cnipa_filed_on = number, filed_on
        actor = owner if rng.random() < 0.85 else record.case.assignee
        record.event("record_filing", S.FILED, actor, when,
                     payload={"cnipa_application_number": number, "cnipa_filed_on": filed_on.isoformat()})
        # CNIPA's decision, recorded by the field's staff a few days after it.
        staff = record.case.assignee if rng.random() < 0.7 else self.fields[code].lead
        if rng.random() < 0.072:
            decided_on = filed_on + dt.timedelta(days=int(_clip(rng.gauss(85, 25), 40, 200)))
            when = self.check(self.staff_after(self.office(decided_on), rng.choice([1, 2, 3])))
            reason = rng.choice(REJECTION_REASONS)
            detail.decided_on, detail.decision_reason = decided_on, reason
            record.event("record_rejection", S.REJECTED, staff, when, comment=reason,
                         payload={"decided_on": decided_on.isoformat()})
            return
        mean, sd, low, high = CYCLES[detail.patent_type]
        granted_on = filed_on + dt.timedelta(days=int(round(_clip(rng.gauss(mean, sd), low, high))))
        when = self.check(self.staff_after(self.office(granted_on), rng.choice([0, 1, 1, 2, 3])))
        prefix = {PatentType.INVENTION: ("1", "B"), PatentType.UTILITY_MODEL: ("2", "U"),
                  PatentType.DESIGN: ("3", "S")}[detail.patent_type]
        publication = f"CN{prefix[0]}{rng.randint(18_000_000, 19_999_999)}{prefix[1]}"
        detail.granted_on = detail.decided_on = granted_on
        detail.grant_publication_number = publication
        record.event("record_grant", S.GRANTED, staff, when,
                     payload={"granted_on": granted_on.isoformat(), "grant_publication_number": publication})

    # -- prioritized examination -----------------------------------------------------------------
    def priority_request(self, *, org, owner, code: str, number: str, title: str, linked, submitted_at) -> Record:
        rng = self.rng
        ground = rng.choices(list(PriorityGround), weights=[50, 15, 25, 10])[0]
        detail = PriorityRequest(organization=org, field=self.fields[code], pre_exam_case=linked,
                                 application_number=number, title=title[:200], ground=ground,
                                 ground_detail=PRIORITY_DETAILS[ground])
        case = self.new_case(service="PER", title=title or number, applicant=owner, organization=org,
                             at=submitted_at)
        record = Record(case=case, detail=detail)
        record.event("submit", P.SUBMITTED, owner, submitted_at)
        record.attachments.append(("pe_search_report", "检索报告.pdf", self.documents["pe_search_report"],
                                   submitted_at, owner))
        try:
            t = submitted_at
            if rng.random() < 0.03:
                when = self.check(self.applicant_after(t, rng.randint(1, 4)))
                record.event("withdraw", P.WITHDRAWN, owner, when)
                raise _Stop
            examiner = rng.choice(self.examiners_of(code))
            t = self.check(self.staff_after(t, rng.choice([1, 1, 2, 3])))
            case.assignee = examiner
            record.event("accept", P.IN_REVIEW, examiner, t)
            t = self.check(self.staff_after(t, rng.choice([2, 3, 4, 5, 6])))
            year = timezone.localdate(t).year
            field_obj = self.fields[code]
            if rng.random() < 0.80 and self.quota_used[(code, year)] < field_obj.priority_quota:
                self.quota_used[(code, year)] += 1
                detail.year = year
                record.event("recommend", P.RECOMMENDED, examiner, t)
                decided_on = timezone.localdate(t) + dt.timedelta(days=rng.randint(8, 30))
                when = self.check(self.staff_after(self.office(decided_on), rng.choice([0, 1, 2])))
                detail.cnipa_decided_on = decided_on
                if rng.random() < 0.92:
                    record.event("record_accepted", P.ACCEPTED, examiner, when,
                                 payload={"cnipa_decided_on": decided_on.isoformat()})
                else:
                    reason = "国家知识产权局认为不符合优先审查条件。"
                    record.event("record_refused", P.REFUSED, examiner, when, comment=reason,
                                 payload={"cnipa_decided_on": decided_on.isoformat()})
            else:
                reason = DECLINE_REASONS[2] if self.quota_used[(code, year)] >= field_obj.priority_quota \
                    else rng.choice(DECLINE_REASONS[:2])
                detail.decision_reason = reason
                record.event("decline", P.NOT_RECOMMENDED, examiner, t, comment=reason)
        except _Stop:
            pass
        self.close(record)
        self.records.append(record)
        return record

    # -- the write ---------------------------------------------------------------------------------
    def write(self) -> None:
        self.numbered()
        cases = [r.case for r in self.records]
        Case.objects.bulk_create(cases, batch_size=500)
        # auto_now_add / auto_now wrote "now": the history's times instead.
        _restamp(Case, ("created_at", "updated_at"), [(c.pk, c.submitted_at, c.last_event_at) for c in cases])
        by_model = defaultdict(list)
        for r in self.records:
            r.detail.case = r.case
            by_model[type(r.detail)].append(r)
        for model in (OrganizationVerification, Filing, PreExamCase):
            records = by_model.get(model, [])
            model.objects.bulk_create([r.detail for r in records], batch_size=500)
        for r in by_model.get(Filing, []):
            r.detail.fields.set(r.fields)
        for r in by_model.get(PriorityRequest, []):
            if r.detail.pre_exam_case is not None:
                r.detail.pre_exam_case_id = r.detail.pre_exam_case.pk
        PriorityRequest.objects.bulk_create([r.detail for r in by_model.get(PriorityRequest, [])], batch_size=500)
        notices, opinions, events, attachments = [], [], [], []
        for r in self.records:
            for n in r.notices:
                n.pre_exam_case = r.detail
                notices.append(n)
            for o in r.opinions:
                o.pre_exam_case = r.detail
                o.__dict__["_when"] = o.created_at
                opinions.append(o)
            for e in r.events:
                e.case = r.case
                events.append(e)
            for kind, name, content, at, user in r.attachments:
                attachments.append(self.attachment(r.case, kind, name, content, at, user))
        CorrectionNotice.objects.bulk_create(notices, batch_size=500)
        Opinion.objects.bulk_create(opinions, batch_size=500)
        _restamp(Opinion, ("created_at",), [(o.pk, o.__dict__.pop("_when")) for o in opinions])
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        Attachment.objects.bulk_create(attachments, batch_size=500)
        _restamp(Attachment, ("created_at",), [(a.pk, a.__dict__.pop("_when")) for a in attachments])
        _restamp(Organization, ("created_at", "updated_at"), self.stamps[Organization])
        _restamp(Membership, ("created_at",), self.stamps[Membership])

    def attachment(self, case, kind, name, content: bytes, at, user) -> Attachment:
        # The demo's documents are the same few pages for every case: one stored file per kind,
        # which every row names (a row's file is never deleted with it; the contents are identical).
        stored = self.stored.get(kind)
        if stored is None:
            stored = self.stored[kind] = default_storage.save(
                f"attachments/{timezone.localtime(self.now):%Y/%m}/{uuid.uuid4().hex}", ContentFile(content))
        attachment = Attachment(case=case, kind=kind, original_name=name, file=stored, content_type="application/pdf",
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user)
        attachment.__dict__["_when"] = at
        return attachment


ABSTRACT_TAILS = {
    MAT: ["通过优化成分配比与热处理工艺，显著提高了材料的综合性能，工艺简单，适合规模化生产。",
          "该方法以本地稀土资源为原料，降低了重稀土用量和生产成本。",
          "所得产品致密度高、耐腐蚀性能好，可用于新能源汽车和风电领域。"],
    NRG: ["该方案提高了系统的能量转换效率和运行可靠性，降低了运维成本。",
          "适用于高寒、大风沙地区的新能源场站，延长了设备使用寿命。",
          "通过智能控制策略实现了源网荷储的协同优化。"],
    BIO: ["该方法以内蒙古特色生物资源为原料，工艺条件温和，产品活性高。",
          "所得制剂稳定性好，安全无毒副作用，可用于人畜疾病的防治。",
          "该菌株发酵性能优良，可提高产品品质并延长保质期。"],
}
# Days from the filing at CNIPA to the grant through the channel: mean, sd, shortest, longest.
CYCLES = {
    PatentType.INVENTION: (63, 14, 32, 125),
    PatentType.UTILITY_MODEL: (33, 8, 16, 70),
    PatentType.DESIGN: (21, 6, 9, 45),
}
SUBJECT_NOUN = {PatentType.INVENTION: "本发明", PatentType.UTILITY_MODEL: "本实用新型",
                PatentType.DESIGN: "本外观设计产品"}
IPC: dict[str, str] = {}  # the declared spelling → the canonical code intake stores


def _restamp(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Set auto_now_add / auto_now columns to the history's times: bulk_create (like save) writes
    "now" into them, and bulk_update's CASE … WHEN over a thousand rows is slow on SQLite."""
    from django.db import connection

    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608  # nosec B608 — names from the model's meta
    params = [[f.get_db_prep_value(value, connection) for f, value in zip(fields, values, strict=True)]
              + [model._meta.pk.get_db_prep_value(pk, connection)] for pk, *values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


_DOCUMENTS: dict[str, bytes] = {}


def _demo_documents() -> dict[str, bytes]:
    """One small PDF per kind of document, with its Chinese title when the letters' font is
    installed: drawn as the pages of one document (the font is read once, which takes a second)
    and split into one file per page."""
    if _DOCUMENTS:
        return _DOCUMENTS
    import io

    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    from .services.letters import font_path

    titles = {DocumentKind.REQUEST_FORM.value: "请求书", DocumentKind.DESCRIPTION.value: "说明书",
              DocumentKind.CLAIMS.value: "权利要求书", DocumentKind.ABSTRACT.value: "说明书摘要",
              DocumentKind.DRAWINGS.value: "说明书附图", "licence": "营业执照（副本）", "pe_search_report": "专利检索报告"}
    pdf = FPDF(format="A4")
    found = font_path()
    if found is not None:
        path, index = found
        options = {"collection_font_number": index} if path.suffix.lower() == ".ttc" else {}
        pdf.add_font("cjk", fname=str(path), **options)
    for title in titles.values():
        pdf.add_page()
        if found is not None:
            pdf.set_font("cjk", size=16)
            pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=11)
            pdf.multi_cell(0, 8, "演示数据：本文件由演示平台生成，仅供体验。")
        else:
            pdf.set_font("helvetica", size=14)
            pdf.cell(0, 12, "Demo document", align="C")
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    for page, kind in zip(reader.pages, titles, strict=True):
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        _DOCUMENTS[kind] = buffer.getvalue()
    return _DOCUMENTS


# --- staff ----------------------------------------------------------------------------------------

def _staff(fields: dict) -> dict | None:
    """The examiners of each field and the field leads (TechnicalField.examiners / lead)."""
    User = get_user_model()
    users = {}
    for username, name, _examined, _led in EXAMINERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            if name is None:
                return None  # the accounts demo did not run: nothing to build on
            user = User(username=username, display_name=name, email=f"{username}@example.org")
            user.set_unusable_password()
            user.save()
            user_set_roles(user=user, roles=[Role.EXAMINER])
        users[username] = user
    by_field = defaultdict(list)
    for username, _name, examined, led in EXAMINERS:
        for code in examined:
            fields[code].examiners.add(users[username])
            by_field[code].append(users[username])
        for code in led:
            if fields[code].lead_id is None:
                fields[code].lead = users[username]
                fields[code].save(update_fields=["lead"])
    return {"users": users, "by_field": dict(by_field)}


# --- alice, through the real services ---------------------------------------------------------------

ALICE_CASES = [
    # title, abstract, IPC, field, type, the steps after submission
    ("一种低重稀土高矫顽力烧结钕铁硼磁体的制备方法", "本发明公开了一种低重稀土高矫顽力烧结钕铁硼磁体的制备方法，通过晶界扩散铽降低重稀土用量。",
     ["H01F 1/057", "H01F 41/02"], MAT, PatentType.INVENTION, []),
    ("一种稀土抛光粉的回收再利用方法", "本发明公开了一种稀土抛光粉的回收再利用方法，通过酸浸与焙烧回收铈组分。",
     ["C01F 17/00", "C22B 59/00"], MAT, PatentType.INVENTION, ["fail_formal_check"]),
    ("一种钐钴永磁体晶界扩散用装夹装置", "本实用新型公开了一种钐钴永磁体晶界扩散用装夹装置，装夹稳固、受热均匀。",
     ["H01F 41/02"], MAT, PatentType.UTILITY_MODEL, ["pass_formal_check", "start_examination", "request_correction"]),
    ("一种储能电池用稀土储氢合金及其制备方法", "本发明公开了一种储能电池用稀土储氢合金及其制备方法，提高了镍氢电池的循环寿命。",
     ["H01M 4/38", "C22C 19/03"], NRG, PatentType.INVENTION, ["pass_formal_check", "start_examination", "qualify"]),
    ("一种风电机组用耐腐蚀稀土永磁转子", "本发明公开了一种风电机组用耐腐蚀稀土永磁转子，表面复合镀层提高了耐盐雾性能。",
     ["H01F 1/057", "C22C 38/00"], MAT, PatentType.INVENTION,
     ["pass_formal_check", "start_examination", "qualify", "record_filing"]),
]
ALICE_COMMENTS = {
    "fail_formal_check": "说明书摘要超过300字，请精简后重新提交。",
    "request_correction": "权利要求1中“装夹稳固”属于功能性描述，请以具体结构特征限定。",
}


def _pdf_upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _free_application_number() -> str:
    """An invention application number of this year that no case and no patent of the corpus has."""
    from zhibao.patents.models import Patent

    serial = 1_900_000
    while True:
        serial += 1
        digits = f"{timezone.localdate().year}1{serial:07d}"
        number = f"CN{digits}.{application_check_char(digits)}"
        if not (Patent.objects.filter(application_number=number).exists()
                or PreExamCase.objects.filter(cnipa_application_number=number).exists()):
            return number


def load_alice(*, staff: dict, fields: dict, documents: dict) -> int:
    """alice's filing and cases, through the real services; nothing when she already filed."""
    from zhibao.core.services.cases import case_transition

    from .services import intake
    from .services.filings import filing_submit
    from .services.priority import priority_submit

    User = get_user_model()
    alice, clerk = User.objects.filter(username="alice").first(), User.objects.filter(username="clerk").first()
    org = Organization.objects.filter(name="包头稀土新材料科技有限公司", status=OrganizationStatus.VERIFIED).first()
    if alice is None or clerk is None or org is None or Filing.objects.filter(organization=org).exists():
        return 0
    examiner = staff["users"]["examiner"]
    filing, _created = filing_submit(
        user=alice, organization=org, fields=[fields[MAT], fields[NRG]], contact_name="王晓丽",
        business_scope="稀土永磁材料、稀土储氢合金及储能电池的研发、生产和销售", contact_phone="0472-5123456",
        licence=_pdf_upload("营业执照.pdf", documents["licence"]))
    case_transition(detail=filing, name="accept", actor=clerk)
    case_transition(detail=filing, name="approve", actor=clerk)
    made = []
    for title, abstract, ipc, code, patent_type, steps in ALICE_CASES:
        docs = {k.value: [_pdf_upload(f"{DocumentKind(k).label}.pdf", documents[k.value])]
                for k in intake.REQUIRED_DOCUMENTS[patent_type]}
        detail, _created = intake.pre_exam_submit(
            user=alice, organization=org, patent_type=patent_type, title=title, abstract=abstract, ipc_codes=ipc,
            field=fields[code], documents=docs, agency="包头市知成专利事务所", agent="李明")
        for step in steps:
            # The examiner persona checks; the case then goes to whoever it is assigned to (the
            # persona leads new materials and keeps those; new energy's go by automatic assignment).
            payload, actor = {}, detail.case.assignee or examiner
            if step == "fail_formal_check":
                payload = {"failed": ["abstract_length"]}
            elif step == "pass_formal_check":
                actor = examiner
                if fields[code].lead_id == examiner.pk:
                    payload = {"examiner": examiner.pk}
            elif step == "record_filing":
                payload, actor = {"cnipa_application_number": _free_application_number()}, alice
            detail = case_transition(detail=detail, name=step, actor=actor, comment=ALICE_COMMENTS.get(step, ""),
                                     payload=payload)
        made.append(detail)
    filed = made[-1]
    priority_submit(user=alice, organization=org, application_number=filed.cnipa_application_number,
                    title=filed.title, field=fields[MAT], ground=PriorityGround.KEY_INDUSTRY,
                    ground_detail=PRIORITY_DETAILS[PriorityGround.KEY_INDUSTRY],
                    search_report=_pdf_upload("检索报告.pdf", documents["pe_search_report"]))
    return len(made) + 1


# --- the entry point --------------------------------------------------------------------------------

def load(stdout=None) -> dict:
    """Called by `zhibao demo`; idempotent: each part is skipped when its data is there."""
    with translation.override(settings.LANGUAGE_CODE):
        return _load(stdout)


def _load(stdout=None) -> dict:
    from .defaults import defaults_ensure

    defaults_ensure()  # the fields and checklist, should a flush have emptied the tables
    User = get_user_model()
    clerk = User.objects.filter(username="clerk").first()
    fields = {f.code: f for f in TechnicalField.objects.all()}
    if clerk is None or not {BIO, MAT, NRG} <= set(fields):
        return {}
    started = timezone.now()
    report = {}
    with transaction.atomic():
        staff = _staff(fields)
        if staff is None:
            return {}
        history_done = User.objects.filter(username=f"{OWNER_PREFIX}01").exists()
        if not history_done:
            report = _load_history(staff=staff, fields=fields, clerk=clerk)
    try:
        with transaction.atomic():
            report["alice"] = load_alice(staff=staff, fields=fields, documents=_demo_documents())
    except WorkflowError as exc:  # e.g. no Chinese font for the letters on this machine
        report["alice"] = 0
        if stdout is not None:
            stdout.write(f"pre_exam: alice's live cases skipped: {exc.message}")
    if stdout is not None:
        seconds = (timezone.now() - started).total_seconds()
        if report.get("cases"):
            stdout.write(f"pre_exam: {report['organizations']} organizations filed, {report['cases']} pre-examination "
                         f"cases and {report['priority']} prioritized-examination requests of the past year, "
                         f"{report['alice']} live cases for alice ({seconds:.1f} s)")
        elif report.get("alice"):
            stdout.write(f"pre_exam: {report['alice']} live cases for alice ({seconds:.1f} s)")
    return report


def _load_history(*, staff: dict, fields: dict, clerk) -> dict:
    rng = random.Random(SEED)
    config = PreExamConfig.current()
    for code, quota in QUOTAS.items():
        if fields[code].priority_quota == TechnicalField._meta.get_field("priority_quota").default:
            fields[code].priority_quota = quota
            fields[code].save(update_fields=["priority_quota"])
    for subjects in SUBJECTS.values():
        for _title, main, extra in subjects:
            for code in (main, extra):
                IPC.setdefault(code, parse_ipc(code).code)
    now = timezone.now()
    history = History(rng=rng, now=now, staff=staff, fields=fields, config=config, clerk=clerk)
    User = get_user_model()
    owners = []
    for i, _org in enumerate(ORGANIZATIONS, start=1):
        owner = User(username=f"{OWNER_PREFIX}{i:02d}", display_name=CONTACTS[(i - 1) % len(CONTACTS)],
                     email=f"{OWNER_PREFIX}{i:02d}@example.org")
        owner.set_unusable_password()
        owners.append(owner)
    User.objects.bulk_create(owners)
    owners = list(User.objects.filter(username__startswith=OWNER_PREFIX).order_by("username"))
    organizations = history.organizations(owners)
    filings = {r.detail.organization_id: r.detail for r in history.records if isinstance(r.detail, Filing)}

    # When the applications come: weekdays mostly, fewer over the Spring Festival and National Day,
    # more towards the year's end (the center's reports show the same curve).
    month_factor = {1: 0.9, 2: 0.55, 3: 1.0, 4: 1.05, 5: 1.0, 6: 1.1, 7: 0.95, 8: 1.0, 9: 1.15, 10: 0.8, 11: 1.25,
                    12: 1.2}
    start = history.today - dt.timedelta(days=HISTORY_DAYS)
    owners_of = {org.pk: owner for (org, *_rest), owner in zip(organizations, owners, strict=True)}
    day = start
    while day <= history.today:
        expected = 3.1 * month_factor[day.month] * (1.0 if history.days.is_working(day) else 0.2)
        count = sum(1 for _n in range(8) if rng.random() < expected / 8)
        for _n in range(count):
            eligible = [(org, fs, size) for org, fs, size, approved in organizations
                        if timezone.localdate(approved) < day]
            if not eligible:
                continue
            org, org_fields, _size = rng.choices(eligible, weights=[e[2] for e in eligible])[0]
            code = rng.choice(org_fields).code
            at = _aware(day, rng.randint(8 * 60, 21 * 60 + 30))
            if at > now:
                continue
            age = (history.today - day).days
            history.pre_exam_case(org=org, owner=owners_of[org.pk], code=code, submitted_at=at,
                                  filing=filings[org.pk], slow_formal=4 <= age <= 8 and rng.random() < 0.2,
                                  slow_exam=12 <= age <= 26 and rng.random() < 0.08)
        day += dt.timedelta(days=1)

    # Prioritized examination: most for inventions filed through the channel, some for others.
    filed = [r for r in history.pe if r.detail.cnipa_filed_on and r.detail.patent_type == PatentType.INVENTION]
    rng.shuffle(filed)
    requests = []
    for r in filed[:75]:
        recorded = next(e.created_at for e in r.events if e.transition == "record_filing")
        at = history.applicant_after(recorded, rng.randint(2, 20))
        if at < now:
            requests.append((at, r.case.organization, r.case.applicant, r.detail.field.code,
                             r.detail.cnipa_application_number, r.detail.title, r.detail))
    for _n in range(30):
        org, org_fields, _size, approved = rng.choice(organizations)
        code = rng.choice(org_fields).code
        at = _aware(history.today - dt.timedelta(days=rng.randint(1, HISTORY_DAYS - 10)), rng.randint(8 * 60, 21 * 60))
        if at <= approved:
            continue
        title, _ipc = history.title(code, PatentType.INVENTION)
        number = history.new_application_number(PatentType.INVENTION, timezone.localdate(at) - dt.timedelta(days=30))
        requests.append((at, org, owners_of[org.pk], code, number, title, None))
    requests.sort(key=lambda item: item[0])
    for at, org, owner, code, number, title, linked in requests:
        history.priority_request(org=org, owner=owner, code=code, number=number, title=title, linked=linked,
                                 submitted_at=at)
    history.write()
    return {"organizations": len(organizations), "cases": len(history.pe),
            "priority": sum(1 for r in history.records if r.case.service == "PER")}
