# ruff: noqa: E501  (demo texts: a Chinese paragraph stays on one line, as it renders)
"""Demo data of the helpdesk (issue 9), registered in `DEMO_EXTENSIONS` after the devices'.

For 南投縣 it sets the helpdesk up as a county's office would — working hours (Mon–Fri
08:00–17:00), Taiwan's national holidays of 2026 and 2027 as closed days and one school's own
day off (校慶補假), service targets per category that escalate to 資訊設備組 or 教學輔導組 when
missed, canned replies of the county and of 南投國小, fifteen knowledge-base articles (most with
an English version; some public, some for signed-in people, one 南投國小's own) with two months
of reads — and then replays about two months of help requests at a dozen schools, raised by
teachers, students and parents, through the real services with `now=` in the past: replies,
internal notes, canned replies, escalations, breaches found by the service-target check (run
as cron would, every two hours of the replay), resolutions, ratings and automatic closing.
The county's community has seven discussions among IT heads and the county's office (one
pinned, one solved, one locked, one about an open request).

The demo accounts: `student` has an open request about 因材網 answered by the IT head,
`parent` one about the borrowed tablet that will not charge (with the device), `teacher` a
resolved and rated one, and `ithead` a queue with new, late and escalated requests.

Requesters and handlers without a demo account get a login without a password (they raised
their requests signed in; nobody can sign in as them). Deterministic for a seed except for the
ids the services draw. No mail is sent for the replayed history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

DEMO_COUNTY_CODE = "10008"
DEMO_SCHOOL_CODE = "084601"  # 南投國小: the demo IT head, teacher and student
SCHOOL_DAY_OFF = ("084521", "校慶補假")  # 南投國中's own day off (its anniversary Saturday)
CHECK_HOURS = (8, 10, 12, 14, 16, 18)  # the replayed service-target check


# --------------------------------------------------------------------------- calendar

# 中華民國115年 (2026) and 116年 (2027) government office calendar: the days off on working days
# and the holidays on weekends (their 補假 are listed too). Since 2026 there are no make-up
# working days (補行上班). 2027 follows the same rules (紀念日及節日實施條例, amended 2025):
# check it against the calendar 行政院人事行政總處 publishes in June 2026.
HOLIDAYS: list[tuple[str, str]] = [
    ("2026-01-01", "中華民國開國紀念日（元旦）"),
    ("2026-02-15", "除夕前一日（小年夜）"),
    ("2026-02-16", "農曆除夕"),
    ("2026-02-17", "春節（初一）"),
    ("2026-02-18", "春節（初二）"),
    ("2026-02-19", "春節（初三）"),
    ("2026-02-20", "除夕前一日補假"),
    ("2026-02-27", "和平紀念日補假"),
    ("2026-02-28", "和平紀念日"),
    ("2026-04-03", "兒童節補假"),
    ("2026-04-04", "兒童節"),
    ("2026-04-05", "民族掃墓節（清明節）"),
    ("2026-04-06", "民族掃墓節補假"),
    ("2026-05-01", "勞動節"),
    ("2026-06-19", "端午節"),
    ("2026-09-25", "中秋節"),
    ("2026-09-28", "孔子誕辰紀念日（教師節）"),
    ("2026-10-09", "國慶日補假"),
    ("2026-10-10", "國慶日"),
    ("2026-10-25", "臺灣光復暨金門古寧頭大捷紀念日"),
    ("2026-10-26", "臺灣光復暨金門古寧頭大捷紀念日補假"),
    ("2026-12-25", "行憲紀念日"),
    ("2027-01-01", "中華民國開國紀念日（元旦）"),
    ("2027-02-04", "除夕前一日（小年夜）"),
    ("2027-02-05", "農曆除夕"),
    ("2027-02-06", "春節（初一）"),
    ("2027-02-07", "春節（初二）"),
    ("2027-02-08", "春節（初三）"),
    ("2027-02-09", "春節補假"),
    ("2027-02-10", "春節補假"),
    ("2027-02-28", "和平紀念日"),
    ("2027-03-01", "和平紀念日補假"),
    ("2027-04-04", "兒童節"),
    ("2027-04-05", "民族掃墓節（清明節）"),
    ("2027-04-06", "兒童節補假"),
    ("2027-04-30", "勞動節補假"),
    ("2027-05-01", "勞動節"),
    ("2027-06-09", "端午節"),
    ("2027-09-15", "中秋節"),
    ("2027-09-28", "孔子誕辰紀念日（教師節）"),
    ("2027-10-10", "國慶日"),
    ("2027-10-11", "國慶日補假"),
    ("2027-10-25", "臺灣光復暨金門古寧頭大捷紀念日"),
    ("2027-12-24", "行憲紀念日補假"),
    ("2027-12-25", "行憲紀念日"),
    ("2027-12-31", "開國紀念日補假（2028年元旦適逢星期六）"),
]

# --------------------------------------------------------------------------- articles


@dataclass(frozen=True)
class ArticleSpec:
    key: str
    title_zh: str
    body_zh: str
    title_en: str = ""
    body_en: str = ""
    category: str = ""
    platform: str = ""
    tags: str = ""
    public: bool = True
    days_ago: int = 120  # published
    school: str = ""  # a school's own addition (its code)
    popularity: float = 1.0  # reads per day, roughly


ARTICLES: list[ArticleSpec] = [
    ArticleSpec(
        key="adl-login",
        title_zh="因材網登入不了：用教育雲端帳號登入並清除瀏覽器快取",
        body_zh="""\
多數「因材網登不進去」的問題，和帳號種類或瀏覽器留下的舊資料有關。請依序試試：

1. 到因材網首頁按「登入」，選擇 **教育雲端帳號** 或本縣的 **縣市帳號（OpenID）**，不要選「因材網帳號」。
2. 輸入帳號密碼後如果一直跳回登入頁，請 **清除瀏覽器快取與 Cookie**：
   - Chrome：設定 → 隱私權和安全性 → 清除瀏覽資料 → 勾選「Cookie 和其他網站資料」「快取圖片和檔案」→ 清除資料。
   - iPad Safari：設定 → Safari → 清除瀏覽紀錄和網站資料。
3. 關掉所有分頁後重新開啟瀏覽器，再登入一次。
4. 仍然不行，改用無痕視窗（Chrome）或私密瀏覽（Safari）試試；若無痕可以登入，問題就是快取。
5. 教育雲端帳號密碼忘記或被鎖住，請看〈教育雲帳號被鎖定：解鎖與重設密碼〉。

還是無法登入，請按右上角「求助」，寫下登入時出現的訊息或截圖，學校資訊組會協助。""",
        title_en="Cannot sign in to Adaptive Learning (因材網): use the Education Cloud account "
        "and clear the browser cache",
        body_en="""\
Most sign-in problems with 因材網 come from the kind of account chosen or from old data kept by
the browser. Try these in order:

1. On the 因材網 home page choose **Education Cloud account** (教育雲端帳號) or the county's
   **OpenID account** — not a 因材網 account.
2. If you are sent back to the sign-in page again and again, **clear the browser's cache and
   cookies** (Chrome: Settings → Privacy and security → Clear browsing data; iPad Safari:
   Settings → Safari → Clear History and Website Data).
3. Close every tab, open the browser again and sign in.
4. Still failing? Try a private window. If that works, the cache was the problem.
5. Forgotten or locked Education Cloud password: see "Education Cloud account locked".

If nothing helps, use "Ask for help" and include the message you see or a screenshot.""",
        category="platform",
        platform="adl",
        tags="因材網, 教育雲, 登入, 快取, Cookie",
        days_ago=160,
        popularity=9.0,
    ),
    ArticleSpec(
        key="coolenglish-password",
        title_zh="酷英網忘記密碼怎麼辦",
        body_zh="""\
酷英網可以用 **教育雲端帳號** 或 **縣市帳號（OpenID）** 登入，也可以用酷英網自己的帳號。先想想你是用哪一種登入的：

- **教育雲端帳號／縣市帳號**：密碼就是教育雲（或縣市帳號）的密碼。請到教育雲端帳號的「忘記密碼」重設；學生的縣市帳號請找導師或學校資訊組重設。
- **酷英網自己的帳號**：在登入頁按「忘記密碼」，輸入註冊時的電子郵件，依信件中的連結設定新密碼。收不到信請檢查垃圾郵件匣。

小提醒：密碼至少 8 碼，英文大小寫和數字混合比較安全；不要把密碼寫在平板背面。""",
        title_en="Forgot the Cool English (酷英網) password",
        body_en="""\
Cool English accepts the Education Cloud account, the county's OpenID account, or its own
account. Which one did you use?

- **Education Cloud / county OpenID**: the password is that account's password. Reset it with
  Education Cloud's "forgot password"; a student's county account is reset by the homeroom
  teacher or the school's IT office.
- **A Cool English account**: choose "forgot password" on the sign-in page and follow the link
  in the e-mail (check the spam folder).""",
        category="account",
        platform="coolenglish",
        tags="酷英網, 密碼, 忘記密碼, 教育雲",
        days_ago=150,
        popularity=4.0,
    ),
    ArticleSpec(
        key="classroom-join",
        title_zh="學生怎麼加入 Google Classroom 課程",
        body_zh="""\
1. 用 **學校發的 Google 帳號**（不是自己的 Gmail）登入 classroom.google.com 或 Classroom App。
2. 按右上角「＋」→「加入課程」，輸入老師給的 **課程代碼**（5–8 個英文字母和數字）。
3. 老師也可以寄邀請：在 Classroom 首頁的課程卡片上按「加入」即可。

常見狀況：

- 「找不到課程代碼」：確認大小寫沒有打錯，或請老師重設代碼。
- 「你無法加入這堂課」：通常是登入了個人 Gmail。點右上角頭像切換成學校帳號。
- 平板上同時登入多個帳號時，Classroom App 會使用最上面那個帳號，請先移除個人帳號。""",
        title_en="How students join a Google Classroom class",
        body_en="""\
1. Sign in with the **school Google account** (not a personal Gmail) at classroom.google.com
   or in the Classroom app.
2. Press "+" → "Join class" and type the teacher's **class code**.
3. Or accept the teacher's invitation: press "Join" on the class card.

"You can't join this class" usually means a personal account is signed in: switch accounts
from the profile picture.""",
        category="platform",
        platform="classroom",
        tags="Google Classroom, 課程代碼, 加入課程, 學校帳號",
        days_ago=140,
        popularity=3.0,
    ),
    ArticleSpec(
        key="tablet-charging",
        title_zh="平板無法充電的檢查步驟",
        body_zh="""\
送修之前，請先依序檢查，很多時候是充電線或插座的問題：

1. **換一個插座**，並確認延長線的開關有打開。
2. **換一條充電線和充電頭**（用同型號、原廠或有認證的）。充電線接頭附近折到、變形，是最常見的原因。
3. 用手電筒看看平板的 **充電孔** 有沒有棉絮或紙屑，可以用木製牙籤輕輕挑出，不要用金屬。
4. 接上電源後放 **30 分鐘**；電池完全沒電時，螢幕要過一陣子才會出現充電圖示。
5. iPad 請同時按住電源鍵和音量鍵（或 Home 鍵）約 10 秒 **強制重新開機**。

以上都試過仍無法充電，請錄一段影片（見〈送修前請錄一段故障影片〉），連同平板與充電器交給學校資訊組；借用的平板請不要自行拆修。""",
        title_en="The tablet does not charge: what to check",
        body_en="""\
Before sending it for repair, check in order:

1. Another wall socket (is the power strip switched on?).
2. Another cable and charger of the same type — a bent or frayed cable is the usual cause.
3. Lint in the charging port: remove it gently with a wooden toothpick, never metal.
4. Leave it connected for 30 minutes; a flat battery shows the charging sign only after a while.
5. Force-restart the iPad (hold the power and volume or Home buttons for about 10 seconds).

Still not charging? Record a short video (see "Record a video before a repair") and bring the
tablet and charger to the school's IT office. Do not open a borrowed tablet.""",
        category="device",
        tags="平板, 充電, 充電線, 生生用平板, 送修",
        days_ago=130,
        popularity=5.0,
    ),
    ArticleSpec(
        key="ipad-wifi",
        title_zh="iPad 連不上學校 Wi-Fi",
        body_zh="""\
1. 設定 → Wi-Fi，確認 Wi-Fi 已開啟、沒有開飛航模式。
2. 點選學校的無線網路名稱旁的 ⓘ →「忘記此網路」，再重新連線並輸入帳號密碼。
3. 確認 **日期與時間** 設為「自動設定」；時間不對時，需要憑證的網路會連不上。
4. 同一個 ⓘ 畫面把「私人 Wi-Fi 位址」設為「關閉」（學校若用裝置位址管理網路，開著會被擋）。
5. 重新開機。

整間教室都連不上，多半是無線基地台或網路的問題，請老師直接按「求助」，分類選「網路」，寫下教室位置和時間。""",
        title_en="An iPad cannot join the school Wi-Fi",
        body_en="""\
1. Settings → Wi-Fi: Wi-Fi on, airplane mode off.
2. Tap ⓘ next to the school network → "Forget This Network", then join again.
3. Set Date & Time to automatic: networks with certificates fail when the clock is wrong.
4. Turn "Private Wi-Fi Address" off for the school network.
5. Restart the iPad.

If a whole classroom cannot connect, the access point or the network is the problem: ask for
help with the category "Network", the room and the time.""",
        category="network",
        tags="iPad, Wi-Fi, 無線網路, 私人 Wi-Fi 位址",
        public=False,
        days_ago=110,
        popularity=3.5,
    ),
    ArticleSpec(
        key="chromebook-update",
        title_zh="Chromebook 系統更新與「自動更新到期」",
        body_zh="""\
**更新系統**：右下角時間 → 設定（齒輪）→ 關於 ChromeOS →「檢查更新」。下載完成後按「重新啟動」。更新時請接上電源，不要在上課中更新。

**自動更新到期（AUE）**：每一型 Chromebook 只會收到一定年限的系統更新。到「關於 ChromeOS → 其他詳細資料 → 更新時間表」可以看到到期日。到期後機器還能用，但不再有安全性更新：

- 學校資訊組請在設備登錄中標註到期日，列入汰換規劃。
- 到期的機器請不要再借給學生帶回家上網。

更新卡住或一直重開機，請按「求助」並附上機器的財產編號。""",
        title_en="Chromebook updates and Auto Update Expiration",
        body_en="""\
**Update**: clock → Settings → About ChromeOS → "Check for updates", then restart. Keep it
plugged in and do not update during a lesson.

**Auto Update Expiration (AUE)**: About ChromeOS → Additional details → Update schedule shows
the date after which the model gets no more updates. It still works, but without security
fixes: record the date in the register and plan the replacement; do not lend expired devices
for use at home.""",
        category="device",
        tags="Chromebook, 系統更新, AUE, 自動更新到期",
        public=False,
        days_ago=95,
        popularity=1.5,
    ),
    ArticleSpec(
        key="loan-rules",
        title_zh="生生用平板帶回家：借用規則與家長須知",
        body_zh="""\
學校的平板可以借回家學習，借用前請家長在 DTSS 上（或紙本）簽署借用切結書。

**借用期間請注意**

- 平板只用於學習；學校已安裝管理軟體（MDM），請勿移除描述檔或自行重置。
- 保持充電器、保護套完整；充電請使用學校配發的充電器。
- 不要借給他人，也不要放在車上或曝曬。
- 遺失或損壞請 **當天** 告知導師或學校資訊組，並按「求助」登記。

**歸還**：學期末或學校通知時，連同充電器、保護套一起歸還。正常使用下的故障不需賠償；人為損壞依學校規定處理。

家中沒有網路的學生，可以向學校申請借用行動網卡。""",
        title_en="Taking a school tablet home: rules for families",
        body_en="""\
School tablets may go home for learning once a parent signs the borrowing agreement (in DTSS
or on paper).

- Use it for learning only; do not remove the school's management profile or reset it.
- Keep the charger and case; charge it with the school's charger.
- Do not lend it to others; do not leave it in a car or in the sun.
- Report loss or damage **the same day** to the homeroom teacher or the IT office, and ask
  for help in DTSS.

Return it with its charger and case at the end of the semester. Faults in normal use cost
nothing. Students without internet at home may borrow a mobile hotspot.""",
        category="device",
        tags="生生用平板, 借用, 切結書, 家長, 歸還",
        days_ago=200,
        popularity=4.5,
    ),
    ArticleSpec(
        key="repair-video",
        title_zh="送修前請錄一段故障影片",
        body_zh="""\
一段 30 秒的影片，常常比一長段文字更能讓維修廠商判斷問題，也能避免「送修後無法重現」。

1. 用手機橫向拍攝，光線充足，畫面裡要看得到 **平板背面的財產編號標籤**。
2. 從 **開機** 或 **插上充電器** 開始拍，拍出問題發生的過程（例如觸控沒反應、畫面閃爍、充電圖示不出現）。
3. 有聲音問題時，請靠近喇叭錄。
4. 影片不要超過 1 分鐘；在「求助」表單中直接上傳（單一檔案 10 MB 以內），或交給學校資訊組。

請不要拍到學生的臉或姓名。""",
        title_en="Record a video before a repair",
        body_en="""\
A 30-second video often tells the repairer more than a page of text.

1. Film in landscape, in good light, with the asset tag on the back visible.
2. Start from switching on or plugging in, and show the fault happening.
3. For sound problems, record close to the speaker.
4. Keep it under a minute and attach it to your request (up to 10 MB per file).

Do not film students' faces or names.""",
        category="device",
        tags="送修, 影片, 故障, 財產編號",
        days_ago=100,
        popularity=1.2,
    ),
    ArticleSpec(
        key="genai-ethics",
        title_zh="課堂使用生成式 AI 的倫理與注意事項",
        body_zh="""\
生成式 AI（例如聊天機器人、影像生成工具）可以幫助備課與學習，但使用前請注意：

**教師**

- 先確認工具的 **使用年齡限制** 與服務條款；未達年齡的學生，請以教師示範或教育版工具進行。
- **不要輸入學生的個人資料**（姓名、學號、成績、特殊需求、照片）。
- AI 的回答可能錯誤或有偏見，請帶學生一起 **查證來源**，把「質疑與查證」當成學習目標。
- 作業設計著重思考歷程：要求學生說明如何使用 AI、修改了什麼。

**學生**

- 使用 AI 完成的部分要 **註明**，不可當成自己的原創。
- 不要上傳同學的照片或聲音。

本縣教學輔導組提供教案範例與研習，歡迎在社群「教學應用」分類討論。""",
        title_en="Generative AI in class: ethics and care",
        body_en="""\
Generative AI can help with preparation and learning. Before using it:

**Teachers**: check the tool's age limits and terms (demonstrate it yourself or use an
education edition for younger students); never enter students' personal data; treat checking
sources as a learning goal, since answers can be wrong or biased; design tasks around the
thinking process.

**Students**: say which parts were made with AI; never upload classmates' photos or voices.

The county's teaching guidance group offers lesson examples and workshops.""",
        category="teaching",
        tags="生成式AI, AI, 倫理, 個資, 教學",
        public=False,
        days_ago=45,
        popularity=2.5,
    ),
    ArticleSpec(
        key="jamf-app-missing",
        title_zh="平板上找不到 App：Jamf（MDM）派送問題排除",
        body_zh="""\
給學校資訊組：老師反映「平板上沒有因材網 App」或「App 圖示一直轉圈」時，請依序檢查：

1. 在 Jamf School 找到該裝置，確認 **最後回報時間**；超過 7 天未回報的裝置，請先連上網路並重新開機。
2. 確認 App 已指派給該裝置所在的 **裝置群組**，且 Apple 校務管理（ASM）中的 **App 授權數量足夠**。
3. 在裝置頁面按「重新安裝 App」或「推送更新」，讓平板保持亮螢幕、接上電源、連上學校 Wi-Fi 10 分鐘。
4. 仍失敗時，把裝置從群組移出再加入，或在 Jamf 中送出「重新註冊」。
5. 整批平板都裝不上：多半是授權不足或 ASM 同步失敗，請按「求助」，系統會轉給資訊設備組。

學生請不要自行到 App Store 下載，以免和學校的授權衝突。""",
        title_en="An app is missing on the tablet: Jamf (MDM) deployment",
        body_en="""\
For IT heads, when an app such as 因材網 is missing or stuck installing:

1. Find the device in Jamf School and check its last check-in; devices silent for a week must
   be online and restarted first.
2. Check the app is scoped to the device's group and Apple School Manager has enough licences.
3. Send "reinstall" from the device page; keep the tablet awake, charging and on school Wi-Fi
   for ten minutes.
4. Still failing: remove the device from the group and add it again, or re-enrol it.
5. A whole batch failing usually means licences or ASM sync: ask for help — it goes to the
   county's equipment group.""",
        category="device",
        platform="adl",
        tags="Jamf, MDM, App, 派送, 授權, 資訊組",
        public=False,
        days_ago=70,
        popularity=1.8,
    ),
    ArticleSpec(
        key="educloud-unlock",
        title_zh="教育雲帳號被鎖定：解鎖與重設密碼",
        body_zh="""\
密碼連續輸入錯誤，教育雲端帳號會被 **暫時鎖定**。請先不要一直重試：

1. 等待一段時間（畫面會顯示）後再登入，並確認大小寫、輸入法是英文半形。
2. 仍然無法登入，到教育雲端帳號登入頁按 **「忘記密碼」**，用註冊的電子郵件或手機重設。
3. 學生用的是 **縣市帳號（OpenID）** 時，請導師或學校資訊組在本縣帳號管理系統重設密碼；重設後第一次登入要改成自己的密碼。
4. 教師的帳號若綁定的電子郵件已失效，請帶證件到學校資訊組協助更新。

不要把帳號密碼告訴同學；共用平板使用完請登出。""",
        title_en="Education Cloud account locked: unlock and reset the password",
        body_en="""\
Too many wrong passwords lock the Education Cloud account for a while. Do not keep retrying:

1. Wait (the page says how long), then sign in checking upper case and the input method.
2. Still failing: "forgot password" on the sign-in page resets it by e-mail or phone.
3. Students with a county OpenID account: the homeroom teacher or the school's IT office
   resets it; change it at the next sign-in.
4. Teachers whose registered e-mail no longer works: bring an ID to the school's IT office.

Never share a password; sign out of shared tablets.""",
        category="account",
        platform="educloud",
        tags="教育雲, OpenID, 縣市帳號, 鎖定, 重設密碼",
        days_ago=180,
        popularity=6.0,
    ),
    ArticleSpec(
        key="network-slow",
        title_zh="學校網路很慢：先做這五件事",
        body_zh="""\
給學校資訊組：

1. **確認範圍**：是一間教室、一棟樓，還是全校？有線和無線都慢嗎？
2. **測速**：在電腦教室用有線網路測速，記錄時間與結果；和平常的數值比較。
3. **看設備**：核心交換器、無線控制器或基地台的燈號是否異常；重新啟動前先拍照記錄。
4. **找大量流量**：是否有整批平板在同時更新系統或下載 App（常見於開學第一週），可在 MDM 中暫停或改到放學後。
5. **回報**：全校斷線或測速明顯低於平常，請按「求助」分類選「網路」，附上測速截圖；系統會依服務時限轉給資訊設備組，由縣網中心協助檢查線路。""",
        title_en="The school network is slow: five things to do first",
        body_en="""\
For IT heads: (1) find the scope — one room, one building or the whole school, wired and
wireless; (2) run a wired speed test and note time and result; (3) check the core switch,
wireless controller and access points, photographing the lights before restarting;
(4) look for mass downloads such as tablets updating at once, and postpone them in the MDM;
(5) if the whole school is down or far slower than usual, ask for help with the category
"Network" and the speed test — it is escalated to the county's equipment group and the
county network centre.""",
        category="network",
        tags="網路, 網速, 斷線, 縣網中心, 測速",
        public=False,
        days_ago=85,
        popularity=2.2,
    ),
    ArticleSpec(
        key="printer",
        title_zh="印表機無法列印的常見原因",
        body_zh="""\
1. 印表機面板有沒有顯示卡紙、缺紙或碳粉不足？
2. 電腦的「印表機與掃描器」中，選對印表機了嗎？把卡住的列印工作全部取消後再印一次。
3. 網路印表機：電腦和印表機要在同一個網路（教師辦公室的有線網路）；平板的 AirPrint 只能在同一個無線網段使用。
4. 重新開啟印表機，等完全就緒（約 1 分鐘）再列印。
5. 列印出來有條紋或顏色淡：請更換碳粉匣，舊的交給學校回收。

以上都檢查過仍無法列印，請按「求助」，寫下印表機的位置與財產編號。""",
        category="device",
        tags="印表機, 列印, 卡紙, AirPrint",
        public=False,
        days_ago=60,
        popularity=1.5,
    ),
    ArticleSpec(
        key="projector-mirroring",
        title_zh="無線投影到觸控螢幕或投影機（AirPlay／Chromecast）",
        body_zh="""\
1. 平板和觸控螢幕（或投影機的無線盒）要連在 **同一個網路**；教室的螢幕名稱通常是教室編號。
2. **iPad**：從右上角往下滑打開控制中心 →「螢幕鏡像輸出」→ 選擇教室的螢幕；出現代碼時輸入螢幕上顯示的數字。
3. **Chromebook**：右下角時間 →「投放」→ 選擇螢幕。
4. 找不到螢幕：確認螢幕的訊號來源切到「無線投影」，把螢幕和平板都重新開機。
5. 畫面延遲很大：請改用有線 HDMI 轉接頭，或請學校檢查教室基地台。

上課前 5 分鐘先測試，可以避免上課時手忙腳亂。""",
        title_en="Mirroring to the interactive display or projector (AirPlay / Chromecast)",
        body_en="""\
1. The tablet and the display (or the projector's wireless box) must be on the same network.
2. iPad: Control Centre → Screen Mirroring → choose the classroom's display; type the code
   it shows.
3. Chromebook: clock → Cast → choose the display.
4. Not listed: switch the display's input to wireless mirroring, restart both.
5. Long delays: use a wired HDMI adapter, or ask the school to check the room's access point.""",
        category="device",
        tags="投影, 鏡像, AirPlay, Chromecast, 觸控螢幕",
        public=False,
        days_ago=75,
        popularity=2.8,
    ),
    ArticleSpec(
        key="school-ipad-cart",
        title_zh="南投國小：iPad 平板車借用與歸還流程",
        body_zh="""\
本校 iPad 平板車（共 4 車，每車 30 台）放在二樓資訊組旁的平板教室。

1. 在 DTSS「設備」中預約，或於前一天向資訊組登記使用節次。
2. 上課前由 **小老師兩人** 一起推車，平板依編號發給座號相同的學生。
3. 下課前 5 分鐘請學生登出因材網、Google 帳號，平板依編號放回並 **插上充電線**。
4. 發現破損、無法開機或充電，請在車上的紀錄表寫下編號，並按「求助」登記。
5. 推車請鎖好後歸還，鑰匙交回資訊組。

週五下午第 7 節為全校平板更新時間，請不要預約。""",
        category="device",
        tags="平板車, 借用, 南投國小, iPad",
        public=False,
        days_ago=90,
        school="084601",
        popularity=1.6,
    ),
]

# --------------------------------------------------------------------------- canned replies

CANNED: list[tuple[str, str, str, str]] = [
    # (key, name, category, text); the county's, except keys starting with "school:"
    (
        "clear-cache",
        "因材網登入：清除快取",
        "platform",
        "您好，請先依知識庫文章〈因材網登入不了〉的步驟，選「教育雲端帳號」登入，並清除瀏覽器的快取與 "
        "Cookie 後再試一次。如果還是不行，請回覆登入時畫面上的訊息或截圖，我們再協助您。",
    ),
    (
        "repair-video",
        "送修前請錄影",
        "device",
        "您好，為了讓維修廠商更快判斷，請錄一段約 30 秒的影片，拍到平板背面的財產編號與故障情形，"
        "回覆時上傳即可（知識庫：〈送修前請錄一段故障影片〉）。收到後我們會安排送修並提供備用機。",
    ),
    (
        "password-reset",
        "縣市帳號密碼已重設",
        "account",
        "您好，帳號密碼已重設為預設密碼，請在第一次登入時改成自己的密碼（至少 8 碼，英文與數字混合）。"
        "若仍無法登入，請回覆我們。",
    ),
    (
        "escalated",
        "已轉請縣府資訊設備組協助",
        "",
        "您好，這個問題需要縣府數位學習推動辦公室資訊設備組協助處理，我們已經轉給他們，"
        "有進度會在這裡回覆您。謝謝您的耐心。",
    ),
    (
        "more-info",
        "請提供更多資訊",
        "",
        "您好，為了協助您，請再告訴我們：發生的時間、使用的設備（財產編號或型號）、畫面上的訊息或截圖。"
        "謝謝！",
    ),
    (
        "school:bring-tablet",
        "請將平板帶到資訊組",
        "device",
        "您好，請於上課日 8:00–16:00 將平板連同充電器帶到二樓資訊組，我們會先檢查，"
        "需要送修時會借您備用機，不影響學習。",
    ),
]

# --------------------------------------------------------------------------- requests

# Who raises a request: a teacher, a student or a parent of the school (picked by the seed), or
# one of the demo accounts ("demo:teacher", "demo:student", "demo:parent").
# Steps, in order, each some working minutes after the one before:
#   ("reply", minutes, who, text[, status])  who: "head" (the school's IT head), "county"
#       (資訊設備組), "teaching" (教學輔導組), "principal"; text may be "canned:<key>"
#   ("note", minutes, who, text)              an internal note
#   ("requester", minutes, text)              the requester answers
#   ("status", minutes, who, status)
#   ("escalate", minutes, who, group, reason) group: "equipment" or "teaching"
#   ("take", minutes, who)                    a county group member takes it (assignment)
#   ("solved", minutes)                       the requester says it is solved
#   ("rate", minutes, rating, comment)
#   ("article", minutes, who)                 a handler drafts an article from it


@dataclass(frozen=True)
class RequestSpec:
    school: str
    who: str
    category: str
    platform: str
    subject: str
    description: str
    workdays_ago: int  # raised this many working days before today (0: minutes ago)
    hour: int = 9
    weekend: bool = False  # raised on the weekend before that working day, in the evening
    steps: tuple[tuple, ...] = field(default_factory=tuple)
    priority: str = "normal"
    key: str = ""


R = RequestSpec

REQUESTS: list[RequestSpec] = [
    # ---- the demo accounts' own requests (南投國小) ----
    R(
        "084601",
        "demo:student",
        "platform",
        "adl",
        "因材網登不進去",
        "我用教育雲帳號登入因材網，輸入密碼以後畫面一直跳回登入頁，換了平板也一樣。老師說今天要做數學單元練習。",
        workdays_ago=2,
        hour=10,
        key="student",
        steps=(
            (
                "reply",
                70,
                "head",
                "你好，我是資訊組長。請先照知識庫〈因材網登入不了〉的步驟清除瀏覽器快取，"
                "登入時選「教育雲端帳號」。我也檢查了你的帳號，沒有被鎖住。如果還是一直跳回登入頁，"
                "下課時間拿平板來資訊組，我幫你看看。",
            ),
            ("note", 5, "head", "帳號狀態正常；可能是 Safari 的 Cookie。若明天還不行就現場處理。"),
        ),
    ),
    R(
        "demo:parent-school",
        "demo:parent",
        "device",
        "",
        "借用的平板充不進電",
        "孩子從學校借回家的平板，昨天晚上插著充電一整夜，早上還是只有 3% 的電，充電圖示有時候出現有時候沒有。"
        "已經換過家裡的插座。請問要怎麼處理？",
        workdays_ago=1,
        hour=20,
        weekend=False,
        key="parent",
        steps=(
            (
                "reply",
                40,
                "head",
                "家長您好，謝謝您先換過插座。請讓孩子明天把平板連同充電器、充電線帶到資訊組，"
                "我們會先換一條充電線測試；若是電池或充電孔的問題就送修，並先借孩子一台備用機。",
            ),
            ("note", 3, "head", "可能是充電線接頭；先換線測試，不行再送修並借備用機。"),
        ),
    ),
    R(
        "084601",
        "demo:teacher",
        "device",
        "",
        "五年一班觸控螢幕無法無線投影",
        "五年一班教室的觸控螢幕，iPad 用螢幕鏡像找不到螢幕，昨天還可以。已經把螢幕和 iPad 都重新開機。",
        workdays_ago=12,
        hour=8,
        steps=(
            ("reply", 35, "head", "老師好，我第二節過去看。先用 HDMI 線接著上課。"),
            (
                "reply",
                120,
                "head",
                "已處理：螢幕的無線投影模組被切到另一個網段，已改回教室的網路，老師可以再試試。",
                "resolved",
            ),
            ("rate", 60, 5, "很快就處理好了，謝謝組長！"),
        ),
    ),
    # ---- 南投國小 (the demo IT head's queue) ----
    R(
        "084601",
        "teacher",
        "platform",
        "classroom",
        "學生無法加入 Google Classroom 課程",
        "六年二班有 5 位學生輸入課程代碼後出現「你無法加入這堂課」。其他同學都可以。",
        workdays_ago=6,
        hour=13,
        steps=(
            (
                "reply",
                60,
                "head",
                "老師好，這 5 位同學的平板上多半登入了個人 Gmail。請他們點右上角頭像，切換成學校帳號再加入"
                "（知識庫：〈學生怎麼加入 Google Classroom 課程〉）。",
                "waiting",
            ),
            ("requester", 200, "切換帳號後都加入了，謝謝！"),
            ("status", 30, "head", "resolved"),
            ("rate", 100, 4, ""),
        ),
    ),
    R(
        "084601",
        "parent",
        "account",
        "coolenglish",
        "孩子酷英網密碼忘記了",
        "孩子說酷英網的密碼忘記了，登入頁的忘記密碼要填電子郵件，但我們不記得當初用哪個信箱。",
        workdays_ago=4,
        hour=21,
        weekend=True,
        steps=(
            (
                "reply",
                90,
                "head",
                "家長您好，孩子是用縣市帳號登入酷英網的，密碼就是縣市帳號的密碼。"
                "我已經幫孩子重設，請孩子明天到資訊組拿新的密碼條，第一次登入後要改成自己的密碼。",
                "waiting",
            ),
            ("requester", 300, "孩子拿到新密碼了，已經可以登入，謝謝。"),
            ("status", 30, "head", "resolved"),
        ),
    ),
    R(
        "084601",
        "teacher",
        "device",
        "",
        "電腦教室 3 台電腦開機藍畫面",
        "電腦教室第 12、18、25 號電腦開機後出現藍畫面，重開也一樣，下週有資訊課。",
        workdays_ago=1,
        hour=14,
        steps=(("note", 30, "head", "疑似 Windows 更新失敗，明天用還原卡還原。"),),
    ),
    R(
        "084601",
        "student",
        "device",
        "",
        "平板螢幕有裂痕",
        "我的平板（平板車第 2 車 14 號）螢幕右下角有裂痕，不是我弄的，拿到時就有了。",
        workdays_ago=0,
        hour=9,
    ),
    R(
        "084601",
        "teacher",
        "network",
        "",
        "二樓東側教室 Wi-Fi 一直斷線",
        "二樓東側 201、202、203 教室上課時平板常常斷線，大約 10 分鐘斷一次，其他樓層比較正常。",
        workdays_ago=3,
        hour=10,
        steps=(
            ("reply", 300, "head", "老師好，我們已經在檢查二樓的無線基地台。", ""),
            ("escalate", 60, "head", "equipment", "疑似基地台故障，需要縣府協助報修。"),
            ("take", 90, "county"),
            (
                "reply",
                30,
                "county",
                "您好，我是縣府資訊設備組。已請維護廠商明天上午到校更換 202 教室的基地台，屆時會短暫斷線約 20 分鐘。",
            ),
        ),
        priority="high",
    ),
    R(
        "084601",
        "teacher",
        "platform",
        "adl",
        "因材網學習任務派不出去",
        "在因材網指派數學任務給五年三班，學生端一直看不到任務。",
        workdays_ago=25,
        hour=11,
        steps=(
            (
                "reply",
                80,
                "head",
                "老師好，學生要在因材網的「我的任務」才看得到，請確認指派時選對了班級和開始日期。",
                "waiting",
            ),
            ("requester", 60, "原來是開始日期設成下週，改好了，謝謝。"),
            ("status", 20, "head", "resolved"),
            ("article", 30, "head"),
        ),
    ),
    # ---- 平和國小 ----
    R(
        "084602",
        "teacher",
        "device",
        "",
        "平板上找不到因材網 App",
        "四年級平板車有 8 台平板上沒有因材網 App，上週還有。學生只能用 Safari 開網頁版。",
        workdays_ago=9,
        hour=9,
        steps=(
            (
                "reply",
                120,
                "head",
                "老師好，我查了 Jamf，這幾台有一週沒回報，先請學生連上 Wi-Fi 並重開機。",
            ),
            ("note", 10, "head", "Jamf 顯示 App 授權只剩 2 個，可能要請縣府調撥授權。"),
            ("escalate", 30, "head", "equipment", "App 授權不足，需要縣府 ASM 調撥。"),
            ("take", 200, "county"),
            (
                "reply",
                60,
                "county",
                "您好，已從縣府 Apple 校務管理調撥 30 個因材網授權給貴校，請在 Jamf 重新推送。",
            ),
            ("reply", 120, "head", "已重新推送，8 台都裝好了。", "resolved"),
            ("rate", 200, 5, "縣府處理很快。"),
        ),
    ),
    R(
        "084602",
        "parent",
        "device",
        "",
        "平板電池一下就沒電",
        "孩子借回家的平板充滿電，上一堂線上課程 40 分鐘就剩 20%，是不是電池壞了？",
        workdays_ago=7,
        hour=19,
        weekend=True,
        steps=(
            ("reply", 100, "head", "canned:repair-video"),
            ("requester", 300, "影片已經錄好了，明天讓孩子帶去學校。"),
            ("reply", 200, "head", "收到，已送修並借給孩子一台備用機。", "resolved"),
        ),
    ),
    R(
        "084602",
        "teacher",
        "other",
        "",
        "印表機無法列印",
        "教師辦公室的印表機按列印後沒有反應，列印佇列裡卡了好幾份文件。",
        workdays_ago=15,
        hour=8,
        steps=(
            (
                "reply",
                400,
                "head",
                "老師好，已清除列印佇列並重新啟動印表機，現在可以列印了。",
                "resolved",
            ),
        ),
    ),
    # ---- 南投國中 ----
    R(
        "084521",
        "student",
        "account",
        "educloud",
        "教育雲帳號被鎖住",
        "我登入教育雲的時候打錯好幾次密碼，現在顯示帳號被鎖定，明天要交酷課雲的作業。",
        workdays_ago=5,
        hour=16,
        steps=(
            ("reply", 45, "head", "canned:password-reset", "resolved"),
            ("rate", 60, 5, "可以登入了"),
        ),
    ),
    R(
        "084521",
        "teacher",
        "teaching",
        "",
        "想在國文課使用生成式 AI，需要注意什麼？",
        "想讓八年級學生用生成式 AI 幫忙構思作文大綱，想知道縣府有沒有建議的工具和使用規範，以及要不要家長同意。",
        workdays_ago=10,
        hour=12,
        steps=(
            ("escalate", 60, "head", "teaching", "教學應用問題，請教學輔導組協助。"),
            ("take", 120, "teaching"),
            (
                "reply",
                60,
                "teaching",
                "老師好，我是教學輔導組。請參考知識庫〈課堂使用生成式 AI 的倫理與注意事項〉，"
                "13 歲以下學生請用教師示範方式；13 歲以上使用前請確認工具條款並通知家長。"
                "下個月有一場生成式 AI 教學增能研習，歡迎報名。",
                "resolved",
            ),
            ("rate", 300, 5, "資料很完整，謝謝。"),
        ),
    ),
    R(
        "084521",
        "teacher",
        "network",
        "",
        "全校網路很慢",
        "今天早上開始全校網路都很慢，電腦教室測速只有平常的十分之一，線上測驗一直轉圈。",
        workdays_ago=2,
        hour=8,
        priority="urgent",
        steps=(
            ("reply", 30, "head", "已確認是全校性的問題，正在檢查機房設備。"),
            ("note", 20, "head", "核心交換器燈號正常，對外線路測速異常，可能是縣網端。"),
            ("escalate", 10, "head", "equipment", "對外線路異常，請縣網中心協助檢查。"),
            ("take", 40, "county"),
            (
                "reply",
                50,
                "county",
                "您好，縣網中心檢查後發現貴校的光纖線路衰減，已派中華電信維修，預計今天下午修復。",
            ),
        ),
    ),
    R(
        "084521",
        "parent",
        "platform",
        "cooc",
        "酷課雲影片看不了",
        "孩子在家用平板看酷課雲的課程影片，一直出現錯誤，電腦就可以看。",
        workdays_ago=30,
        hour=20,
        weekend=True,
        steps=(
            (
                "reply",
                200,
                "head",
                "家長您好，請將平板的系統更新到最新版本，並清除 Safari 的快取後再試。",
                "waiting",
            ),
            ("requester", 100, "更新後可以看了。"),
            ("status", 50, "head", "resolved"),
        ),
    ),
    # ---- 埔里國中 ----
    R(
        "084531",
        "teacher",
        "device",
        "",
        "Chromebook 一直重新開機",
        "九年級 Chromebook 有 3 台開機後一直重新開機，畫面停在 Chrome 標誌。",
        workdays_ago=11,
        hour=10,
        steps=(
            (
                "reply",
                600,
                "head",
                "老師好，已經收回這 3 台，會做強制更新（Powerwash）後再還給班級。",
            ),
            ("reply", 500, "head", "其中 2 台已恢復；1 台主機板故障，已送修。", "resolved"),
            ("rate", 100, 3, "處理有點久，希望能先有備用機。"),
        ),
    ),
    R(
        "084531",
        "student",
        "platform",
        "junyi",
        "均一的進度不見了",
        "我在均一做的練習紀錄今天全部不見了，之前有完成很多題。",
        workdays_ago=1,
        hour=15,
    ),
    R(
        "084531",
        "teacher",
        "device",
        "",
        "Chromebook 顯示自動更新已到期",
        "電腦教室的 Chromebook 出現「這部裝置已不再接收最新的軟體更新」，還可以繼續使用嗎？",
        workdays_ago=20,
        hour=9,
        steps=(
            (
                "reply",
                100,
                "head",
                "老師好，可以繼續使用，但不會再有安全性更新，已列入汰換清單。請不要借給學生帶回家。",
                "resolved",
            ),
        ),
    ),
    # ---- 埔里國小 ----
    R(
        "084611",
        "teacher",
        "platform",
        "coolenglish",
        "酷英網班級學生名單不完整",
        "在酷英網建立班級後，匯入的學生名單少了 3 位轉入生。",
        workdays_ago=2,
        hour=13,
        steps=(
            (
                "reply",
                300,
                "head",
                "老師好，轉入生的縣市帳號上週才建立，請在酷英網重新同步班級名單。",
                "waiting",
            ),
        ),
    ),
    R(
        "084611",
        "parent",
        "account",
        "adl",
        "因材網帳號密碼是什麼",
        "學校通知回家要做因材網的作業，可是孩子不知道帳號密碼，聯絡簿上也沒寫。",
        workdays_ago=3,
        hour=21,
        weekend=True,
        steps=(("reply", 500, "head", "canned:more-info"),),
    ),
    R(
        "084611",
        "teacher",
        "device",
        "",
        "觸控螢幕觸控位置偏移",
        "三年一班的觸控螢幕，點下去的位置跟實際的位置差了 2 公分左右。",
        workdays_ago=35,
        hour=11,
        steps=(
            ("reply", 100, "head", "已重新校正觸控螢幕，請老師再試試。", "resolved"),
            ("rate", 50, 5, ""),
        ),
    ),
    # ---- 仁愛國小 (remote) ----
    R(
        "084641",
        "teacher",
        "network",
        "",
        "學校網路完全斷線",
        "從早上開始全校都沒有網路，電話也不通，可能是颱風後線路受損。現在用手機熱點回報。",
        workdays_ago=1,
        hour=9,
        priority="urgent",
        key="remote-outage",
    ),
    R(
        "084641",
        "student",
        "device",
        "",
        "平板沒有聲音",
        "平板看影片都沒有聲音，耳機插上去也沒有。",
        workdays_ago=14,
        hour=10,
        steps=(
            ("reply", 200, "head", "請檢查控制中心的靜音是否打開，並把音量調大。", "waiting"),
            ("requester", 100, "找到了，是靜音開著，現在有聲音了。"),
            ("status", 60, "head", "resolved"),
        ),
    ),
    R(
        "084641",
        "teacher",
        "teaching",
        "",
        "想學怎麼用因材網做差異化教學",
        "學校學生人數少、年級混齡上課，想請教如何用因材網做差異化的學習任務。",
        workdays_ago=18,
        hour=14,
        steps=(
            ("escalate", 30, "head", "teaching", "請教學輔導組提供混齡班的經驗。"),
            ("take", 300, "teaching"),
            (
                "reply",
                100,
                "teaching",
                "老師好，教學輔導組下週三會到貴校入班陪伴，示範用因材網的知識結構圖依程度派任務。",
                "resolved",
            ),
        ),
    ),
    # ---- 仁愛國中 (remote) ----
    R(
        "084541",
        "teacher",
        "device",
        "",
        "行動網卡沒有訊號",
        "借給住在山上學生的行動網卡，在家裡都沒有訊號，只有到村口才有。",
        workdays_ago=6,
        hour=15,
        steps=(
            ("reply", 900, "head", "已請電信公司確認該區的基地台涵蓋。"),
            ("note", 20, "head", "可能要改借其他電信的網卡。"),
        ),
    ),
    R(
        "084541",
        "parent",
        "device",
        "",
        "平板不小心摔壞了",
        "孩子在家不小心讓平板掉到地上，螢幕破了不能觸控，請問要賠償嗎？",
        workdays_ago=22,
        hour=20,
        weekend=True,
        steps=(
            (
                "reply",
                200,
                "head",
                "家長您好，請先讓孩子把平板帶回學校，我們會送修並借備用機。"
                "是否需要賠償依學校的借用規定，意外損壞通常由保固或保險處理，請別擔心。",
            ),
            ("requester", 100, "好的，明天帶去。"),
            ("reply", 300, "head", "已收到平板並送修，備用機已交給孩子。", "resolved"),
            ("rate", 200, 5, "謝謝學校體諒。"),
        ),
    ),
    # ---- 國立南投高中 ----
    R(
        "080301",
        "student",
        "platform",
        "classroom",
        "Google Classroom 作業繳交失敗",
        "上傳作業到 Classroom 時一直顯示「無法上傳」，檔案是 50MB 的影片。",
        workdays_ago=4,
        hour=22,
        steps=(
            (
                "reply",
                60,
                "head",
                "同學你好，影片太大時請先上傳到雲端硬碟，再在作業中附上雲端硬碟的檔案。",
                "resolved",
            ),
        ),
    ),
    R(
        "080301",
        "teacher",
        "account",
        "teams",
        "Teams 無法登入",
        "用學校的微軟帳號登入 Teams，出現「您的帳戶已停用」。",
        workdays_ago=40,
        hour=9,
        steps=(
            ("reply", 90, "head", "老師好，帳號授權年度更新時漏掉了，已重新啟用。", "resolved"),
            ("rate", 100, 4, ""),
        ),
    ),
    R(
        "080301",
        "teacher",
        "network",
        "",
        "視聽教室網路孔沒有作用",
        "視聽教室講台的網路孔接上筆電沒有網路。",
        workdays_ago=0,
        hour=8,
    ),
    # ---- older closed ones across the county ----
    R(
        "084612",
        "teacher",
        "device",
        "",
        "投影機畫面偏黃",
        "四年二班投影機的畫面顏色偏黃，看不清楚簡報的字。",
        workdays_ago=38,
        hour=10,
        steps=(("reply", 300, "head", "投影機燈泡老化，已更換新燈泡。", "resolved"),),
    ),
    R(
        "084613",
        "parent",
        "platform",
        "adl",
        "因材網影片一直轉圈",
        "孩子在家看因材網的教學影片一直轉圈圈，但 YouTube 可以看。",
        workdays_ago=33,
        hour=20,
        weekend=True,
        steps=(
            ("reply", 200, "head", "canned:clear-cache", "waiting"),
            ("requester", 200, "清除快取後可以看了，謝謝。"),
            ("status", 100, "head", "resolved"),
            ("rate", 50, 4, ""),
        ),
    ),
    R(
        "084522",
        "teacher",
        "other",
        "",
        "想申請電腦教室軟體安裝",
        "下學期資訊科技課要用 Scratch 3 和 Arduino IDE，想請資訊組在電腦教室安裝。",
        workdays_ago=28,
        hour=11,
        steps=(
            ("reply", 900, "head", "已安裝在電腦教室 1–36 號電腦，還原卡也已更新。", "resolved"),
        ),
    ),
    R(
        "084522",
        "student",
        "account",
        "educloud",
        "忘記縣市帳號密碼",
        "我忘記縣市帳號的密碼，不能登入因材網。",
        workdays_ago=16,
        hour=13,
        steps=(("reply", 1200, "head", "canned:password-reset", "resolved"),),
    ),
    R(
        "084532",
        "teacher",
        "device",
        "",
        "平板車充電櫃有一排不會充電",
        "平板車第 3 層的充電孔都不會充電，其他層正常。",
        workdays_ago=13,
        hour=9,
        steps=(
            ("reply", 120, "head", "canned:more-info", "waiting"),
            ("requester", 60, "是 B 車，財產編號 084532-01233。"),
            ("reply", 200, "head", "已確認是充電櫃的保險絲燒斷，廠商更換後恢復。", "resolved"),
        ),
    ),
    R(
        "084614",
        "teacher",
        "network",
        "",
        "教室沒有無線網路",
        "新設的自然教室沒有無線網路，上課沒辦法用平板。",
        workdays_ago=45,
        hour=10,
        steps=(
            ("reply", 700, "head", "已向縣府申請增設基地台。"),
            ("escalate", 10, "head", "equipment", "新教室需增設無線基地台。"),
            ("take", 300, "county"),
            ("reply", 900, "county", "已完成基地台建置，請老師測試。", "resolved"),
            ("rate", 300, 4, "等比較久，但問題解決了。"),
        ),
    ),
    R(
        "084603",
        "teacher",
        "platform",
        "junyi",
        "均一教師帳號無法建立班級",
        "在均一建立班級時按下建立沒有反應。",
        workdays_ago=19,
        hour=14,
        steps=(("reply", 250, "head", "請改用 Chrome 瀏覽器，並允許彈出視窗。", "resolved"),),
    ),
    R(
        "084611",
        "student",
        "device",
        "",
        "平板一直跳出描述檔安裝",
        "平板一直跳出「安裝描述檔」的視窗，按取消又會跳出來。",
        workdays_ago=2,
        hour=11,
        steps=(("reply", 150, "head", "canned:more-info"),),
    ),
    R(
        "084601",
        "parent",
        "other",
        "",
        "家長帳號可以看到孩子的學習紀錄嗎",
        "請問家長用 DTSS 帳號可以看到孩子在因材網的學習紀錄嗎？",
        workdays_ago=8,
        hour=21,
        weekend=True,
        steps=(
            (
                "reply",
                60,
                "head",
                "家長您好，可以的。登入後在首頁「孩子的學習」就能看到孩子近期在因材網、酷英網的學習紀錄。",
                "resolved",
            ),
            ("rate", 100, 5, "很清楚，謝謝。"),
        ),
    ),
]

# --------------------------------------------------------------------------- community

# Threads of the county's community: (key, author, topic, title, posts, flags)
# author / post authors: "county" (資訊設備組), "teaching" (教學輔導組), "ithead" (南投國小),
# or "head:<school code>" (that school's IT head). A post is (author, working minutes after the
# one before, text). flags: "pinned", "locked", "solved:<index of the answer post>",
# "request:<key of a request above>".


@dataclass(frozen=True)
class ThreadSpec:
    key: str
    author: str
    topic: str
    title: str
    workdays_ago: int
    posts: tuple[tuple[str, int, str], ...]
    flags: tuple[str, ...] = ()
    hour: int = 10


THREADS: list[ThreadSpec] = [
    ThreadSpec(
        "repair-flow",
        "county",
        "device",
        "【請先閱讀】生生用平板送修流程與備用機申請",
        workdays_ago=40,
        posts=(
            (
                "county",
                0,
                "各位資訊組長好：\n\n1. 學生平板故障，請先請家長或學生錄一段故障影片（知識庫有說明）。\n"
                "2. 在 DTSS 設備登錄中把平板改為「送修中」，並借出備用機。\n"
                "3. 每週二、四廠商到校收送，保固內免費；保固外請先報價。\n"
                "4. 同一校一個月內送修超過 10 台，請在社群發文，我們會一起檢查是否為批次問題。\n\n"
                "有問題請在這裡留言。",
            ),
            ("head:084531", 200, "請問 2019 年那批已經過保的，也是走同一個流程嗎？"),
            ("county", 100, "是的，過保的請先報價，費用由縣府的維修經費支應，不用學校自己付。"),
            ("ithead", 300, "謝謝說明，已轉知本校導師。"),
        ),
        flags=("pinned",),
    ),
    ThreadSpec(
        "adl-login",
        "ithead",
        "platform",
        "因材網教育雲登入後一直跳回首頁，各校有遇到嗎？",
        workdays_ago=9,
        posts=(
            (
                "ithead",
                0,
                "本校這兩天有十幾位學生反映，用教育雲端帳號登入因材網後一直跳回首頁，大多是 iPad 的 Safari。"
                "其他學校有遇到嗎？",
            ),
            ("head:084602", 40, "我們也有幾位，換成 Chrome 就可以。"),
            (
                "head:084521",
                60,
                "我們查到是 Safari 的「防止跨網站追蹤」加上舊的 Cookie。清除 Safari 的網站資料後就好了，"
                "不用關掉防追蹤。",
            ),
            ("county", 30, "感謝分享，我們已把這個步驟補進知識庫〈因材網登入不了〉。"),
            ("ithead", 120, "照南投國中的方法處理，學生都可以登入了，謝謝！"),
        ),
        flags=("solved:2",),
    ),
    ThreadSpec(
        "remote-outage",
        "county",
        "network",
        "仁愛國小全校斷線（颱風後線路受損）",
        workdays_ago=1,
        posts=(
            (
                "county",
                0,
                "仁愛國小今天早上全校斷線，已請縣網中心和電信公司查修。附近學校如果也斷線，請在這裡回報，"
                "方便我們判斷是不是同一段線路。",
            ),
            ("head:084541", 20, "仁愛國中目前正常，但早上有閃斷兩次。"),
        ),
        flags=("request:remote-outage",),
        hour=11,
    ),
    ThreadSpec(
        "jamf-licences",
        "head:084602",
        "device",
        "Jamf 推送因材網 App 一直失敗",
        workdays_ago=9,
        posts=(
            (
                "head:084602",
                0,
                "本校四年級有 8 台平板因材網 App 裝不上，Jamf 顯示「等待中」。請問大家怎麼處理？",
            ),
            ("head:084531", 90, "先看 ASM 的授權數量，我們之前也是授權不夠。"),
            ("county", 200, "已調撥授權給平和國小。其他學校授權不足也可以直接求助，我們統一處理。"),
        ),
    ),
    ThreadSpec(
        "genai",
        "teaching",
        "teaching",
        "各校怎麼訂生成式 AI 的課堂使用規範？",
        workdays_ago=14,
        posts=(
            (
                "teaching",
                0,
                "教學輔導組正在整理各校的生成式 AI 使用規範，想請各校分享：是否需要家長同意？"
                "學生可以用哪些工具？",
            ),
            (
                "head:084521",
                300,
                "本校七、八年級只在老師帶領下使用，作業要註明哪些部分用了 AI，不用家長同意書。",
            ),
            ("head:080301", 200, "高中部有讓學生用，但要求附上提問紀錄，老師看思考過程。"),
            ("teaching", 500, "謝謝分享，我們會整理成範本，下個月研習時提供。"),
        ),
    ),
    ThreadSpec(
        "aue",
        "head:084531",
        "device",
        "Chromebook 自動更新到期的機器怎麼處理？",
        workdays_ago=20,
        posts=(
            ("head:084531", 0, "本校有 60 台 Chromebook 今年到期，請問縣府有汰換計畫嗎？"),
            (
                "county",
                300,
                "會列入明年的需求調查，請先在設備登錄裡標註到期日。到期的機器可以留在校內使用。",
            ),
        ),
    ),
    ThreadSpec(
        "stocktake",
        "county",
        "device",
        "本學期載具盤點回報（已截止）",
        workdays_ago=30,
        posts=(
            ("county", 0, "請各校在兩週內完成載具盤點，並在 DTSS 設備頁面回報。"),
            ("head:084611", 400, "埔里國小已完成回報。"),
            ("head:084641", 600, "仁愛國小已回報，有 2 台遺失已報案。"),
            ("county", 900, "盤點已截止，謝謝各校。未回報的學校我們會個別聯繫。"),
        ),
        flags=("locked",),
    ),
]


# --------------------------------------------------------------------------- the builder


def demo_helpdesk(rng: random.Random, progress: Callable[[str], None]) -> None:
    from dtss.accounts.models import User
    from dtss.helpdesk.models import HelpdeskSettings, HelpRequest
    from dtss.orgs.models import County

    county = County.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None or not User.objects.filter(username="county.admin").exists():
        return
    if (
        HelpdeskSettings.objects.filter(county=county).exists()
        or HelpRequest.objects.filter(county=county).exists()
    ):
        return
    progress("Helpdesk: settings, knowledge base, two months of help requests, community …")
    local = random.Random(rng.getrandbits(64))  # this module's draws do not shift others'
    _Demo(county=county, rng=local).build(progress)


class _Demo:
    def __init__(self, *, county: Any, rng: random.Random) -> None:
        from dtss.accounts.models import User
        from dtss.orgs.models import OfficeGroup

        self.county = county
        self.rng = rng
        self.now = timezone.now()
        self.started = self.now
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_default_timezone()
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["county.admin", "county.it", "ithead", "teacher", "student", "parent"]
            ).select_related("person")
        }
        self.admin = users["county.admin"]
        self.it = users.get("county.it") or self.admin
        self.ithead = users.get("ithead")
        self.demo = {k: users.get(k) for k in ("teacher", "student", "parent")}
        groups = OfficeGroup.objects.filter(county=county)
        self.equipment = groups.filter(kind=OfficeGroup.Kind.EQUIPMENT).order_by("id").first()
        self.teaching = groups.filter(kind=OfficeGroup.Kind.TEACHING).order_by("id").first()
        self.calendars: dict[int | None, Any] = {}
        self.accounts: dict[int, Any] = {}
        # 資訊設備組's lead (county.it) answers for the group; 教學輔導組's lead gets a login.
        self.teaching_user = self.it
        if self.teaching is not None and self.teaching.lead is not None:
            self.teaching_user = self.account(self.teaching.lead)
        self.pools: dict[tuple[str, int], list[Any]] = {}
        self.requests: dict[str, Any] = {}
        self.counts = {"requests": 0, "articles": 0, "threads": 0}

    # --- helpers ----------------------------------------------------------------------
    def account(self, person: Any) -> Any:
        """The person's login; a new one without a password if they have none."""
        from dtss.accounts.models import User

        if person.pk in self.accounts:
            return self.accounts[person.pk]
        user = User.objects.filter(person=person).first()
        if user is None:
            handle = (person.external_id or person.public_id.hex[:10]).lower()
            user = User.objects.create_user(username=f"demo.{handle}", password=None, person=person)
        self.accounts[person.pk] = user
        return user

    def calendar(self, school_id: int | None) -> Any:
        from dtss.helpdesk import sla

        if school_id not in self.calendars:
            self.calendars[school_id] = sla.calendar_for(
                county_id=self.county.pk, school_id=school_id, around=self.today
            )
        return self.calendars[school_id]

    def workday_back(self, n: int, school_id: int | None = None) -> dt.date:
        cal = self.calendar(school_id)
        day = self.today
        while n > 0:
            day -= dt.timedelta(days=1)
            if cal.is_working_day(day):
                n -= 1
        return day

    def at(self, day: dt.date, hour: int, minute: int | None = None) -> dt.datetime:
        minute = self.rng.randint(0, 50) if minute is None else minute
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def later(self, start: dt.datetime, minutes: int, school_id: int | None) -> dt.datetime:
        from dtss.helpdesk import sla

        if minutes <= 0:
            return start + dt.timedelta(minutes=1)
        jitter = self.rng.randint(0, max(1, minutes // 5))
        return sla.add_working_minutes(start, minutes + jitter, self.calendar(school_id))

    def in_past(self, moment: dt.datetime) -> bool:
        return moment < self.now - dt.timedelta(minutes=5)

    def backdate(self, moment: dt.datetime) -> None:
        """The rows the services just wrote carry the replayed moment, not today's: messages
        and events of requests, and the audit entries."""
        from dtss.core.models import AuditEntry
        from dtss.helpdesk.models import RequestMessage

        RequestMessage.objects.filter(county=self.county, created_at__gte=self.started).update(
            created_at=moment
        )
        AuditEntry.objects.filter(at__gte=self.started, action__startswith="helpdesk.").update(
            at=moment
        )

    def school(self, code: str) -> Any:
        from dtss.orgs.models import School

        return School.objects.get(county=self.county, code=code)

    def it_head(self, school: Any) -> Any:
        from dtss.helpdesk.services import it_head_of

        head = it_head_of(school_id=school.pk)
        return self.account(head) if head is not None else self.admin

    # --- build ------------------------------------------------------------------------
    def build(self, progress: Callable[[str], None]) -> None:
        self.setup()
        self.articles()
        self.replay()
        self.community()
        self.read_days()
        _drop_history_mail()
        progress(
            f"Helpdesk: {self.counts['articles']} articles, {self.counts['requests']} help "
            f"requests, {self.counts['threads']} community discussions."
        )

    def setup(self) -> None:
        from dtss.helpdesk import admin_services, canned_services
        from dtss.helpdesk.models import CalendarDay, ServiceTarget

        admin = self.admin
        admin_services.settings_update(
            county=self.county,
            user=admin,
            work_days="12345",
            work_start=dt.time(8, 0),
            work_end=dt.time(17, 0),
            auto_close_days=7,
        )
        for iso, name in HOLIDAYS:
            admin_services.calendar_day_add(
                county=self.county, user=admin, date=dt.date.fromisoformat(iso), name=name
            )
        # 南投國中's anniversary day off: the Monday after its anniversary Saturday, a few
        # weeks ago (so the replayed clocks of its requests skip it).
        code, name = SCHOOL_DAY_OFF
        school = self.school(code)
        county_cal = self.calendar(None)
        day = self.today - dt.timedelta(days=21)
        while day.isoweekday() != 1 or not county_cal.is_working_day(day):
            day -= dt.timedelta(days=1)
        admin_services.calendar_day_add(
            county=self.county,
            user=admin,
            date=day,
            name=f"{name}（{day - dt.timedelta(days=2):%m/%d} 校慶運動會）",
            kind=CalendarDay.Kind.CLOSED,
            school=school,
        )
        self.calendars.clear()
        targets = [
            ("device", 240, 5 * 540, self.equipment),
            ("network", 120, 540, self.equipment),
            ("account", 120, 2 * 540, self.equipment),
            ("platform", 240, 3 * 540, self.equipment),
            ("teaching", 540, 10 * 540, self.teaching),
        ]
        items = [
            admin_services.TargetInput(
                category,
                first,
                resolution,
                ServiceTarget.Escalate.ON_BREACH if group else ServiceTarget.Escalate.NEVER,
                group,
            )
            for category, first, resolution, group in targets
        ]
        items.append(
            admin_services.TargetInput("other", 540, 10 * 540, ServiceTarget.Escalate.NEVER, None)
        )
        admin_services.targets_set(county=self.county, user=admin, items=items)
        self.canned: dict[str, str] = {}
        demo_school = self.school(DEMO_SCHOOL_CODE)
        for key, title, category, body in CANNED:
            if key.startswith("school:"):
                if self.ithead is None:
                    continue
                canned_services.canned_create(
                    user=self.ithead,
                    title=title,
                    body=body,
                    category=category,
                    school=demo_school,
                )
            else:
                canned_services.canned_create(
                    user=self.it, title=title, body=body, category=category, county=self.county
                )
            self.canned[key] = body
        self.backdate(self.at(self.today - dt.timedelta(days=240), 9))

    def articles(self) -> None:
        from dtss.helpdesk import kb_services
        from dtss.helpdesk.models import Article

        self.published: list[tuple[Any, float, dt.date]] = []
        for spec in ARTICLES:
            school = self.school(spec.school) if spec.school else None
            author = self.ithead if school is not None and self.ithead is not None else self.it
            published = self.at(self.today - dt.timedelta(days=spec.days_ago), 10)
            article = kb_services.article_create(
                user=author,
                county=None if school is not None else self.county,
                school=school,
                title_zh=spec.title_zh,
                body_zh=spec.body_zh,
                title_en=spec.title_en,
                body_en=spec.body_en,
                category=spec.category,
                platform=spec.platform,
                tags=spec.tags,
                visibility=(
                    Article.Visibility.PUBLIC if spec.public else Article.Visibility.SIGNED_IN
                ),
            )
            kb_services.article_status_set(
                article=article, user=author, status=Article.Status.PUBLISHED, now=published
            )
            Article.objects.filter(pk=article.pk).update(
                created_at=published - dt.timedelta(days=2)
            )
            self.backdate(published)
            self.published.append((article, spec.popularity, published.date()))
            self.counts["articles"] += 1

    # --- requests ---------------------------------------------------------------------
    def requester(self, who: str, school: Any) -> Any:
        """A teacher, student or parent of the school (the same for the same seed)."""
        from dtss.orgs.models import Guardianship, Membership, Role

        if who.startswith("demo:"):
            return self.demo[who.split(":", 1)[1]]
        key = (who, school.pk)
        if key not in self.pools:
            exclude = {u.person_id for u in self.demo.values() if u is not None}
            parent = self.demo.get("parent")
            if parent is not None:
                exclude |= set(
                    Guardianship.objects.filter(parent_id=parent.person_id).values_list(
                        "child_id", flat=True
                    )
                )
            if who == "parent":
                ids = (
                    Guardianship.objects.filter(
                        child__memberships__school=school,
                        child__memberships__role=Role.STUDENT,
                        parent__memberships__school=school,
                        parent__memberships__role=Role.PARENT,
                    )
                    .exclude(child_id__in=exclude)
                    .exclude(parent_id__in=exclude)
                    .values_list("parent_id", flat=True)
                )
            else:
                role = Role.TEACHER if who == "teacher" else Role.STUDENT
                admins = Membership.objects.filter(
                    school=school, role=Role.SCHOOL_ADMIN
                ).values_list("person_id", flat=True)
                ids = (
                    Membership.objects.filter(school=school, role=role)
                    .exclude(person_id__in=admins)
                    .exclude(person_id__in=exclude)
                    .values_list("person_id", flat=True)
                )
            self.pools[key] = sorted(set(ids))
        from dtss.orgs.models import Person

        pool = self.pools[key]
        person = Person.objects.get(pk=pool.pop(self.rng.randrange(len(pool))))
        return self.account(person)

    def parent_loan(self) -> tuple[Any, Any]:
        """The school and device of the demo parent's signed take-home loan."""
        from dtss.devices.models import Assignment
        from dtss.helpdesk.services import requester_schools

        parent = self.demo.get("parent")
        if parent is None:
            return self.school(DEMO_SCHOOL_CODE), None
        loan = (
            Assignment.objects.filter(
                person__guardian_links__parent_id=parent.person_id,
                status=Assignment.Status.ACTIVE,
                kind=Assignment.Kind.LOAN,
            )
            .select_related("school", "device")
            .order_by("id")
            .first()
        )
        if loan is not None:
            return loan.school, loan.device
        return requester_schools(user=parent)[0], None

    def replay(self) -> None:
        """Raise the requests and play their steps in time order, with the service-target
        check every two hours in between, as cron would run it."""
        from dtss.helpdesk import services

        events: list[tuple[dt.datetime, int, Callable[[dt.datetime], None]]] = []
        seq = 0
        for spec in REQUESTS:
            device = None
            if spec.school == "demo:parent-school":
                school, device = self.parent_loan()
            else:
                school = self.school(spec.school)
            user = self.requester(spec.who, school)
            if user is None:
                continue
            day = self.workday_back(spec.workdays_ago, school.pk)
            if spec.weekend:
                day -= dt.timedelta(days=1)
                while self.calendar(school.pk).is_working_day(day):
                    day -= dt.timedelta(days=1)
            raised = self.at(day, spec.hour)
            if spec.workdays_ago == 0 or not self.in_past(raised):  # today: a little while ago
                raised = self.now - dt.timedelta(minutes=self.rng.randint(20, 100))
            box: dict[str, Any] = {}

            def raise_it(
                moment: dt.datetime,
                spec: Any = spec,
                user: Any = user,
                school: Any = school,
                device: Any = device,
                box: dict[str, Any] = box,
            ) -> None:
                box["req"] = services.request_create(
                    user=user,
                    school=school,
                    category=spec.category,
                    platform=spec.platform,
                    subject=spec.subject,
                    description=spec.description,
                    device=device,
                    priority=spec.priority,
                    now=moment,
                )
                box["user"] = user
                if spec.key:
                    self.requests[spec.key] = box["req"]
                self.counts["requests"] += 1

            seq += 1
            events.append((raised, seq, raise_it))
            moment = raised
            for step in spec.steps:
                minutes = step[1]
                moment = self.later(moment, minutes, school.pk)
                if not self.in_past(moment):
                    break
                seq += 1
                events.append(
                    (
                        moment,
                        seq,
                        lambda m, step=step, box=box, school=school: self.step(
                            box, step, school, m
                        ),
                    )
                )
        first = min(e[0] for e in events)
        day = first.date()
        while day <= self.today:
            for hour in CHECK_HOURS:
                moment = self.at(day, hour, 5)
                if first < moment and self.in_past(moment):
                    seq += 1
                    events.append((moment, seq, lambda m: services.sla_check(now=m)))
            day += dt.timedelta(days=1)
        for moment, _seq, action in sorted(events, key=lambda e: (e[0], e[1])):
            action(moment)
            self.backdate(moment)
        services.sla_check(now=self.now)

    def handler(self, who: str, school: Any) -> Any:
        if who == "county":
            return self.it
        if who == "teaching":
            return self.teaching_user
        return self.it_head(school)

    def text(self, value: str) -> str:
        if value.startswith("canned:"):
            return self.canned[value.split(":", 1)[1]]
        return value

    def step(self, box: dict[str, Any], step: tuple, school: Any, moment: dt.datetime) -> None:
        from dtss.helpdesk import kb_services, services

        req = box.get("req")
        if req is None:
            return
        req.refresh_from_db()
        kind = step[0]
        if kind == "reply":
            who, body = step[2], self.text(step[3])
            status = step[4] if len(step) > 4 else ""
            services.request_reply(
                request_obj=req,
                user=self.handler(who, school),
                body=body,
                status=status,
                now=moment,
            )
        elif kind == "note":
            services.request_reply(
                request_obj=req,
                user=self.handler(step[2], school),
                body=step[3],
                internal=True,
                now=moment,
            )
        elif kind == "requester":
            services.request_reply(request_obj=req, user=box["user"], body=step[2], now=moment)
        elif kind == "status":
            services.request_status_set(
                request_obj=req, user=self.handler(step[2], school), status=step[3], now=moment
            )
        elif kind == "escalate":
            if req.escalated_to_id is None:  # not already escalated by the target check
                group = self.equipment if step[3] == "equipment" else self.teaching
                services.request_escalate(
                    request_obj=req,
                    user=self.handler(step[2], school),
                    group=group,
                    reason=step[4],
                    now=moment,
                )
        elif kind == "take":
            user = self.handler(step[2], school)
            services.request_assign(request_obj=req, user=user, assignee=user.person, now=moment)
        elif kind == "solved":
            services.request_solved_by_requester(request_obj=req, user=box["user"], now=moment)
        elif kind == "rate":
            services.request_rate(
                request_obj=req, user=box["user"], rating=step[2], comment=step[3], now=moment
            )
        elif kind == "article":
            article = kb_services.article_draft_from_request(
                request_obj=req, user=self.handler(step[2], school)
            )
            self.counts["articles"] += 1
            type(article).objects.filter(pk=article.pk).update(created_at=moment)

    # --- community --------------------------------------------------------------------
    def member(self, who: str) -> Any:
        if who == "county":
            return self.it
        if who == "teaching":
            return self.teaching_user
        if who == "ithead":
            return self.ithead
        return self.it_head(self.school(who.split(":", 1)[1]))

    def community(self) -> None:
        from dtss.helpdesk import community_services as cs

        for spec in THREADS:
            start = self.at(self.workday_back(spec.workdays_ago), spec.hour)
            if not self.in_past(start):
                start = self.now - dt.timedelta(minutes=self.rng.randint(30, 90))
            request_obj = None
            for flag in spec.flags:
                if flag.startswith("request:"):
                    request_obj = self.requests.get(flag.split(":", 1)[1])
            author = self.member(spec.author)
            thread = cs.thread_create(
                user=author,
                county=self.county,
                topic=spec.topic,
                title=spec.title,
                body=spec.posts[0][2],
                request_obj=request_obj,
                now=start,
            )
            posts = [thread.posts.get()]
            moment = start
            for who, minutes, body in spec.posts[1:]:
                moment = self.later(moment, minutes, None)
                if not self.in_past(moment):
                    break
                posts.append(
                    cs.post_create(thread=thread, user=self.member(who), body=body, now=moment)
                )
            for flag in spec.flags:
                if flag == "pinned":
                    cs.thread_pin(thread=thread, user=self.it)
                elif flag == "locked":
                    cs.thread_lock(thread=thread, user=self.it)
                elif flag.startswith("solved:"):
                    index = int(flag.split(":", 1)[1])
                    if index < len(posts):
                        cs.post_mark_answer(post=posts[index], user=author)
            self.backdate(moment)
            self.counts["threads"] += 1

    # --- reads ------------------------------------------------------------------------
    def read_days(self) -> None:
        """Two months of daily reads, more on school days; totals and "helpful" answers."""
        from dtss.helpdesk.models import Article, ArticleReadDay

        rows = []
        for article, popularity, published in self.published:
            total = 0
            for back in range(60):
                day = self.today - dt.timedelta(days=back)
                if day < published:
                    break
                factor = 1.0 if day.isoweekday() <= 5 else 0.35
                reads = int(popularity * factor * self.rng.uniform(0.3, 1.8) + self.rng.random())
                if reads:
                    rows.append(ArticleReadDay(article=article, day=day, reads=reads))
                    total += reads
            older = max(0, (self.today - published).days - 60)
            total += int(older * popularity * 0.7)
            Article.objects.filter(pk=article.pk).update(
                view_count=total,
                helpful_yes=int(total * self.rng.uniform(0.04, 0.09)),
                helpful_no=int(total * self.rng.uniform(0.0, 0.015)),
            )
        ArticleReadDay.objects.bulk_create(rows, batch_size=1000)


def _drop_history_mail() -> None:
    """The replayed history queued mail for its handlers and requesters (sent after the
    commit); none of it is news, so it is not sent."""
    from django.db import connection

    connection.run_on_commit = [
        item
        for item in connection.run_on_commit
        if getattr(item[1], "__module__", "") != "dtss.helpdesk.services"
    ]
