"""The demo world's data tables: the seed's calls per region and outcome, and the
names, streets, words and weights the demo centre's requests are drawn from.

Numbers come from the seed (shared/seed/README.md): the five regions' call volumes
and outcome mixes, the neighbourhoods that call least, the most frequent requests.
The rest (Persian names, Kashan's streets, what citizens say) only has to be
believable.  :mod:`sync.server.demo_requests` draws from these tables.
"""

from __future__ import annotations

from sync.dates import Period
from sync.workflow import Bucket, Status

DEMO_YEAR = 1405
DEMO_PERIOD = Period.jalali_half(DEMO_YEAR, 1)

#: The seed's table: region -> (done, not actionable, in progress).
SEED_OUTCOMES: dict[int, tuple[int, int, int]] = {
    1: (310, 89, 5),
    2: (698, 285, 10),
    3: (464, 150, 31),
    4: (327, 71, 2),
    5: (250, 140, 22),
}
BUCKETS = (Bucket.DONE, Bucket.NOT_ACTIONABLE, Bucket.IN_PROGRESS)

#: The neighbourhoods the seed names as calling least, and how much less they call.
LOW_CALL_NEIGHBOURHOODS = frozenset(
    {"lotehr", "taherabad", "khozagh", "bazaar", "maskan-e-mehr", "ravand"}
)
LOW_CALL_WEIGHT = 0.25

#: The seed's most frequent telephone requests come first.
CATEGORY_WEIGHTS = {
    "asphalt": 16, "garbage": 15, "street_cleaning": 14, "block_paving": 11, "curbs": 10,
    "sidewalk_obstruction": 7, "green_space": 6, "street_signs": 5, "bus": 4, "taxi": 3,
    "cultural": 3, "social": 3, "other": 3,
}
CHANNEL_WEIGHTS = {"phone": 72, "web": 15, "sms": 10, "walk_in": 3}
REASON_WEIGHTS = {
    "duplicate": 25, "not_municipal": 25, "private_property": 15, "not_found": 15,
    "false_report": 10, "no_budget": 10,
}
#: Who closes a not-actionable request: the centre at verification, the district desk,
#: or the crew on site.  Reasons not listed are the desk's.
REASON_PATHS = {"duplicate": "centre", "false_report": "centre", "not_found": "site"}
OPEN_STATUS_WEIGHTS = {Status.REFERRED: 30, Status.ASSIGNED: 35, Status.IN_PROGRESS: 35}
#: Calls by hour of day, Tehran time (the line answers round the clock).
HOUR_WEIGHTS = (1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 6, 8, 9, 9, 8, 6, 5, 5, 6, 7, 7, 6, 5, 4, 3, 2)
LATE_SHARE = 0.15
#: Share of open requests that came in during the last weeks of the period.
RECENT_OPEN_SHARE = 0.6
RECENT_DAYS = 30
TECHNICAL_FAMILY = "technical"
KASHAN = (33.985, 51.435)

MALE_NAMES = (
    "محمد", "علی", "حسین", "رضا", "مهدی", "حسن", "احمد", "عباس", "مرتضی", "جواد",
    "سعید", "امیر", "مصطفی", "حمید", "مجید", "ابوالفضل", "محسن", "یوسف", "اکبر", "غلامرضا",
)
FEMALE_NAMES = (
    "فاطمه", "زهرا", "مریم", "معصومه", "زینب", "سمیه", "اعظم", "لیلا", "نرگس", "طاهره",
    "رقیه", "منیره", "سکینه", "مهناز", "الهام", "شیوا",
)
FAMILY_NAMES = (
    "کاشانی", "نراقی", "راوندی", "قمصری", "فینی", "حسینی", "محمدی", "رضایی", "احمدی",
    "کریمی", "صالحی", "طاهری", "نوری", "جعفری", "عباسی", "سلطانی", "مشهدی", "بیدگلی",
    "آرانی", "نیاسری", "برزکی", "مرتضوی", "موسوی", "هاشمی", "اکبری", "ضرابی", "یزدانی",
    "شریفی", "دهقان", "قطبی",
)
STREETS = (
    "خیابان امیرکبیر", "خیابان شهید بهشتی", "خیابان فاضل نراقی", "خیابان بابا افضل",
    "خیابان محتشم", "خیابان آیت‌الله کاشانی", "خیابان امام خمینی", "خیابان ابوذر",
    "خیابان مدرس", "خیابان ملک‌الشعرای بهار", "خیابان سی‌متری جلالی", "خیابان کمیل",
    "خیابان علوی", "خیابان پانزده خرداد", "خیابان شهید صدوقی", "بلوار قطب راوندی",
    "بلوار مطهری", "بلوار شهید رجایی", "بلوار امیرکبیر", "بلوار دانشگاه",
)
LANDMARKS = (
    "روبروی مسجد", "جنب نانوایی", "نبش کوچه", "کنار مدرسه", "پشت پارک محله",
    "نزدیک درمانگاه", "روبروی بانک ملی",
)
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "street_cleaning": (
        "خاک و نخاله در {street} رها شده و نیاز به نظافت دارد.",
        "جوی آب {street} پر از برگ و زباله است و آب‌گرفتگی ایجاد کرده.",
        "پس از تعمیرات ساختمان، مصالح در معبر باقی مانده است.",
        "کوچه {alley} مدتی است جارو نشده و گرد و خاک زیاد است.",
    ),
    "garbage": (
        "مخزن زباله سر کوچه {alley} پر شده و چند روز است تخلیه نشده.",
        "زباله‌ها کنار مخزن در {street} ریخته شده و بوی بد می‌دهد.",
        "ماشین حمل زباله دیشب به کوچه ما نیامد.",
        "مخزن زباله {street} شکسته است و نیاز به تعویض دارد.",
    ),
    "sidewalk_obstruction": (
        "مغازه‌دار اجناس خود را در پیاده‌رو {street} چیده و عبور عابران سخت شده است.",
        "دستفروش‌ها پیاده‌رو {street} را اشغال کرده‌اند.",
        "مصالح ساختمانی در پیاده‌رو رها شده و راه را بسته است.",
        "خودروی رهاشده چند هفته است در کوچه {alley} مانده است.",
    ),
    "green_space": (
        "درختان {street} نیاز به هرس دارند و شاخه‌ها روی سیم برق افتاده‌اند.",
        "فضای سبز پارک محله چند هفته است آبیاری نشده.",
        "درخت خشک‌شده کنار کوچه {alley} خطر سقوط دارد.",
        "وسایل بازی پارک محله شکسته است.",
    ),
    "asphalt": (
        "آسفالت {street} ترک خورده و چاله بزرگی ایجاد شده است.",
        "پس از حفاری، روکش آسفالت کوچه {alley} ترمیم نشده است.",
        "چاله‌های متعدد در کوچه باعث آسیب به خودروها شده است.",
        "درخواست آسفالت کوچه خاکی {alley}.",
    ),
    "curbs": (
        "جدول‌های {street} شکسته و ریخته است.",
        "کوچه {alley} جدول ندارد و آب باران در آن جمع می‌شود.",
        "جدول کنار پیاده‌رو {street} جابه‌جا شده و خطرناک است.",
    ),
    "block_paving": (
        "بلوک‌های پیاده‌رو {street} کنده شده و عابران زمین می‌خورند.",
        "بلوک‌فرش کوچه {alley} نشست کرده و آب جمع می‌شود.",
        "پس از تعمیر لوله، بلوک‌فرش پیاده‌رو جمع‌آوری و دوباره چیده نشده است.",
    ),
    "bus": (
        "اتوبوس خط {line} دیر می‌آید و ایستگاه {street} سرپناه ندارد.",
        "راننده اتوبوس خط {line} در ایستگاه {street} توقف نکرد.",
        "درخواست افزایش سرویس اتوبوس خط {line} در ساعات اداری.",
    ),
    "taxi": (
        "تاکسی‌های مسیر {street} کرایه بیشتر از نرخ مصوب می‌گیرند.",
        "در ایستگاه تاکسی {street} تاکسی کم است و مسافران معطل می‌مانند.",
        "رفتار نامناسب راننده تاکسی در مسیر {street}.",
    ),
    "street_signs": (
        "تابلوی نام کوچه {alley} افتاده و خوانا نیست.",
        "تابلوی ایست سر تقاطع {street} شکسته است.",
        "تابلوی راهنمای مسیر در {street} نصب نشده است.",
    ),
    "cultural": (
        "درخواست برگزاری برنامه فرهنگی برای کودکان محله.",
        "کتابخانه محله ساعات کاری مناسبی ندارد.",
        "پیشنهاد نصب تابلوی معرفی بناهای تاریخی در {street}.",
    ),
    "social": (
        "فردی بی‌سرپناه در {street} نیاز به کمک دارد.",
        "سگ‌های ولگرد در کوچه {alley} باعث ترس اهالی شده‌اند.",
        "درخواست ساماندهی متکدیان سر چهارراه {street}.",
    ),
    "other": (
        "پیشنهاد برای بهبود روشنایی معابر محله.",
        "پرسش درباره عوارض نوسازی ملک در {street}.",
        "تشکر از پرسنل شهرداری بابت رسیدگی سریع به درخواست قبلی.",
    ),
}
GENERIC_DESCRIPTION = ("درخواست رسیدگی به مشکل در {street}.",)
DONE_NOTES = (
    "رسیدگی و رفع مشکل انجام شد.",
    "اکیپ در محل حاضر شد و کار انجام شد.",
    "مورد بازدید و اقدام لازم صورت گرفت.",
)
REASON_NOTES = {
    "duplicate": "درخواست تکراری است؛ قبلاً ثبت و پیگیری شده.",
    "not_municipal": "موضوع در حوزه وظایف شهرداری نیست و به دستگاه مربوط اعلام شد.",
    "not_found": "در بازدید از محل، مورد گزارش‌شده مشاهده نشد.",
    "false_report": "گزارش با واقعیت مطابقت نداشت.",
    "no_budget": "به دلیل نبود اعتبار در برنامه سال آینده قرار گرفت.",
    "private_property": "محل مورد نظر ملک خصوصی است و اقدام شهرداری ممکن نیست.",
}
MOBILE_PREFIXES = {"0913": 60, "0912": 8, "0919": 6, "0935": 8, "0936": 5, "0910": 6, "0990": 7}
LANDLINE_SHARE = 0.1
ANONYMOUS_SHARE = 0.03
COORDINATES_SHARE = 0.7
