"""The fixed tables the demo world is built from.

Organisation, street and unit names come from the public reports the project was built from
(see the domain notes); residential areas, micro-grids, building groups and every person are
invented. Coordinates are approximate centres, good enough to place a marker on a map.
"""

from __future__ import annotations

#: (name, short name, code suffix, latitude, longitude, number of micro-grids)
CommunityRow = tuple[str, str, str, str, str, int]

# --- Territorial tree -------------------------------------------------------------------------

#: (name, 12-digit statistical code, latitude, longitude)
HUANGPU = ("黄浦区", "310101000000", "31.231700", "121.484600")

#: The ten streets of Huangpu district, with statistical codes in the 310101xxx000 form.
HUANGPU_STREETS: list[tuple[str, str, str, str, str]] = [
    # (name, code, lat, lng, short code used in organisation codes)
    ("南京东路街道", "310101002000", "31.238500", "121.481000", "NJDL"),
    ("外滩街道", "310101013000", "31.233000", "121.490000", "WT"),
    ("半淞园路街道", "310101015000", "31.204000", "121.492000", "BSYL"),
    ("小东门街道", "310101017000", "31.222000", "121.498000", "XDM"),
    ("豫园街道", "310101018000", "31.227000", "121.492000", "YY"),
    ("老西门街道", "310101019000", "31.217000", "121.481000", "LXM"),
    ("五里桥街道", "310101020000", "31.201000", "121.474000", "WLQ"),
    ("打浦桥街道", "310101021000", "31.206000", "121.467000", "DPQ"),
    ("淮海中路街道", "310101022000", "31.220000", "121.470000", "HHZL"),
    ("瑞金二路街道", "310101023000", "31.211000", "121.461000", "RJEL"),
]
DAPUQIAO = "打浦桥街道"

#: Dapuqiao's residential areas: (name, short name, code suffix, lat, lng, micro-grids).
#: Mengxi (蒙西) is the one the reports describe; the others are invented to make a street.
DAPUQIAO_COMMUNITIES: list[CommunityRow] = [
    ("蒙西居民区", "蒙西", "001", "31.204200", "121.470300", 4),
    ("汇龙居民区", "汇龙", "002", "31.207100", "121.465800", 3),
    ("丽园居民区", "丽园", "003", "31.202900", "121.463900", 3),
    ("建一居民区", "建一", "004", "31.208800", "121.469200", 3),
    ("打一居民区", "打一", "005", "31.205300", "121.461700", 3),
    ("泰康居民区", "泰康", "006", "31.209700", "121.466400", 3),
]

#: Seed 004 places 光明路街道 in 回民区 of Hohhot (Inner Mongolia): code prefix 150103.
HUIMIN = ("回民区", "150103000000", "40.808800", "111.640400")
GUANGMINGLU = ("光明路街道", "150103004000", "40.813200", "111.646500", "GML")

#: Guangminglu's communities (invented): (name, short name, code suffix, lat, lng, grids).
GUANGMINGLU_COMMUNITIES: list[CommunityRow] = [
    ("光明社区", "光明", "001", "40.814900", "111.643100", 3),
    ("团结社区", "团结", "002", "40.811600", "111.649200", 2),
    ("友谊社区", "友谊", "003", "40.816300", "111.650800", 0),
    ("康乐社区", "康乐", "004", "40.810100", "111.642700", 0),
    ("和平社区", "和平", "005", "40.812800", "111.652500", 0),
]

CHINESE_ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

# --- Units ------------------------------------------------------------------------------------

PUTUO_BUREAU = "普陀区绿化和市容管理局"
#: The bureau's centres, one per line of work named in seed 000 (绿化, 环卫, 市容).
PUTUO_CENTRES = ["普陀区绿化管理中心", "普陀区环境卫生管理中心", "普陀区市容景观管理中心"]

ANYANG_BUREAU = "安阳市城市管理局"
ANYANG_COMMITTEE = "安阳市城市管理局机关党委"
HUANGPU_ORG_DEPARTMENT = "中共上海市黄浦区委组织部"
HUANGPU_COMMITTEE = "中共上海市黄浦区委员会"

#: Anyang's party tree below the organ committee (机关党委). Each entry is a unit with its
#: general branch (党总支) and the branches under it, or with branches directly under the
#: committee when it has no general branch. The bureau's own organ branches come first; every
#: other unit is one of the bureau's centres.
#: (unit name, unit kind, general-branch name or None, [branch names])
ANYANG_TREE: list[tuple[str, str, str | None, list[str]]] = [
    (
        ANYANG_BUREAU,
        "bureau",
        None,
        [
            "局机关第一党支部",
            "局机关第二党支部",
            "局机关第三党支部",
            "局机关第四党支部",
            "局机关离退休干部党支部",
        ],
    ),
    (
        "安阳市城市管理综合执法支队",
        "government",
        "综合执法支队党总支",
        [
            "执法支队机关党支部",
            "执法一大队党支部",
            "执法二大队党支部",
            "执法三大队党支部",
            "执法四大队党支部",
            "执法五大队党支部",
            "特勤大队党支部",
        ],
    ),
    (
        "安阳市环境卫生管理处",
        "centre",
        "环卫处党总支",
        [
            "环卫处机关党支部",
            "北关区环卫所党支部",
            "文峰区环卫所党支部",
            "殷都区环卫所党支部",
            "龙安区环卫所党支部",
            "清运大队党支部",
            "环卫车辆管理所党支部",
        ],
    ),
    (
        "安阳市市政设施管理处",
        "centre",
        "市政设施管理处党总支",
        ["市政处机关党支部", "道路维修所党支部", "桥梁管理所党支部", "排水管理所党支部"],
    ),
    (
        "安阳市园林绿化中心",
        "centre",
        "园林绿化中心党总支",
        [
            "园林绿化中心机关党支部",
            "人民公园党支部",
            "洹水公园党支部",
            "植物园党支部",
            "苗圃场党支部",
        ],
    ),
    ("安阳市路灯管理中心", "centre", None, ["路灯管理中心党支部"]),
    ("安阳市亮化照明事务中心", "centre", None, ["市亮化照明事务中心党支部"]),
    ("安阳市数字化城市管理指挥中心", "centre", None, ["数字城管指挥中心党支部"]),
    ("安阳市市容管理中心", "centre", None, ["市容管理中心党支部"]),
    ("安阳市户外广告管理所", "centre", None, ["户外广告管理所党支部"]),
    ("安阳市停车管理中心", "centre", None, ["停车管理中心党支部"]),
    ("安阳市燃气热力管理处", "centre", None, ["燃气热力管理处党支部"]),
    ("安阳市城市供水节水中心", "centre", None, ["供水节水中心党支部"]),
    ("安阳市生活垃圾处理场", "centre", None, ["垃圾处理场党支部"]),
    ("安阳市渣土管理站", "centre", None, ["渣土管理站党支部"]),
    ("安阳市公厕管理所", "centre", None, ["公厕管理所党支部"]),
    ("安阳市城市管理监督检查中心", "centre", None, ["监督检查中心党支部"]),
    ("安阳市城市管理培训中心", "centre", None, ["培训中心党支部"]),
    ("安阳市城市管理局机关服务中心", "centre", None, ["机关服务中心党支部"]),
    ("安阳市城市管理信息中心", "centre", None, ["信息中心党支部"]),
]
ANYANG_LIGHTING_BRANCH = "路灯管理中心党支部"
#: The history the demo writes: one branch moved, two merged.
ANYANG_MOVED_BRANCH = ("公厕管理所党支部", "环卫处党总支")
ANYANG_MERGED_BRANCHES = ("桥梁管理所党支部", "道路维修所党支部")
ANYANG_MOVED_NOTE = "公厕管理划归环卫处,党支部隶属关系随之调整。"
ANYANG_MERGED_NOTE = "桥梁管理所与道路维修所合署办公,两个党支部合并为一个。"

#: Responsible units (责任单位) of Dapuqiao: (name, kind, community short name or "").
DAPUQIAO_UNITS: list[tuple[str, str, str]] = [
    ("蒙西物业公司", "property", "蒙西"),
    ("汇龙物业服务有限公司", "property", "汇龙"),
    ("丽园物业管理处", "property", "丽园"),
    ("建一物业服务中心", "property", "建一"),
    ("打浦桥菜市场", "market", "打一"),
    ("蒙自路菜场", "market", "蒙西"),
    ("黄浦区环卫打浦桥作业所", "sanitation", ""),
    ("打浦桥街道城管中队", "government", ""),
    ("黄浦交警支队打浦桥中队", "police", ""),
]
DEMO_PROPERTY_COMPANY = "蒙西物业公司"

#: Responsible units of Guangminglu, as seed 004 lists them (城管中队, 市场所, 交管, 物业, 环卫).
GUANGMINGLU_UNITS: list[tuple[str, str, str]] = [
    ("光明路街道城管中队", "government", ""),
    ("光明路街道市场所", "government", ""),
    ("回民区交警大队光明路中队", "police", ""),
    ("光明物业服务有限公司", "property", "光明"),
    ("团结小区物业服务中心", "property", "团结"),
    ("回民区环卫中心光明路作业站", "sanitation", ""),
]

#: Member units of the Huangpu regional alliance named in seeds 002 and 003.
HUANGPU_ALLIANCE_UNITS: list[tuple[str, str]] = [
    ("上海永业企业(集团)有限公司", "soe"),
    ("东浩兰生(集团)有限公司", "soe"),
    ("上海数据集团有限公司", "soe"),
    ("城银清算服务有限责任公司", "bank"),
    ("海通证券股份有限公司", "company"),
    ("上海交通大学医学院", "university"),
    ("上海交通大学医学院附属瑞金医院", "hospital"),
    ("上海社会科学院", "social"),
]
DEMO_ALLIANCE_UNIT = "上海交通大学医学院附属瑞金医院"

# --- Party organisations --------------------------------------------------------------------

PUTUO_PARTY_GROUP = "普陀区绿化和市容管理局党组"
#: The Putuo bureau's four branches from seed 000: (name, short name, code, unit).
PUTUO_BRANCHES: list[tuple[str, str, str, str]] = [
    ("普陀区绿化市容局机关党支部", "机关党支部", "PT-JG", PUTUO_BUREAU),
    ("普陀区绿化市容局绿化中心党支部", "绿化中心党支部", "PT-LH", PUTUO_CENTRES[0]),
    ("普陀区绿化市容局环卫中心党支部", "环卫中心党支部", "PT-HW", PUTUO_CENTRES[1]),
    ("普陀区绿化市容局市容中心党支部", "市容中心党支部", "PT-SR", PUTUO_CENTRES[2]),
]
PUTUO_RETIRED_BRANCH = ("普陀区绿化市容局机关退休党支部", "机关退休党支部", "PT-TX")
PUTUO_RETIRED_NOTE = "局党组决定:撤销机关退休党支部,退休党员组织关系转入局机关党支部统一管理。"
#: Groups inside the branch whose secretary is the `branch_secretary` demo login.
PUTUO_GROUPS = ["党建宣传小组", "第二党小组"]

# --- People -----------------------------------------------------------------------------------

#: Common surnames, most common first (weights fall with the index). 单 and 曾 are in the
#: table because the search reads them as surnames differently from their word readings.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏"
    "苏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦方顾钱施严单傅邵孟万秦尹"
)
MALE_GIVEN = "伟强磊军勇杰涛明超刚平辉鹏华飞波斌宇浩凯健俊帆旭宁龙林峰建国志文海东晨阳亮鑫睿哲嘉毅翔成博立新荣春德"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲燕红婷雪琳晶倩颖洁慧佳欣怡悦萍莉兰梅琴蓉琪璐雯妍彤华英凤云丹晓"

#: People named in the source reports. The demo invents its people, so these never come out
#: of the generator; 李东风 is placed on purpose (see `FIXED_NAMES`), in a different post.
_REAL_NAMES_TEXT = (
    "徐慧敏 马利伟 沈迎璐 谭克霆 陈茜 潘苑怡 葛湛申 李东风 陈卫忠 朱荣 郭千伟 王子东 张宇亮 姜宏林 "
    "文波 于全中 王庆洲 戴金梁 姜敏 阮俊 范大凯 尹晓芸 葛静 宋霞 李海宇 郭干 金缨 金迎 庞保庆 "
    "刘小珍 吴博文 周志军 杲云 沈军 韩志强 吴建雄 江帆 秦文波 李铭 沈山州 韩顺芳 陈志奇 徐树杰 "
    "李忠兴 祁晓燕 乌日娜 郑莹莹"
)
REAL_NAMES = frozenset(_REAL_NAMES_TEXT.split())

#: Names given on purpose: the street officer is 李东风 so that the pinyin-initials search
#: "ldf" has a known answer in the demo.
FIXED_NAMES = {"street_officer": "李东风"}

#: Mobile phone prefixes of the three mainland carriers.
_PHONE_PREFIXES_TEXT = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 177 180 181 182 183 185 186 187 188 189 198 199"
)
PHONE_PREFIXES = tuple(_PHONE_PREFIXES_TEXT.split())

COMMITTEE_TITLES = ["组织委员", "宣传委员", "纪检委员"]

#: More Huangpu branches from every field, so that the district's 百优支部 (seed 002: a hundred
#: outstanding branches from all fields) has a hundred to choose from. Invented residential
#: areas; schools, hospitals and firms are of the kind found in the district. (parent: a street
#: of HUANGPU_STREETS, or "" for the district committee itself; branch name)
HUANGPU_FIELD_BRANCHES: list[tuple[str, str]] = [
    ("", "区委办公室党支部"),
    ("", "区政府办公室党支部"),
    ("", "区财政局机关党支部"),
    ("", "区教育局机关党支部"),
    ("", "区卫生健康委机关党支部"),
    ("", "区市场监管局机关党支部"),
    ("", "区绿化市容局机关党支部"),
    ("", "区城管执法局机关党支部"),
    ("", "区民政局机关党支部"),
    ("", "区人社局机关党支部"),
    ("", "瑞金医院第一党支部"),
    ("", "瑞金医院第二党支部"),
    ("", "瑞金医院护理党支部"),
    ("", "黄浦区中心医院内科党支部"),
    ("", "黄浦区中心医院外科党支部"),
    ("", "黄浦区中西医结合医院党支部"),
    ("", "黄浦区疾病预防控制中心党支部"),
    ("", "格致中学教工党支部"),
    ("", "大同中学教工党支部"),
    ("", "光明中学教工党支部"),
    ("", "向明中学教工党支部"),
    ("", "黄浦区第一中心小学党支部"),
    ("", "黄浦区卢湾一中心小学党支部"),
    ("", "黄浦区教育学院党支部"),
    ("", "黄浦区业余大学党支部"),
    ("", "黄浦区青少年活动中心党支部"),
    ("", "上海永业企业(集团)有限公司第一党支部"),
    ("", "上海永业企业(集团)有限公司物业党支部"),
    ("", "东浩兰生(集团)有限公司会展党支部"),
    ("", "城银清算服务有限责任公司党支部"),
    ("", "海通证券黄浦营业部党支部"),
    ("", "黄浦区国资委出资企业联合党支部"),
    ("", "黄浦区律师行业第一党支部"),
    ("", "黄浦区会计师事务所联合党支部"),
    ("", "黄浦区社会组织联合党支部"),
    ("", "黄浦区快递行业党支部"),
    ("", "黄浦区网约车驾驶员党支部"),
    ("", "黄浦区外卖骑手党支部"),
    ("", "黄浦区商务楼宇联合党支部"),
    ("", "黄浦区退役军人服务中心党支部"),
    ("南京东路街道", "南京东路街道贵州居民区党支部"),
    ("南京东路街道", "南京东路街道福州居民区党支部"),
    ("南京东路街道", "南京东路街道宁波居民区党支部"),
    ("南京东路街道", "南京东路步行街商户联合党支部"),
    ("南京东路街道", "南京东路街道社区卫生服务中心党支部"),
    ("外滩街道", "外滩街道中山居民区党支部"),
    ("外滩街道", "外滩街道江西居民区党支部"),
    ("外滩街道", "外滩金融集聚带楼宇党支部"),
    ("外滩街道", "外滩街道社区事务受理中心党支部"),
    ("半淞园路街道", "半淞园路街道耀江居民区党支部"),
    ("半淞园路街道", "半淞园路街道保屯居民区党支部"),
    ("半淞园路街道", "半淞园路街道西凌居民区党支部"),
    ("半淞园路街道", "半淞园路街道城运中心党支部"),
    ("小东门街道", "小东门街道桑园居民区党支部"),
    ("小东门街道", "小东门街道多稼居民区党支部"),
    ("小东门街道", "小东门街道十六铺码头联合党支部"),
    ("小东门街道", "小东门街道社区文化活动中心党支部"),
    ("豫园街道", "豫园街道学院居民区党支部"),
    ("豫园街道", "豫园街道丹凤居民区党支部"),
    ("豫园街道", "豫园商城商户联合党支部"),
    ("豫园街道", "豫园街道综合行政执法队党支部"),
    ("老西门街道", "老西门街道龙门居民区党支部"),
    ("老西门街道", "老西门街道梦花居民区党支部"),
    ("老西门街道", "老西门街道文庙居民区党支部"),
    ("老西门街道", "老西门街道社区卫生服务中心党支部"),
    ("五里桥街道", "五里桥街道桑城居民区党支部"),
    ("五里桥街道", "五里桥街道瞿溪居民区党支部"),
    ("五里桥街道", "五里桥街道中福居民区党支部"),
    ("五里桥街道", "五里桥街道物业企业联合党支部"),
    ("打浦桥街道", "打浦桥街道社区卫生服务中心党支部"),
    ("打浦桥街道", "田子坊商户联合党支部"),
    ("打浦桥街道", "打浦桥街道社区事务受理中心党支部"),
    ("打浦桥街道", "打浦桥街道楼宇联合党支部"),
    ("淮海中路街道", "淮海中路街道新天地居民区党支部"),
    ("淮海中路街道", "淮海中路街道淡水居民区党支部"),
    ("淮海中路街道", "淮海中路街道复兴居民区党支部"),
    ("淮海中路街道", "新天地商圈楼宇联合党支部"),
    ("淮海中路街道", "淮海中路街道社区文化活动中心党支部"),
    ("瑞金二路街道", "瑞金二路街道茂名居民区党支部"),
    ("瑞金二路街道", "瑞金二路街道永嘉居民区党支部"),
    ("瑞金二路街道", "瑞金二路街道建德居民区党支部"),
    ("瑞金二路街道", "瑞金二路街道社会组织服务中心党支部"),
    ("瑞金二路街道", "瑞金二路街道城运中心党支部"),
    ("瑞金二路街道", "瑞金二路街道志愿者服务队党支部"),
    ("瑞金二路街道", "瑞金二路街道社区卫生服务中心党支部"),
]
