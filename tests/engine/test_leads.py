"""Leads: entity extraction from free Chinese text, normalisation, aggregation and clusters."""

from __future__ import annotations

import datetime as dt

import pytest

from jingwu.engine.ids import make_id_number, mask_id_number, mask_phone
from jingwu.engine.leads import (
    AddressBook,
    ClusterSettings,
    Record,
    by_year,
    cluster,
    extract,
    mask_plate,
    normalise,
)

ID_M = make_id_number("330522", dt.date(1985, 3, 4), 12, False)  # 33052219850304125X
ID_F = make_id_number("110105", dt.date(1990, 12, 31), 7, True)
BAD_CHECK = ID_F[:17] + ("1" if ID_F[17] != "1" else "2")

# text -> the (kind, value) pairs extracted, in order of appearance
TABLE = [
    # mobiles: separators, full-width digits and dashes, the +86 prefix
    ("联系电话13812345678", [("phone", "13812345678")]),
    ("业务员电话１３８－１２３４－５６７８", [("phone", "13812345678")]),
    ("电话 138 1234 5678 已停机", [("phone", "13812345678")]),
    ("+86 159-0000-1111", [("phone", "15900001111")]),
    ("12812345678不是手机号", []),
    ("订单号213812345678", []),
    # landlines with area codes (010/02x three digits, others four)
    ("座机0572-6012345", [("phone", "0572-6012345")]),
    ("(0571)87654321", [("phone", "0571-87654321")]),
    ("010-62345678", [("phone", "010-62345678")]),
    ("021 5555 123", []),
    ("0572-0123456", []),
    ("+852 9123 4567", [("phone", "+852-91234567")]),
    # plates: regular, separators, new-energy small and large, lower case
    ("车牌浙E12345被拖走", [("plate", "浙E12345")]),
    ("浙E·12345", [("plate", "浙E12345")]),
    ("沪AD12345", [("plate", "沪AD12345")]),
    ("苏B12345D", [("plate", "苏B12345D")]),
    ("浙a12b34", [("plate", "浙A12B34")]),
    ("浙江ABCDE", []),
    ("浙EABCDE", []),
    ("浙E1234学", [("plate", "浙E1234学")]),
    # identity numbers: the check digit decides; other documents are kept as written
    (f"身份证号{ID_M}", [("id_number", ID_M)]),
    (f"身份证号{ID_M.lower()}", [("id_number", ID_M)]),
    (f"身份证号{BAD_CHECK}", []),
    ("护照号E12345678", [("id_number", "E12345678")]),
    ("持护照 EA1234567 入境", [("id_number", "EA1234567")]),
    ("香港身份证号码A123456(7)", [("id_number", "A123456(7)")]),
    ("证件号：X99-88-7766", [("id_number", "X99-88-7766")]),
    ("证件号：abc", []),
    # companies: the sentence before the name is cut off
    ("2019年我在浙江恒信汽车租赁有限公司办理车贷", [("company", "浙江恒信汽车租赁有限公司")]),
    (
        "与鑫达商贸有限公司和宏图信息咨询中心签订合同",
        [("company", "鑫达商贸有限公司"), ("company", "宏图信息咨询中心")],
    ),
    ("被长兴县顺发车行商行骗了", [("company", "长兴县顺发车行商行")]),
    ("该公司称可以贷款", []),
    ("侦查打击中心", []),
    ("深圳（前海）金桥金融服务有限公司", [("company", "深圳（前海）金桥金融服务有限公司")]),
    ("深圳(前海)金桥金融服务有限公司", [("company", "深圳（前海）金桥金融服务有限公司")]),
    # addresses
    ("在雉城街道人民路12号3幢被骗", [("address", "雉城街道人民路12号3幢")]),
    ("住在城西路 9 号", [("address", "城西路9号")]),
    ("家住红星村", [("address", "红星村")]),
    # nothing, and inputs that must not crash
    ("", []),
    ("\x00\uffff\ud800"[:2], []),
    ("ID: X1!! ++ 身份证 123", []),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_extraction_table(text, expected):
    got = [(e.kind, e.value) for e in extract(text)]
    assert got == expected


def test_one_text_with_every_kind_in_order():
    text = f"受害人王某（身份证{ID_F}）反映：在城东路5号的鑫达汽车信息咨询有限公司办车贷，车辆浙F12345被拖，联系人电话13900001111。"
    got = [(e.kind, e.value, e.detail) for e in extract(text)]
    assert got == [
        ("id_number", ID_F, "cn18"),
        ("address", "城东路5号", ""),
        ("company", "鑫达汽车信息咨询有限公司", ""),
        ("plate", "浙F12345", "regular"),
        ("phone", "13900001111", "mobile"),
    ]


def test_raw_and_offsets_point_into_the_normalised_text():
    text = "电话：１３８ １２３４ ５６７８"
    (e,) = extract(text)
    assert normalise(text)[e.start : e.end] == e.raw == "138 1234 5678"


def test_normalise():
    assert normalise("１２３－４５６　ＡＢ") == "123-456 AB"
    assert normalise("a  —  b") == "a - b"
    assert normalise("") == ""


def test_an_id_number_is_not_read_as_a_phone_number():
    kinds = [e.kind for e in extract(f"号码{ID_M}")]
    assert kinds == ["id_number"]


def test_never_crashes_on_odd_text():
    odd = [
        "护照" * 50,
        "1" * 500,
        "浙" * 100 + "E" * 10,
        "（" * 40 + "有限公司",
        "+" * 30 + "8" * 30,
        "证件号" + "X" * 40,
    ]
    for text in odd:
        for e in extract(text):
            assert e.value


def test_address_book_matching():
    book = AddressBook(["长兴县雉城街道人民路12号", "长兴县城西路9号", "城东路5号"])
    (e,) = extract("在长兴县雉城街道人民路12号被骗", address_book=book)
    assert (e.value, e.detail) == ("长兴县雉城街道人民路12号", "matched")
    (e,) = extract("家住城西路9号", address_book=book)  # close enough to the known one
    assert (e.value, e.detail) == ("长兴县城西路9号", "matched")
    (e,) = extract("在新华路88号", address_book=book)
    assert (e.value, e.detail) == ("新华路88号", "")


def test_masks():
    assert mask_plate("浙E12345") == "浙E***45"
    assert mask_plate("沪AD12345") == "沪A****45"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0572-6012345") == "****-***2345"
    assert mask_id_number(ID_M) == "330522********125*"
    assert mask_id_number("E12345678") == "******678"


D = dt.date


def rec(key, on, *ents):
    return Record(key, on, frozenset(ents))


CO = ("company", "恒信汽车租赁有限公司")
PH = ("phone", "13812345678")
PH2 = ("phone", "13900001111")
PL = ("plate", "浙E12345")
HOT = ("phone", "95555")


def test_by_year():
    rs = [rec("p:1", D(2016, 3, 1), CO, PH), rec("p:2", D(2016, 9, 1), CO), rec("p:3", D(2018, 1, 1), PH)]
    assert by_year(rs) == {CO: {2016: 2}, PH: {2016: 1, 2018: 1}}


def test_cluster_joins_records_through_chains_of_shared_entities():
    rs = [
        rec("p:1", D(2016, 3, 1), CO, PH),
        rec("p:2", D(2016, 9, 1), CO),
        rec("i:7", D(2017, 5, 2), PH, PH2),
        rec("p:4", D(2018, 2, 1), PH2, PL),
        rec("p:5", D(2018, 6, 1), PL),
        rec("p:6", D(2018, 7, 1), ("company", "别的公司有限公司")),  # alone: not in the cluster
    ]
    (c,) = cluster(rs)
    assert [k for k, _ in c.records] == ["p:1", "p:2", "i:7", "p:4", "p:5"]
    assert (c.first, c.last, c.years) == (D(2016, 3, 1), D(2018, 6, 1), 3)
    ev = {(e.kind, e.value): [k for k, _ in e.records] for e in c.evidence}
    assert ev == {CO: ["p:1", "p:2"], PH: ["p:1", "i:7"], PH2: ["i:7", "p:4"], PL: ["p:4", "p:5"]}


def test_cluster_thresholds():
    base = [rec("p:1", D(2016, 1, 1), CO, PH), rec("p:2", D(2016, 6, 1), CO), rec("p:3", D(2017, 1, 1), PH)]
    assert len(cluster(base)) == 1
    # too few records, too few entities, too short a span
    assert cluster(base[:2]) == []
    assert cluster(base, ClusterSettings(min_entities=3)) == []
    same_day = [rec(f"p:{i}", D(2016, 1, 1), CO, PH) for i in range(4)]
    assert cluster(same_day) == []
    assert len(cluster(same_day, ClusterSettings(min_days=0))) == 1


def test_a_hub_entity_joins_nothing():
    many = [rec(f"p:{i}", D(2016, 1, 1) + dt.timedelta(days=10 * i), HOT) for i in range(70)]
    assert cluster(many, ClusterSettings(min_entities=1)) == []
    assert len(cluster(many, ClusterSettings(min_entities=1, max_records=100))) == 1


def test_addresses_join_only_when_asked():
    addr = ("address", "城西路9号")
    rs = [
        rec(f"p:{i}", D(2016, 1, 1) + dt.timedelta(days=40 * i), addr, ("company", f"公司{i}有限公司"))
        for i in range(4)
    ]
    assert cluster(rs, ClusterSettings(min_entities=1)) == []
    got = cluster(rs, ClusterSettings(min_entities=1, kinds=frozenset({"address"})))
    assert len(got) == 1 and len(got[0].records) == 4


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        ClusterSettings(min_records=1)
    with pytest.raises(ValueError):
        ClusterSettings(kinds=frozenset({"email"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("反映车贷公司收取高额费用", []),  # a trade, not a name
        ("长兴利众二手车经纪有限公司", ["长兴利众二手车经纪有限公司"]),
        ("反映长兴恒信公司催收", ["长兴恒信公司"]),
    ],
)
def test_company_names_are_names(text, expected):
    assert [e.value for e in extract(text) if e.kind == "company"] == expected
