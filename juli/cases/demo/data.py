"""The fixed tables of the cases demo: categories, checklists, points, and the words people use.

Point names are invented but placed on real roads of the two streets; units added here are
invented. Deductions and time limits follow the usual practice of 创城 inspection sheets:
visible litter and blocked passages are handled within hours, shop and street order within a
working day, broken facilities within days.
"""

from __future__ import annotations

#: Case categories: (code, name, time limit, unit, counted in working time).
CASE_CATEGORIES: list[tuple[str, str, int, str, bool]] = [
    ("litter", "暴露垃圾", 4, "hours", True),
    ("stacking", "乱堆物", 1, "days", True),
    ("vending", "占道经营", 1, "days", True),
    ("out-of-store", "出店经营", 1, "days", True),
    ("posters", "乱张贴", 1, "days", True),
    ("hanging", "乱拉乱挂", 1, "days", True),
    ("parking", "车辆乱停放", 4, "hours", True),
    ("facility", "设施破损", 3, "days", True),
    ("toilet-odour", "厕所异味", 4, "hours", True),
    ("toilet-clean", "厕所保洁不到位", 4, "hours", True),
    ("signs", "店招标识不规范", 3, "days", True),
    ("sorting", "垃圾分类不规范", 1, "days", True),
    ("greenery", "绿化损毁", 3, "days", True),
    ("dust", "扬尘污染", 1, "days", True),
    ("muck", "渣土撒漏", 4, "hours", True),
    # Round the clock: a blocked fire lane or sewage in the street cannot wait for Monday.
    ("fire-lane", "消防通道堵塞", 24, "hours", False),
    ("sewage", "污水外溢", 24, "hours", False),
    ("noise", "噪声扰民", 1, "days", True),
]

#: Point categories: code → (name, inspect every n days, [(item, deduction, case category)]).
POINT_CATEGORIES: dict[str, tuple[str, int, list[tuple[str, str, str]]]] = {
    "market": (
        "农贸市场",
        1,
        [
            ("场内外无暴露垃圾", "2", "litter"),
            ("无占道经营、跨门营业", "3", "vending"),
            ("通道无乱堆物", "2", "stacking"),
            ("非机动车有序停放", "2", "parking"),
            ("垃圾分类设施完好、分类投放", "1", "sorting"),
            ("无乱张贴", "1", "posters"),
        ],
    ),
    "back-street": (
        "背街小巷",
        2,
        [
            ("路面无暴露垃圾", "2", "litter"),
            ("无乱堆物", "2", "stacking"),
            ("无乱张贴、乱涂写", "1", "posters"),
            ("车辆停放有序", "2", "parking"),
            ("无乱拉乱挂、乱晾晒", "1", "hanging"),
            ("路面及设施完好", "2", "facility"),
        ],
    ),
    "toilet": (
        "公共厕所",
        1,
        [
            ("无异味", "2", "toilet-odour"),
            ("地面、便池清洁", "2", "toilet-clean"),
            ("设施完好(水龙头、照明、门锁)", "2", "facility"),
            ("标识清晰、开放时间公示", "1", "signs"),
            ("周边无暴露垃圾", "2", "litter"),
        ],
    ),
    "compound": (
        "居民小区",
        3,
        [
            ("无暴露垃圾", "2", "litter"),
            ("楼道无乱堆物", "2", "stacking"),
            ("垃圾分类投放点整洁", "2", "sorting"),
            ("无乱张贴", "1", "posters"),
            ("非机动车停放有序、不进楼道", "2", "parking"),
            ("消防通道畅通", "3", "fire-lane"),
            ("绿化无损毁、无毁绿种菜", "1", "greenery"),
        ],
    ),
    "bus-stop": (
        "公交站点",
        3,
        [
            ("站台无暴露垃圾", "2", "litter"),
            ("候车亭设施完好", "2", "facility"),
            ("无小广告", "1", "posters"),
            ("站台周边无车辆乱停放", "2", "parking"),
        ],
    ),
    "construction": (
        "建筑工地",
        5,
        [
            ("围挡完好规范", "2", "facility"),
            ("裸土覆盖、无扬尘", "3", "dust"),
            ("出入口冲洗、无渣土撒漏", "3", "muck"),
            ("公益广告设置规范", "1", "signs"),
            ("无占道堆放材料", "2", "stacking"),
        ],
    ),
    "shop-front": (
        "沿街商铺",
        3,
        [
            ("无出店经营", "3", "out-of-store"),
            ("门前三包落实、无暴露垃圾", "2", "litter"),
            ("店招店牌完好规范", "2", "signs"),
            ("无乱张贴", "1", "posters"),
            ("门前车辆停放有序", "2", "parking"),
            ("无油烟、污水外排", "2", "sewage"),
        ],
    ),
}

#: Units each street needs beyond the organisation demo's: (name, kind, community or "").
EXTRA_UNITS: dict[str, list[tuple[str, str, str]]] = {
    "DPQ": [
        ("打一物业服务中心", "property", "打一"),
        ("泰康物业管理有限公司", "property", "泰康"),
        ("打浦桥公交站亭维护站", "company", ""),
        ("申城建设工程有限公司丽园路项目部", "company", ""),
    ],
    "GML": [
        ("光明路农贸市场管理有限公司", "market", "光明"),
        ("回民区公交站亭维护站", "company", ""),
        ("北疆建设工程有限公司光明路项目部", "company", ""),
    ],
}

#: Per street, which unit answers for which kind of point or case (unit names).
RESPONSIBLE: dict[str, dict[str, list[str]]] = {
    "DPQ": {
        "market": ["打浦桥菜市场", "蒙自路菜场"],
        "back-street": ["黄浦区环卫打浦桥作业所", "打浦桥街道城管中队"],
        "toilet": ["黄浦区环卫打浦桥作业所"],
        "bus-stop": ["打浦桥公交站亭维护站"],
        "construction": ["申城建设工程有限公司丽园路项目部"],
        "shop-front": ["打浦桥街道城管中队"],
        "parking": ["黄浦交警支队打浦桥中队"],
    },
    "GML": {
        "market": ["光明路农贸市场管理有限公司", "光明路街道市场所"],
        "back-street": ["回民区环卫中心光明路作业站", "光明路街道城管中队"],
        "toilet": ["回民区环卫中心光明路作业站"],
        "bus-stop": ["回民区公交站亭维护站"],
        "construction": ["北疆建设工程有限公司光明路项目部"],
        "shop-front": ["光明路街道城管中队"],
        "parking": ["回民区交警大队光明路中队"],
    },
}
#: Property companies by community (the residential compounds' responsible units).
PROPERTY_BY_COMMUNITY = {
    "蒙西": "蒙西物业公司",
    "汇龙": "汇龙物业服务有限公司",
    "丽园": "丽园物业管理处",
    "建一": "建一物业服务中心",
    "打一": "打一物业服务中心",
    "泰康": "泰康物业管理有限公司",
    "光明": "光明物业服务有限公司",
    "团结": "团结小区物业服务中心",
}
#: Unit kinds whose staff use Juli themselves; the others' rectifications are recorded by
#: the street office on their behalf (the workflow allows it).
UNIT_KINDS_WITH_ACCOUNTS = frozenset({"property", "market", "sanitation"})

#: Points per street: (category, name on the street's roads, community it lies in).
POINTS: dict[str, list[tuple[str, str, str]]] = {
    "DPQ": [
        ("market", "打浦桥菜市场", "打一"),
        ("market", "蒙自路菜场", "蒙西"),
        ("market", "丽园路早市", "丽园"),
        ("back-street", "蒙自路128弄", "蒙西"),
        ("back-street", "丽园路501弄", "丽园"),
        ("back-street", "局门路后巷", "汇龙"),
        ("back-street", "建国中路西段支弄", "建一"),
        ("back-street", "泰康路田子坊支弄", "泰康"),
        ("back-street", "打浦路77弄", "打一"),
        ("toilet", "蒙自路公厕", "蒙西"),
        ("toilet", "丽园路公厕", "丽园"),
        ("toilet", "建国中路公厕", "建一"),
        ("compound", "蒙西小区", "蒙西"),
        ("compound", "蒙自路新村", "蒙西"),
        ("compound", "汇龙新城", "汇龙"),
        ("compound", "丽园小区", "丽园"),
        ("compound", "建一小区", "建一"),
        ("compound", "打一小区", "打一"),
        ("compound", "泰康公寓", "泰康"),
        ("compound", "日晖新村", "汇龙"),
        ("bus-stop", "打浦桥站(徐家汇路)", "打一"),
        ("bus-stop", "蒙自路丽园路站", "丽园"),
        ("bus-stop", "建国中路瑞金二路站", "建一"),
        ("construction", "丽园路旧改地块工地", "丽园"),
        ("construction", "蒙自路管线改造工地", "蒙西"),
        ("shop-front", "泰康路沿街商铺", "泰康"),
        ("shop-front", "徐家汇路沿街商铺", "打一"),
        ("shop-front", "打浦路沿街商铺", "汇龙"),
        ("shop-front", "丽园路沿街商铺", "丽园"),
        ("shop-front", "建国中路沿街商铺", "建一"),
    ],
    "GML": [
        ("market", "光明路农贸市场", "光明"),
        ("market", "团结早市", "团结"),
        ("back-street", "光明路12号巷", "光明"),
        ("back-street", "新华西街背街", "团结"),
        ("back-street", "通道北街支巷", "光明"),
        ("back-street", "团结小区西侧巷", "团结"),
        ("toilet", "光明路公厕", "光明"),
        ("toilet", "团结公厕", "团结"),
        ("compound", "光明小区", "光明"),
        ("compound", "光明北苑", "光明"),
        ("compound", "团结小区", "团结"),
        ("compound", "钢铁路家属院", "团结"),
        ("bus-stop", "光明路站", "光明"),
        ("bus-stop", "新华西街光明路口站", "团结"),
        ("bus-stop", "团结小区站", "团结"),
        ("construction", "光明路棚改项目工地", "光明"),
        ("shop-front", "光明路沿街商铺", "光明"),
        ("shop-front", "新华西街沿街商铺", "团结"),
        ("shop-front", "通道北街沿街商铺", "光明"),
    ],
}

#: Points that must stay clean (零扣分点位): the showcase places of each street.
ZERO_DEDUCTION = frozenset(
    {
        "打浦桥菜市场",
        "泰康路田子坊支弄",
        "蒙西小区",
        "打浦桥站(徐家汇路)",
        "光明路农贸市场",
        "光明小区",
    }
)

# --- What people say -------------------------------------------------------------------------

#: Notes an inspector writes on a failed item, by case category (one drawn at random).
FAIL_NOTES: dict[str, list[str]] = {
    "litter": ["垃圾桶满溢,周边散落垃圾", "绿化带内有塑料袋、烟头", "墙角堆有生活垃圾"],
    "stacking": ["楼道堆放纸箱、旧家具", "通道堆放杂物", "路边堆放废弃建材"],
    "vending": ["商户占用人行道摆摊", "流动摊贩占道经营", "早市散摊超出划定区域"],
    "out-of-store": ["水果店货架摆出店外", "餐饮店门前摆放桌椅", "商铺在门前加工作业"],
    "posters": ["电线杆上有小广告", "墙面有乱张贴", "候车亭有小广告"],
    "hanging": ["树木间拉绳晾晒衣物", "私拉电线给电动车充电", "横幅未经审批悬挂"],
    "parking": ["共享单车乱停放", "机动车占用人行道停放", "电动车停放无序"],
    "facility": ["设施损坏未修复", "路面破损", "围挡倒伏", "照明损坏"],
    "toilet-odour": ["厕所异味较重", "通风不良,异味明显"],
    "toilet-clean": ["地面有积水、污渍", "便池未及时冲洗", "洗手台脏污"],
    "signs": ["店招破损", "标识脱落", "开放时间未公示"],
    "sorting": ["垃圾混投", "分类桶标识缺失", "投放点周边脏乱"],
    "greenery": ["绿地被踩踏", "毁绿种菜", "树木被折断"],
    "dust": ["裸土未覆盖", "作业时未洒水降尘"],
    "muck": ["出入口路面有渣土", "运输车辆未冲洗上路"],
    "fire-lane": ["消防通道停放车辆", "消防通道堆放杂物"],
    "sewage": ["餐饮店污水直排雨水井", "路面污水外溢"],
    "noise": ["夜间施工噪声扰民", "商铺音响外放"],
}

#: Problems the public, the hotline and grid workers report: (case category, title).
REPORTS: list[tuple[str, str]] = [
    ("litter", "小区门口垃圾无人清运"),
    ("litter", "路边垃圾堆放多日"),
    ("stacking", "楼道堆放杂物影响通行"),
    ("vending", "路口有流动摊贩占道"),
    ("out-of-store", "饭店在门口摆桌经营"),
    ("posters", "单元门口小广告很多"),
    ("parking", "共享单车堵住小区出入口"),
    ("parking", "人行道上停满汽车"),
    ("facility", "路灯不亮"),
    ("facility", "窨井盖缺失"),
    ("facility", "人行道地砖松动"),
    ("greenery", "绿化带被改成菜地"),
    ("fire-lane", "消防通道被车辆堵死"),
    ("sewage", "下水道反味、污水外溢"),
    ("noise", "夜间施工噪声扰民"),
    ("hanging", "私拉电线给电动车充电"),
    ("toilet-clean", "公厕卫生差"),
    ("sorting", "垃圾分类投放点脏乱"),
]
#: Whom to dispatch a case without a point to, by case category (a key of RESPONSIBLE, or
#: "property" for the community's property company).
DISPATCH_TO: dict[str, str] = {
    "litter": "back-street",
    "stacking": "property",
    "vending": "shop-front",
    "out-of-store": "shop-front",
    "posters": "back-street",
    "parking": "parking",
    "facility": "back-street",
    "greenery": "property",
    "fire-lane": "property",
    "sewage": "back-street",
    "noise": "shop-front",
    "hanging": "property",
    "toilet-clean": "toilet",
    "sorting": "property",
    "signs": "shop-front",
    "dust": "construction",
    "muck": "construction",
    "toilet-odour": "toilet",
}

REJECT_NOTES = [
    "现场核实,未发现所述问题",
    "重复投诉,已并入同一案件办理",
    "不属于城市管理事项,已告知向相关部门反映",
    "地址不详,无法核实",
]
SEND_BACK_NOTES = [
    "复查仍有垃圾,整改不彻底",
    "现场已反弹,请重新整改",
    "整改照片与现场不符,请重新处理",
    "仅部分整改,请彻底清理",
]
RECTIFY_NOTES = ["已清理完毕", "已整改到位", "已安排人员处置", "已劝离并清理现场", "已修复"]
DEFER_NOTES = [
    "需列入维修计划,待预算批复后实施",
    "涉及产权单位协调,短期内无法解决",
    "需等待施工季节,暂时挂账",
    "需要多部门联合处置,已上报区城运中心",
]
REOPEN_NOTES = ["群众再次反映,问题反弹", "复查发现问题再次出现"]
PUBLIC_NAMES = ["王先生", "李女士", "张阿姨", "刘先生", "陈女士", "赵师傅", "市民", "周女士"]
