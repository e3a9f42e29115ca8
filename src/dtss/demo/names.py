"""Realistic Taiwanese names for generated demo people (no real person is meant)."""

from __future__ import annotations

import random

# Common surnames, roughly by frequency in Taiwan.
SURNAMES = (
    "陳" * 11
    + "林" * 8
    + "黃" * 6
    + "張" * 5
    + "李" * 5
    + "王" * 4
    + "吳" * 4
    + "劉" * 3
    + "蔡" * 3
    + "楊" * 3
    + "許" * 2
    + "鄭" * 2
    + "謝" * 2
    + "洪" * 2
    + "郭" * 2
    + "邱" * 2
    + "曾" * 2
    + "廖" * 2
    + "賴" * 2
    + "徐" * 2
    + "周蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴"
)
GIVEN_F = "怡婷雅筱涵佳琪欣淑芬惠玲宜蓁郁萱庭瑜詩婉芳美慧靜秀如思妤品瑄子晴"
GIVEN_M = "志明建宏俊傑家豪冠宇承翰柏宇彥廷宗翰信宏偉哲育誠致遠睿昱士凱文"
# Names common among the Atayal and Seediq families of 仁愛鄉 (written in Chinese characters).
INDIGENOUS_F = ["比黛", "雅外", "瑪紹", "尤幹", "娃利斯", "蘇美"]
INDIGENOUS_M = ["瓦旦", "尤道", "達道", "巴萬", "比令", "哈勇"]
INDIGENOUS_SURNAMES = "高田林張曾伊"


def person_name(rng: random.Random, gender: str, *, indigenous: bool = False) -> str:
    if indigenous and rng.random() < 0.5:
        given = rng.choice(INDIGENOUS_F if gender == "F" else INDIGENOUS_M)
        return f"{given}·{rng.choice(['諾幹', '瓦旦', '尤命', '巴奈', '瑪紹', '比荷'])}"
    surname = rng.choice(INDIGENOUS_SURNAMES if indigenous else SURNAMES)
    pool = GIVEN_F if gender == "F" else GIVEN_M
    return surname + rng.choice(pool) + rng.choice(pool)
