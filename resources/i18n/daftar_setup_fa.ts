<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="fa_IR">
<context>
    <name>BackupsDialog</name>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="57" />
        <source>Backups</source>
        <translation>پشتیبان‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="59" />
        <source>Daftar backs up this office's database every day and keeps the last two weeks. Restoring a backup replaces today's data with that day's; the data it replaces is kept beside it.</source>
        <translation>دفتر هر روز از پایگاه دادهٔ این ناحیه پشتیبان می‌گیرد و پشتیبان‌های دو هفتهٔ اخیر را نگه می‌دارد. بازگرداندن یک پشتیبان دادهٔ امروز را با دادهٔ آن روز جایگزین می‌کند؛ دادهٔ جایگزین‌شده در کنار آن نگه داشته می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="62" />
        <source>Back up now</source>
        <translation>پشتیبان‌گیری اکنون</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="63" />
        <source>Restore…</source>
        <translation>بازگرداندن…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="64" />
        <source>Close</source>
        <translation>بستن</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="82" />
        <source>Today's backup is taken.</source>
        <translation>پشتیبان امروز گرفته شد.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="93" />
        <source>Restore a backup</source>
        <translation>بازگرداندن پشتیبان</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/backups.py" line="94" />
        <source>Replace this office's data with the backup of %1? Changes made since then that were not sent to the centre will be set aside. Daftar will close; open it again to work on the restored data.</source>
        <translation>دادهٔ این ناحیه با پشتیبان %1 جایگزین شود؟ تغییرهایی که از آن پس انجام شده و به مرکز فرستاده نشده کنار گذاشته می‌شوند. دفتر بسته می‌شود؛ برای کار با دادهٔ بازگردانده آن را دوباره باز کنید.</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="42" />
        <source>The centre cannot be reached. Check the address and this computer's network connection, then try again.</source>
        <translation>مرکز در دسترس نیست. نشانی و اتصال شبکهٔ این رایانه را بررسی کنید و دوباره تلاش کنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="46" />
        <source>This is not a web address. Write it as the centre gave it, e.g. https://137.kashan.ir</source>
        <translation>این نشانی وب نیست. آن را همان‌گونه که مرکز داده بنویسید، مانند https://137.kashan.ir</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="50" />
        <source>This address is not secure (http://). Use the https:// address the centre gave you, or tick “allow an insecure connection” if the centre told you to.</source>
        <translation>این نشانی امن نیست (http://). نشانی https:// را که مرکز داده به کار ببرید، یا اگر مرکز گفته است «اجازهٔ اتصال ناامن» را علامت بزنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="55" />
        <source>The centre did not accept this code. Codes work once and expire: ask the centre for a new one.</source>
        <translation>مرکز این کد را نپذیرفت. هر کد یک بار به کار می‌رود و تاریخ انقضا دارد: از مرکز کد تازه بخواهید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="60" />
        <source>Too many codes were tried from this computer. Wait a few minutes, check the code the centre gave you, and try again.</source>
        <translation>از این رایانه کدهای زیادی امتحان شده است. چند دقیقه صبر کنید، کدی را که مرکز داده است دوباره بررسی کنید و باز امتحان کنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="59" />
        <source>This version of Daftar cannot talk to the centre. Install the version the centre asks for.</source>
        <translation>این نسخهٔ دفتر نمی‌تواند با مرکز کار کند. نسخه‌ای را که مرکز می‌خواهد نصب کنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="63" />
        <source>Joining the centre failed: %1</source>
        <translation>پیوستن به مرکز انجام نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="125" />
        <source>Welcome to Daftar</source>
        <translation>به دفتر خوش آمدید</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="127" />
        <source>This computer has no office data yet. Join your 137 centre with the address and the one-time code the centre gave you; after that Daftar works without the network and sends your work whenever the centre can be reached.</source>
        <translation>این رایانه هنوز دادهٔ ناحیه ندارد. با نشانی و کد یک‌بارمصرفی که مرکز ۱۳۷ به شما داده به مرکز بپیوندید؛ پس از آن دفتر بدون شبکه هم کار می‌کند و هر وقت مرکز در دسترس باشد کارهای شما را می‌فرستد.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="130" />
        <source>Join the centre</source>
        <translation>پیوستن به مرکز</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="131" />
        <source>Centre address:</source>
        <translation>نشانی مرکز:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="133" />
        <source>Enrolment code:</source>
        <translation>کد عضویت:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="135" />
        <source>Allow an insecure (http://) connection</source>
        <translation>اجازهٔ اتصال ناامن (http://)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="136" />
        <source>Try the demo (a local centre with sample requests)</source>
        <translation>آزمودن نسخهٔ نمایشی (مرکزی محلی با درخواست‌های نمونه)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="137" />
        <source>Quit</source>
        <translation>خروج</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="144" />
        <source>Join</source>
        <translation>پیوستن</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="144" />
        <source>Open the demo</source>
        <translation>باز کردن نسخهٔ نمایشی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/first_run.py" line="151" />
        <source>Contacting the centre…</source>
        <translation>در حال تماس با مرکز…</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../desktop_app/app.py" line="0" />
        <source>Updating the office database for this version of Daftar. A copy of it is kept first. This happens once and can take a few minutes on a large office; please do not turn the computer off.</source>
        <translation>پایگاه دادهٔ دفتر برای این نسخهٔ «دفتر» به‌روز می‌شود. پیش از آن یک نسخهٔ پشتیبان از آن نگه داشته می‌شود. این کار یک بار انجام می‌شود و در دفترهای بزرگ ممکن است چند دقیقه طول بکشد؛ لطفاً رایانه را خاموش نکنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/app.py" line="0" />
        <source>Finishing the office database: its first sync was interrupted before the lists were indexed. This can take a few minutes on a large office; please do not turn the computer off.</source>
        <translation>پایگاه دادهٔ دفتر کامل می‌شود: نخستین همگام‌سازی آن پیش از نمایه‌سازی فهرست‌ها قطع شده بود. این کار در دفترهای بزرگ ممکن است چند دقیقه طول بکشد؛ لطفاً رایانه را خاموش نکنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/app.py" line="0" />
        <source>Daftar is already open for this office on this computer. Use its window (look for it on the taskbar).</source>
        <translation>«دفتر» برای این دفتر روی همین رایانه باز است. از همان پنجره استفاده کنید (آن را در نوار وظیفه پیدا کنید).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/app.py" line="0" />
        <source>Daftar</source>
        <translation>دفتر</translation>
    </message>
    <message>
        <location filename="../../desktop_app/app.py" line="0" />
        <source>This office's data was written by a newer version of Daftar. Install that version (or a newer one) to open it. Nothing was changed.</source>
        <translation>داده‌های این دفتر را نسخهٔ جدیدتری از «دفتر» نوشته است. برای باز کردن آن، همان نسخه (یا نسخه‌ای جدیدتر) را نصب کنید. چیزی تغییر نکرد.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/app.py" line="0" />
        <source>The office database could not be opened. Nothing was changed. Restore the latest backup from the data folder, or ask for help with the details below.</source>
        <translation>پایگاه دادهٔ دفتر باز نشد. چیزی تغییر نکرد. آخرین نسخهٔ پشتیبان را از پوشهٔ داده‌ها بازگردانید، یا با جزئیات زیر کمک بخواهید.</translation>
    </message>
</context>
</TS>
