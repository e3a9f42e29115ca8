"""Reference data loaded by migration: the 22 counties and cities of Taiwan.

Codes are the Ministry of the Interior's administrative area codes (行政區域代碼).
"""

COUNTIES: list[tuple[str, str, str]] = [
    ("63000", "臺北市", "Taipei City"),
    ("64000", "高雄市", "Kaohsiung City"),
    ("65000", "新北市", "New Taipei City"),
    ("66000", "臺中市", "Taichung City"),
    ("67000", "臺南市", "Tainan City"),
    ("68000", "桃園市", "Taoyuan City"),
    ("10002", "宜蘭縣", "Yilan County"),
    ("10004", "新竹縣", "Hsinchu County"),
    ("10005", "苗栗縣", "Miaoli County"),
    ("10007", "彰化縣", "Changhua County"),
    ("10008", "南投縣", "Nantou County"),
    ("10009", "雲林縣", "Yunlin County"),
    ("10010", "嘉義縣", "Chiayi County"),
    ("10013", "屏東縣", "Pingtung County"),
    ("10014", "臺東縣", "Taitung County"),
    ("10015", "花蓮縣", "Hualien County"),
    ("10016", "澎湖縣", "Penghu County"),
    ("10017", "基隆市", "Keelung City"),
    ("10018", "新竹市", "Hsinchu City"),
    ("10020", "嘉義市", "Chiayi City"),
    ("09020", "金門縣", "Kinmen County"),
    ("09007", "連江縣", "Lienchiang County"),
]
